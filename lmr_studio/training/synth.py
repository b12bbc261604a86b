"""From a motion and a body to what the network sees and what it should predict.

Per clip: a random camera (image size, focal, distance, pitch -10 to 50 deg, person placement), full
perspective projection of the 33 landmarks (see :mod:`landmarks`), detector-like errors, the
person box and features exactly as the video pipeline builds them
(:func:`~lmr_studio.perception.features.box_from_keypoints`,
:func:`~lmr_studio.perception.features.keypoint_features`), and the ground truth: camera-frame
joint rotations, betas, root-relative 3D joints and box-normalised 2D joints.

Detector errors, drawn from BlazePose's measured errors (:mod:`detector_noise`, fitted by
:mod:`noise_fit` on render-and-detect frames): white jitter plus slowly drifting noise plus a
constant offset per landmark, all as shares of the person's extent; visibility as BlazePose gives
it (high even for a face turned away); random far-off points at the measured rate and distance;
left/right limb swaps at the measured rate for the person's facing; an occluder (in 35 % of
clips) covering a band of the body for part of the clip (visibility < 0.45 inside, 5 % extra
noise); box jitter of a few percent.

BlazePose's world landmarks (33 x 3 metres, hip-centred, in its own axes): the true landmarks
around the mid-hip, scaled by 0.85-1.15 (BlazePose's skeleton has its own size), depth squashed
to 0.6-1.1, turned by a slowly varying rotation, drifting noise of 2-11 cm plus 0.5-2 cm white
noise per landmark (sizes set so that, on 42 generated clips, the limb landmarks' PA-MPJPE is a
mean 110 mm and the rotation error a median 12.5 deg: measured on BlazePose, 109 mm and 12.3 deg);
and front/back confusions: spans of 0.3-3 s in
which the person is seen as facing the other way (depth mirrored, left and right swapped, in the
2D keypoints too), covering the measured share of frames for the person's facing.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch
from scipy.spatial.transform import Rotation

from lmr_studio.geometry.camera import perspective_project, pixels_to_box
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix, matrix_to_axis_angle
from lmr_studio.perception.features import WORLD_AXES, box_from_keypoints, keypoint_features
from lmr_studio.training.bodies import BodyBank
from lmr_studio.training.detector_noise import measured_noise
from lmr_studio.training.landmarks import pose_landmarks
from lmr_studio.training.motion import MotionClip, smooth_noise

IMAGE_SIZES = ((1280, 720), (1920, 1080), (720, 1280), (1080, 1920), (640, 480))
FACE = np.arange(11)
#: Left/right landmark pairs swapped by a "limb swap" error (arms, legs).
SWAP_ARMS = (np.array([13, 15, 17, 19, 21]), np.array([14, 16, 18, 20, 22]))
SWAP_LEGS = (np.array([25, 27, 29, 31]), np.array([26, 28, 30, 32]))
#: Each landmark's mirror image (left <-> right), for front/back confusions.
MIRROR = np.array([0, 4, 5, 6, 1, 2, 3, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15, 18, 17, 20, 19, 22, 21,
                   24, 23, 26, 25, 28, 27, 30, 29, 32, 31])


@dataclasses.dataclass
class Sample:
    """One clip of F frames, ready for training / evaluation (numpy float32)."""

    features: np.ndarray    # (F, 99) network input
    poses: np.ndarray       # (F, 24, 3) axis-angle, camera frame (joint 0 = orientation seen by the camera)
    betas: np.ndarray       # (F, 10)
    joints3d: np.ndarray    # (F, 24, 3) metres, body frame, root at its rest position
    joints2d: np.ndarray    # (F, 24, 2) box-normalised projections of the joints
    keypoints: np.ndarray   # (F, 33, 3) pixels + visibility (after detector errors)
    body: int               # index into the body bank


def _camera_rotation(pitch_deg: float) -> np.ndarray:
    a = np.radians(pitch_deg)
    return np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])


def synthesize(clip: MotionClip, bank: BodyBank, body: int, rng: np.random.Generator) -> Sample:
    """Render ``clip`` on bank body ``body`` through a random camera with detector-like errors."""
    f = len(clip.poses)
    fps = clip.fps
    width, height = IMAGE_SIZES[rng.integers(len(IMAGE_SIZES))]
    focal = rng.uniform(0.8, 2.0) * max(width, height)
    person_frac = rng.uniform(0.3, 0.9)
    dist = focal * 1.75 / (person_frac * height)
    cam_rot = _camera_rotation(rng.uniform(-10, 50))  # up to high cameras looking down
    # ground truth in the camera frame
    rotmats = axis_angle_to_matrix(torch.from_numpy(clip.poses).double()).numpy()
    rotmats[:, 0] = cam_rot @ rotmats[:, 0]
    rest = torch.from_numpy(bank.rest_joints[body]).double().expand(f, -1, -1)
    joints, glob = forward_kinematics(torch.from_numpy(rotmats), rest)
    joints, glob = joints.numpy(), glob.numpy()
    landmarks = pose_landmarks(joints, glob, np.broadcast_to(bank.offsets[body], (f, 33, 3)))
    world = clip.transl - clip.transl.mean(0)
    tt = np.arange(f)[:, None] - (f - 1) / 2
    world = world - tt * (tt * world).sum(0) / max((tt * tt).sum(), 1e-9)  # the camera pans along
    place = np.array([rng.uniform(-0.3, 0.3), rng.uniform(-0.2, 0.2), 0.0]) * dist * 0.3
    transl = world @ cam_rot.T + place + np.array([0.0, 0.0, -dist])
    transl = transl + 0.02 * dist * smooth_noise(rng, f, fps, 0.3, 3) * np.array([1, 1, 0])
    kp_xy = perspective_project(landmarks, transl, focal, (width, height))
    j_xy = perspective_project(joints, transl, focal, (width, height))
    facing = _facing_deg(glob, landmarks, transl)
    keypoints = _detector_errors(kp_xy, landmarks, glob, transl, facing, rng, fps)
    world, flipped = _world_landmarks(landmarks, facing, rng, fps)
    keypoints[flipped] = keypoints[flipped][:, MIRROR]
    box = box_from_keypoints(keypoints)
    side = box[:, 2:3]
    box[:, :2] += side * 0.02 * (rng.standard_normal((f, 2)) + smooth_noise(rng, f, fps, 0.5, 2))
    box[:, 2] *= np.exp(0.03 * smooth_noise(rng, f, fps, 0.5)[:, 0])
    rotvec = clip.poses.copy()
    rotvec[:, 0] = matrix_to_axis_angle(torch.from_numpy(rotmats[:, 0])).numpy()
    return Sample(
        features=keypoint_features(keypoints, box, world),
        poses=rotvec.astype(np.float32),
        betas=np.broadcast_to(bank.betas[body], (f, 10)).astype(np.float32),
        joints3d=joints.astype(np.float32),
        joints2d=pixels_to_box(j_xy, box).astype(np.float32),
        keypoints=keypoints.astype(np.float32),
        body=body,
    )


def _facing(glob: np.ndarray, landmarks: np.ndarray, transl: np.ndarray, joint: int) -> np.ndarray:
    """(F,) cosine between joint ``joint``'s forward axis and the direction to the camera."""
    forward = glob[:, joint] @ np.array([0.0, 0.0, 1.0])
    to_cam = -(landmarks[:, 0] + transl)
    return (forward * to_cam).sum(-1) / np.linalg.norm(to_cam, axis=-1)


def _facing_deg(glob: np.ndarray, landmarks: np.ndarray, transl: np.ndarray) -> np.ndarray:
    """(F,) degrees between the pelvis's forward axis and the direction to the camera (0 = front view)."""
    return np.degrees(np.arccos(np.clip(_facing(glob, landmarks, transl, 0), -1.0, 1.0)))


def _spans(rng: np.random.Generator, share: np.ndarray, lengths: tuple[float, float]) -> list[slice]:
    """Spans of ``lengths`` (low, high) frames that cover about ``share`` (F,) of the frames."""
    f = len(share)
    mean = (lengths[0] + lengths[1]) / 2
    start_rate = share / (mean * np.clip(1.0 - share, 0.05, 1.0))
    out = []
    i = 0
    while i < f:
        if rng.random() < start_rate[i]:
            n = max(1, round(rng.uniform(*lengths)))
            out.append(slice(i, min(f, i + n)))
            i += n
        i += 1
    return out


def _world_landmarks(landmarks: np.ndarray, facing: np.ndarray, rng: np.random.Generator,
                     fps: float) -> tuple[np.ndarray, np.ndarray]:
    """True landmarks (F, 33, 3) camera axes, seen at ``facing`` (F,) degrees -> BlazePose-like
    world landmarks (F, 33, 3) in BlazePose's axes, and the (F,) frames seen facing the wrong way
    (see the module docstring)."""
    noise = measured_noise()
    f = len(landmarks)
    world = landmarks - landmarks[:, [23, 24]].mean(1, keepdims=True)
    world = world * rng.uniform(0.85, 1.15) * np.array([1.0, 1.0, rng.uniform(0.6, 1.1)])
    # a slowly turning rotation error; with the noise below, its total has the measured median angle
    turn = np.radians(noise.world_rotation_deg) / 2.6 * smooth_noise(rng, f, fps, 0.5, 3)
    world = np.einsum("fij,fkj->fki", Rotation.from_rotvec(turn).as_matrix(), world)
    world = world + (rng.uniform(0.02, 0.11) * smooth_noise(rng, f, fps, 1.0, 99).reshape(f, 33, 3)
                     + rng.uniform(0.005, 0.02) * rng.standard_normal((f, 33, 3)))
    share = noise.by_facing(noise.flip_rate, facing)
    flipped = np.zeros(f, bool)
    for span in _spans(rng, share, (0.3 * fps, 3.0 * fps)):
        flipped[span] = True
    world[flipped] = world[flipped][:, MIRROR] * np.array([1.0, 1.0, -1.0])
    return (world * WORLD_AXES).astype(np.float32), flipped


def _detector_errors(xy: np.ndarray, landmarks: np.ndarray, glob: np.ndarray, transl: np.ndarray,
                     facing: np.ndarray, rng: np.random.Generator, fps: float) -> np.ndarray:
    """(F, 33, 2) true pixels of a person seen at ``facing`` (F,) degrees -> (F, 33, 3) noisy
    pixels + visibility (see module docstring)."""
    noise = measured_noise()
    f = len(xy)
    extent = (xy.max(1) - xy.min(1)).max(-1)[:, None, None]  # person size in pixels, per frame
    xy = xy + extent * (rng.uniform(*noise.jitter) * rng.standard_normal(xy.shape)
                        + rng.uniform(*noise.drift) * smooth_noise(rng, f, fps, 3.0, 66).reshape(f, 33, 2)
                        + rng.uniform(*noise.bias) * rng.standard_normal((1, 33, 2)))
    seen = noise.visibility_seen
    vis = np.clip(rng.uniform(*seen) - 0.1 * np.abs(smooth_noise(rng, f, fps, 1.0, 33)), seen[0], 1.0)
    # face turned away from the camera: head's forward axis vs the direction to the camera
    away = _facing(glob, landmarks, transl, 15) < noise.face_away_cos
    vis[np.ix_(away, FACE)] = rng.uniform(*noise.face_away_visibility, (away.sum(), len(FACE)))
    # random far-off points
    drop = rng.random((f, 33)) < noise.drop_rate
    vis[drop] = rng.uniform(0.0, 1.0, drop.sum())
    direction = rng.standard_normal((drop.sum(), 2))
    direction /= np.linalg.norm(direction, axis=-1, keepdims=True)
    xy[drop] += extent[:, 0][np.nonzero(drop)[0]] * rng.uniform(*noise.drop_displacement, (drop.sum(), 1)) * direction
    # an occluder covering a horizontal or vertical band for part of the clip
    if rng.random() < 0.35:
        start = int(rng.integers(0, f))
        stop = min(f, start + int(rng.uniform(0.3, 1.5) * fps))
        axis = int(rng.integers(2))
        lo, hi = xy[start:stop, :, axis].min(), xy[start:stop, :, axis].max()
        a = rng.uniform(lo, hi)
        band = (a, a + rng.uniform(0.2, 0.5) * (hi - lo))
        inside = np.zeros((f, 33), bool)
        inside[start:stop] = (xy[start:stop, :, axis] > band[0]) & (xy[start:stop, :, axis] < band[1])
        vis[inside] = rng.uniform(0.05, 0.45, inside.sum())
        xy[inside] += extent[:, 0][np.nonzero(inside)[0]] * rng.normal(0, 0.05, (inside.sum(), 2))
    # left/right swaps of a limb pair for a few frames
    share = noise.by_facing(noise.limb_swap_rate, facing)
    for span in _spans(rng, share, noise.limb_swap_frames):
        left, right = SWAP_ARMS if rng.random() < 0.5 else SWAP_LEGS
        xy[span, left], xy[span, right] = xy[span, right].copy(), xy[span, left].copy()
    return np.concatenate([xy, vis[..., None]], -1)
