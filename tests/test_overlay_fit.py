"""What the overlay shows: the person's own box, the per-frame misfit of the mesh joints against
BlazePose's keypoints, and the camera chain (weak perspective -> translation -> projection)
checked on the bundled sample, rendered with a known camera."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lmr_studio.geometry.camera import (box_to_pixels, default_focal, perspective_project, pixels_to_box,
                                        weak_to_full_translation)
from lmr_studio.keypoint_error import keypoint_error
from lmr_studio.result import MotionResult
from lmr_studio.scene.person_box import person_box
from lmr_studio.training.landmarks import JOINT_CENTRE
from tests.fixtures.fakes import make_waving_result

TRUTH = Path(__file__).resolve().parents[1] / "assets" / "sample" / "sample_truth.npz"


def _keypoints_on_joints(joints2d: np.ndarray) -> np.ndarray:
    """(F, 33, 3) BlazePose keypoints exactly on the matching projected SMPL joints, visible."""
    kp = np.zeros((len(joints2d), 33, 3), np.float32)
    for landmark, joint in JOINT_CENTRE.items():
        kp[:, landmark, :2] = joints2d[:, joint]
        kp[:, landmark, 2] = 1.0
    return kp


def test_keypoint_error_is_the_median_distance_of_visible_pairs_over_the_height():
    joints2d = np.random.default_rng(0).uniform(0, 100, (3, 24, 2)).astype(np.float32)
    kp = _keypoints_on_joints(joints2d)
    kp[1, :, :2] += (3.0, 4.0)                 # frame 1: every keypoint 5 px off
    kp[1, 11, :2] += 100.0                     # ... but this one is not visible
    kp[1, 11, 2] = 0.1
    kp[2, :, 2] = 0.0                          # frame 2: nothing visible
    err = keypoint_error(joints2d, kp)
    visible = kp[1, :, 2] >= 0.5
    height = np.ptp(kp[1, visible, 1])         # the person's height: extent of the visible keypoints
    np.testing.assert_allclose(err[:2], [0.0, 5.0 / height], atol=1e-5)
    assert np.isnan(err[2])


def test_keypoint_error_is_saved_and_computed_for_older_files(tmp_path):
    result = make_waving_result(10)
    track = result.main
    assert track.keypoint_error.shape == (10,)
    path = result.save(tmp_path / "new.npz")
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    np.testing.assert_array_equal(arrays["track0/keypoint_error"], track.keypoint_error)
    del arrays["track0/keypoint_error"]                   # a file written before the array existed
    np.savez(tmp_path / "old.npz", **arrays)
    old = MotionResult.load(tmp_path / "old.npz")
    np.testing.assert_allclose(old.main.keypoint_error, track.keypoint_error)


def test_the_person_box_is_their_own_extent_not_the_padded_crop():
    kp = np.zeros((33, 3), np.float32)
    kp[:, 2] = 1.0
    kp[:, 0] = np.linspace(100, 140, 33)                   # 40 px wide
    kp[:, 1] = np.linspace(50, 250, 33)                    # face at the top, feet at 250
    crop = np.array([20, 10, 220, 290], np.float32)        # the square crop, twice the person
    box = person_box(kp, crop)
    height = 200.0
    assert box[0] == pytest.approx(100 - 0.04 * height) and box[2] == pytest.approx(140 + 0.04 * height)
    assert box[1] == pytest.approx(50 - 0.062 * height - 0.04 * height) and box[3] == pytest.approx(258)
    kp[:, 2] = 0.0
    np.testing.assert_array_equal(person_box(kp, crop), crop)


@pytest.mark.skipif(not TRUTH.exists(), reason="needs assets/sample/sample_truth.npz")
def test_the_camera_chain_lands_on_the_rendered_joints():
    """The sample was rendered with the default focal length. The best weak-perspective camera
    of each frame (fitted to the true 2D joints in the person's box), turned into a translation
    by weak_to_full_translation and projected, lands within about 1 % of the person box (3 px on
the sample) of the rendered joints;
    the true translation projects exactly onto them."""
    truth = np.load(TRUTH)
    size = tuple(int(v) for v in truth["image_size"])
    focal = float(truth["focal"])
    assert focal == default_focal(*size)
    joints, uv = truth["joints3d"].astype(np.float64), truth["joints2d"].astype(np.float64)
    np.testing.assert_allclose(perspective_project(joints, truth["transl"], focal, size), uv, atol=0.05)
    lo, hi = uv.min(1), uv.max(1)
    box = np.concatenate([(lo + hi) / 2, (hi - lo).max(1, keepdims=True) * 1.2], 1)
    xy = pixels_to_box(uv, box)                                        # (F, 24, 2) box-normalised
    # x_n = s X + s tx and y_n = -s Y - s ty: linear least squares in (s, s tx, s ty) per frame
    a = np.zeros((len(uv), 48, 3))
    a[:, :24, 0], a[:, :24, 1] = joints[..., 0], 1.0
    a[:, 24:, 0], a[:, 24:, 2] = -joints[..., 1], -1.0
    b = np.concatenate([xy[..., 0], xy[..., 1]], 1)
    sol = np.stack([np.linalg.lstsq(a[f], b[f], rcond=None)[0] for f in range(len(uv))])
    cam = np.stack([sol[:, 0], sol[:, 1] / sol[:, 0], sol[:, 2] / sol[:, 0]], 1)
    weak_px = box_to_pixels(np.stack([cam[:, :1] * (joints[..., 0] + cam[:, 1:2]),
                                      -cam[:, :1] * (joints[..., 1] + cam[:, 2:3])], -1), box)
    transl = weak_to_full_translation(cam, box, focal, size)
    full_px = perspective_project(joints, transl, focal, size)
    error = np.linalg.norm(full_px - uv, axis=-1).mean(1)              # (F,) pixels
    weak_error = np.linalg.norm(weak_px - uv, axis=-1).mean(1)
    share = error / box[:, 2]                                          # of the person box's side
    assert np.median(share) < 0.01 and share.max() < 0.02
    assert (error <= weak_error + 0.5).all()              # perspective fits no worse than the weak camera itself
    assert np.abs(transl[:, 2] - truth["transl"][:, 2]).max() < 0.3    # metres, at 4.2 m
