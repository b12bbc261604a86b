"""Metric functions against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from lmr_studio.parts import PARENTS
from lmr_studio.training.metrics import (LIMB_BONES, accel_errors, axis_errors, boundary_step_ratio,
                                         depth_sign_agreement, joint_errors, pa_joint_errors, procrustes_align,
                                         trunk_errors, trunk_pitch, vertex_errors, with_true_depth_signs)


def test_mpjpe_is_root_aligned():
    gt = np.zeros((1, 3, 3))
    gt[0, 1] = (1.0, 0, 0)
    gt[0, 2] = (0, 1.0, 0)
    pred = gt + np.array([5.0, -2.0, 7.0])  # a pure shift: zero error after root alignment
    np.testing.assert_allclose(joint_errors(pred, gt), 0.0, atol=1e-9)
    pred = gt.copy()
    pred[0, 2] = (0, 1.0, 0.003)  # 3 mm off on one joint
    np.testing.assert_allclose(joint_errors(pred, gt), [[0.0, 0.0, 3.0]], atol=1e-9)


def test_axis_errors_split_the_root_aligned_offset_along_the_camera_axes():
    gt = np.zeros((2, 3, 3))
    gt[:, 1] = (0.2, 0.5, 0.0)
    gt[:, 2] = (-0.2, -0.4, 0.1)
    pred = gt + np.array([1.0, 2.0, -3.0])  # a pure shift: nothing after root alignment
    np.testing.assert_allclose(axis_errors(pred, gt), 0.0, atol=1e-9)
    pred[0, 1] += (0.003, 0.0, -0.004)  # 3 mm across the image, 4 mm further from the camera
    pred[1, 2] += (0.0, -0.002, 0.0)
    expected = np.zeros((2, 3, 3))
    expected[0, 1] = (3.0, 0.0, 4.0)
    expected[1, 2] = (0.0, 2.0, 0.0)
    np.testing.assert_allclose(axis_errors(pred, gt), expected, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(axis_errors(pred, gt), axis=-1), joint_errors(pred, gt), atol=1e-9)


def test_pa_mpjpe_removes_rotation_scale_and_shift():
    rng = np.random.default_rng(0)
    gt = rng.normal(size=(4, 10, 3))
    rot = Rotation.random(4, random_state=1).as_matrix()
    pred = 1.7 * np.einsum("fij,fnj->fni", rot, gt) + rng.normal(size=(4, 1, 3))
    np.testing.assert_allclose(procrustes_align(pred, gt), gt, atol=1e-9)
    np.testing.assert_allclose(pa_joint_errors(pred, gt), 0.0, atol=1e-6)


def test_pa_mpjpe_hand_case():
    """A cross stretched along x: alignment fixes scale, not the stretch, so an error is left.
    By symmetry R = I and t = 0; the best scale is sum(g.p) / sum(p.p) = 6 / 10, which puts the x
    points at +-1.2 m (0.2 m off) and the y points at +-0.6 m (0.4 m off)."""
    gt = np.array([[[-1.0, 0, 0], [1.0, 0, 0], [0, -1.0, 0], [0, 1.0, 0]]])
    pred = np.array([[[-2.0, 0, 0], [2.0, 0, 0], [0, -1.0, 0], [0, 1.0, 0]]])
    np.testing.assert_allclose(pa_joint_errors(pred, gt), [[200.0, 200.0, 400.0, 400.0]], atol=1e-6)
    np.testing.assert_allclose(pa_joint_errors(2 * gt, gt), 0.0, atol=1e-9)   # twice as big: aligned exactly


def test_pa_does_not_reflect():
    gt = np.array([[[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0, 0, 0]]])
    mirrored = gt * np.array([-1.0, 1, 1])
    assert pa_joint_errors(mirrored, gt).mean() > 1.0  # a reflection is not a rotation


def test_accel_error_hand_case():
    t = np.arange(5, dtype=float)
    gt = np.zeros((5, 2, 3))
    pred = np.zeros((5, 2, 3))
    pred[:, 1, 0] = 0.001 * t ** 2  # constant acceleration of 2 mm/frame^2 on joint 1
    np.testing.assert_allclose(accel_errors(pred, gt), [[0.0, 2.0]] * 3, atol=1e-9)
    pred[:, 1, 0] = 0.004 * t  # constant velocity: no acceleration error
    np.testing.assert_allclose(accel_errors(pred, gt), 0.0, atol=1e-9)


def test_vertex_errors_root_aligned():
    gt_v = np.zeros((1, 2, 3))
    pred_v = np.array([[[1.0, 0, 0], [1.0, 0.01, 0]]])
    err = vertex_errors(pred_v, gt_v, np.array([[1.0, 0, 0]]), np.zeros((1, 3)))
    np.testing.assert_allclose(err, [[0.0, 10.0]], atol=1e-9)


def test_boundary_step_ratio_sees_jumps_every_window():
    """A smooth motion scores 1; the same motion with an extra 2 cm jump every 16 frames scores
    (step + jump) / step, the artefact of a network restarted every window."""
    t = np.arange(96)[:, None]
    joints = np.zeros((96, 2, 3))
    joints[:, 1, 0] = 0.01 * t[:, 0]  # joint 1 moves 1 cm a frame; joint 0 (pelvis) stays
    assert abs(boundary_step_ratio(joints) - 1.0) < 1e-9
    jumpy = joints.copy()
    jumpy[:, 1, 1] = 0.02 * (t[:, 0] // 16)
    steps_at = np.hypot(0.01, 0.02) / 2  # mean over the two joints (the pelvis never moves)
    assert abs(boundary_step_ratio(jumpy) - steps_at / (0.01 / 2)) < 1e-6


def _trunk_at(pitch_deg: float, roll_deg: float = 0.0) -> np.ndarray:
    """(1, 24, 3) joints: the pelvis at the origin, the neck 0.5 m away, leaning ``pitch_deg``
    toward the camera (+z) and ``roll_deg`` to the image's left (-x)."""
    p, r = np.radians(pitch_deg), np.radians(roll_deg)
    joints = np.zeros((1, 24, 3))
    joints[0, 12] = 0.5 * np.array([-np.sin(r) * np.cos(p), np.cos(r) * np.cos(p), np.sin(p)])
    return joints


def test_trunk_pitch_and_errors_hand_case():
    assert trunk_pitch(_trunk_at(40.0))[0] == pytest.approx(40.0)
    assert trunk_pitch(_trunk_at(-15.0))[0] == pytest.approx(-15.0)
    angle, pitch = trunk_errors(_trunk_at(30.0), _trunk_at(40.0))  # too upright by 10 deg
    assert angle[0] == pytest.approx(10.0) and pitch[0] == pytest.approx(-10.0)
    angle, pitch = trunk_errors(_trunk_at(0.0, roll_deg=10.0), _trunk_at(0.0))  # leaning sideways only
    assert angle[0] == pytest.approx(10.0) and pitch[0] == pytest.approx(0.0, abs=1e-9)


def _skeleton(bones: np.ndarray) -> np.ndarray:
    """(F, 24, 3) joints from (F, 24, 3) bone vectors (each from its parent; row 0 the pelvis)."""
    joints = bones.copy()
    for j in range(1, 24):
        joints[:, j] = joints[:, PARENTS[j]] + bones[:, j]
    return joints


def test_depth_signs_of_limb_bones_hand_case():
    """Two limb bones turned to the camera's other side are scored wrong; giving them the truth's
    signs rebuilds the truth, joints below them included; a bone in the image plane is not scored."""
    rng = np.random.default_rng(3)
    bones = rng.normal(size=(2, 24, 3)) * 0.2
    left_shin, left_forearm, right_knee = (LIMB_BONES.index(j) for j in (7, 20, 5))
    bones[:, [7, 20], 2] = np.sign(bones[:, [7, 20], 2]) * 0.15  # clearly out of the image plane
    bones[:, 5, 2] = 0.001  # the right thigh lies in the image plane
    truth = _skeleton(bones)
    turned = bones.copy()
    turned[:, [7, 20], 2] *= -1
    pred = _skeleton(turned)
    agree = depth_sign_agreement(pred, truth)
    assert agree.shape == (2, 8)
    assert (agree[:, [left_shin, left_forearm]] == 0).all()
    assert np.isnan(agree[:, right_knee]).all()
    others = np.delete(agree, [left_shin, left_forearm, right_knee], axis=1)
    assert np.nanmin(others) == 1.0
    np.testing.assert_allclose(with_true_depth_signs(pred, truth), truth, atol=1e-12)
    np.testing.assert_allclose(with_true_depth_signs(truth, truth), truth, atol=1e-12)  # already right: unchanged
    fixed = with_true_depth_signs(pred, truth)
    np.testing.assert_allclose(pa_joint_errors(fixed, truth), 0.0, atol=1e-6)
    assert pa_joint_errors(pred, truth).mean() > 1.0
    missing = pred.copy()
    missing[:, 20] = np.nan  # no wrist from this source: the forearm is not scored
    assert np.isnan(depth_sign_agreement(missing, truth)[:, left_forearm]).all()


def test_true_depth_signs_keep_bone_lengths_and_the_image_plane():
    rng = np.random.default_rng(4)
    pred, truth = (_skeleton(rng.normal(size=(5, 24, 3)) * 0.2) for _ in range(2))
    fixed = with_true_depth_signs(pred, truth)
    parents = np.maximum(np.asarray(PARENTS), 0)
    before, after = pred - pred[:, parents], fixed - fixed[:, parents]
    np.testing.assert_allclose(np.abs(after), np.abs(before), atol=1e-12)  # each component's size kept
    np.testing.assert_allclose(after[..., :2], before[..., :2], atol=1e-12)
    limb = np.asarray(LIMB_BONES)
    true_z = (truth - truth[:, parents])[:, limb, 2]
    assert (np.sign(after[:, limb, 2]) == np.sign(true_z)).all()
    assert (depth_sign_agreement(fixed, truth)[np.isfinite(depth_sign_agreement(fixed, truth))] == 1).all()
