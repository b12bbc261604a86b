"""Pull LMR's pose and body translation toward the detector's 2D keypoints and 3D bones.

LMR's output initialises a small optimisation per frame: a residual rotation for every joint
(composed after the network's, ``R_j = R_lmr_j exp(delta_j)``), a shift of the body in the image
plane and a change of its depth. The cost is the visibility-weighted Huber distance, in units of
the person box, between the perspective projection of where BlazePose marks the 12 joints
(shoulders, elbows, wrists, hips, knees, ankles), the feet and the hands (:data:`FIT_POINTS`: each
joint moved by a measured offset in its segment's axes, :data:`FIT_OFFSETS`) and their keypoints,
plus priors that keep the pose and the depth near the network's, plus
(``follows`` given) a temporal term: the acceleration of the refinement's change to the joints
over three consecutive frames of one person, so the refinement keeps the network's smooth motion
instead of adding per-frame jitter, plus (``world`` given) a 3D term that pulls the legs, the
arms (unless raised high), the head and the torso toward their directions in BlazePose's world
landmarks (:mod:`~lmr_studio.model.world_bones`, compared with the bones between the same marked
points of the body: limbs and head aligned on LMR's body, the torso
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
#: Per target, the joint whose segment carries its landmark: a shoulder's mark sits on the
#: collarbone's segment, an elbow's on the upper arm, a wrist's and the knuckles' on the hand, a
#: hip's on the pelvis, a knee's and an ankle's on the shin, a toe tip's on the foot (SMPL indices;
#: a joint's world rotation turns the segment that leaves it).
FIT_FRAMES = (13, 14, 16, 17, 20, 21, 0, 0, 4, 5, 4, 5, 7, 8, 20, 21)
#: (P, 3) metres: where BlazePose marks each target relative to its joint, in the axes of its
#: :data:`FIT_FRAMES` segment (SMPL's rest axes: x to the body's left, y up, z forward). BlazePose
#: marks points it sees on the body, which the body model's joints lie inside: the hips 3 cm
#: nearer the midline and 2.5 cm forward of the hip joints, the shoulders 2 cm above theirs, the
#: ankles 3 cm up the shin, the knees 1 cm behind. Measured on render-and-detect data by
#: :mod:`lmr_studio.training.fit_calibration` (docs/model.md).
FIT_OFFSETS = np.array([
    [-31, 22, 1], [35, 21, 2], [-27, -6, 11], [28, -6, 10], [3, -6, 11], [-3, -7, 11],
    [-31, 1, 24], [30, 2, 25], [-3, -5, -12], [4, -5, -13], [-3, 33, 4], [2, 32, 4],
    [-15, 2, 19], [16, 1, 17], [-29, -6, 11], [29, -6, 12]], np.float32) / 1000.0


def fit_targets(keypoints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The :data:`FIT_POINTS` of (F, 33, 3) ``keypoints`` (px + visibility): targets (F, P, 2) px,
    each the mean of its landmarks, and their weights (F, P) in [0, 1], the lowest visibility of
    each one's landmarks. BlazePose's guess for a hidden joint counts as much as it trusts it (a
    cut at 0.5 dropped the far leg of a side view: LAFAN1's side view scored 5 mm worse, docs/model.md)."""
    kp = np.asarray(keypoints, np.float32)
    weight = np.stack([kp[:, list(lms), 2].min(1) for lms, _ in FIT_POINTS], 1).clip(0.0, 1.0)
    return np.einsum("pl,flc->fpc", FIT_MATRIX, kp[..., :2]), weight


def marked_points(joints: torch.Tensor, rotations: torch.Tensor) -> torch.Tensor:
    """Where BlazePose marks the :data:`FIT_POINTS` (F, P, 3) m on a body whose joints (F, 24, 3)
    m have world rotations ``rotations`` (F, 24, 3, 3): each joint moved by its :data:`FIT_OFFSETS`
    in its :data:`FIT_FRAMES` segment's axes."""
    offsets = torch.from_numpy(FIT_OFFSETS).to(joints)
    return joints[:, FIT_JOINTS] + torch.einsum("fpij,pj->fpi", rotations[:, list(FIT_FRAMES)], offsets)


def surface_points(joints: torch.Tensor, marked: torch.Tensor) -> torch.Tensor:
    """(F, 24, 3) m: the ``joints``, the 12 that BlazePose marks replaced by their ``marked``
    points (F, P, 3) (:func:`marked_points`), so that 3D bones compare with its landmarks' bones."""
    return joints.index_copy(1, torch.as_tensor(MARKED_JOINTS), marked[:, :len(MARKED_JOINTS)])


def landmark_fit(poses: np.ndarray, transl: np.ndarray, rest_joints: torch.Tensor, keypoints: np.ndarray,
                 focal: float, image_size: tuple[int, int]) -> np.ndarray:
    """(F,) the 2D fit the refinement minimises: :func:`~lmr_studio.keypoint_error.keypoint_error`
    (a share of the person's height) of where BlazePose would mark the 12 joints of the body posed
    by (F, 24, 3) ``poses`` on (F, 24, 3) ``rest_joints`` at ``transl`` (F, 3), against its
    ``keypoints`` (F, 33, 3). The joints themselves lie up to a few centimetres from the marks
    (:data:`FIT_OFFSETS`); ``Track.keypoint_error`` measures those."""
    with torch.no_grad():
        rot = axis_angle_to_matrix(torch.as_tensor(np.asarray(poses), dtype=torch.float32))
        joints, world_rot = forward_kinematics(rot, torch.as_tensor(rest_joints, dtype=torch.float32))
        return _surface_fit(surface_points(joints, marked_points(joints, world_rot)), transl, keypoints, focal, image_size)


def _surface_fit(surface: torch.Tensor, transl, keypoints: np.ndarray, focal: float,
                 image_size: tuple[int, int]) -> np.ndarray:
    """:func:`landmark_fit` of :func:`surface_points` (F, 24, 3) m at ``transl`` (F, 3)."""
    projected = perspective_project(surface.detach(), torch.as_tensor(np.asarray(transl), dtype=torch.float32),
                                    focal, image_size)
    return keypoint_error(projected.numpy(), keypoints)


@dataclasses.dataclass
class Refined:
    """Refined per-frame outputs (numpy float32) and the 2D fit before and after."""

    poses: np.ndarray        # (F, 24, 3) axis-angle
    transl: np.ndarray       # (F, 3) metres
    error_before: np.ndarray  # (F,) :func:`landmark_fit` of LMR's output
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

    network_joints, network_rot = forward_kinematics(base, rest)
    network_surface = surface_points(network_joints, marked_points(network_joints, network_rot))
    use_world = world is not None and settings.world_weight > 0
    if use_world:
        directions, bone_weight = (torch.from_numpy(a) for a in world_bone_targets(
            world, network_surface.numpy(), keypoints[..., 2], settings.world_max_turn))
        bone_matrix = torch.from_numpy(BONE_MATRIX)

    def solve(with_grad: bool) -> tuple[torch.Tensor, ...]:
        """Rotations (F, 24, 3, 3), translations (F, 3), projected marked points (F, P, 2) px, the
        residual rotations (F, 24, 3) and log depth changes (F, 1) they came from, the body-frame
        joints (F, 24, 3) m, their change from the network's, and the marked points (F, P, 3) m."""
        with torch.set_grad_enabled(with_grad):
            delta, shift, log_depth = params[:, :72].view(-1, 24, 3), params[:, 72:74], params[:, 74:]
            rot = base @ axis_angle_to_matrix(delta)
            joints, world_rot = forward_kinematics(rot, rest)
            t = torch.cat([t0[:, :2] + shift, t0[:, 2:] * torch.exp(log_depth)], 1)
            marked = marked_points(joints, world_rot)
            proj = perspective_project(marked, t, focal, image_size)
            return rot, t, proj, delta, log_depth, joints, joints - network_joints, marked

    optimiser = torch.optim.Adam([params], lr=settings.lr)
    for _ in range(settings.iterations):
        _, _, proj, delta, log_depth, joints, change, marked = solve(True)
        dist = torch.linalg.norm(proj - target, dim=-1) / scale
        fit = torch.nn.functional.huber_loss(dist, torch.zeros_like(dist), delta=settings.huber, reduction="none")
        cost = ((fit * weight).sum(1) / weight.sum(1).clamp(min=1.0)
                + settings.pose_prior * (delta ** 2).sum((1, 2))
                + settings.depth_prior * log_depth[:, 0] ** 2).sum()
        if len(middle):
            accel = change[middle - 1] - 2 * change[middle] + change[middle + 1]
            cost = cost + settings.temporal * (accel ** 2).sum()
        if use_world:
            bones = torch.einsum("bj,fjc->fbc", bone_matrix, surface_points(joints, marked))
            cosine = (bones * directions).sum(-1) / torch.linalg.norm(bones, dim=-1).clamp(min=1e-6)
            cost = cost + settings.world_weight * ((1 - cosine) * bone_weight).sum()
        optimiser.zero_grad(set_to_none=True)
        cost.backward()
        optimiser.step()
    rot, t, _, _, _, joints, _, marked = solve(False)
    return Refined(poses=matrix_to_axis_angle(rot).numpy().astype(np.float32), transl=t.numpy().astype(np.float32),
                   error_before=_surface_fit(network_surface, t0, keypoints, focal, image_size),
                   error_after=_surface_fit(surface_points(joints, marked), t, keypoints, focal, image_size))
