"""Evaluation metrics, in millimetres, on numpy arrays (leading axes are frames).

* MPJPE: mean joint position error after aligning the pelvis (joint 0);
* PA-MPJPE: the same after a per-frame similarity Procrustes alignment (rotation, scale, shift);
* PVE: mean vertex error after aligning the pelvis;
* acceleration error: mean norm of the difference of the second finite differences
  ``x[t+1] - 2 x[t] + x[t-1]`` of pelvis-aligned joints (mm/frame^2);
* axis errors: MPJPE's offsets split along the camera's axes (x right, y up, z toward the camera:
  depth), which tells the image-plane error from the depth error a single view leaves open;
* trunk errors (degrees, camera-frame joints): the angle between the predicted and the true
  trunk (pelvis -> neck) and the difference of its pitch toward the camera: the body's tilt,
  which MPJPE counts and PA-MPJPE aligns away;
* limb depth signs (camera-frame joints): whether each limb bone (thigh, shin, upper arm,
  forearm) leans toward the camera or away from it as the truth's does, where the truth's leaves
  the image plane; and PA-MPJPE with the truth's signs given to the recovered bones, which tells
  how much of the error is the ambiguity one view leaves in front of or behind.
"""

from __future__ import annotations

import numpy as np

from lmr_studio.parts import PARENTS


def procrustes_transform(pred: np.ndarray, gt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The best similarity transform per frame taking (F, N, 3) ``pred`` onto ``gt``: (F, 3, 3)
    rotations ``rot``, (F,) scales, and the (F, 1, 3) centroids of ``pred`` and ``gt``, so that
    ``scale * (pred - mu_pred) @ rot + mu_gt`` is the aligned ``pred``."""
    mu_p, mu_g = pred.mean(1, keepdims=True), gt.mean(1, keepdims=True)
    p, g = pred - mu_p, gt - mu_g
    u, s, vt = np.linalg.svd(np.einsum("fni,fnj->fij", p, g))
    d = np.sign(np.linalg.det(np.einsum("fij,fjk->fik", u, vt)))
    s = s.copy()
    s[:, -1] *= d
    u = u.copy()
    u[:, :, -1] *= d[:, None]
    rot = np.einsum("fij,fjk->fik", u, vt)  # maps p onto g as p @ rot
    scale = s.sum(-1) / (p ** 2).sum((1, 2)).clip(1e-12)
    return rot, scale, mu_p, mu_g


def procrustes_align(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """(F, N, 3) ``pred`` aligned to ``gt`` by the best similarity transform per frame."""
    rot, scale, mu_p, mu_g = procrustes_transform(pred, gt)
    return scale[:, None, None] * np.einsum("fni,fij->fnj", pred - mu_p, rot) + mu_g


def _root_aligned_offsets(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """(F, J, 3) predicted minus true joints (mm) after aligning joint 0; inputs (F, J, 3) metres."""
    return 1000.0 * ((pred - pred[:, :1]) - (gt - gt[:, :1]))


def joint_errors(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """(F, J) per-joint position errors (mm) after aligning joint 0; inputs (F, J, 3) metres."""
    return np.linalg.norm(_root_aligned_offsets(pred, gt), axis=-1)


def axis_errors(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """(F, J, 3) absolute per-joint offsets (mm) after aligning joint 0, along each axis of the
    camera frame the (F, J, 3) metre inputs are given in (x right, y up, z toward the camera)."""
    return np.abs(_root_aligned_offsets(pred, gt))


def pa_joint_errors(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """(F, J) per-joint errors (mm) after Procrustes alignment; inputs (F, J, 3) metres."""
    return 1000.0 * np.linalg.norm(procrustes_align(pred, gt) - gt, axis=-1)


def vertex_errors(pred_v: np.ndarray, gt_v: np.ndarray, pred_root: np.ndarray, gt_root: np.ndarray) -> np.ndarray:
    """(F, V) per-vertex errors (mm) after aligning the roots (F, 3); vertices (F, V, 3) metres."""
    return 1000.0 * np.linalg.norm((pred_v - pred_root[:, None]) - (gt_v - gt_root[:, None]), axis=-1)


def accel_errors(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """(F-2, J) acceleration errors (mm/frame^2) of pelvis-aligned joints (F, J, 3) metres."""
    def acc(x: np.ndarray) -> np.ndarray:
        x = x - x[:, :1]
        return x[2:] - 2 * x[1:-1] + x[:-2]
    return 1000.0 * np.linalg.norm(acc(pred) - acc(gt), axis=-1)


#: The joints whose direction is the trunk's: the pelvis and the neck (SMPL 0 and 12).
TRUNK = (0, 12)


def _trunk(joints: np.ndarray) -> np.ndarray:
    """(F, 3) pelvis -> neck vectors of joints (F, 24, 3)."""
    return joints[:, TRUNK[1]] - joints[:, TRUNK[0]]


def trunk_pitch(joints: np.ndarray) -> np.ndarray:
    """(F,) degrees the trunk (pelvis -> neck) of camera-frame joints (F, 24, 3) (x right, y up,
    looking along -z) leans toward the camera from the image's up direction (negative: away)."""
    trunk = _trunk(joints)
    return np.degrees(np.arctan2(trunk[:, 2], trunk[:, 1]))


def trunk_errors(pred: np.ndarray, gt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per frame (F,), degrees: the angle between the predicted and the true trunk directions, and
    the predicted minus the true :func:`trunk_pitch`; inputs camera-frame joints (F, 24, 3)."""
    def direction(j: np.ndarray) -> np.ndarray:
        t = _trunk(j)
        return t / np.linalg.norm(t, axis=-1, keepdims=True).clip(1e-12)
    cos = (direction(pred) * direction(gt)).sum(-1).clip(-1.0, 1.0)
    return np.degrees(np.arccos(cos)), trunk_pitch(pred) - trunk_pitch(gt)


#: The limb bones, each named by its child joint (SMPL) and running from that joint's parent:
#: knees (thighs), ankles (shins), elbows (upper arms), wrists (forearms). BlazePose marks both
#: ends of each.
LIMB_BONES = (4, 5, 7, 8, 18, 19, 20, 21)
#: A bone's depth sign is scored where the truth's bone leaves the image plane by more than this
#: share of its length (|dz| / length); nearer the plane its sign hardly moves a joint.
DEPTH_SIGN_MIN_SHARE = 0.1


def _bone_vectors(joints: np.ndarray) -> np.ndarray:
    """(F, 24, 3) each joint minus its parent (the root's row: zeros) of joints (F, 24, 3)."""
    return joints - joints[:, np.maximum(np.asarray(PARENTS), 0)]


def _bones(joints: np.ndarray) -> np.ndarray:
    """(F, 8, 3) limb bone vectors (parent -> child, :data:`LIMB_BONES`) of joints (F, 24, 3)."""
    return _bone_vectors(joints)[:, np.asarray(LIMB_BONES)]


def depth_sign_agreement(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """(F, 8) per limb bone (:data:`LIMB_BONES`): 1 where the predicted bone leans toward the camera
    (z, camera-frame joints (F, 24, 3)) or away from it as the true one does, 0 where it leans the
    other way, NaN where the true bone lies within :data:`DEPTH_SIGN_MIN_SHARE` of the image plane
    or the prediction has no value (NaN joints, e.g. landmarks a detector does not give)."""
    p, g = _bones(pred), _bones(gt)
    scored = np.abs(g[..., 2]) > DEPTH_SIGN_MIN_SHARE * np.linalg.norm(g, axis=-1)
    scored &= np.isfinite(p).all(-1)
    agree = (np.sign(p[..., 2]) == np.sign(g[..., 2])).astype(np.float64)
    return np.where(scored, agree, np.nan)


def with_true_depth_signs(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """(F, 24, 3) ``pred`` rebuilt down the kinematic tree with every limb bone's depth (z)
    turned to the side of the camera the true bone is on; each bone keeps its length, its
    image-plane components and its |z|, and the joints below it move with it."""
    bones = _bone_vectors(pred)
    children = np.asarray(LIMB_BONES)
    bones[:, children, 2] = np.copysign(np.abs(bones[:, children, 2]), _bones(gt)[..., 2])
    out = pred.copy()
    for joint in range(1, len(PARENTS)):  # parents come before their children
        out[:, joint] = out[:, PARENTS[joint]] + bones[:, joint]
    return out


def boundary_step_ratio(joints: np.ndarray, period: int = 16) -> float:
    """Mean joint step into frames ``t % period == 0`` over the mean step into all other frames.

    joints: (F, J, 3) metres, pelvis-aligned here. A network restarted every ``period`` frames
    jumps at those frames (ratio well above 1); one carried state gives about 1.
    """
    x = joints - joints[:, :1]
    steps = np.linalg.norm(x[1:] - x[:-1], axis=-1).mean(-1)  # (F-1,) step into frame t = 1..F-1
    at_boundary = (np.arange(1, len(x)) % period) == 0
    return float(steps[at_boundary].mean() / max(steps[~at_boundary].mean(), 1e-12))
