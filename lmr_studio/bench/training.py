"""Training speed: milliseconds per optimiser step of the shipped recipe's LMR, on the CPU and,
when torch sees one, on the CUDA GPU, measured in one run.

One step is :func:`lmr_studio.training.train.train_step` on a batch of the shipped recipe's
shape (16 clips of 96 frames, back-propagated 32 frames at a time) with placeholder inputs and
targets: the values do not change the work, so no body model or data pool is needed.
"""

from __future__ import annotations

import time

import torch

from lmr_studio.commands.train import CLIP_FRAMES
from lmr_studio.model import build_model
from lmr_studio.model.losses import LossWeights
from lmr_studio.training.bodies import SKELETON_TERMS
from lmr_studio.training.dataset import ClipSet
from lmr_studio.training.train import TrainConfig, train_step


def placeholder_batch(clips: int, frames: int, feature_dim: int, seed: int = 0) -> ClipSet:
    """A batch of the training shapes: random features and joints, identity rotations, zero betas."""
    gen = torch.Generator().manual_seed(seed)
    rand = lambda *shape: torch.randn(*shape, generator=gen)  # noqa: E731
    return ClipSet(features=rand(clips, frames, feature_dim),
                   rotmat=torch.eye(3).expand(clips, frames, 24, 3, 3).contiguous(),
                   poses=torch.zeros(clips, frames, 24, 3), betas=torch.zeros(clips, frames, 10),
                   joints3d=0.3 * rand(clips, frames, 24, 3), joints2d=0.3 * rand(clips, frames, 24, 2),
                   keypoints=torch.zeros(clips, frames, 33, 3), families=["placeholder"] * clips)


def step_ms(device: str, steps: int) -> float:
    """Median milliseconds of one training step of the shipped-size LMR on ``device``."""
    config = TrainConfig()
    torch.manual_seed(0)
    model = build_model("lmr").to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    batch = placeholder_batch(config.batch, CLIP_FRAMES, model.config.feature_dim).to(device)
    basis = (0.1 * torch.randn(SKELETON_TERMS, 24, 3, generator=torch.Generator().manual_seed(1))).to(device)
    weights = LossWeights(joints3d=config.joints3d_loss, velocity=config.velocity_loss)
    times = []
    for i in range(steps + 1):  # the first step warms up (allocations, kernels)
        start = time.perf_counter()
        terms = train_step(model, opt, batch, batch.features, basis, weights, config)
        terms["total"].item()  # waits for the GPU
        if i:
            times.append(time.perf_counter() - start)
    return 1000 * sorted(times)[len(times) // 2]


def run(quick: bool) -> dict:
    """{"train_step_ms", "train_step_ms_cuda", "train_threads"}; the CUDA figure is None without a GPU."""
    steps = 3 if quick else 9
    return {"train_step_ms": round(step_ms("cpu", steps), 1),
            "train_step_ms_cuda": round(step_ms("cuda", steps), 1) if torch.cuda.is_available() else None,
            "train_threads": torch.get_num_threads()}
