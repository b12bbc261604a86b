"""Model benchmarks: LMR and single-RNN throughput (frames/s), and the body model's forward.

Networks are timed with the shipped weights when present (else a random init of the same size:
the speed is identical), on the CPU with torch's current thread count, as the median of a few
timed runs after a warm-up.
"""

from __future__ import annotations

import contextlib
import sys
import time

import numpy as np
import torch

from lmr_studio.errors import BadWeightsError
from lmr_studio.model import build_model, load_model, predict


def _network(kind: str):
    try:
        return load_model(kind, device="cpu")
    except BadWeightsError:
        return build_model(kind).eval()


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
    """{"lmr_fps", "single_rnn_fps", "model_threads", "body_forward_fps"}."""
    frames, repeats = (1024, 3) if quick else (4096, 5)
    figures = {
        "lmr_fps": round(_fps(_network("lmr"), frames, repeats), 1),
        "single_rnn_fps": round(_fps(_network("single_rnn"), frames, repeats), 1),
        "model_threads": torch.get_num_threads(),
    }
    try:
        from lmr_studio.body import benchmark_body_forward
    except ImportError:
        figures["body_forward_fps"] = None
    else:
        with contextlib.redirect_stdout(sys.stderr):  # warp (under Anny) prints its banner to stdout
            figures["body_forward_fps"] = round(benchmark_body_forward(batch=64, name="anny", repeats=repeats), 1)
    return figures
