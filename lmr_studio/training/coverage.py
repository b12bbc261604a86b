"""How much of the joint-limit space a motion pool covers.

Each non-root joint's limit box (:data:`~lmr_studio.training.motion.JOINT_LIMITS`, three Euler
angles) is cut into ``bins`` equal steps per axis; a joint's coverage is the fraction of its
``bins ** 3`` cells that at least one frame of the pool visits. A part's coverage is the mean over
its joints; the pool's, the mean over the 23 joints. ``axis`` coverage (one axis at a time,
``bins`` cells) is reported too: it says whether each range is reached at all, the 3D figure
whether the combinations are.
"""

from __future__ import annotations

import numpy as np

from lmr_studio.parts import PART_JOINTS, PART_NAMES
from lmr_studio.training.motion import (EVERYDAY_FAMILIES, FIRST_TRAIN_FAMILIES, JOINT_LIMITS, TEST_FAMILIES,
                                        TRAIN_FAMILIES, generate_motion)

BINS = 8
#: The pool each family set is measured on: clips x frames (equal sizes, so sets compare fairly).
POOL = (70, 256)


def pool_euler(families: tuple[str, ...], clips: int, frames: int, seed: int, fps: float = 30.0) -> np.ndarray:
    """(clips * frames, 24, 3) local Euler angles (degrees) of ``clips`` generated clips, families cycled."""
    rng = np.random.default_rng(seed)
    return np.concatenate([generate_motion(families[i % len(families)], frames, rng, fps).euler
                           for i in range(clips)])


def _cells(euler: np.ndarray, bins: int) -> np.ndarray:
    """(N, 23, 3) bin index per frame, joint and axis (joints 1..23)."""
    lo, hi = JOINT_LIMITS[1:, :, 0], JOINT_LIMITS[1:, :, 1]
    return np.clip(((euler[:, 1:] - lo) / (hi - lo) * bins).astype(np.int64), 0, bins - 1)


def joint_limit_coverage(euler: np.ndarray, bins: int = BINS) -> dict:
    """Coverage of the limit boxes by ``euler`` (N, 24, 3) degrees: ``{"joint3d", "axis"}`` means over
    the 23 non-root joints (0..1), ``"per_part"`` {part: {"joint3d", "axis"}}, ``"per_joint"`` (23,) 3D."""
    cells = _cells(euler, bins)
    flat = cells[..., 0] * bins * bins + cells[..., 1] * bins + cells[..., 2]  # (N, 23)
    joint3d = np.array([len(np.unique(flat[:, j])) / bins ** 3 for j in range(flat.shape[1])])
    axis = np.array([[len(np.unique(cells[:, j, a])) / bins for a in range(3)] for j in range(flat.shape[1])]).mean(1)
    per_part = {}
    for name, joints in zip(PART_NAMES, PART_JOINTS):
        rows = [j - 1 for j in joints if j != 0]
        per_part[name] = {"joint3d": round(float(joint3d[rows].mean()), 3), "axis": round(float(axis[rows].mean()), 3)}
    return {"joint3d": round(float(joint3d.mean()), 3), "axis": round(float(axis.mean()), 3),
            "per_part": per_part, "per_joint": [round(float(x), 3) for x in joint3d]}


def family_set_coverage(seed: int = 0) -> dict:
    """Coverage of equal-size pools of the first training families, the everyday families alone,
    today's training families and the held-out test families: {set name: coverage dict}."""
    sets = {"first_train": FIRST_TRAIN_FAMILIES, "everyday": EVERYDAY_FAMILIES, "train": TRAIN_FAMILIES,
            "test": TEST_FAMILIES}
    return {name: joint_limit_coverage(pool_euler(families, *POOL, seed=seed)) for name, families in sets.items()}
