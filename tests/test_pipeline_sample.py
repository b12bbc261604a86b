"""End to end on the bundled sample with the shipped weights and Anny: accuracy against the truth."""

import numpy as np
import pytest

from lmr_studio.model.weights import WEIGHTS_DIR
from lmr_studio.pipeline import ProcessOptions, process_video

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(sample_video, tmp_path_factory):
    if not (WEIGHTS_DIR / "lmr.pt").is_file():
        pytest.skip("no trained weights/lmr.pt yet")
    folder = str(tmp_path_factory.mktemp("cache"))                  # keypoints once, shared below
    return {smooth: process_video(sample_video, ProcessOptions(smooth=smooth, keypoint_cache_dir=folder))
            for smooth in (False, True)}


def test_sample_mpjpe(results, sample_truth):
    """Measured with the shipped weights (both stages on render-and-detect pool v3 at 300 shards,
    four fifths of the steps on its clips, half the rest windows of CMU's motion capture, with the
    loss on the joints' steps; weights averaged over the last steps), world landmarks smoothed over
    time and the current refinement (weak priors toward the network, which follow real motion):
    MPJPE 75.4 / PA-MPJPE 62.4 / accel 10.1 unsmoothed (74.3 / 61.2 / 10.0 with the depth prior
    before, 74.6 / 65.9 / 12.0 with the 3D term and pose prior before). The weights before scored 65.4 / 60.8 / 9.2
    (246 shards, no motion capture: the jumping jacks are generated motion, which the motion capture
    partly replaced in training), 68.6 / 64.5 / 9.8 (hidden landmarks zeroed), 65.3 / 63.8 / 12.0 (pool v2) and 68.2 / 67.6 / 12.7 with the refinement
    before, 65.6 / 65.1 / 10.9 (half the steps on pool v2), 65.6 / 61.5 / 10.6 (pool v1), 76.4 / 65.0 / 11.0 (only stage 2 on the
    grown pool) and, before those, 60.6 / 60.2 / 11.7 (weights/MODEL_CARD.md). ``smooth`` (a zero-lag Gaussian over
    the finished track) steadies the mesh itself (16.7 -> 12.0 mm/frame^2 of its own acceleration)
    and lowers the acceleration error (10.1 -> 8.3) for 2-3 mm of position on these fast jumping
    jacks: 77.4 / 65.5; the causal One-Euro filter it replaced lagged: 92.8 / 83.4 / 12.7."""
    from lmr_studio.training.metrics import accel_errors, joint_errors, pa_joint_errors

    own_accel, scores = {}, {}
    for smooth, result in results.items():
        track = result.main
        assert len(track) >= 120
        truth = sample_truth["joints3d"][track.frame_ids]
        mpjpe = joint_errors(track.joints3d, truth).mean()
        pa = pa_joint_errors(track.joints3d, truth).mean()
        accel = accel_errors(track.joints3d, truth).mean()
        centred = track.joints3d - track.joints3d[:, :1]
        own_accel[smooth] = 1000 * np.linalg.norm(np.diff(centred, 2, axis=0), axis=-1).mean()
        print(f"sample smooth={smooth}: MPJPE {mpjpe:.1f} mm, PA-MPJPE {pa:.1f} mm, accel {accel:.1f} "
              f"mm/frame^2 over {len(track)} frames; the mesh's own acceleration {own_accel[smooth]:.1f} mm/frame^2")
        assert mpjpe < 120 and pa < 90
        scores[smooth] = mpjpe, accel
    assert own_accel[True] < 0.9 * own_accel[False]
    # no lag: smoothing lowers the acceleration error and costs little position
    assert scores[True][1] < scores[False][1] and scores[True][0] < scores[False][0] + 5.0


def test_no_jumps_at_fixed_intervals(results, sample_truth):
    """One recurrent state per track: the mesh does not jump every 16 frames (a fresh state per
    16-frame window measured 3.9). The bound is the issue's target, 1.1. The jumping jacks' cycle
    is 32 frames, so frames 16, 48, 80, 112 fall where the limbs move fastest: the truth scores
    0.97 here, and the recovered motion, a little faster than the truth there, 1.07 with the
    temporal refinement term, 1.074 with the legs' 3D term, 1.039 with the arms and torso as
    well, 1.038 with the head, feet and hands, 0.996 with the weaker priors, 1.004 with the world
    landmarks smoothed over time, 0.997 with stage 2 retrained on the grown pool, 0.984 with both
    stages, 0.985 with both on pool v2, 0.974 with four fifths of the steps on it, 0.970 with
    pool v3 and the loss on the joints' steps, 0.988 with the hidden landmarks kept, 0.984 with CMU's
    motion capture in training (docs/model.md)
    (the steps into those frames change by at most 1 mm: no jump)."""
    from lmr_studio.training.metrics import boundary_step_ratio

    for smooth, result in results.items():  # smoothing is the default since 2026-12-04
        track = result.main
        ratio = boundary_step_ratio(track.joints3d, period=16)
        truth = boundary_step_ratio(sample_truth["joints3d"][track.frame_ids], period=16)
        print(f"sample smooth={smooth}: boundary-step ratio {ratio:.3f} (the true motion's: {truth:.3f})")
        assert ratio <= 1.1


def test_sample_translation_and_reprojection(results, sample_truth):
    for smooth, result in results.items():
        track = result.main
        # The recovered body stands where the true one stood: depth within 25 %, 2D joints within 25 px.
        depth_ratio = track.transl[:, 2] / sample_truth["transl"][track.frame_ids, 2]
        err2d = np.linalg.norm(track.joints2d - sample_truth["joints2d"][track.frame_ids], axis=-1).mean()
        print(f"sample smooth={smooth}: median depth error {100 * np.median(np.abs(depth_ratio - 1)):.1f} %, "
              f"2D joint error {err2d:.1f} px")
        assert np.median(np.abs(depth_ratio - 1)) < 0.25
        assert err2d < 25
