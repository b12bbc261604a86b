"""End to end on the bundled sample with the shipped weights and Anny: accuracy against the truth."""

import numpy as np
import pytest

from lmr_studio.model.weights import WEIGHTS_DIR
from lmr_studio.perception import keypoint_cache
from lmr_studio.pipeline import ProcessOptions, process_video

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(sample_video, tmp_path_factory):
    if not (WEIGHTS_DIR / "lmr.pt").is_file():
        pytest.skip("no trained weights/lmr.pt yet")
    mp = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("cache")
    mp.setattr(keypoint_cache, "cache_dir", lambda: folder)  # keypoints once, shared below
    try:
        yield {smooth: process_video(sample_video, ProcessOptions(smooth=smooth)) for smooth in (False, True)}
    finally:
        mp.undo()


def test_sample_mpjpe(results, sample_truth):
    from lmr_studio.training.metrics import joint_errors, pa_joint_errors

    for smooth, result in results.items():
        track = result.main
        assert len(track) >= 120
        truth = sample_truth["joints3d"][track.frame_ids]
        mpjpe = joint_errors(track.joints3d, truth).mean()
        pa = pa_joint_errors(track.joints3d, truth).mean()
        print(f"sample smooth={smooth}: MPJPE {mpjpe:.1f} mm, PA-MPJPE {pa:.1f} mm over {len(track)} frames")
        assert mpjpe < 150 and pa < 100


def test_sample_translation_and_reprojection(results, sample_truth):
    track = results[False].main
    # The recovered body stands where the true one stood: depth within 25 %, 2D joints within 25 px.
    depth_ratio = track.transl[:, 2] / sample_truth["transl"][track.frame_ids, 2]
    assert np.median(np.abs(depth_ratio - 1)) < 0.25
    err2d = np.linalg.norm(track.joints2d - sample_truth["joints2d"][track.frame_ids], axis=-1).mean()
    assert err2d < 25
