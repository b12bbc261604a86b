"""Bone directions from BlazePose's world landmarks, as 3D targets for the refinement.

BlazePose's ``pose_world_landmarks`` (33 x 3 metres, hip-centred, axes like the image) carry the
depth that the 2D keypoints lack. Per frame they are aligned onto LMR's own 12 marked joints by
the best similarity transform (:func:`~lmr_studio.training.metrics.procrustes_align`), so their
global rotation, scale and the offset of the surface landmarks do not count, only the limbs'
directions relative to the body; the limb bones of the aligned skeleton (hip -> knee -> ankle and
shoulder -> elbow -> wrist, both sides) are the targets, an arm's only while its elbow hangs below
its shoulder. The torso's bones (hips -> shoulders, hip -> hip) are taken as BlazePose sees them,
unaligned, so that its camera-relative tilt of the torso counts: from a camera that looks down
(LAFAN1's high view) the network's is further off. Each bone is weighted by the
lower visibility of its two ends. A frame whose landmarks face the other way from LMR's body
(BlazePose often turns a back view into a front view and swaps left and right) gets no weight.
"""

from __future__ import annotations

import numpy as np

from lmr_studio.keypoint_error import MARKED_JOINTS, MARKED_LANDMARKS
from lmr_studio.perception.features import WORLD_AXES
from lmr_studio.training.landmarks import JOINT_CENTRE
from lmr_studio.training.metrics import procrustes_align

#: Target bones as BlazePose landmark pairs (from, to): left and right thigh and shin, then left
#: and right upper arm and forearm.
LIMB_BONES = ((23, 25), (25, 27), (24, 26), (26, 28), (11, 13), (13, 15), (12, 14), (14, 16))
#: Torso bones taken as BlazePose sees them, not aligned onto LMR's body: hip -> shoulder on
#: both sides and right hip -> left hip carry the torso's tilt and turn towards the camera.
TORSO_BONES = ((23, 11), (24, 12), (24, 23))
#: The limb and torso bones as SMPL joint pairs, the order of :func:`world_bone_targets`.
BONE_JOINTS = np.array([(JOINT_CENTRE[a], JOINT_CENTRE[b]) for a, b in LIMB_BONES + TORSO_BONES])
#: Per arm bone, the shoulder and elbow landmarks of its upper arm: an arm counts only while its
#: elbow is below its shoulder in LMR's body. BlazePose's depth of raised arms is unreliable
#: (overhead in jumping jacks it raised the bundled sample's 3D error); hanging arms gain on LAFAN1.
ARM_GATES = {4: (11, 13), 5: (11, 13), 6: (12, 14), 7: (12, 14)}


def facing(shoulders_hips: np.ndarray) -> np.ndarray:
    """(F, 3) unit facing direction of a body from its (F, 4, 3) left shoulder, right shoulder,
    left hip, right hip (in our axes: the normal of the torso, pointing out of the chest)."""
    ls, rs, lh, rh = np.moveaxis(np.asarray(shoulders_hips, np.float64), 1, 0)
    across, up = (ls + lh) - (rs + rh), (ls + rs) - (lh + rh)
    out = np.cross(across, up)
    return out / np.linalg.norm(out, axis=-1, keepdims=True).clip(1e-9)


def world_bone_targets(world: np.ndarray, joints: np.ndarray, visibility: np.ndarray,
                       max_turn_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit target directions (F, B, 3) of the :data:`LIMB_BONES` then the :data:`TORSO_BONES` (the
    order of :data:`BONE_JOINTS`) and their weights (F, B) in [0, 1].

    world: (F, 33, 3) BlazePose world landmarks (its axes), NaN on frames without them; joints:
    (F, 24, 3) LMR's joints (metres, camera axes); visibility: (F, 33) BlazePose's. Frames whose
    torso faces more than ``max_turn_deg`` degrees away from LMR's, or with no landmarks, weigh 0;
    so do the bones of an arm whose elbow is above its shoulder in LMR's body (:data:`ARM_GATES`).
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
    start, end = ([row[bone[k]] for bone in LIMB_BONES] for k in (0, 1))
    t_start, t_end = ([row[bone[k]] for bone in TORSO_BONES] for k in (0, 1))
    vec = np.concatenate([aligned[:, end] - aligned[:, start], marked[:, t_end] - marked[:, t_start]], 1)
    directions = vec / np.linalg.norm(vec, axis=-1, keepdims=True).clip(1e-9)
    vis = np.asarray(visibility, np.float64)
    bones = LIMB_BONES + TORSO_BONES
    weight = np.minimum(vis[:, [a for a, _ in bones]], vis[:, [b for _, b in bones]])
    weight = weight * (known & agree)[:, None]
    up = model[:, [row[11], row[12]]].mean(1) - model[:, [row[23], row[24]]].mean(1)  # hips -> shoulders
    for bone, (shoulder, elbow) in ARM_GATES.items():
        weight[:, bone] *= ((model[:, row[elbow]] - model[:, row[shoulder]]) * up).sum(-1) < 0
    return directions.astype(np.float32), weight.astype(np.float32)
