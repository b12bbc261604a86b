"""The noise fit recovers known, injected detector errors."""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from lmr_studio.geometry.camera import perspective_project
from lmr_studio.training.noise_fit import LIMB_JOINTS, LIMB_LANDMARKS, facing_degrees, fit_noise, procrustes
from tests.fixtures.body import REST_JOINTS

N, F = 24, 64
SIZE, FOCAL = (640, 480), 800.0


def _data(jitter, flip_clips, swap_frames, seed=0):
    """Clips of a still skeleton facing the camera with white 2D noise of ``jitter`` x the extent,
    wrists swapped on ``swap_frames`` of clip 0, world landmarks turned 180 deg on ``flip_clips``."""
    rng = np.random.default_rng(seed)
    joints = np.broadcast_to(REST_JOINTS, (N, F, 24, 3)).astype(np.float64)
    landmarks3d = np.zeros((N, F, 33, 3))
    landmarks3d[..., LIMB_LANDMARKS, :] = joints[..., LIMB_JOINTS, :]
    others = [i for i in range(33) if i not in LIMB_LANDMARKS]
    landmarks3d[..., others, :] = REST_JOINTS[15] + rng.normal(0, 0.05, (len(others), 3))   # near the head
    transl = np.broadcast_to([0.0, 0.0, -4.0], (N, F, 3))
    truth = perspective_project(landmarks3d, transl, FOCAL, SIZE)
    extent = (truth.max(2) - truth.min(2)).max(-1)
    kp = truth + jitter * extent[..., None, None] * rng.standard_normal(truth.shape)
    kp[0, swap_frames, 15], kp[0, swap_frames, 16] = kp[0, swap_frames, 16].copy(), kp[0, swap_frames, 15].copy()
    world = landmarks3d - (landmarks3d[..., 23, :] + landmarks3d[..., 24, :])[..., None, :] / 2
    world = world * np.array([1.0, -1.0, -1.0])                          # BlazePose's y down, z away
    world[flip_clips] = world[flip_clips] @ Rotation.from_euler("y", 180, degrees=True).as_matrix().T
    return {"found": np.ones((N, F), bool), "keypoints": np.concatenate([kp, np.ones((N, F, 33, 1))], -1),
            "landmarks2d": truth, "landmarks3d": landmarks3d, "joints3d": joints, "transl": transl,
            "poses": np.zeros((N, F, 24, 3)), "world": world, "family": np.array(["walk"] * N)}


def test_fit_recovers_jitter_swaps_and_world_flips():
    fitted = fit_noise(_data(jitter=0.01, flip_clips=[1, 2, 3], swap_frames=[10, 11, 12, 40]))
    lo, hi = fitted["synth"]["jitter_std"]
    assert 0.008 < lo < hi < 0.012
    assert fitted["synth"]["drift_std"][1] < 0.004
    assert fitted["synth"]["limb_swap_rate"] == pytest.approx(4 / (N * F), abs=1e-4)
    assert fitted["synth"]["limb_swap_frames"] == pytest.approx(np.percentile([3, 1], (10, 50, 90)))  # runs of 3, 1
    assert fitted["world"]["front_back_flip_rate"] == pytest.approx(3 / N, abs=1e-4)
    assert fitted["world"]["pa_mpjpe_mm_mean"] < 1e-3
    assert fitted["by_facing_deg"]["frames"]["0-45"] == N * F              # all face the camera
    assert fitted["synth"]["not_found_rate"] == 0.0


def test_procrustes_undoes_a_similarity_and_measures_its_angle():
    rng = np.random.default_rng(1)
    truth = rng.normal(size=(5, 12, 3))
    turns = Rotation.from_euler("y", np.array([0, 30, 90, 150, 179])[:, None], degrees=True).as_matrix()
    pred = 1.7 * np.einsum("mij,mkj->mki", turns, truth) + 0.3
    aligned, angle = procrustes(pred, truth)
    np.testing.assert_allclose(aligned, truth, atol=1e-9)
    np.testing.assert_allclose(angle, [0, 30, 90, 150, 179], atol=1e-4)  # arccos near 0 deg: ~1e-6 deg of rounding


def test_facing_is_zero_towards_the_camera_and_180_for_the_back():
    position = np.array([[0.0, 0.0, -4.0]] * 3)
    rot = Rotation.from_euler("y", np.array([0, 90, 180])[:, None], degrees=True).as_matrix()
    np.testing.assert_allclose(facing_degrees(rot, position), [0, 90, 180], atol=1e-6)
