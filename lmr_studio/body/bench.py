"""Body-forward throughput, reported by ``lmr-studio bench`` (called from bench/model.py)."""

from __future__ import annotations

import time
from collections.abc import Callable

import torch


@torch.no_grad()
def benchmark_body_forward(batch: int = 64, name: str = "anny", repeats: int = 5, same_shape: bool = False,
                           clock: Callable[[], float] = time.perf_counter) -> float:
    """Frames per second of ``load_body_model(name).forward`` at ``batch`` random poses (median
    of ``repeats`` timed runs after one warm-up), on the CPU. Betas differ per frame unless
    ``same_shape`` (one body shape per track, the faster case). ``clock`` reads seconds."""
    from lmr_studio.body import load_body_model

    model = load_body_model(name)
    pose = 0.3 * torch.randn(batch, 24, 3)
    betas = torch.randn(1, 10).expand(batch, 10) if same_shape else torch.randn(batch, 10)
    transl = torch.randn(batch, 3)
    model(pose, betas, transl)
    times = []
    for _ in range(repeats):
        start = clock()
        model(pose, betas, transl)
        times.append(clock() - start)
    return batch / sorted(times)[len(times) // 2]
