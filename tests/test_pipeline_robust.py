"""Crash safety of the pipeline: the incremental preview under tracks that start, end and pause on
the old 16-frame window boundaries (fuzzed), and a crash in a stage saving what was recovered so far."""

import numpy as np
import pytest

from lmr_studio import pipeline
from lmr_studio.errors import LMRStudioError
from lmr_studio.perception.tracking import KeypointTrack
from lmr_studio.pipeline import ProcessOptions, ProcessingError, Recoverer, iter_recover, partial_path_for
from lmr_studio.result import MotionResult
from tests.fixtures.media import TINY_SIZE, standing_keypoints
from tests.test_perception_import import write_openpose

#: The window the network used to restart in; tracks still start, pause and end on its multiples.
WINDOW = 16


@pytest.fixture(scope="module")
def lmr_model():
    import torch

    from lmr_studio.model import build_model

    torch.manual_seed(0)
    return build_model("lmr")


def _noisy_keypoints(frames: int, seed: int) -> np.ndarray:
    kp = standing_keypoints(frames)
    kp[:, :, :2] += np.random.default_rng(seed).normal(0, 1.0, kp[:, :, :2].shape)
    return kp


def _random_schedule(rng: np.random.Generator, frames: int, window: int) -> dict[int, np.ndarray]:
    """Frame ids of a few people who start, pause and end, often exactly on window boundaries."""
    def cut() -> int:
        return int(rng.integers(0, frames // window + 1)) * window if rng.random() < 0.6 else int(rng.integers(0, frames))

    schedule = {}
    for tid in range(4):
        start, end = sorted((cut(), cut()))
        present = np.zeros(frames, bool)
        present[start:end + 1] = True
        pause = cut()
        present[pause:pause + int(rng.integers(1, window + 1))] = False
        schedule[tid] = np.flatnonzero(present)
    return schedule


@pytest.mark.parametrize("seed", range(3))
def test_fuzzed_incremental_preview_matches_one_pass(seed, lmr_model, smpl_body):
    window = WINDOW
    frames = 5 * window
    rng = np.random.default_rng(seed)
    schedule = _random_schedule(rng, frames, window)
    keypoints = {tid: _noisy_keypoints(frames, seed * 10 + tid) for tid in schedule}
    # snapshots at window boundaries, anywhere, and repeated (nothing new: zero-length chunks)
    snaps = sorted(set(rng.integers(1, frames, 4)) | {window, 2 * window, 3 * window}) + [3 * window, frames, frames]
    # the network's carried state (the refinement's temporal term couples only the frames of one call)
    recoverer = Recoverer(lmr_model, smpl_body, TINY_SIZE, refine=None)
    reference = Recoverer(lmr_model, smpl_body, TINY_SIZE, refine=None)
    for snap in snaps:
        tracks = {tid: KeypointTrack(ids[ids < snap], keypoints[tid][ids[ids < snap]])
                  for tid, ids in schedule.items() if (ids < snap).any()}
        shown = recoverer.preview(tracks)
        assert sorted(shown) == sorted(tracks)
        for tid, kt in tracks.items():
            np.testing.assert_array_equal(shown[tid].frame_ids, kt.frame_ids)
            np.testing.assert_allclose(shown[tid].joints3d, reference.recover(kt).joints3d, atol=1e-4)
    for tid, kt in tracks.items():
        np.testing.assert_allclose(recoverer.final(tid, kt).poses, reference.recover(kt).poses, atol=1e-4)


def test_recoverer_preview_of_a_track_that_did_not_grow(lmr_model, smpl_body):
    """The crash of the street video: a preview with no new frames (a zero-length chunk)."""
    kt = KeypointTrack(np.arange(WINDOW), _noisy_keypoints(WINDOW, 0))
    recoverer = Recoverer(lmr_model, smpl_body, TINY_SIZE)
    first = recoverer.preview({0: kt})
    again = recoverer.preview({0: kt, 1: KeypointTrack(np.zeros(0, np.int64), np.zeros((0, 33, 3)))})
    np.testing.assert_allclose(again[0].poses, first[0].poses)
    assert 1 not in again  # a track with no frames yet has nothing to show


class _FailingRecoverer(Recoverer):
    """Fails on the final pass of the second track, as an internal bug would."""

    def final(self, tid, kt, smooth=False):
        if tid == 1:
            raise RuntimeError("The expanded size of the tensor (1) must match the existing size (0)")
        return super().final(tid, kt, smooth)


def test_a_crash_saves_every_track_so_far_beside_the_video(lmr_model, smpl_body, tiny_video, tmp_path):
    video = tmp_path / tiny_video.name
    video.write_bytes(tiny_video.read_bytes())
    kp = _noisy_keypoints(24, 0)
    other = kp.copy()
    other[:, :, 0] += 20 * (other[:, :, 2] > 0)
    folder = write_openpose(tmp_path / "op", [[a, b] for a, b in zip(kp, other)])
    options = ProcessOptions(all_tracks=True, keypoints_path=str(folder))
    recoverer = _FailingRecoverer(lmr_model, smpl_body, TINY_SIZE)
    with pytest.raises(ProcessingError) as info:
        list(iter_recover(video, options, lmr_model, smpl_body, recoverer=recoverer))
    assert isinstance(info.value, LMRStudioError) and "RuntimeError" in info.value.message
    assert info.value.saved == partial_path_for(video) == tmp_path / "tiny.partial.lmr.npz"
    assert str(info.value.saved) in info.value.hint
    saved = MotionResult.load(info.value.saved)
    assert sorted(saved.tracks) == [0, 1] and all(len(t) == 24 for t in saved.tracks.values())


def test_a_crash_before_anything_is_recovered_says_so(lmr_model, smpl_body, tiny_video, tmp_path):
    class Broken(Recoverer):
        def preview(self, tracks, last_frame=None, ended=False):
            raise ValueError("boom")

    folder = write_openpose(tmp_path / "op", [[k] for k in _noisy_keypoints(24, 0)])
    with pytest.raises(ProcessingError, match="boom") as info:
        list(iter_recover(tiny_video, ProcessOptions(keypoints_path=str(folder)), lmr_model, smpl_body,
                          recoverer=Broken(lmr_model, smpl_body, TINY_SIZE)))
    assert info.value.saved is None and "Nothing had been recovered" in info.value.hint
    assert not partial_path_for(tiny_video).exists()
