"""Weights files: ``weights/<kind>.pt`` holds the config, the state dict, a version and training notes."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import torch

from lmr_studio.errors import BadWeightsError, LMRStudioError
from lmr_studio.io.atomic import atomic_path
from lmr_studio.model.config import KINDS, ModelConfig
from lmr_studio.model.network import MeshRegressor
from lmr_studio.resources import WEIGHTS_DIR

FORMAT = 1


def default_device() -> torch.device:
    """CUDA when torch has it, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def require_device(name: str | None) -> torch.device:
    """The device ``name`` ("cpu", "cuda"; None: :func:`default_device`); LMRStudioError, with
    what to do, when CUDA is asked for and torch sees no GPU."""
    if name is None:
        return default_device()
    if name == "cuda" and not torch.cuda.is_available():
        raise LMRStudioError("--device cuda was asked for, but PyTorch sees no CUDA GPU here.", "Use --device cpu.")
    return torch.device(name)


def build_model(kind: str = "lmr", config: ModelConfig | dict | None = None) -> MeshRegressor:
    """A randomly initialised network of ``kind`` (lmr | single_rnn | per_frame)."""
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}; expected one of {KINDS}")
    cfg = ModelConfig.from_dict(config) if isinstance(config, dict) else (config or ModelConfig())
    cfg = ModelConfig.from_dict({**cfg.to_dict(), "kind": kind})
    return MeshRegressor(cfg)


def pose_parameters(model: MeshRegressor) -> int:
    """Parameters of the pose model: LMR's six part GRUs, or the single RNN's one GRU."""
    units = [model.root] + ([model.others] if model.others is not None else [])
    return sum(p.numel() for unit in units for p in unit.parameters())


def sized_config(kind: str, part_hidden: int) -> ModelConfig:
    """The :class:`ModelConfig` of ``kind`` for LMR part GRUs of ``part_hidden`` units: LMR and
    per-frame use it as is; the single RNN gets the hidden size whose pose GRU has as many
    parameters as LMR's six (the paper's ablation at equal capacity: 218 for 64 units; the
    default config's 216 was set by hand before, within 1 % of it)."""
    config = ModelConfig(kind=kind, part_hidden=part_hidden)
    if kind != "single_rnn":
        return config
    target = pose_parameters(MeshRegressor(ModelConfig(kind="lmr", part_hidden=part_hidden)))
    size = lambda hidden: pose_parameters(MeshRegressor(ModelConfig(kind=kind, single_hidden=hidden)))  # noqa: E731
    low, high = 1, 8 * part_hidden
    while high - low > 1:  # parameters grow with the hidden size: the last size at or below the target
        mid = (low + high) // 2
        low, high = (mid, high) if size(mid) <= target else (low, mid)
    hidden = min((low, high), key=lambda h: abs(size(h) - target))
    return dataclasses.replace(config, single_hidden=hidden)


def weights_path(kind: str = "lmr", path: str | os.PathLike | None = None) -> Path:
    """``path`` itself when it is a file name, ``<path>/<kind>.pt`` for a folder, else the shipped file."""
    if path is None:
        return WEIGHTS_DIR / f"{kind}.pt"
    p = Path(path)
    return p / f"{kind}.pt" if p.is_dir() else p


def save_weights(model: MeshRegressor, path: str | os.PathLike, version: str, notes: dict | None = None) -> Path:
    """Write ``model`` (config, state dict, version, notes) atomically to ``path``."""
    payload = {"format": FORMAT, "config": model.config.to_dict(), "version": version,
               "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
               "notes": notes or {}}
    path = Path(path)
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)
    return path


def read_weights(path: str | os.PathLike, device: str | torch.device | None = None) -> dict:
    """The raw payload of a weights file; BadWeightsError when missing or unreadable."""
    path = Path(path)
    hint = "Reinstall LMR Studio to restore weights/, or recreate them with `lmr-studio train`."
    if not path.is_file():
        raise BadWeightsError(f"Weights file {path} does not exist.", hint)
    try:
        payload = torch.load(path, map_location=device or "cpu", weights_only=True)
    except Exception as exc:  # pickle, zip and torch errors all mean a corrupt file
        raise BadWeightsError(f"{path} is not a readable weights file ({exc.__class__.__name__}).", hint) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT or "state_dict" not in payload:
        raise BadWeightsError(f"{path} is not an LMR Studio weights file.", hint)
    return payload


def load_model(kind: str = "lmr", path: str | os.PathLike | None = None,
               device: str | torch.device | None = None) -> MeshRegressor:
    """Load trained weights (``weights/<kind>.pt`` by default) onto ``device``, in eval mode."""
    device = torch.device(device) if device is not None else default_device()
    file = weights_path(kind, path)
    payload = read_weights(file, device)
    config = ModelConfig.from_dict(payload["config"])
    if config.kind != kind:
        raise BadWeightsError(f"{file} holds a {config.kind!r} network, not {kind!r}.",
                              f"Pass the {kind}.pt file, or ask for kind={config.kind!r}.")
    model = MeshRegressor(config)
    try:
        model.load_state_dict(payload["state_dict"], strict=True)
    except RuntimeError as exc:
        raise BadWeightsError(f"{file} does not match the {kind} network: {str(exc).splitlines()[0]}",
                              "Retrain with `lmr-studio train` for this version of LMR Studio.") from None
    model.version = str(payload.get("version", ""))
    return model.to(device).eval()
