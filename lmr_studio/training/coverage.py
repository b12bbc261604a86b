"""How much of the joint-limit space a motion pool covers.

Each non-root joint's limit box (:data:`~lmr_studio.training.motion.JOINT_LIMITS`, three Euler
angles) is cut into ``bins`` equal steps per axis; a joint's coverage is the fraction of its
``bins ** 3`` cells that at least one frame of the pool visits. A part's coverage is the mean over
its joints; the pool's, the mean over the 23 joints. ``axis`` coverage (one axis at a time,
``bins`` cells) is reported too: it says whether each range is reached at all, the 3D figure
whether the combinations are.

For a given motion (:func:`motion_coverage`, ``lmr-studio eval --coverage --motion FILE``) the
question is how close the pool comes to the poses it holds: per part and frame, the nearest pose
of the training pool over that part's joints (local rotations; the root's global orientation left
out), as an RMS joint angle (:func:`nearest_pose_angles`), beside the same figure for the
held-out generated test families.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.spatial.transform import Rotation

from lmr_studio.parts import PART_JOINTS, PART_NAMES
from lmr_studio.training.motion import (EVERYDAY_FAMILIES, FIRST_TRAIN_FAMILIES, JOINT_LIMITS, TEST_FAMILIES,
                                        TRAIN_FAMILIES, MotionClip, generate_motion)

BINS = 8
#: The pool each family set is measured on: clips x frames (equal sizes, so sets compare fairly).
POOL = (70, 256)


def _pool(families: tuple[str, ...], clips: int, frames: int, seed: int, fps: float) -> list[MotionClip]:
    """``clips`` generated clips of ``frames`` frames, families cycled."""
    rng = np.random.default_rng(seed)
    return [generate_motion(families[i % len(families)], frames, rng, fps) for i in range(clips)]


def pool_euler(families: tuple[str, ...], clips: int, frames: int, seed: int, fps: float = 30.0) -> np.ndarray:
    """(clips * frames, 24, 3) local Euler angles (degrees) of ``clips`` generated clips, families cycled."""
    return np.concatenate([clip.euler for clip in _pool(families, clips, frames, seed, fps)])


def pool_poses(families: tuple[str, ...], clips: int, frames: int, seed: int, fps: float = 30.0) -> np.ndarray:
    """(clips * frames, 24, 3) axis-angle poses of ``clips`` generated clips, families cycled."""
    return np.concatenate([clip.poses for clip in _pool(families, clips, frames, seed, fps)])


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


def nearest_pose_angles(poses: np.ndarray, pool: np.ndarray, chunk: int = 2048) -> dict[str, np.ndarray]:
    """Per part: (N,) degrees from each of ``poses`` (N, 24, 3) axis-angle to the nearest pose of
    ``pool`` (M, 24, 3) over that part's joints (joint 0 left out): the RMS joint angle
    ``theta`` with ``8 k sin^2(theta / 2)`` the squared Frobenius distance between the k joints'
    stacked rotation matrices (one joint's ``|R1 - R2|^2`` is ``8 sin^2(angle / 2)``)."""
    def matrices(p: np.ndarray) -> torch.Tensor:
        m = Rotation.from_rotvec(np.asarray(p, np.float64).reshape(-1, 3)).as_matrix()
        return torch.from_numpy(m.reshape(len(p), 24, 9))

    query, bank = matrices(poses), matrices(pool)
    out = {}
    for name, joints in zip(PART_NAMES, PART_JOINTS):
        rows = [j for j in joints if j != 0]
        q, b = query[:, rows].flatten(1), bank[:, rows].flatten(1)
        d = torch.cat([torch.cdist(q[i:i + chunk], b).min(1).values for i in range(0, len(q), chunk)]).numpy()
        out[name] = np.degrees(2 * np.arcsin(np.sqrt(d ** 2 / (8 * len(rows))).clip(0.0, 1.0)))
    return out


def motion_coverage(poses: np.ndarray, seed: int = 0) -> dict:
    """How near the training families come to a motion's (N, 24, 3) poses, and to the held-out
    test families' (the same number of generated frames as :data:`POOL`): ``{"motion": {part:
    {"median", "p90"}}, "test_families": {...}}`` in degrees (:func:`nearest_pose_angles`)."""
    pool = pool_poses(TRAIN_FAMILIES, *POOL, seed=seed)
    reference = pool_poses(TEST_FAMILIES, POOL[0] // 4, POOL[1], seed=seed + 1)

    def summary(angles: dict[str, np.ndarray]) -> dict:
        return {part: {"median": round(float(np.median(a)), 1), "p90": round(float(np.percentile(a, 90)), 1)}
                for part, a in angles.items()}

    return {"motion": summary(nearest_pose_angles(poses, pool)),
            "test_families": summary(nearest_pose_angles(reference, pool))}
