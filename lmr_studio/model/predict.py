"""Inference on one track's feature sequence, one recurrent state carried over the whole track.

Every part's recurrent state runs from the track's first frame to its last: no window restarts,
so there are no jumps at fixed frame intervals. Long tracks run in chunks of ``CHUNK`` frames with
the state handed from chunk to chunk (bounded memory, identical results to one pass), and a
:class:`StreamState` lets a caller continue a track later (the GUI's incremental preview).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from lmr_studio.geometry.rotations import matrix_to_axis_angle
from lmr_studio.model.network import MeshRegressor, State

#: Frames run per forward pass; only memory depends on it, not the result.
CHUNK = 512


@dataclasses.dataclass
class Prediction:
    """Per-frame network outputs for F frames (numpy float32)."""

    poses: np.ndarray          # (F, 24, 3) axis-angle, radians, SMPL joint order, camera frame
    betas: np.ndarray          # (F, 10)
    cam: np.ndarray            # (F, 3) weak-perspective (s, tx, ty) in the person box
    part_activity: np.ndarray  # (F, 6) hidden-state change per frame of each part's recurrent model

    def __len__(self) -> int:
        return len(self.poses)

    @classmethod
    def empty(cls, num_betas: int) -> "Prediction":
        z = lambda *shape: np.zeros(shape, np.float32)  # noqa: E731
        return cls(z(0, 24, 3), z(0, num_betas), z(0, 3), z(0, 6))

    def concat(self, other: "Prediction") -> "Prediction":
        """This prediction followed by ``other`` (frames appended)."""
        return Prediction(*(np.concatenate([getattr(self, f.name), getattr(other, f.name)])
                            for f in dataclasses.fields(self)))


@dataclasses.dataclass
class StreamState:
    """Where a track's inference stopped: the recurrent state after ``frames`` frames."""

    frames: int = 0
    state: State | None = None


def _check(model: MeshRegressor, features: np.ndarray) -> np.ndarray:
    features = np.asarray(features, dtype=np.float32)
    if features.ndim != 2 or features.shape[1] != model.config.feature_dim:
        raise ValueError(f"features must be (F, {model.config.feature_dim}), got {features.shape}")
    return features


@torch.inference_mode()
def predict_stream(model: MeshRegressor, features: np.ndarray, stream: StreamState | None = None,
                   device: str | torch.device | None = None) -> tuple[Prediction, StreamState]:
    """Continue a track: ``features`` (N, feature_dim) are the frames after ``stream.frames``.

    Returns the N new frames' prediction and the state after them. Running a track in pieces
    gives the same numbers as running it whole.
    """
    features = _check(model, features)
    stream = stream or StreamState()
    if len(features) == 0:
        return Prediction.empty(model.config.num_betas), stream
    device = torch.device(device) if device is not None else next(model.parameters()).device
    model = model.to(device)
    was_training = model.training
    model.eval()
    state, pieces = stream.state, []
    for start in range(0, len(features), CHUNK):
        chunk = torch.from_numpy(features[start:start + CHUNK]).to(device)
        out = model(chunk[None], state)
        state = out.state
        as_np = lambda t: t[0].float().cpu().numpy().astype(np.float32)  # noqa: E731
        pieces.append(Prediction(poses=as_np(matrix_to_axis_angle(out.rotmat)), betas=as_np(out.betas),
                                 cam=as_np(out.cam), part_activity=as_np(out.part_activity)))
    model.train(was_training)
    pred = pieces[0]
    for piece in pieces[1:]:
        pred = pred.concat(piece)
    return pred, StreamState(stream.frames + len(features), state)


def predict(model: MeshRegressor, features: np.ndarray, device: str | torch.device | None = None) -> Prediction:
    """Run ``model`` over one whole track's features (F, feature_dim) -> :class:`Prediction`.

    ``device`` defaults to the model's own device.
    """
    return predict_stream(model, features, None, device)[0]
