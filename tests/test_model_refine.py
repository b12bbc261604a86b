"""The per-frame refinement toward 2D keypoints, on skeletons whose true pose and camera are known."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lmr_studio.geometry.camera import perspective_project
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.keypoint_error import MARKED_JOINTS, MARKED_LANDMARKS
from lmr_studio.model.refine import RefineSettings, fit_targets, refine_to_keypoints
from lmr_studio.perception.features import WORLD_AXES
from lmr_studio.training.metrics import accel_errors, joint_errors
from tests.fixtures.keypoints import landmark_points, marks_for_pose

SIZE, FOCAL = (640, 480), 768.0


@pytest.fixture
def scene(smpl_body):
    """A true pose seen by a known camera, BlazePose-like keypoints on its joints, and a network
    guess whose limbs are off by about 15 degrees."""
    rng = np.random.default_rng(0)
    frames = 6
    truth = rng.normal(0, 0.25, (frames, 24, 3)).astype(np.float32)
    truth[:, 0] = [0.0, 0.4, 0.0]
    rest = smpl_body.rest_joints(torch.zeros(1, 10)).expand(frames, -1, -1).clone()
    transl = np.tile(np.array([[0.1, 0.2, -4.0]], np.float32), (frames, 1))
    joints, rotations = _posed(truth, rest)
    keypoints = np.zeros((frames, 33, 3), np.float32)
    keypoints[:, :, :2] = marks_for_pose(joints, rotations, transl, FOCAL, SIZE)
    keypoints[:, MARKED_LANDMARKS, 2] = 1.0
    guess = truth + rng.normal(0, 0.15, truth.shape).astype(np.float32)
    guess[:, 0] = truth[:, 0]
    return truth, guess, rest, transl, keypoints, joints


def _posed(poses: np.ndarray, rest: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Joints (F, 24, 3) m and world rotations (F, 24, 3, 3) of axis-angle ``poses`` on ``rest``."""
    return tuple(a.numpy() for a in forward_kinematics(axis_angle_to_matrix(torch.from_numpy(poses)), rest))


def test_refinement_lands_on_the_keypoints_without_raising_3d_error(scene):
    truth, guess, rest, transl, keypoints, joints = scene
    side = np.full(len(truth), 300.0, np.float32)
    out = refine_to_keypoints(guess, transl * np.float32(1.1), rest, keypoints, side, FOCAL, SIZE)
    fit = np.median(out.error_after)
    assert fit < 0.3 * np.median(out.error_before)
    assert fit < 0.01  # within 1 % of the person's height
    assert joint_errors(_posed(out.poses, rest)[0], joints).mean() <= joint_errors(_posed(guess, rest)[0], joints).mean()


def test_feet_and_hands_keypoints_turn_the_ankles_and_wrists(scene):
    """With keypoints on the toe tips and on the knuckles (index and pinky either side of SMPL's
    hand joint), the refined feet and hands land nearer the truth in 3D than from the 12 joints alone."""
    truth, guess, rest, transl, keypoints, joints = scene
    full = keypoints.copy()
    extra = [17, 18, 19, 20, 31, 32]
    full[:, extra, 2] = 1.0
    full[:, 19, 2] = 0.6                          # a hand weighs its least visible knuckle
    targets, weight = fit_targets(full)
    marked = perspective_project(landmark_points(*_posed(truth, rest)), transl, FOCAL, SIZE)
    np.testing.assert_allclose(targets, marked, atol=1e-3)  # the targets are where BlazePose marks the joints
    np.testing.assert_allclose(weight[:, -4:], np.tile([1.0, 1.0, 0.6, 1.0], (len(full), 1)))
    assert (fit_targets(keypoints)[1][:, -4:] == 0).all()
    side = np.full(len(truth), 300.0, np.float32)
    extremities = [10, 11, 22, 23]
    errors = []
    for kp in (keypoints, full):
        out = refine_to_keypoints(guess, transl, rest, kp, side, FOCAL, SIZE)
        fitted = forward_kinematics(axis_angle_to_matrix(torch.from_numpy(out.poses)), rest)[0].numpy()
        errors.append(joint_errors(fitted, joints)[:, extremities].mean())
    assert errors[1] < 0.9 * errors[0]  # measured 88 -> 76 mm: depth along the rays stays open


def test_frames_are_refined_independently(scene):
    """A track refined in pieces equals the track refined whole (the GUI preview relies on it)."""
    truth, guess, rest, transl, keypoints, _ = scene
    side = np.full(len(truth), 300.0, np.float32)
    whole = refine_to_keypoints(guess, transl, rest, keypoints, side, FOCAL, SIZE)
    head = refine_to_keypoints(guess[:2], transl[:2], rest[:2], keypoints[:2], side[:2], FOCAL, SIZE)
    np.testing.assert_allclose(head.poses, whole.poses[:2], atol=1e-5)
    np.testing.assert_allclose(head.transl, whole.transl[:2], atol=1e-5)


def test_a_photo_trusts_its_keypoints_more_than_a_video_frame(scene):
    """A photo's settings pull a guess further onto the keypoints than a video's (one frame gives
    the network no motion to read), and the joints move toward the truth, not away."""
    truth, guess, rest, transl, keypoints, joints = scene
    side = np.full(len(truth), 300.0, np.float32)
    guess = truth + (guess - truth) * np.float32(3)  # a photo's raw guess is far off (14.9 % on messi5.jpg)
    photo, video = (refine_to_keypoints(guess, transl, rest, keypoints, side, FOCAL, SIZE,
                                        RefineSettings.for_input(is_image)) for is_image in (True, False))
    assert np.median(photo.error_after) < np.median(video.error_after)
    errors = [joint_errors(_posed(p, rest)[0], joints).mean() for p in (photo.poses, video.poses, guess)]
    assert errors[0] < errors[2] and errors[1] < errors[2]


def test_temporal_term_keeps_the_motion_smooth(smpl_body):
    """Keypoints that jitter around a smooth arm swing: refining consecutive frames as one person's
    (``follows``) gives joints that accelerate less than refining each frame alone, and no
    farther from the truth."""
    rng = np.random.default_rng(1)
    frames = 40
    swing = np.sin(np.linspace(0, 2 * np.pi, frames)).astype(np.float32)
    truth = np.zeros((frames, 24, 3), np.float32)
    truth[:, 0] = [0.0, 0.4, 0.0]
    truth[:, 16, 2], truth[:, 17, 2], truth[:, 18, 1] = -0.8 * swing, 0.8 * swing, 0.6 * swing
    rest = smpl_body.rest_joints(torch.zeros(1, 10)).expand(frames, -1, -1).clone()
    transl = np.tile(np.array([[0.0, 0.2, -4.0]], np.float32), (frames, 1))
    joints, rotations = _posed(truth, rest)
    keypoints = np.zeros((frames, 33, 3), np.float32)
    keypoints[:, MARKED_LANDMARKS, :2] = marks_for_pose(joints, rotations, transl, FOCAL, SIZE)[:, MARKED_LANDMARKS]
    keypoints[:, MARKED_LANDMARKS, :2] += rng.normal(0, 3.0, (frames, len(MARKED_LANDMARKS), 2))  # px of jitter
    keypoints[:, MARKED_LANDMARKS, 2] = 1.0
    guess = truth.copy()
    guess[:, 1:] += 0.1  # the network's pose: smooth, off by a constant
    side = np.full(frames, 300.0, np.float32)
    follows = np.r_[False, np.ones(frames - 1, bool)]
    alone, together = (refine_to_keypoints(guess, transl, rest, keypoints, side, FOCAL, SIZE, follows=f)
                       for f in (None, follows))
    posed = [forward_kinematics(axis_angle_to_matrix(torch.from_numpy(r.poses)), rest)[0].numpy()
             for r in (alone, together)]
    accel = [accel_errors(p, joints).mean() for p in posed]
    error = [joint_errors(p, joints).mean() for p in posed]
    print(f"accel error alone {accel[0]:.1f}, together {accel[1]:.1f}; joint error {error[0]:.1f}, {error[1]:.1f} mm")
    assert accel[1] < 0.6 * accel[0]
    assert error[1] <= error[0] * 1.02


def _kick_scene(smpl_body, frames: int = 4):
    """A person facing the camera with the left leg swung straight forward (the truth) and a
    network guess with the same leg swung as far backward: the 2D keypoints barely tell them
    apart (the leg's depth is mirrored), BlazePose's world landmarks do."""
    rest = smpl_body.rest_joints(torch.zeros(1, 10)).expand(frames, -1, -1).clone()
    truth = np.zeros((frames, 24, 3), np.float32)
    truth[:, 1, 0] = -0.6  # left hip, about x: the leg swings forward, toward the camera
    guess = truth.copy()
    guess[:, 1, 0] = 0.6
    transl = np.tile(np.array([[0.0, 0.2, -4.0]], np.float32), (frames, 1))
    joints, rotations = _posed(truth, rest)
    keypoints = np.zeros((frames, 33, 3), np.float32)
    keypoints[:, MARKED_LANDMARKS, :2] = marks_for_pose(joints, rotations, transl, FOCAL, SIZE)[:, MARKED_LANDMARKS]
    keypoints[:, MARKED_LANDMARKS, 2] = 1.0
    world = np.zeros((frames, 33, 3), np.float32)
    marked = landmark_points(joints, rotations)[:, :len(MARKED_LANDMARKS)]  # in MARKED_LANDMARKS' order
    hips = marked[:, 6:8].mean(1, keepdims=True)
    world[:, MARKED_LANDMARKS] = (marked - hips) * WORLD_AXES  # BlazePose's axes
    return truth, guess, rest, transl, keypoints, world, joints


def _ankle_depth(poses, rest) -> float:
    """Mean depth (m, + toward the camera) of the left ankle relative to the left hip."""
    joints = forward_kinematics(axis_angle_to_matrix(torch.from_numpy(poses)), rest)[0].numpy()
    return float((joints[:, 7, 2] - joints[:, 1, 2]).mean())


def test_world_landmarks_pull_a_depth_mirrored_leg_to_the_truth(smpl_body):
    """The 2D refinement alone keeps the leg behind the body; the 3D term brings it to the camera
    side where the truth is (a strong weight crosses over; the default, a light pull since the
    network reads the world landmarks itself (docs/model.md, "A lighter 3D term"), moves it that way)."""
    truth, guess, rest, transl, keypoints, world, _ = _kick_scene(smpl_body)
    side = np.full(len(truth), 300.0, np.float32)
    true_depth, guessed = _ankle_depth(truth, rest), _ankle_depth(guess, rest)
    assert true_depth > 0.3 and guessed < -0.3  # the ankle is in front of the hip, the guess puts it behind
    flat = refine_to_keypoints(guess, transl, rest, keypoints, side, FOCAL, SIZE, world=None)
    gentle = refine_to_keypoints(guess, transl, rest, keypoints, side, FOCAL, SIZE, world=world)
    strong = refine_to_keypoints(guess, transl, rest, keypoints, side, FOCAL, SIZE,
                                 RefineSettings(world_weight=0.0075), world=world)
    depths = [_ankle_depth(out.poses, rest) for out in (flat, gentle, strong)]
    print("left ankle depth from the hip (m): truth {:.2f}, guess {:.2f}, 2D only {:.2f}, default {:.2f}, "
          "strong {:.2f}".format(true_depth, guessed, *depths))
    assert depths[0] < -0.2                       # 2D keypoints alone: still behind
    assert depths[1] > depths[0] + 0.01           # the default weight pulls it forward
    assert depths[2] > 0.1                        # a strong weight brings it in front, as in the truth
    assert np.median(strong.error_after) < 0.02  # still on the 2D keypoints (share of the height)


def test_world_landmarks_facing_the_other_way_are_ignored(smpl_body):
    """BlazePose's front/back flip (depth mirrored, left and right swapped) or frames without
    world landmarks (NaN) leave the refinement as it is without them."""
    truth, guess, rest, transl, keypoints, world, _ = _kick_scene(smpl_body)
    side = np.full(len(truth), 300.0, np.float32)
    swap = np.arange(33)
    for left in (11, 13, 15, 23, 25, 27):
        swap[[left, left + 1]] = [left + 1, left]
    flipped = world[:, swap] * np.array([1.0, 1.0, -1.0], np.float32)
    missing = np.full_like(world, np.nan)
    plain = refine_to_keypoints(guess, transl, rest, keypoints, side, FOCAL, SIZE)
    for other in (flipped, missing):
        out = refine_to_keypoints(guess, transl, rest, keypoints, side, FOCAL, SIZE, world=other)
        np.testing.assert_allclose(out.poses, plain.poses, atol=1e-6)
        np.testing.assert_allclose(out.transl, plain.transl, atol=1e-6)
    off = refine_to_keypoints(guess, transl, rest, keypoints, side, FOCAL, SIZE,
                              RefineSettings(world_weight=0.0), world=world)
    np.testing.assert_allclose(off.poses, plain.poses, atol=1e-6)


def test_frames_are_refined_independently_with_world_landmarks(smpl_body):
    truth, guess, rest, transl, keypoints, world, _ = _kick_scene(smpl_body)
    world[1:, 25] += 0.05  # frames differ, so a mix-up between them would show
    side = np.full(len(truth), 300.0, np.float32)
    whole = refine_to_keypoints(guess, transl, rest, keypoints, side, FOCAL, SIZE, world=world)
    tail = refine_to_keypoints(guess[2:], transl[2:], rest[2:], keypoints[2:], side[2:], FOCAL, SIZE, world=world[2:])
    np.testing.assert_allclose(tail.poses, whole.poses[2:], atol=1e-5)


def _world_seen(joints: np.ndarray) -> np.ndarray:
    """(F, 33, 3) BlazePose world landmarks of SMPL ``joints`` (F, 24, 3): the 12 marked joints and
    the ears at the head joint, hip-centred, in BlazePose's axes."""
    world = np.zeros((len(joints), 33, 3), np.float32)
    world[:, MARKED_LANDMARKS] = joints[:, MARKED_JOINTS]
    world[:, [7, 8]] = joints[:, [15, 15]]
    return (world - joints[:, [1, 2]].mean(1, keepdims=True)) * WORLD_AXES


def test_world_targets_leave_out_an_arm_raised_above_the_limit(smpl_body):
    """Legs, head and torso always; the left arm is raised 20 degrees above the horizontal, the
    right arm 50: only the left arm's bones get weight, and every target points along the true
    bone (LMR's body and BlazePose's agree here)."""
    from lmr_studio.model.world_bones import ARM_RAISE_LIMIT_DEG, BONE_MATRIX, world_bone_targets

    assert 20 < ARM_RAISE_LIMIT_DEG < 50
    rest = smpl_body.rest_joints(torch.zeros(1, 10))
    pose = np.zeros((1, 24, 3), np.float32)
    pose[0, 16, 2], pose[0, 17, 2] = np.radians(20), np.radians(-50)   # SMPL shoulders about z: arms up
    joints = forward_kinematics(axis_angle_to_matrix(torch.from_numpy(pose)), rest)[0].numpy()
    upper = lambda j: np.degrees(np.arcsin((joints[0, j + 2, 1] - joints[0, j, 1]) /  # noqa: E731
                                           np.linalg.norm(joints[0, j + 2] - joints[0, j])))
    assert abs(upper(16) - 20) < 8 and abs(upper(17) - 50) < 8          # the rest arms are near level
    directions, weight = world_bone_targets(_world_seen(joints), joints, np.ones((1, 33)), 90.0)
    np.testing.assert_array_equal(weight[0], [1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1])
    bones = BONE_MATRIX @ joints[0]
    np.testing.assert_allclose(directions[0], bones / np.linalg.norm(bones, axis=-1, keepdims=True), atol=1e-4)


def test_torso_targets_keep_blazeposes_tilt_and_aligned_targets_do_not(smpl_body):
    """BlazePose sees the body tilted 30 degrees towards the camera, LMR upright: the torso targets
    follow BlazePose's tilt (the camera-relative orientation LMR gets wrong from high cameras),
    the limb and head targets are BlazePose's aligned onto LMR's body."""
    from scipy.spatial.transform import Rotation

    from lmr_studio.model.world_bones import BONE_MATRIX, BONES, world_bone_targets

    pose = np.zeros((1, 24, 3), np.float32)
    pose[0, 16, 2], pose[0, 17, 2] = -1.2, 1.2   # both arms hang
    joints = forward_kinematics(axis_angle_to_matrix(torch.from_numpy(pose)), smpl_body.rest_joints(torch.zeros(1, 10)))[0].numpy()
    tilt = Rotation.from_euler("x", 30, degrees=True).as_matrix().astype(np.float32)
    seen = joints @ tilt.T
    directions, weight = world_bone_targets(_world_seen(seen), joints, np.ones((1, 33)), 90.0)
    assert weight.min() == 1.0
    unit = lambda v: v / np.linalg.norm(v, axis=-1, keepdims=True)  # noqa: E731
    aligned = np.array([bone.aligned for bone in BONES])
    assert aligned.sum() == 9 and not aligned[-3:].any()
    np.testing.assert_allclose(directions[0, aligned], unit(BONE_MATRIX[aligned] @ joints[0]), atol=1e-4)
    np.testing.assert_allclose(directions[0, ~aligned], unit(BONE_MATRIX[~aligned] @ seen[0]), atol=1e-4)
