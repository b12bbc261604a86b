"""One-Euro filtering of per-frame sequences (Casiez et al., 2012), and of rotations via 6D;
zero-lag Gaussian smoothing over a track's frames.

Rotations are never filtered as raw axis-angle (it wraps at pi): poses go to the continuous 6D
representation, are filtered there, and are projected back to rotations by Gram-Schmidt.
"""

from __future__ import annotations

import numpy as np
import torch

from lmr_studio.geometry.rotations import axis_angle_to_rot6d, rot6d_to_axis_angle


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * np.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


def one_euro(x: np.ndarray, times: np.ndarray, min_cutoff: float = 1.5, beta: float = 0.5,
             d_cutoff: float = 1.0) -> np.ndarray:
    """Filter ``x`` (F, ...) sampled at ``times`` (F,) seconds, element-wise; returns (F, ...) float.

    ``min_cutoff`` (Hz) sets the smoothing of slow motion; ``beta`` how fast the cutoff rises with
    speed (less lag on quick moves).
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    if len(x) == 0:
        return out
    out[0] = x[0]
    dx_hat = np.zeros_like(x[0])
    for i in range(1, len(x)):
        dt = max(float(times[i] - times[i - 1]), 1e-6)
        dx = (x[i] - out[i - 1]) / dt
        dx_hat = dx_hat + _alpha(d_cutoff, dt) * (dx - dx_hat)
        a = _alpha(min_cutoff + beta * np.abs(dx_hat), dt)
        out[i] = out[i - 1] + a * (x[i] - out[i - 1])
    return out


def smooth_poses(poses: np.ndarray, times: np.ndarray, min_cutoff: float = 1.5, beta: float = 0.5) -> np.ndarray:
    """One-Euro filtered poses: (F, J, 3) axis-angle at ``times`` (F,) s -> (F, J, 3) float32."""
    rot6d = axis_angle_to_rot6d(torch.as_tensor(np.asarray(poses, np.float32))).numpy()
    filtered = one_euro(rot6d, times, min_cutoff, beta)
    return rot6d_to_axis_angle(torch.from_numpy(filtered.astype(np.float32))).numpy()


def gaussian_over_frames(x: np.ndarray, frame_ids: np.ndarray, sigma: float, radius: int) -> np.ndarray:
    """Zero-lag smoothing of ``x`` (F, ...) at increasing integer ``frame_ids`` (F,): each row
    becomes the mean of the rows within ``radius`` frames of it, weighted ``exp(-d^2 / 2 sigma^2)``
    by their distance ``d`` in frames, renormalised over the rows that exist (a gap or an end of
    the track leaves fewer); non-finite rows give no weight and stay as they are. Row f depends on
    the rows of frames f - radius .. f + radius only. Returns (F, ...) float64."""
    x = np.asarray(x, np.float64)
    frame_ids = np.asarray(frame_ids)
    per_row = (-1,) + (1,) * (x.ndim - 1)  # a (F,) array against (F, ...)
    finite = np.isfinite(x).reshape(len(x), -1).all(1)
    clean = np.where(finite.reshape(per_row), x, 0.0)
    total, weight = np.zeros_like(x), np.zeros(len(x))
    for k in range(-radius, radius + 1):  # distinct frames: within radius frames is within radius rows
        lo, hi = max(0, -k), min(len(x), len(x) - k)
        if lo >= hi:
            continue
        distance = frame_ids[lo + k:hi + k] - frame_ids[lo:hi]
        w = np.exp(-0.5 * (distance / sigma) ** 2) * (np.abs(distance) <= radius) * finite[lo + k:hi + k]
        total[lo:hi] += w.reshape(per_row) * clean[lo + k:hi + k]
        weight[lo:hi] += w
    return np.where(finite.reshape(per_row), total / weight.clip(1e-12).reshape(per_row), x)
