"""VideoSource: metadata, random access, in-order decoding, cache, and bad files."""

import numpy as np
import pytest

from lmr_studio.errors import BadVideoError
from lmr_studio.video import VideoSource
from lmr_studio.video.cache import FrameCache
from tests.fixtures.media import TINY_FPS, TINY_FRAMES, TINY_SIZE, tiny_frame


def grey(frame: np.ndarray) -> int:
    return int(round(frame.mean()))


@pytest.mark.parametrize("fixture", ["tiny_video", "tiny_mp4"])
def test_metadata_and_random_access(fixture, request):
    with VideoSource(request.getfixturevalue(fixture)) as video:
        assert video.num_frames == TINY_FRAMES
        assert video.fps == pytest.approx(TINY_FPS)
        assert video.size == TINY_SIZE
        frame = video.read(0)
        assert frame.shape == (TINY_SIZE[1], TINY_SIZE[0], 3) and frame.dtype == np.uint8
        # Out of order reads land on the right frame (each frame's grey level encodes its index).
        for i in (17, 3, 23, 4, 5, 0, 12):
            assert abs(grey(video.read(i)) - grey(tiny_frame(i))) <= 5, i


def test_iteration_yields_every_frame_in_order(tiny_video):
    with VideoSource(tiny_video) as video:
        levels = [grey(f) for f in video]
    assert len(levels) == TINY_FRAMES
    assert levels == sorted(levels) and abs(levels[-1] - 10 * (TINY_FRAMES - 1)) <= 5


def test_frames_are_read_only_and_out_of_range_raises(tiny_video):
    with VideoSource(tiny_video) as video:
        with pytest.raises(ValueError):
            video.read(2)[0, 0, 0] = 1
        with pytest.raises(IndexError):
            video.read(TINY_FRAMES)


def test_frame_cache_evicts_least_recently_used():
    cache = FrameCache(2)
    for i in range(3):
        cache.put(i, np.zeros(1))
    assert cache.get(0) is None and cache.get(1) is not None and len(cache) == 2
    cache.put(3, np.zeros(1))  # 1 was used last, so 2 goes
    assert cache.get(2) is None and cache.get(1) is not None


@pytest.mark.parametrize("fixture", ["text_as_video", "empty_video", "garbage_video"])
def test_bad_files_raise_bad_video_error_with_hint(fixture, request):
    with pytest.raises(BadVideoError) as info:
        VideoSource(request.getfixturevalue(fixture))
    assert info.value.hint


def test_missing_file(tmp_path):
    with pytest.raises(BadVideoError, match="does not exist"):
        VideoSource(tmp_path / "nope.mp4")


def test_truncated_file_keeps_the_frames_that_decode(truncated_video):
    with VideoSource(truncated_video) as video:
        frames = list(video)
    assert 0 < video.num_frames < TINY_FRAMES and len(frames) == video.num_frames
