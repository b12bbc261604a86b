"""The window's controllers without widgets: session/job state, people selection, the playback
clock and the playhead throttle. They need an event loop but no display: pytest-qt's application
runs them on any Qt platform (QT_QPA_PLATFORM=offscreen when there is no X server)."""

from __future__ import annotations

import threading

import numpy as np

from lmr_studio.gui.jobs import JobRunner
from lmr_studio.gui.playback_controller import PLAYHEAD_INTERVAL_MS, PlaybackController
from lmr_studio.gui.session_controller import SessionController
from lmr_studio.pipeline import ProcessOptions
from lmr_studio.result import MotionResult
from tests.fixtures.fakes import FakeBody, FakeVideo, fake_open_job, make_random_result, make_waving_result


class Recorder:
    """Counts the controller's signals and keeps the errors it reports."""

    def __init__(self, ctl: SessionController) -> None:
        self.counts = {"video": 0, "result": 0, "selection": 0}
        self.errors, self.ended = [], []
        ctl.video_changed.connect(lambda: self._count("video"))
        ctl.result_changed.connect(lambda: self._count("result"))
        ctl.selection_changed.connect(lambda: self._count("selection"))
        ctl.failed.connect(self.errors.append)
        ctl.job_ended.connect(self.ended.append)

    def _count(self, name: str) -> None:
        self.counts[name] += 1


def _controller(job, videos=None):
    videos = videos if videos is not None else {}

    def open_source(path):
        videos[path] = FakeVideo(12)
        return videos[path]

    return SessionController(open_source, job, options=ProcessOptions, ghost=lambda: False)


def _job_whose_main_changes(result, resume):
    """Like ``iter_open``: a partial result with only track 4, then (once ``resume`` is set) the
    session with tracks 1 and 4, where 1 is the main (longest) person."""
    from lmr_studio.pipeline import Progress
    from lmr_studio.scene.session import Session

    def job(video, options, cancel, **kwargs):
        partial = MotionResult({4: result.tracks[4]}, result.fps, result.image_size, result.num_frames)
        yield Progress("keypoints", 1, 2, "tracking", partial=partial)
        resume.wait(5)
        yield Session(result, FakeBody(), {}, video_path=video)

    return job


def test_the_selection_follows_the_main_person_until_the_user_picks_one(qtbot, tmp_path):
    result = make_random_result(FakeBody(), two_tracks=True)            # track 1 (11 frames), track 4 (6)
    for user_picks in (False, True):
        resume = threading.Event()
        ctl = _controller(_job_whose_main_changes(result, resume))
        ctl.open_path(tmp_path / "clip.mp4")
        qtbot.waitUntil(lambda: ctl.result is not None, timeout=5000)
        assert ctl.selected_track == 4                                  # the partial result's main person
        if user_picks:
            ctl.select_track(4)                                         # a click on the selected person
        with qtbot.waitSignal(ctl.session_ready, timeout=10000):
            resume.set()
        assert result.main_id == 1
        assert ctl.selected_track == (4 if user_picks else 1)
        qtbot.waitUntil(lambda: not ctl.busy, timeout=5000)


def test_open_a_video_selects_the_main_person_and_shows_everyone(qtbot, tmp_path):
    result = make_random_result(FakeBody(), two_tracks=True)            # track 1 (11 frames), track 4 (6)
    result.focal, result.focal_source = 480.0, "given"
    ctl = _controller(fake_open_job(result))
    seen = Recorder(ctl)
    statuses = []
    ctl.status.connect(statuses.append)
    with qtbot.waitSignal(ctl.session_ready, timeout=10000):
        ctl.open_path(tmp_path / "clip.mp4")
    qtbot.waitUntil(lambda: not ctl.busy, timeout=5000)
    assert ctl.result is result and ctl.selected_track == result.main_id == 1
    assert statuses[-1].startswith("2 person(s), processed") and "focal length 480 px (given)" in statuses[-1]
    assert ctl.visible_tracks == {1, 4} and seen.counts["video"] == 1 and seen.ended == [True]
    assert ctl.num_frames == 12 and not ctl.video_missing
    with qtbot.waitSignal(ctl.selection_changed):
        ctl.select_track(4)
    assert ctl.selected_track == 4
    ctl.set_track_visible(1, False)
    assert ctl.visible_tracks == {4}
    ctl.select_track(99)                                                # not in the result: ignored
    assert ctl.selected_track == 4 and not seen.errors


def test_main_person_only_keeps_later_people_hidden_until_it_ends(qtbot, tmp_path):
    """Main-only switched on before opening: track 4, which appears only in the final result,
    starts hidden; switching the mode off shows everyone, on again returns to the main person."""
    result = make_random_result(FakeBody(), two_tracks=True)            # main track 1, track 4
    ctl = _controller(fake_open_job(result, delay_s=0.05))
    ctl.set_main_only(True)                                             # before anything is open
    with qtbot.waitSignal(ctl.session_ready, timeout=10000):
        ctl.open_path(tmp_path / "clip.mp4")
    assert ctl.main_only and ctl.visible_tracks == {1} and ctl.selected_track == 1
    ctl.set_main_only(False)
    assert ctl.visible_tracks == {1, 4}
    ctl.select_track(4)
    ctl.set_main_only(True)                                             # back to the main person
    assert ctl.visible_tracks == {1} and ctl.selected_track == 1


def test_a_saved_result_without_its_video_can_be_relocated(qtbot, tmp_path):
    result = make_waving_result(10)
    result.video_path = str(tmp_path / "moved.mp4")
    npz = result.save(tmp_path / "run.lmr.npz")
    ctl = _controller(fake_open_job(result))
    with qtbot.waitSignal(ctl.session_ready, timeout=10000):
        ctl.open_path(npz)
    assert ctl.video is None and ctl.video_missing and ctl.num_frames == 10
    ctl.relocate_video(tmp_path / "found.mp4")
    assert ctl.video is not None and ctl.session is not None and not ctl.video_missing
    assert ctl.selected_track == 0 and ctl.session.video_path == tmp_path / "found.mp4"


def test_a_new_open_retires_the_running_job(qtbot, tmp_path):
    jobs = {"first.mp4": fake_open_job(make_waving_result(10), delay_s=0.2, steps=10),
            "second.mp4": fake_open_job(make_waving_result(20))}
    ctl = _controller(lambda video, *args, **kwargs: jobs[video.name](video, *args, **kwargs))
    seen = Recorder(ctl)
    ctl.open_path(tmp_path / "first.mp4")
    qtbot.waitUntil(lambda: ctl.preview is not None, timeout=5000)
    with qtbot.waitSignal(ctl.session_ready, timeout=10000):
        ctl.open_path(tmp_path / "second.mp4")
    assert ctl.video_path == tmp_path / "second.mp4" and ctl.result.num_frames == 20
    qtbot.waitUntil(lambda: not JobRunner._alive, timeout=10000)        # the first thread ended too
    assert ctl.result.num_frames == 20 and seen.ended == [True] and not seen.errors


def test_cancel_keeps_the_partial_result(qtbot, tmp_path):
    ctl = _controller(fake_open_job(make_waving_result(30), delay_s=0.2, steps=10))
    ctl.open_path(tmp_path / "clip.mp4")
    qtbot.waitUntil(lambda: ctl.preview is not None, timeout=5000)
    with qtbot.waitSignal(ctl.job_ended, timeout=5000) as ended:
        ctl.cancel()
    assert ended.args == [False] and ctl.session is None and ctl.result is not None


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_playback_steps_shuttles_and_stops_without_loop(qtbot):
    clock = Clock()
    play = PlaybackController(clock=clock)
    play.set_video(FakeVideo(30), None)
    play.reset(30, 10.0)
    frames = []
    play.frame_changed.connect(frames.append)
    play.play()
    assert not play.timeline.playing                      # not enabled yet (no workspace shown)
    play.enabled = True
    play.jump_seconds(1.0)                                # PageDown: 10 frames at 10 fps
    assert play.current == 10
    play.step(-1)
    assert play.current == 9 and frames[-1] == 9
    play.shuttle(1)                                       # L
    clock.now += 0.5
    play._on_tick()
    assert play.current == 14
    play.shuttle(1)                                       # L again: 2x
    clock.now += 0.5
    play._on_tick()
    assert play.current == 24 and play.timeline.speed == 2.0
    play.shuttle(-1)                                      # J: backwards at 1x
    clock.now += 0.3
    play._on_tick()
    assert play.current == 21
    play.pause()                                          # K
    play.set_loop(False)
    play.seek(27)
    play.shuttle(1)
    clock.now += 1.0
    play._on_tick()
    assert play.current == 29 and not play.timeline.playing and not play.timer.isActive()
    assert play.frame(3).shape == (120, 160, 3)
    play.close()


def test_the_playhead_moves_at_most_every_interval_and_lands_last(qtbot):
    clock = Clock()
    play = PlaybackController(clock=clock)
    play.reset(100, 25.0)
    moved = []
    play.playhead_moved.connect(moved.append)
    play.seek(5)
    play.request_playhead()
    assert moved == [5]
    clock.now += PLAYHEAD_INTERVAL_MS / 1e3 / 10
    play.seek(6)
    play.request_playhead()
    play.seek(7)
    play.request_playhead()
    assert moved == [5]                                   # too soon: waits
    clock.now += PLAYHEAD_INTERVAL_MS / 1e3
    qtbot.waitUntil(lambda: moved == [5, 7], timeout=2000)  # the last position lands


def test_without_a_video_the_frame_is_blank_of_the_result_size():
    play = PlaybackController()
    assert play.frame(0) is None
    play.blank_size = (64, 48)
    frame = play.frame(0)
    assert frame.shape == (48, 64, 3) and np.unique(frame).tolist() == [24]


class Thumbnails:
    """A ScrubFrames stand-in: every 4th frame, 16x12."""

    def nearest(self, frame):
        index = 4 * round(frame / 4)
        return index, np.full((12, 16, 3), index, np.uint8)

    def close(self):
        pass


def test_scrubbing_shows_the_nearest_thumbnail_and_a_seek_the_exact_frame():
    play = PlaybackController()
    video = FakeVideo(30)
    play.set_video(video, None, Thumbnails())
    play.reset(30, 25.0)
    play.scrub(9)
    thumb = play.frame(play.current)
    assert play.scrubbing and play.current == 9 and thumb.shape == (12, 16, 3) and thumb.max() == 8
    assert play.image_size == (160, 120) and video.reads == 0          # no decoding while dragging
    play.seek(9)
    assert not play.scrubbing and play.frame(9).shape == (120, 160, 3) and video.reads == 1
    play.close()
