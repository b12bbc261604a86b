"""Pull LMR's pose and body translation toward the detector's 2D keypoints and 3D bones.

LMR's output initialises a small optimisation per frame: a residual rotation for every joint
(composed after the network's, ``R_j = R_lmr_j exp(delta_j)``), a shift of the body in the image
plane and a change of its depth. The cost is the visibility-weighted Huber distance, in units of
the person box, between the perspective projection of the 12 joints that BlazePose marks
(shoulders, elbows, wrists, hips, knees, ankles), the feet and the hands and their keypoints
(:data:`FIT_POINTS`), plus priors that keep the pose and the depth near the network's, plus
(``follows`` given) a temporal term: the acceleration of the refinement's change to the joints
over three consecutive frames of one person, so the refinement keeps the network's smooth motion
instead of adding per-frame jitter, plus (``world`` given) a 3D term that pulls the legs, the
arms (unless raised high), the head and the torso toward their directions in BlazePose's world
landmarks (:mod:`~lmr_studio.model.world_bones`: limbs and head aligned on LMR's body, the torso
as BlazePose sees it, weighted by visibility, ignored on frames that face the other way): the 2D
keypoints cannot tell a knee bent toward the camera from one bent away.
Without ``follows`` frames are independent (the cost is a sum over frames and Adam acts per
parameter); with it only frames in one call are coupled, so a track refined in pieces differs
from the track refined whole near the cuts, and rows refined earlier never change.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from lmr_studio.geometry.camera import perspective_project
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix, matrix_to_axis_angle
from lmr_studio.keypoint_error import MARKED_JOINTS, MARKED_LANDMARKS, keypoint_error
from lmr_studio.model.world_bones import BONE_MATRIX, world_bone_targets


@dataclasses.dataclass
class RefineSettings:
    """Optimisation budget and prior weights. The priors toward the network are weak: on real
    motion (LAFAN1, clean and with the render-and-detect pool's looks) the network is the weaker
    witness; on generated motion like its training data a stronger prior would win (docs/model.md)."""

    iterations: int = 100
    lr: float = 0.05
    huber: float = 0.05        # box units where the 2D cost turns from quadratic to linear
    pose_prior: float = 0.0001  # per joint, per rad^2 of residual rotation
    depth_prior: float = 0.001  # per (log depth ratio)^2
    temporal: float = 0.003     # per (m/frame^2)^2 of the change's acceleration, summed over joints
    world_weight: float = 0.0001  # per (1 - cos) of a bone to BlazePose's, x its weight; 0: off
    world_max_turn: float = 90.0  # degrees; frames whose world landmarks face further from LMR's body are ignored

    @classmethod
    def for_input(cls, is_image: bool) -> "RefineSettings":
        """The settings for a video, or for a photo (``is_image``): one frame gives the recurrent
        network no motion to read, so a photo has a pose prior and a 3D term of its own
        (:data:`PHOTO_POSE_PRIOR`, :data:`PHOTO_WORLD_WEIGHT`) and the 2D keypoints count more (on
        LAFAN1 frames processed as photos it lowered MPJPE and PA-MPJPE; the full 3D term pulled
        messi5.jpg's limbs off its keypoints, docs/model.md)."""
        if not is_image:
            return cls()
        return cls(pose_prior=PHOTO_POSE_PRIOR, world_weight=PHOTO_WORLD_WEIGHT)


#: A photo's pose prior and 3D-term weight: 0.3 of the video settings used until 2026-12-03. The
#: lighter video settings since (1e-4, 0.0001) would also lighten a photo's, and on 160 LAFAN1
#: frames processed as photos that raised MPJPE / PA-MPJPE from 74.88 / 52.50 to 80.15 / 59.27.
PHOTO_POSE_PRIOR = 0.00006
PHOTO_WORLD_WEIGHT = 0.000225

#: The 2D targets: each the mean of some BlazePose landmarks, compared with one SMPL joint. The 12
#: marked joints, then the toe tips (SMPL's feet, a few cm behind them) and the index and pinky
#: knuckles (SMPL's hands); the feet and hands turn the ankles and wrists, which the 12 leave free.
FIT_POINTS: tuple[tuple[tuple[int, ...], int], ...] = (
    *(((int(lm),), int(jt)) for lm, jt in zip(MARKED_LANDMARKS, MARKED_JOINTS)),
    ((31,), 10), ((32,), 11), ((17, 19), 22), ((18, 20), 23))
#: (P, 33): landmarks -> the :data:`FIT_POINTS` targets (the mean of each one's landmarks).
FIT_MATRIX = np.array([[1.0 / len(lms) if i in lms else 0.0 for i in range(33)] for lms, _ in FIT_POINTS], np.float32)
FIT_JOINTS = [joint for _, joint in FIT_POINTS]
#: Per target, the landmark up the limb from it (a shoulder's: its hip; a hip's: its shoulder).
FIT_PARENTS = (23, 24, 11, 12, 13, 14, 11, 12, 23, 24, 25, 26, 27, 28, 15, 16)
#: Where the joint sits from its landmarks, along the limb: joint = target + along x (target - parent
#: landmark). BlazePose marks the ankle 1.6 % of the body's height above the ankle joint, the
#: shoulder above the shoulder joint, the elbow short of it, the knuckles past the hand's joint;
#: measured on render-and-detect data by :mod:`lmr_studio.training.fit_calibration` (docs/model.md).
FIT_ALONG = np.array([-0.04, -0.04, 0.07, 0.08, -0.01, -0.01, 0.00, 0.00, 0.01, 0.02, 0.07, 0.07, -0.12, -0.11,
                      0.31, 0.31], np.float32)


def landmark_targets(keypoints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The :data:`FIT_POINTS` on BlazePose's marks (..., P, 2) px of ``keypoints`` (..., 33, 2+),
    and each one's limb in the image: the target minus its :data:`FIT_PARENTS` landmark (..., P, 2)."""
    target = np.einsum("pl,...lc->...pc", FIT_MATRIX, keypoints[..., :2])
    return target, target - keypoints[..., list(FIT_PARENTS), :2]


def fit_targets(keypoints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The :data:`FIT_POINTS` of (F, 33, 3) ``keypoints`` (px + visibility), moved from the
    landmarks to where the joints sit (:data:`FIT_ALONG`): targets (F, P, 2) px and their
    weights (F, P) in [0, 1], the lowest visibility of each one's landmarks. BlazePose's
    guess for a hidden joint counts as much as it trusts it (a cut at 0.5 dropped the far leg of a
    side view: LAFAN1's side view scored 5 mm worse, docs/model.md)."""
    kp = np.asarray(keypoints, np.float32)
    weight = np.stack([kp[:, list(lms), 2].min(1) for lms, _ in FIT_POINTS], 1).clip(0.0, 1.0)
    marks, limb = landmark_targets(kp)
    return marks + FIT_ALONG[:, None] * limb, weight


@dataclasses.dataclass
class Refined:
    """Refined per-frame outputs (numpy float32) and the 2D fit before and after."""

    poses: np.ndarray        # (F, 24, 3) axis-angle
    transl: np.ndarray       # (F, 3) metres
    error_before: np.ndarray  # (F,) :func:`~lmr_studio.keypoint_error.keypoint_error` of LMR's output
    error_after: np.ndarray   # (F,) the same after refinement


def refine_to_keypoints(poses: np.ndarray, transl: np.ndarray, rest_joints: torch.Tensor, keypoints: np.ndarray,
                        side: np.ndarray, focal: float, image_size: tuple[int, int],
                        settings: RefineSettings | None = None, follows: np.ndarray | None = None,
                        world: np.ndarray | None = None) -> Refined:
    """Refine (F, 24, 3) ``poses`` and (F, 3) ``transl`` on (F, 24, 3) ``rest_joints`` toward
    (F, 33, 3) ``keypoints`` (px + visibility) in boxes of ``side`` (F,) px; ``follows`` (F,) bool:
    row f is the next video frame of the person in row f - 1 (None: no temporal term); ``world``
    (F, 33, 3): BlazePose's world landmarks, NaN on frames without them (None: no 3D term). See
    the module docstring."""
    settings = settings or RefineSettings()
    # the middle rows of three consecutive frames of one person
    middle = (torch.as_tensor(np.flatnonzero(follows[1:-1] & follows[2:]) + 1) if follows is not None
              else torch.zeros(0, dtype=torch.int64))
    rest = torch.as_tensor(rest_joints, dtype=torch.float32).detach()
    base = axis_angle_to_matrix(torch.as_tensor(poses, dtype=torch.float32))
    t0 = torch.as_tensor(transl, dtype=torch.float32)
    target, weight = (torch.from_numpy(a) for a in fit_targets(keypoints))
    scale = torch.as_tensor(np.asarray(side, np.float32))[:, None]
    # one parameter tensor per frame row: the 24 residual rotations (72), the image-plane shift in
    # metres at the body's depth (2) and the log depth change (1); one tensor keeps Adam's step cheap
    params = torch.zeros(len(poses), 75, requires_grad=True)

    network_joints = forward_kinematics(base, rest)[0]
    use_world = world is not None and settings.world_weight > 0
    if use_world:
        directions, bone_weight = (torch.from_numpy(a) for a in world_bone_targets(
            world, network_joints.numpy(), keypoints[..., 2], settings.world_max_turn))
        bone_matrix = torch.from_numpy(BONE_MATRIX)

    def solve(with_grad: bool) -> tuple[torch.Tensor, ...]:
        """Rotations (F, 24, 3, 3), translations (F, 3), projected fitted joints (F, P, 2) px, the
        residual rotations (F, 24, 3) and log depth changes (F, 1) they came from, the body-frame
        joints (F, 24, 3) m and their change from the network's."""
        with torch.set_grad_enabled(with_grad):
            delta, shift, log_depth = params[:, :72].view(-1, 24, 3), params[:, 72:74], params[:, 74:]
            rot = base @ axis_angle_to_matrix(delta)
            joints = forward_kinematics(rot, rest)[0]
            t = torch.cat([t0[:, :2] + shift, t0[:, 2:] * torch.exp(log_depth)], 1)
            proj = perspective_project(joints[:, FIT_JOINTS], t, focal, image_size)
            return rot, t, proj, delta, log_depth, joints, joints - network_joints

    optimiser = torch.optim.Adam([params], lr=settings.lr)
    for _ in range(settings.iterations):
        _, _, proj, delta, log_depth, joints, change = solve(True)
        dist = torch.linalg.norm(proj - target, dim=-1) / scale
        fit = torch.nn.functional.huber_loss(dist, torch.zeros_like(dist), delta=settings.huber, reduction="none")
        cost = ((fit * weight).sum(1) / weight.sum(1).clamp(min=1.0)
                + settings.pose_prior * (delta ** 2).sum((1, 2))
                + settings.depth_prior * log_depth[:, 0] ** 2).sum()
        if len(middle):
            accel = change[middle - 1] - 2 * change[middle] + change[middle + 1]
            cost = cost + settings.temporal * (accel ** 2).sum()
        if use_world:
            bones = torch.einsum("bj,fjc->fbc", bone_matrix, joints)
            cosine = (bones * directions).sum(-1) / torch.linalg.norm(bones, dim=-1).clamp(min=1e-6)
            cost = cost + settings.world_weight * ((1 - cosine) * bone_weight).sum()
        optimiser.zero_grad(set_to_none=True)
        cost.backward()
        optimiser.step()
    rot, t, _, _, _, joints, _ = solve(False)
    before = perspective_project(network_joints, t0, focal, image_size).numpy()
    after = perspective_project(joints, t, focal, image_size).numpy()
    return Refined(poses=matrix_to_axis_angle(rot).numpy().astype(np.float32), transl=t.numpy().astype(np.float32),
                   error_before=keypoint_error(before, keypoints), error_after=keypoint_error(after, keypoints))
