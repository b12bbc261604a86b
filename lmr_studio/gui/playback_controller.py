"""PlaybackController: the playback clock, frame prefetch and the throttled plot playhead.

A QObject without widgets (tests drive it with no display). It owns the :class:`Timeline`, the
video source the window shows, a :class:`FramePrefetcher` that decodes ahead while playing and
the :class:`~lmr_studio.video.scrub.ScrubFrames` thumbnails shown while the slider is dragged
(:meth:`scrub`; the exact frame follows on :meth:`seek` when the drag stops).
Views redraw on ``frame_changed(int)``; the dynamics plot moves on ``playhead_moved(int)``, at
most every ``PLAYHEAD_INTERVAL_MS`` (a plot repaint costs as much as a video frame) with the
last position always delivered.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from lmr_studio.playback import FramePrefetcher, Timeline

PLAYHEAD_INTERVAL_MS = 250
SHUTTLE_SPEEDS: tuple[float, ...] = (1.0, 2.0, 4.0)


class PlaybackController(QObject):
    """Signals: ``frame_changed(frame)`` (redraw this frame), ``playhead_moved(frame)`` (throttled),
    ``state_changed()`` (playing, loop or length changed). ``enabled`` gates :meth:`play`."""

    frame_changed = Signal(int)
    playhead_moved = Signal(int)
    state_changed = Signal()

    def __init__(self, parent: QObject | None = None, clock: Callable[[], float] = time.perf_counter) -> None:
        super().__init__(parent)
        self._clock = clock
        self.timeline = Timeline(num_frames=1, fps=25.0)
        self.video = None                                 # VideoSource-like: read(i), num_frames, close()
        self.prefetch: FramePrefetcher | None = None
        self.scrub_frames = None                          # ScrubFrames-like: nearest(i), close()
        self.scrubbing = False                            # the last move was a slider drag
        self.blank_size: tuple[int, int] | None = None    # (w, h) of the grey frame shown without a video
        self.enabled = False
        self._last_tick = 0.0
        self._last_step = 1                               # frames the clock advanced at the last tick
        self._playhead_at = -1e9
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._on_tick)
        self._playhead_timer = QTimer(self)
        self._playhead_timer.setSingleShot(True)
        self._playhead_timer.timeout.connect(self._emit_playhead)

    # -- the video ---------------------------------------------------------------------------
    def set_video(self, source, reopen: Callable[[], object] | None, scrub_frames=None) -> None:
        """Show ``source`` (None: no video); ``reopen()`` opens a second handle for the prefetch
        thread; ``scrub_frames`` gives cheap frames while the slider is dragged."""
        self.close_video()
        self.video, self.scrub_frames = source, scrub_frames
        if source is not None and reopen is not None:
            self.prefetch = FramePrefetcher(reopen, ahead=3)

    def close_video(self) -> None:
        for owned in (self.prefetch, self.scrub_frames, self.video):
            if owned is not None:
                owned.close()
        self.video, self.prefetch, self.scrub_frames = None, None, None

    def reset(self, num_frames: int, fps: float) -> None:
        """A new timeline of ``num_frames`` at ``fps`` (paused at frame 0)."""
        self.pause()
        loop = self.timeline.loop
        self.timeline = Timeline(num_frames=max(1, num_frames), fps=fps or 25.0, loop=loop)
        self.state_changed.emit()
        self.frame_changed.emit(0)

    @property
    def image_size(self) -> tuple[int, int] | None:
        """(w, h) pixels of the images :meth:`frame` shows (a scrub thumbnail is smaller)."""
        return tuple(self.video.size) if self.video is not None else self.blank_size

    def frame(self, i: int) -> np.ndarray | None:
        """Frame ``i`` (H, W, 3) uint8 RGB: while scrubbing the nearest thumbnail, while playing
        from the prefetcher (then ask it for the next ones), else decoded now; a grey frame of
        ``blank_size`` without a video."""
        if self.video is None:
            if self.blank_size is None:
                return None
            w, h = self.blank_size
            return np.full((h, w, 3), 24, np.uint8)
        cheap = self.scrub_frames.nearest(i) if self.scrubbing and self.scrub_frames is not None else None
        if cheap is not None:                             # the nearest thumbnail (smaller than image_size)
            return cheap[1]
        playing = self.timeline.playing and self.prefetch is not None
        frame = self.prefetch.take(i) if playing else None
        if frame is None:
            frame = self.video.read(i)
        if playing:
            self.prefetch.request(i + self._last_step)      # where the clock will most likely land next
        return frame

    # -- the clock ---------------------------------------------------------------------------
    @property
    def current(self) -> int:
        return self.timeline.current

    def seek(self, frame: int) -> None:
        """Go to ``frame`` and show it exactly."""
        self.scrubbing = False
        self.timeline.seek(frame)
        self.frame_changed.emit(self.timeline.current)

    def scrub(self, frame: int) -> None:
        """Go to ``frame`` during a slider drag: show the nearest cheap frame (see :meth:`frame`)."""
        self.pause()
        self.scrubbing = True
        self.timeline.seek(frame)
        self.frame_changed.emit(self.timeline.current)

    def step(self, delta: int) -> None:
        self.pause()
        self.seek(self.timeline.current + delta)

    def toggle_play(self) -> None:
        """Space: pause, or play forwards at the chosen speed."""
        if self.timeline.playing:
            self.pause()
        else:
            self.timeline.direction = 1
            self.play()

    def play(self) -> None:
        """Play from the current frame (the timeline's direction and speed)."""
        if not self.enabled:
            return
        self.timeline.play()
        self._last_tick = self._clock()
        self.timer.start(max(5, int(1000 / (self.timeline.fps * self.timeline.speed) / 2)))
        self.state_changed.emit()
        self.frame_changed.emit(self.timeline.current)

    def pause(self) -> None:
        was_playing = self.timer.isActive() or self.timeline.playing
        self.timer.stop()
        self.timeline.pause()
        if was_playing:
            self.state_changed.emit()

    def shuttle(self, direction: int) -> None:
        """J/L: play in ``direction`` (+1 forwards, -1 backwards) at 1x; pressed again while
        playing that way, the next faster speed of ``SHUTTLE_SPEEDS``."""
        t = self.timeline
        if t.playing and t.direction == direction:
            faster = [s for s in SHUTTLE_SPEEDS if s > t.speed]
            t.speed = faster[0] if faster else t.speed
        else:
            t.direction, t.speed = direction, 1.0
        self.play()

    def jump_seconds(self, seconds: float) -> None:
        """PageUp/PageDown: move by ``seconds`` of video (paused)."""
        self.step(round(seconds * self.timeline.fps))

    def set_speed(self, speed: float) -> None:
        self.timeline.speed = speed
        if self.timeline.playing:
            self.play()

    def set_loop(self, loop: bool) -> None:
        self.timeline.loop = loop
        self.state_changed.emit()

    def _on_tick(self) -> None:
        now = self._clock()
        before = self.timeline.current
        after = self.timeline.advance(now - self._last_tick)
        self._last_tick = now
        self._last_step = max(1, (after - before) % self.timeline.num_frames)
        if not self.timeline.playing:                     # stopped at the end (loop off)
            self.pause()
            self.state_changed.emit()
        if after != before:
            self.frame_changed.emit(after)

    # -- the plot playhead -------------------------------------------------------------------
    def request_playhead(self) -> None:
        """Move the playhead now if the last move is PLAYHEAD_INTERVAL_MS old, else once it is."""
        wait_ms = PLAYHEAD_INTERVAL_MS - (self._clock() - self._playhead_at) * 1e3
        if wait_ms <= 0:
            self._emit_playhead()
        elif not self._playhead_timer.isActive():
            self._playhead_timer.start(int(wait_ms) + 1)

    def _emit_playhead(self) -> None:
        self._playhead_at = self._clock()
        self.playhead_moved.emit(self.timeline.current)

    def close(self) -> None:
        self.pause()
        self._playhead_timer.stop()
        self.close_video()
