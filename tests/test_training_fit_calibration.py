"""The refinement's landmark-to-joint offsets, measured back from landmarks placed by them."""

from __future__ import annotations

import numpy as np

from lmr_studio.model.refine import FIT_ALONG, FIT_JOINTS, fit_targets
from lmr_studio.training.fit_calibration import measure_along
from tests.fixtures.keypoints import marks_for_joints


def _pool(rng: np.random.Generator, clips: int = 20, frames: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Random people's joints (clips, frames, 24, 2) px and their BlazePose-like keypoints
    (clips, frames, 33, 3) with 2 px of jitter, every landmark seen."""
    centre = rng.uniform(200, 400, (clips, 1, 1, 2))
    joints = centre + rng.normal(0, 80, (clips, frames, 24, 2))
    marks = marks_for_joints(joints.reshape(-1, 24, 2)).reshape(clips, frames, 33, 2)
    keypoints = np.concatenate([marks + rng.normal(0, 2.0, marks.shape), np.ones((clips, frames, 33, 1))], -1)
    return joints.astype(np.float32), keypoints.astype(np.float32)


def test_the_offsets_are_measured_back_from_landmarks_placed_by_them():
    joints, keypoints = _pool(np.random.default_rng(0))
    along = measure_along(keypoints, joints, np.ones(joints.shape[:2], bool))
    np.testing.assert_allclose(along, FIT_ALONG, atol=0.01)


def test_unseen_landmarks_and_lost_frames_are_not_measured():
    joints, keypoints = _pool(np.random.default_rng(1))
    found = np.ones(joints.shape[:2], bool)
    found[:5] = False
    keypoints[5:10, :, 27, 2] = 0.2                 # the left ankle hidden in these clips ...
    joints[:10, :, 7] += 500.0                       # ... and where it is not seen, far off
    along = measure_along(keypoints, joints, found)
    np.testing.assert_allclose(along, FIT_ALONG, atol=0.01)


def test_the_refinement_targets_land_on_the_joints():
    """fit_targets undoes where BlazePose marks the joints: the round trip of marks_for_joints."""
    joints, keypoints = _pool(np.random.default_rng(2), clips=1)
    keypoints[..., :2] = marks_for_joints(joints[0])[None]
    targets, _ = fit_targets(keypoints[0])
    np.testing.assert_allclose(targets, joints[0][:, FIT_JOINTS], atol=1e-2)
