"""Inference on one track's feature sequence: batched windows (fast) or streaming (state carried)."""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from lmr_studio.geometry.rotations import matrix_to_axis_angle
from lmr_studio.model.network import MeshRegressor, NetworkOutput, State


@dataclasses.dataclass
class Prediction:
    """Per-frame network outputs for F frames (numpy float32)."""

    poses: np.ndarray          # (F, 24, 3) axis-angle, radians, SMPL joint order, camera frame
    betas: np.ndarray          # (F, 10)
    cam: np.ndarray            # (F, 3) weak-perspective (s, tx, ty) in the person box
    part_activity: np.ndarray  # (F, 6) hidden-state change per frame of each part's recurrent model


def _windows(features: torch.Tensor, window: int) -> torch.Tensor:
    """(F, D) -> (N, window, D), padding the end by repeating the last frame."""
    f = features.shape[0]
    n = -(-f // window)
    pad = n * window - f
    if pad:
        features = torch.cat([features, features[-1:].expand(pad, -1)], 0)
    return features.view(n, window, -1)


@torch.inference_mode()
def run_network(model: MeshRegressor, features: torch.Tensor, streaming: bool = False,
                window: int | None = None) -> NetworkOutput:
    """(F, D) tensor -> outputs with a leading batch of 1 (shapes (1, F, ...)).

    Batched: the sequence is cut into windows of ``window`` frames run as one batch, each from a
    fresh recurrent state (as in training). Streaming: windows run in order, carrying the state.
    """
    window = window or model.config.window
    f = features.shape[0]
    chunks = _windows(features, window)
    if streaming:
        state: State | None = None
        outs = []
        for chunk in chunks:
            out = model(chunk[None], state)
            state = out.state
            outs.append(out)
        cat = lambda name: torch.cat([getattr(o, name) for o in outs], 1)  # noqa: E731
        parts = {n: cat(n) for n in ("rot6d", "rotmat", "betas", "cam", "part_activity")}
        return NetworkOutput(**{k: v[:, :f] for k, v in parts.items()}, state=state)
    out = model(chunks)
    flat = {n: getattr(out, n).reshape(1, -1, *getattr(out, n).shape[2:])[:, :f]
            for n in ("rot6d", "rotmat", "betas", "cam", "part_activity")}
    return NetworkOutput(**flat, state=out.state)


def predict(model: MeshRegressor, features: np.ndarray, device: str | torch.device | None = None,
            streaming: bool = False) -> Prediction:
    """Run ``model`` on one track's features (F, 99) float32 -> :class:`Prediction`.

    ``device`` defaults to the model's own device. ``streaming`` carries the recurrent state from
    window to window (slower; for live input) instead of batching independent windows.
    """
    features = np.asarray(features, dtype=np.float32)
    if features.ndim != 2 or features.shape[1] != model.config.feature_dim:
        raise ValueError(f"features must be (F, {model.config.feature_dim}), got {features.shape}")
    if len(features) == 0:
        nb = model.config.num_betas
        return Prediction(np.zeros((0, 24, 3), np.float32), np.zeros((0, nb), np.float32),
                          np.zeros((0, 3), np.float32), np.zeros((0, 6), np.float32))
    device = torch.device(device) if device is not None else next(model.parameters()).device
    model = model.to(device)
    was_training = model.training
    model.eval()
    out = run_network(model, torch.from_numpy(features).to(device), streaming=streaming)
    model.train(was_training)
    as_np = lambda t: t[0].float().cpu().numpy().astype(np.float32)  # noqa: E731
    return Prediction(poses=as_np(matrix_to_axis_angle(out.rotmat)), betas=as_np(out.betas),
                      cam=as_np(out.cam), part_activity=as_np(out.part_activity))
