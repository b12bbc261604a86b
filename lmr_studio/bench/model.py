"""Model benchmarks: LMR and single-RNN throughput (frames/s), and the body model's forward.

Networks are timed with the shipped weights when present (else a random init of the same size:
the speed is identical), on the CPU with torch's current thread count and, when torch sees one,
on the CUDA GPU, as the median of a few timed runs after a warm-up. ``predict`` returns numpy
arrays, so each timed run includes the copies to and from the GPU.
"""

from __future__ import annotations

import contextlib
import sys
import time

import numpy as np
import torch

from lmr_studio.errors import BadWeightsError
from lmr_studio.model import build_model, load_model, predict


def _network(kind: str, device: str = "cpu"):
    try:
        return load_model(kind, device=device)
    except BadWeightsError:
        return build_model(kind).to(device).eval()


def _fps(model, frames: int, repeats: int) -> float:
    """Frames/s of one track of ``frames`` frames, state carried over the whole track."""
    feats = np.random.default_rng(0).normal(size=(frames, model.config.feature_dim)).astype(np.float32)
    predict(model, feats[:64])  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        predict(model, feats)
        times.append(time.perf_counter() - start)
    return frames / sorted(times)[len(times) // 2]


def run(quick: bool) -> dict:
    """{"lmr_fps", "single_rnn_fps", "model_threads", "lmr_fps_cuda", "single_rnn_fps_cuda",
    "body_forward_fps"}; the CUDA figures are None without a GPU, the body's without Anny."""
    frames, repeats = (1024, 3) if quick else (4096, 5)
    cuda = torch.cuda.is_available()
    figures = {"model_threads": torch.get_num_threads()}
    for kind in ("lmr", "single_rnn"):
        figures[f"{kind}_fps"] = round(_fps(_network(kind), frames, repeats), 1)
        figures[f"{kind}_fps_cuda"] = round(_fps(_network(kind, "cuda"), frames, repeats), 1) if cuda else None
    from lmr_studio.body import benchmark_body_forward

    try:
        with contextlib.redirect_stdout(sys.stderr):  # warp (under Anny) prints its banner to stdout
            figures["body_forward_fps"] = round(benchmark_body_forward(batch=64, name="anny", repeats=repeats), 1)
    except ImportError:  # Anny's packages are missing (a bare GPU machine running the CUDA checks)
        figures["body_forward_fps"] = None
    return figures
