"""Where BlazePose marks the joints: offsets measured back from landmarks placed by known ones."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.model.refine import FIT_OFFSETS
from lmr_studio.training.fit_calibration import main, measure_offsets, world_rotations
from tests.fixtures.keypoints import marks_for_pose

FOCAL, SIZE = 700.0, (640, 480)


def _pool(smpl_body, offsets: np.ndarray, rng: np.random.Generator, frames: int = 400):
    """Random poses seen by a camera 3-6 m away, their BlazePose-like keypoints placed by
    ``offsets`` (P, 3) m with 1.5 px of jitter, every landmark seen: keypoints (F, 33, 3), the
    camera-frame joints (F, 24, 3) m and the poses (F, 24, 3)."""
    poses = rng.normal(0, 0.3, (frames, 24, 3)).astype(np.float32)
    poses[:, 0] = rng.normal(0, 1.0, (frames, 3))
    rest = smpl_body.rest_joints(torch.zeros(1, 10)).expand(frames, -1, -1)
    joints, rotations = (a.numpy() for a in forward_kinematics(axis_angle_to_matrix(torch.from_numpy(poses)), rest))
    transl = np.stack([rng.uniform(-0.5, 0.5, frames), rng.uniform(-0.3, 0.3, frames), -rng.uniform(3, 6, frames)], 1)
    marks = marks_for_pose(joints, rotations, transl, FOCAL, SIZE, offsets) + rng.normal(0, 1.5, (frames, 33, 2))
    keypoints = np.concatenate([marks, np.ones((frames, 33, 1))], -1).astype(np.float32)
    return keypoints, joints + transl[:, None], poses


def _measure(keypoints, joints, poses):
    frames = len(keypoints)
    return measure_offsets(keypoints, joints, world_rotations(poses), np.full(frames, FOCAL), np.tile(SIZE, (frames, 1)))


@pytest.mark.parametrize("offsets", [FIT_OFFSETS, np.zeros_like(FIT_OFFSETS)], ids=["shipped", "none"])
def test_the_offsets_are_measured_back_from_landmarks_placed_by_them(smpl_body, offsets):
    keypoints, joints, poses = _pool(smpl_body, offsets, np.random.default_rng(0))
    np.testing.assert_allclose(_measure(keypoints, joints, poses), offsets, atol=0.003)


def test_unseen_landmarks_and_outliers_do_not_move_the_offsets(smpl_body):
    """Hidden landmarks (visibility 0.2) far off are left out; one seen frame in twenty with its left
    knee 80 px off moves the robust fit by under 3 mm."""
    rng = np.random.default_rng(1)
    keypoints, joints, poses = _pool(smpl_body, FIT_OFFSETS, rng)
    keypoints[:100, 27, :2] += 300.0                 # the left ankle far off where it is hidden
    keypoints[:100, 27, 2] = 0.2
    keypoints[::20, 25, :2] += 80.0                  # the left knee sometimes misplaced, though seen
    np.testing.assert_allclose(_measure(keypoints, joints, poses), FIT_OFFSETS, atol=0.003)


def test_a_folder_without_shards_is_a_clear_error(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "No realdet shards" in err and "Traceback" not in err
