"""The per-frame refinement toward 2D keypoints, on skeletons whose true pose and camera are known."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lmr_studio.geometry.camera import perspective_project
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.keypoint_error import MARKED_JOINTS, MARKED_LANDMARKS
from lmr_studio.model.refine import RefineSettings, refine_to_keypoints
from lmr_studio.training.metrics import accel_errors, joint_errors

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
    joints = forward_kinematics(axis_angle_to_matrix(torch.from_numpy(truth)), rest)[0].numpy()
    xy = perspective_project(joints, transl, FOCAL, SIZE)
    keypoints = np.zeros((frames, 33, 3), np.float32)
    keypoints[:, MARKED_LANDMARKS, :2] = xy[:, MARKED_JOINTS]
    keypoints[:, MARKED_LANDMARKS, 2] = 1.0
    guess = truth + rng.normal(0, 0.15, truth.shape).astype(np.float32)
    guess[:, 0] = truth[:, 0]
    return truth, guess, rest, transl, keypoints, joints


def test_refinement_lands_on_the_keypoints_without_raising_3d_error(scene):
    truth, guess, rest, transl, keypoints, joints = scene
    side = np.full(len(truth), 300.0, np.float32)
    out = refine_to_keypoints(guess, transl * np.float32(1.1), rest, keypoints, side, FOCAL, SIZE)
    assert np.median(out.error_after) < 0.3 * np.median(out.error_before)
    assert np.median(out.error_after) < 0.02  # within 2 % of the person's height
    fitted = forward_kinematics(axis_angle_to_matrix(torch.from_numpy(out.poses)), rest)[0].numpy()
    guessed = forward_kinematics(axis_angle_to_matrix(torch.from_numpy(guess)), rest)[0].numpy()
    assert joint_errors(fitted, joints).mean() <= joint_errors(guessed, joints).mean()


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
    posed = [forward_kinematics(axis_angle_to_matrix(torch.from_numpy(p)), rest)[0].numpy()
             for p in (photo.poses, video.poses, guess)]
    errors = [joint_errors(j, joints).mean() for j in posed]
    assert errors[0] <= errors[1] <= errors[2]


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
    joints = forward_kinematics(axis_angle_to_matrix(torch.from_numpy(truth)), rest)[0].numpy()
    keypoints = np.zeros((frames, 33, 3), np.float32)
    keypoints[:, MARKED_LANDMARKS, :2] = perspective_project(joints, transl, FOCAL, SIZE)[:, MARKED_JOINTS]
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
