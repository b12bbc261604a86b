"""Synthetic training data: motions, landmarks, bodies, cameras and detector errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.spatial.transform import Rotation

from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.parts import PART_JOINTS
from lmr_studio.perception.features import FEATURE_DIM
from lmr_studio.training.bodies import build_body_bank, skeleton_from_betas
from lmr_studio.training.dataset import body_indices, make_clips
from lmr_studio.training.landmarks import LANDMARK_JOINT, pose_landmarks
from lmr_studio.training.motion import JOINT_LIMITS, TEST_FAMILIES, TRAIN_FAMILIES, generate_motion


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def bank(smpl_body):
    return build_body_bank(smpl_body, count=16, seed=0)


def test_train_and_test_families_are_disjoint():
    assert not set(TRAIN_FAMILIES) & set(TEST_FAMILIES)


@pytest.mark.parametrize("family", TRAIN_FAMILIES + TEST_FAMILIES)
def test_motion_is_seeded_and_within_joint_limits(family):
    a = generate_motion(family, 60, np.random.default_rng(3))
    b = generate_motion(family, 60, np.random.default_rng(3))
    np.testing.assert_array_equal(a.poses, b.poses)
    assert a.poses.shape == (60, 24, 3) and a.transl.shape == (60, 3)
    lo, hi = JOINT_LIMITS[1:, :, 0], JOINT_LIMITS[1:, :, 1]
    assert (a.euler[:, 1:] >= lo).all() and (a.euler[:, 1:] <= hi).all()
    local = Rotation.from_euler("xyz", a.euler[:, 1:].reshape(-1, 3), degrees=True).as_rotvec()
    np.testing.assert_allclose(local.reshape(60, 23, 3), a.poses[:, 1:], atol=1e-5)


def test_part_switch_moves_parts_at_different_times():
    """In part_switch clips some parts are nearly still while others move fast."""
    clip = generate_motion("part_switch", 300, np.random.default_rng(0))
    speed = np.linalg.norm(np.diff(clip.poses, axis=0), axis=-1)  # (F-1, 24) rad/frame
    arms = speed[:, list(PART_JOINTS[2] + PART_JOINTS[3])].mean(1)
    legs = speed[:, list(PART_JOINTS[4] + PART_JOINTS[5])].mean(1)
    ratio = np.log((arms + 1e-4) / (legs + 1e-4))
    assert ratio.max() > 1.5 and ratio.min() < -1.5  # arms >> legs at some times, legs >> arms at others


def test_bank_skeleton_regressor_fits_rest_joints(bank):
    fit = skeleton_from_betas(torch.from_numpy(bank.skel_basis), torch.from_numpy(bank.betas))
    assert torch.allclose(fit, torch.from_numpy(bank.rest_joints), atol=0.02)


def test_landmarks_follow_their_joints_rigidly(smpl_body, bank):
    rng = np.random.default_rng(1)
    pose = (0.4 * rng.normal(size=(2, 24, 3))).astype(np.float32)
    rest = torch.from_numpy(bank.rest_joints[:1]).expand(2, -1, -1)
    joints, glob = forward_kinematics(axis_angle_to_matrix(torch.from_numpy(pose)), rest)
    posed = pose_landmarks(joints.numpy(), glob.numpy(), np.broadcast_to(bank.offsets[0], (2, 33, 3)))
    dist = np.linalg.norm(posed - joints.numpy()[:, LANDMARK_JOINT], axis=-1)
    np.testing.assert_allclose(dist, np.linalg.norm(bank.offsets[0], axis=-1)[None].repeat(2, 0), atol=1e-5)
    _, body_joints = smpl_body.mesh_sequence(pose, np.repeat(bank.betas[:1], 2, 0))
    np.testing.assert_allclose(joints.numpy(), body_joints, atol=1e-4)  # FK on the bank = the body model


def test_clips_shapes_and_splits(bank):
    clips = make_clips(bank, TRAIN_FAMILIES, 5, 32, seed=0)
    assert clips.features.shape == (5, 32, FEATURE_DIM)
    assert clips.rotmat.shape == (5, 32, 24, 3, 3)
    assert clips.joints2d.shape == (5, 32, 24, 2) and clips.joints3d.shape == (5, 32, 24, 3)
    vis = clips.features[..., 2:99:3]
    assert 0.3 < (vis >= 0.5).float().mean() < 1.0  # detector errors hide some points, not most
    torch.testing.assert_close(clips.features, make_clips(bank, TRAIN_FAMILIES, 5, 32, seed=0).features)
    assert not set(body_indices(bank, "train")) & set(body_indices(bank, "test"))
    assert clips.features[..., -1].eq(1.0).all()  # every clip carries world landmarks (dropped in training)


def test_gt_2d_joints_are_in_the_box(bank):
    clips = make_clips(bank, TRAIN_FAMILIES, 6, 32, seed=2)
    inside = (clips.joints2d.abs() < 1.0).all(-1).float().mean()
    assert inside > 0.9


def test_a_mocap_share_takes_that_share_of_clips_from_the_motion_source_facing_anywhere(bank):
    """A source whose one motion walks along +x with a fixed pose: drawn clips are windows of it,
    turned about the vertical (orientation and path together), the rest generated as before."""
    from lmr_studio.training.realdet_motion import FileMotions
    from lmr_studio.training.user_motion import FittedMotion

    frames = 40
    poses = np.zeros((frames, 24, 3), np.float32)
    poses[:, 4, 0] = 0.8  # a bent knee marks the motion
    transl = np.stack([np.linspace(0, 2, frames), np.zeros(frames), np.zeros(frames)], -1).astype(np.float32)
    source = FileMotions({"walk": FittedMotion(poses, np.zeros(10, np.float32), transl)}, 32)
    mixed = make_clips(bank, TRAIN_FAMILIES, 40, 32, seed=3, mocap=source, mocap_share=0.5)
    from_source = [i for i, f in enumerate(mixed.families) if f == "motion:walk"]
    assert 10 <= len(from_source) <= 30
    torch.testing.assert_close(mixed.poses[from_source, :, 4], torch.tensor([0.8, 0.0, 0.0]).expand(
        len(from_source), 32, 3))
    assert set(mixed.families) - {"motion:walk"} <= set(TRAIN_FAMILIES)


def test_facing_anywhere_turns_orientation_and_path_alike():
    from scipy.spatial.transform import Rotation

    from lmr_studio.training.dataset import facing_anywhere
    from lmr_studio.training.motion import MotionClip

    poses = np.zeros((3, 24, 3))
    transl = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [2.0, 0.0, 0.0]])
    turned = facing_anywhere(MotionClip(poses, transl, 30.0, "x"), np.random.default_rng(0))
    root = Rotation.from_rotvec(turned.poses[:, 0])
    np.testing.assert_allclose(root.apply([1.0, 0.0, 0.0]), turned.transl[1:2].repeat(3, 0), atol=1e-9)
    np.testing.assert_allclose(turned.poses[:, 1:], 0.0)
