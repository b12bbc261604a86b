"""Local dynamics of the six LMR parts: how fast each part's joints rotate over a track."""

from __future__ import annotations

import numpy as np
import torch

from lmr_studio.geometry.rotations import axis_angle_to_matrix, matrix_to_axis_angle
from lmr_studio.parts import NUM_PARTS, PART_JOINTS


def joint_angular_speed(poses: np.ndarray, frame_ids: np.ndarray, fps: float) -> np.ndarray:
    """Angular speed of every joint's local rotation.

    poses: (F, 24, 3) axis-angle, radians, SMPL order; frame_ids: (F,) increasing video frames.
    Returns (F, 24) float32, radians per second: the angle of the rotation from row i-1 to row i
    divided by the time between those frames (row 0 repeats row 1; a single row gives zeros).
    """
    poses = np.asarray(poses, dtype=np.float32)
    n = len(poses)
    out = np.zeros(poses.shape[:2], dtype=np.float32)
    if n < 2:
        return out
    with torch.no_grad():
        rot = axis_angle_to_matrix(torch.from_numpy(poses))                 # (F, 24, 3, 3)
        rel = rot[:-1].transpose(-1, -2) @ rot[1:]                          # (F-1, 24, 3, 3)
        angle = matrix_to_axis_angle(rel).norm(dim=-1).numpy()             # (F-1, 24) rad
    dt = np.diff(np.asarray(frame_ids, dtype=np.float64)).clip(min=1) / fps  # (F-1,) s
    out[1:] = angle / dt[:, None]
    out[0] = out[1]
    return out


def part_angular_speed(poses: np.ndarray, frame_ids: np.ndarray, fps: float) -> np.ndarray:
    """Mean angular speed of each part's joints, (F, 6) float32 rad/s, part order of ``parts``."""
    joint_speed = joint_angular_speed(poses, frame_ids, fps)
    return np.stack([joint_speed[:, list(PART_JOINTS[p])].mean(axis=1) for p in range(NUM_PARTS)], axis=1)
