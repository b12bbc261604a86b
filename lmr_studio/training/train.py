"""The training loop behind ``lmr-studio train``: seeded, resumable, with tqdm progress.

All three networks see the same data pool (same seed), the same losses and the same number of
steps and batch size: the paper's "identical settings" for the ablation. Each step runs whole
clips with one recurrent state from the first frame to the last, back-propagating through
``chunk`` frames at a time (truncated BPTT), so the networks learn to run on long tracks as
inference does; a random share of clips sees the 2D keypoints without the world landmarks. With
``ema`` the file written is the exponential moving average of the weights over the steps.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm import tqdm

from lmr_studio.errors import LMRStudioError
from lmr_studio.io.atomic import atomic_path
from lmr_studio.model import build_model, load_model, save_weights
from lmr_studio.model.weights import read_weights, weights_path
from lmr_studio.model.losses import LossWeights, lmr_losses
from lmr_studio.training.bodies import BodyBank, skeleton_from_betas
from lmr_studio.training.dataset import ClipSet, with_world_dropped


@dataclasses.dataclass
class TrainConfig:
    """Budget and optimiser settings (defaults = the shipped weights)."""

    steps: int = 1500
    batch: int = 16
    lr: float = 1e-3
    weight_decay: float = 1e-4
    grad_clip: float = 1.0
    seed: int = 0
    checkpoint_every: int = 100
    chunk: int = 32         # frames back-propagated through at once; the state carries on across chunks
    world_drop: float = 0.3  # share of clips per step seen without world landmarks (2D-only input)
    realdet_share: float = 0.0  # share of steps whose batch comes from the render-and-detect clips
    ema: float = 0.0        # decay of the weights' exponential moving average saved instead of the last step's; 0: off
    velocity_loss: float = 0.0  # weight of the joint-velocity loss (model/losses.py); 0: off
    joints3d_loss: float = LossWeights.joints3d  # weight of the 3D-joint L1 (model/losses.py)


def _batch_index(config: TrainConfig, step: int, pool: int) -> torch.Tensor:
    """Clip indices of ``step``: a pure function of seed and step, so a resumed run is identical."""
    gen = torch.Generator().manual_seed(config.seed * 1_000_003 + step)
    return torch.randint(0, pool, (config.batch,), generator=gen)


def _world_mask(config: TrainConfig, step: int, batch: int) -> torch.Tensor:
    """(batch, 1, 1): 0 for the clips of ``step`` that see 2D keypoints only, else 1 (seeded)."""
    gen = torch.Generator().manual_seed(config.seed * 1_000_003 + step + 7)
    return (torch.rand(batch, generator=gen) >= config.world_drop).float()[:, None, None]


def _from_realdet(config: TrainConfig, step: int) -> bool:
    """Whether ``step`` draws its batch from the render-and-detect clips (seeded, like the batches)."""
    gen = torch.Generator().manual_seed(config.seed * 1_000_003 + step + 13)
    return bool(torch.rand(1, generator=gen).item() < config.realdet_share)


def detach_state(state):
    """The recurrent state with its history cut off (truncated back-propagation through time)."""
    return [[None if h is None else h.detach() for h in units] for units in state]


def _lr_at(config: TrainConfig, step: int) -> float:
    """Linear warm-up over 50 steps, then cosine decay to 5 % of the peak."""
    warm = min(1.0, (step + 1) / 50)
    return config.lr * warm * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * step / max(config.steps, 1))))


def train_step(model, opt: torch.optim.Optimizer, b: ClipSet, features: torch.Tensor, basis: torch.Tensor,
               weights: LossWeights, config: TrainConfig) -> dict[str, torch.Tensor]:
    """One optimiser step on the clips ``b`` read as ``features`` (B, T, FEATURE_DIM): one
    recurrent state from the first frame, back-propagated ``config.chunk`` frames at a time.
    Returns the loss terms, each the mean over the frames (detached)."""
    opt.zero_grad(set_to_none=True)
    state, sums = None, {}
    frames = features.shape[1]
    for start in range(0, frames, config.chunk):
        part = slice(start, start + config.chunk)
        out = model(features[:, part], state)
        state = detach_state(out.state)
        chunk_terms = lmr_losses(out, skeleton_from_betas(basis, out.betas), b.rotmat[:, part], b.betas[:, part],
                                 b.joints3d[:, part], b.joints2d[:, part], weights)
        share = out.betas.shape[1] / frames
        (chunk_terms["total"] * share).backward()
        for k, v in chunk_terms.items():
            sums[k] = sums.get(k, 0.0) + v.detach() * share
    torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
    opt.step()
    return sums


def train_model(kind: str, data: ClipSet, bank: BodyBank, config: TrainConfig, out_path: Path,
                checkpoint: Path | None = None, model_config: dict | None = None,
                log=None, progress: bool = True, extra_notes: dict | None = None,
                on_checkpoint: Callable[[int], None] | None = None, realdet: ClipSet | None = None,
                init: Path | None = None, device: str | torch.device = "cpu") -> dict:
    """Train one network; writes the weights to ``out_path`` and returns training notes.

    ``checkpoint``: file to resume from and to save to every ``checkpoint_every`` steps;
    ``on_checkpoint(step)`` is called after each save (progress reports, or a test's stop);
    ``realdet``: render-and-detect clips, drawn for ``config.realdet_share`` of the steps;
    ``init``: weights (a file or a folder with ``<kind>.pt``) to start from instead of random ones;
    ``device``: where the network trains (the batches move there; the written weights are on the CPU).
    """
    if config.realdet_share > 0 and realdet is None:
        raise ValueError("realdet_share > 0 needs the realdet clips")
    torch.manual_seed(config.seed)
    device = torch.device(device)
    model = build_model(kind, model_config).to(device) if init is None else load_model(kind, init, device=device)
    opt = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    averaged = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(config.ema)) if config.ema > 0 else None
    basis = torch.from_numpy(bank.skel_basis).to(device)
    weights = LossWeights(joints3d=config.joints3d_loss, velocity=config.velocity_loss)
    start, elapsed = 0, 0.0
    if checkpoint is not None and checkpoint.is_file():
        state = torch.load(checkpoint, map_location=device, weights_only=True)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        if averaged is not None:
            if "averaged" not in state:
                raise LMRStudioError(f"{checkpoint} was written by a run without a moving average of the weights.",
                                     "Rerun with --fresh, or with another --run-dir, to use --ema.")
            averaged.load_state_dict(state["averaged"])
        start, elapsed = int(state["step"]), float(state["elapsed"])
    model.train()
    bar = tqdm(range(start, config.steps), initial=start, total=config.steps, desc=f"train {kind}",
               disable=not progress, dynamic_ncols=True)
    t0 = time.perf_counter()
    terms: dict[str, torch.Tensor] = {}
    history: list[tuple[int, float]] = []
    for step in bar:
        for group in opt.param_groups:
            group["lr"] = _lr_at(config, step)
        pool = realdet if config.realdet_share > 0 and _from_realdet(config, step) else data
        b = pool.batch(_batch_index(config, step, len(pool))).to(device)
        keep = _world_mask(config, step, len(b)).to(device)
        terms = train_step(model, opt, b, with_world_dropped(b.features, keep), basis, weights, config)
        if averaged is not None:
            averaged.update_parameters(model)
        if step % 10 == 0:
            bar.set_postfix({k: f"{v.item():.3f}" for k, v in terms.items()})
            history.append((step, terms["total"].item()))
            if log is not None:
                log(f"{kind} step {step} " + " ".join(f"{k}={v.item():.4f}" for k, v in terms.items()))
        done = step + 1
        if checkpoint is not None and (done % config.checkpoint_every == 0 or done == config.steps):
            _save_checkpoint(checkpoint, model, opt, averaged, done, elapsed + time.perf_counter() - t0)
            if on_checkpoint is not None:
                on_checkpoint(done)
    wall = elapsed + time.perf_counter() - t0
    notes = {"kind": kind, "steps": config.steps, "batch": config.batch, "clip_frames": data.features.shape[1],
             "chunk": config.chunk, "world_drop": config.world_drop, "pool_clips": len(data),
             "realdet_share": config.realdet_share, "ema": config.ema, "realdet_clips": 0 if realdet is None else len(realdet),
             "init": None if init is None else str(init), "seed": config.seed, "lr": config.lr, "wall_s": round(wall, 1),
             "device": device.type, "threads": torch.get_num_threads(),
             "final_loss": {k: round(v.item(), 5) for k, v in terms.items()}, **(extra_notes or {})}
    stage = f"s{config.seed}-{config.steps}steps" + (f"-vel{config.velocity_loss:g}" if config.velocity_loss else "")
    if config.joints3d_loss != LossWeights.joints3d:
        stage += f"-j3d{config.joints3d_loss:g}"
    version = f"{kind}-{stage}"
    if init is not None:  # fine-tuned: the starting weights' version first
        version = f"{read_weights(weights_path(kind, init))['version']}+{stage}"
    save_weights(model if averaged is None else averaged.module, out_path, version=version, notes=notes)
    return notes


def _save_checkpoint(path: Path, model, opt, averaged: AveragedModel | None, step: int, elapsed: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step, "elapsed": elapsed}
    if averaged is not None:
        state["averaged"] = averaged.state_dict()
    with atomic_path(path) as tmp:
        torch.save(state, tmp)
