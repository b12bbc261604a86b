"""Torch's CPU thread count: set once per process, never saved and restored by workers.

Next to MediaPipe's own threads, torch's spinning OpenMP workers made LMR inference up to 20x
slower on 2 cores (measured), so inference runs on ``INFERENCE_THREADS``. Setting and restoring
the count around each call from worker threads raced when a retired job was still running and
could leave torch at the wrong count for good (issue 12); the first call here sets it for the
process and later calls do nothing (threads started later pick the count up on their first
parallel region).
"""

from __future__ import annotations

import threading

INFERENCE_THREADS = 1

_lock = threading.Lock()
_configured: int | None = None


def use_inference_threads(count: int = INFERENCE_THREADS) -> int:
    """Set torch's intra-op threads to ``count`` if no call did before; returns the count in force."""
    global _configured
    with _lock:
        if _configured is None:
            import torch

            torch.set_num_threads(count)
            _configured = count
        return _configured
