"""Bone directions from BlazePose's world landmarks, as 3D targets for the refinement.

BlazePose's ``pose_world_landmarks`` (33 x 3 metres, hip-centred, axes like the image) carry the
depth that the 2D keypoints lack. Per frame they are aligned onto LMR's own 12 marked joints (as
the refinement passes them: where BlazePose marks them on LMR's body, ``refine.surface_points``) by
the best similarity transform (:func:`~lmr_studio.training.metrics.procrustes_transform`), so
their global rotation, scale and the offset of the surface landmarks do not count, only the
directions of the limbs and head relative to the body; the bones of the aligned
skeleton are the targets. The torso's bones (hips -> shoulders, hip -> hip) are taken as BlazePose
sees them, unaligned, so that its camera-relative tilt of the torso counts: from a camera that
looks down (LAFAN1's high view) the network's is further off. A bone's end may be the mean of
several landmarks (the head: the ears; the shoulders), and it is compared with the mean of the
SMPL joints those landmarks belong to (:data:`BONE_MATRIX`, through
:data:`~lmr_studio.training.landmarks.LANDMARK_JOINT`: the ears belong to the head). Each bone is
weighted by the lowest visibility of its landmarks. A frame whose landmarks face the other way
from LMR's body (BlazePose often turns a back view into a front view and swaps left and right)
gets no weight.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from lmr_studio.keypoint_error import MARKED_JOINTS, MARKED_LANDMARKS
from lmr_studio.perception.features import WORLD_AXES
from lmr_studio.training.landmarks import LANDMARK_JOINT
from lmr_studio.training.metrics import procrustes_transform


@dataclasses.dataclass(frozen=True)
class Bone:
    """A 3D target: from the mean of the BlazePose landmarks ``start`` to the mean of ``end``;
    ``aligned``: compared after aligning BlazePose's body onto LMR's (False: as BlazePose sees it)."""

    start: tuple[int, ...]
    end: tuple[int, ...]
    aligned: bool = True


#: The 3D targets: thighs and shins, upper arms and forearms (left, right), the head (shoulders
#: -> ears), then the torso as BlazePose sees it (hip -> shoulder both sides, right hip -> left
#: hip). The feet (ankle -> toe tip) and hands (wrist -> knuckles) were measured and left out: on
#: LAFAN1 they raised PA-MPJPE (docs/model.md).
BONES: tuple[Bone, ...] = (
    Bone((23,), (25,)), Bone((25,), (27,)), Bone((24,), (26,)), Bone((26,), (28,)),
    Bone((11,), (13,)), Bone((13,), (15,)), Bone((12,), (14,)), Bone((14,), (16,)),
    Bone((11, 12), (7, 8)),
    Bone((23,), (11,), aligned=False), Bone((24,), (12,), aligned=False), Bone((24,), (23,), aligned=False),
)
#: BlazePose's left shoulder, right shoulder, left hip and right hip.
TORSO_LANDMARKS = [11, 12, 23, 24]


def _bone_matrix(columns: dict[int, int], size: int) -> np.ndarray:
    """(B, size) matrix taking points (size, 3) to the :data:`BONES` vectors (B, 3), its ends the
    means of the points ``columns`` maps each bone's landmarks to."""
    out = np.zeros((len(BONES), size), np.float32)
    for b, bone in enumerate(BONES):
        for ends, sign in ((bone.start, -1.0), (bone.end, 1.0)):
            for lm in ends:
                out[b, columns[lm]] += sign / len(ends)
    return out


#: (B, 24): SMPL joints (24, 3) -> bone vectors (B, 3), the joints that :data:`BONES` compare with.
BONE_MATRIX = _bone_matrix(LANDMARK_JOINT, 24)
#: (B, 33): BlazePose landmarks (33, 3) -> bone vectors (B, 3).
LANDMARK_BONE_MATRIX = _bone_matrix({i: i for i in range(33)}, 33)
#: Per arm bone, its side's shoulder and elbow landmarks: an arm counts only while its upper arm
#: is raised less than :data:`ARM_RAISE_LIMIT_DEG` above the horizontal of LMR's body.
ARM_GATES = {4: (11, 13), 5: (11, 13), 6: (12, 14), 7: (12, 14)}
#: Degrees above the horizontal. BlazePose's depth of arms raised overhead is unreliable: in the
#: bundled sample's jumping jacks they raised its PA-MPJPE from 59.9 to 64.1 mm, while on LAFAN1
#: arms up to this height gain (docs/model.md).
ARM_RAISE_LIMIT_DEG = 30.0


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True).clip(1e-9)


def facing(shoulders_hips: np.ndarray) -> np.ndarray:
    """(F, 3) unit facing direction of a body from its (F, 4, 3) left shoulder, right shoulder,
    left hip, right hip (in our axes: the normal of the torso, pointing out of the chest)."""
    ls, rs, lh, rh = np.moveaxis(np.asarray(shoulders_hips, np.float64), 1, 0)
    across, up = (ls + lh) - (rs + rh), (ls + rs) - (lh + rh)
    return _unit(np.cross(across, up))


def world_bone_targets(world: np.ndarray, joints: np.ndarray, visibility: np.ndarray,
                       max_turn_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit target directions (F, B, 3) of the :data:`BONES` and their weights (F, B) in [0, 1].

    world: (F, 33, 3) BlazePose world landmarks (its axes), NaN on frames without them; joints:
    (F, 24, 3) LMR's joints or their marked points (metres, camera axes); visibility: (F, 33) BlazePose's. Frames whose
    torso faces more than ``max_turn_deg`` degrees away from LMR's, or with no landmarks, weigh 0;
    so do the bones of an arm raised higher than :data:`ARM_RAISE_LIMIT_DEG` in LMR's body.
    """
    world = np.asarray(world, np.float64) * WORLD_AXES
    known = np.isfinite(world).all((1, 2))
    world = np.where(known[:, None, None], world, 0.0)
    model = np.asarray(joints, np.float64)
    torso = LANDMARK_JOINT[TORSO_LANDMARKS]   # LMR's shoulders and hips
    agree = (facing(world[:, TORSO_LANDMARKS]) * facing(model[:, torso])).sum(-1) >= np.cos(np.radians(max_turn_deg))
    rot = np.tile(np.eye(3), (len(world), 1, 1))
    rot[known] = procrustes_transform(world[known][:, MARKED_LANDMARKS], model[known][:, MARKED_JOINTS])[0]
    vec = np.einsum("bl,fli->fbi", LANDMARK_BONE_MATRIX, world)
    aligned = np.array([bone.aligned for bone in BONES])
    vec[:, aligned] = np.einsum("fbi,fij->fbj", vec[:, aligned], rot)
    directions = _unit(vec)
    vis = np.asarray(visibility, np.float64)
    weight = np.stack([vis[:, list(bone.start + bone.end)].min(1) for bone in BONES], 1)
    weight = weight * (known & agree)[:, None]
    up = _unit(model[:, torso[:2]].mean(1) - model[:, torso[2:]].mean(1))  # LMR's hips -> shoulders
    for bone, (shoulder, elbow) in ARM_GATES.items():
        upper_arm = _unit(model[:, LANDMARK_JOINT[elbow]] - model[:, LANDMARK_JOINT[shoulder]])
        weight[:, bone] *= (upper_arm * up).sum(-1) < np.sin(np.radians(ARM_RAISE_LIMIT_DEG))
    return directions.astype(np.float32), weight.astype(np.float32)
