"""Zero-lag Gaussian smoothing over a track's frames, of sequences and of rotations via 6D.

Rotations are never smoothed as raw axis-angle (it wraps at pi): poses go to the continuous 6D
representation, are smoothed there, and are projected back to rotations by Gram-Schmidt.
"""

from __future__ import annotations

import numpy as np
import torch

from lmr_studio.geometry.rotations import axis_angle_to_rot6d, rot6d_to_axis_angle


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


#: ``--smooth``'s kernel over a finished track: sigma and reach in frames (chosen on held-out CMU
#: renders, 1.0-2.0 scanned: docs/model.md, "Smoothing a finished track").
SMOOTH_SIGMA = 1.5
SMOOTH_RADIUS = 4


def smooth_over_frames(x: np.ndarray, frame_ids: np.ndarray) -> np.ndarray:
    """``--smooth``'s kernel (:data:`SMOOTH_SIGMA`, :data:`SMOOTH_RADIUS`) over (F, ...) ``x`` at
    ``frame_ids`` (F,) -> float32."""
    return gaussian_over_frames(x, frame_ids, SMOOTH_SIGMA, SMOOTH_RADIUS).astype(np.float32)


def smooth_poses(poses: np.ndarray, frame_ids: np.ndarray) -> np.ndarray:
    """:func:`smooth_over_frames` of (F, J, 3) axis-angle ``poses``, in 6D -> (F, J, 3) float32."""
    rot6d = axis_angle_to_rot6d(torch.as_tensor(np.asarray(poses, np.float32))).numpy()
    return rot6d_to_axis_angle(torch.from_numpy(smooth_over_frames(rot6d, frame_ids))).numpy()
