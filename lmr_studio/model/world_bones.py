"""Bone directions from BlazePose's world landmarks, as 3D targets for the refinement.

BlazePose's ``pose_world_landmarks`` (33 x 3 metres, hip-centred, axes like the image) carry the
depth that the 2D keypoints lack. Per frame they are aligned onto LMR's own 12 marked joints by
the best similarity transform (:func:`~lmr_studio.training.metrics.procrustes_align`), so their
global rotation, scale and the offset of the surface landmarks do not count, only the limbs'
directions relative to the body; the leg bones of the aligned skeleton (hip -> knee -> ankle,
both sides) are the targets. Each bone is weighted by the lower visibility of its two ends.
A frame whose landmarks face the other way from LMR's body (BlazePose often turns a back view
into a front view and swaps left and right) gets no weight at all.
"""

from __future__ import annotations

import numpy as np

from lmr_studio.keypoint_error import MARKED_JOINTS, MARKED_LANDMARKS
from lmr_studio.perception.features import WORLD_AXES
from lmr_studio.training.landmarks import JOINT_CENTRE
from lmr_studio.training.metrics import procrustes_align

#: Target bones as BlazePose landmark pairs (from, to): left and right thigh and shin. The arms'
#: landmarks were tried too and raised the 3D error on the bundled sample (docs/model.md).
LEG_BONES = ((23, 25), (25, 27), (24, 26), (26, 28))
#: The same bones as SMPL joint pairs.
BONE_JOINTS = np.array([(JOINT_CENTRE[a], JOINT_CENTRE[b]) for a, b in LEG_BONES])


def facing(shoulders_hips: np.ndarray) -> np.ndarray:
    """(F, 3) unit facing direction of a body from its (F, 4, 3) left shoulder, right shoulder,
    left hip, right hip (in our axes: the normal of the torso, pointing out of the chest)."""
    ls, rs, lh, rh = np.moveaxis(np.asarray(shoulders_hips, np.float64), 1, 0)
    across, up = (ls + lh) - (rs + rh), (ls + rs) - (lh + rh)
    out = np.cross(across, up)
    return out / np.linalg.norm(out, axis=-1, keepdims=True).clip(1e-9)


def world_bone_targets(world: np.ndarray, joints: np.ndarray, visibility: np.ndarray,
                       max_turn_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit target directions (F, B, 3) of the :data:`LEG_BONES` and their weights (F, B) in [0, 1].

    world: (F, 33, 3) BlazePose world landmarks (its axes), NaN on frames without them; joints:
    (F, 24, 3) LMR's joints (metres, camera axes); visibility: (F, 33) BlazePose's. Frames whose
    torso faces more than ``max_turn_deg`` degrees away from LMR's, or with no landmarks, weigh 0.
    """
    world = np.asarray(world, np.float64) * WORLD_AXES
    known = np.isfinite(world).all((1, 2))
    marked = np.where(known[:, None, None], world[:, MARKED_LANDMARKS], 0.0)
    model = np.asarray(joints, np.float64)[:, MARKED_JOINTS]
    row = {lm: i for i, lm in enumerate(MARKED_LANDMARKS.tolist())}   # landmark -> column of ``marked``
    torso = [row[i] for i in (11, 12, 23, 24)]
    agree = (facing(marked[:, torso]) * facing(model[:, torso])).sum(-1) >= np.cos(np.radians(max_turn_deg))
    aligned = np.zeros_like(marked)
    aligned[known] = procrustes_align(marked[known], model[known])
    start, end = ([row[bone[k]] for bone in LEG_BONES] for k in (0, 1))
    vec = aligned[:, end] - aligned[:, start]
    directions = vec / np.linalg.norm(vec, axis=-1, keepdims=True).clip(1e-9)
    vis = np.asarray(visibility, np.float64)
    weight = np.minimum(vis[:, [a for a, _ in LEG_BONES]], vis[:, [b for _, b in LEG_BONES]])
    weight = weight * (known & agree)[:, None]
    return directions.astype(np.float32), weight.astype(np.float32)
