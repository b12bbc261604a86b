"""Scrubbing: thumbnails decoded ahead in the background, shown while the slider is dragged; the
exact frame when the drag stops."""

from __future__ import annotations

import numpy as np
import pytest

from lmr_studio.video.scrub import ScrubFrames
from tests.fixtures.media import TINY_FRAMES, TINY_SIZE


def _ramp_video(path, num_frames=TINY_FRAMES, gop=1000):
    """H.264 with a keyframe every ``gop`` frames (default: one); frame i is a flat grey of level
    10 * i (tells its own index)."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=12)
        stream.width, stream.height, stream.pix_fmt = *TINY_SIZE, "yuv420p"
        stream.options = {"g": str(gop), "keyint_min": str(gop), "sc_threshold": "0", "qp": "0"}
        for i in range(num_frames):
            image = np.full((TINY_SIZE[1], TINY_SIZE[0], 3), 10 * i, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def test_thumbnails_hold_every_frame_and_the_nearest_is_returned(tmp_path):
    frames = ScrubFrames(_ramp_video(tmp_path / "ramp.mp4"), width=48)
    assert frames.done.wait(30) and frames.failed is None and len(frames) == TINY_FRAMES
    for i in (0, 7, TINY_FRAMES - 1):
        index, thumb = frames.nearest(i)
        assert index == i and thumb.shape == (32, 48, 3)
        assert abs(float(thumb.mean()) - 10 * i) < 6
    assert frames.nearest(10_000)[0] == TINY_FRAMES - 1
    frames.close()


def test_a_memory_budget_keeps_every_nth_frame(tmp_path):
    one = 48 * 32 * 3
    frames = ScrubFrames(_ramp_video(tmp_path / "ramp.mp4"), width=48, budget_bytes=one * TINY_FRAMES // 4)
    assert frames.done.wait(30) and len(frames) <= TINY_FRAMES // 4 + 1      # plus the keyframe
    index, _ = frames.nearest(9)
    assert abs(index - 9) <= 2
    frames.close()


@pytest.mark.parametrize("gop", [1, 3])
def test_the_budget_holds_with_frequent_keyframes(tmp_path, gop):
    """Keyframes count against the budget too (a long phone video has thousands of them); those
    off the budget's grid of every 4th frame give way to it."""
    one = 48 * 32 * 3
    frames = ScrubFrames(_ramp_video(tmp_path / "short_gop.mp4", gop=gop), width=48,
                         budget_bytes=one * TINY_FRAMES // 4)
    assert frames.done.wait(30) and frames.failed is None
    assert len(frames) <= TINY_FRAMES // 4 + 1
    assert [frames.nearest(i)[0] for i in (0, 4, 9, 21)] == [0, 4, 8, 20]
    frames.close()


def test_an_unreadable_file_leaves_it_empty(tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    frames = ScrubFrames(bad)
    assert frames.done.wait(10) and frames.failed and frames.nearest(3) is None


@pytest.mark.gui
def test_dragging_the_slider_shows_thumbnails_then_the_exact_frame(qtbot, tmp_path):
    from lmr_studio.qtenv import use_pyside6_plugins

    use_pyside6_plugins()
    from lmr_studio.gui.main_window import MainWindow
    from tests.fixtures.fakes import fake_open_job, make_waving_result

    video = _ramp_video(tmp_path / "ramp.mp4")
    win = MainWindow(make_job=fake_open_job(make_waving_result(TINY_FRAMES, size=TINY_SIZE, fps=12.0)))
    win.report_error = lambda _parent, err: pytest.fail(str(err))
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.controller.session_ready, timeout=10000):
        win.open_path(video)
    thumbs = win.playback.scrub_frames
    assert thumbs.done.wait(30) and len(thumbs) == TINY_FRAMES
    slider = win.timeline_bar.slider
    slider.setSliderDown(True)
    slider.setValue(15)
    assert win.playback.scrubbing and win.playback.current == 15
    assert win.video_view._frame is thumbs.nearest(15)[1]            # the cheap frame, no decoding
    slider.setSliderDown(False)                                       # release: the exact frame
    assert not win.playback.scrubbing and win.playback.current == 15
    assert win.video_view._frame is not thumbs.nearest(15)[1]
    assert abs(float(win.video_view._frame.mean()) - 150) < 6
    win.close()
