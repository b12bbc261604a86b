"""TimelineBar: play/pause, step, speed, a frame slider, frame/time read-out and track marks.

The bar shows a :class:`playback.Timeline` and asks for changes through ``seek_requested(int)``,
``scrub_requested(int)`` (while the slider is dragged; ``seek_requested`` when it is released),
``play_toggled()``, ``speed_changed(float)``, ``loop_toggled(bool)``; the window owns the clock
and calls :meth:`show`. A frame-number box seeks to the typed frame.
"""

from __future__ import annotations

import numpy as np
import qtawesome as qta
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QComboBox, QGridLayout, QHBoxLayout, QLabel, QSlider, QSpinBox, QStyle,
                               QStyleOptionSlider, QToolButton, QVBoxLayout, QWidget)

from lmr_studio.playback import Timeline

SPEEDS: tuple[float, ...] = (0.25, 0.5, 1.0, 1.5, 2.0)
#: The "has a result" marks: blue-grey, unlike the slider's green fill (the palette's highlight).
STRIP_COLOUR = "#9fb3c8"


def format_time(seconds: float) -> str:
    """'m:ss.cc'."""
    m, s = divmod(max(0.0, seconds), 60.0)
    return f"{int(m)}:{s:05.2f}"


class FrameSlider(QSlider):
    """The frame slider; ``span_changed()`` when its geometry moves frames on screen."""

    span_changed = Signal()

    def frame_span(self) -> tuple[float, float]:
        """(x of the first frame, pixels per frame) in this widget: where the handle's centre is."""
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        groove = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                             QStyle.SubControl.SC_SliderGroove, self)
        handle = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                             QStyle.SubControl.SC_SliderHandle, self)
        first = groove.x() + handle.width() / 2
        frames = max(1, self.maximum() - self.minimum())
        return first, (groove.width() - handle.width()) / frames

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.span_changed.emit()


class TrackStrip(QWidget):
    """A thin strip with a mark on every frame where the shown track has a result, drawn under
    the slider's frames (:meth:`set_span`); click seeks."""

    seek_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedHeight(10)
        self.setToolTip("Frames where the selected person has a result (click to jump there)")
        self.num_frames = 1
        self.present = np.zeros(1, bool)
        self.current = 0
        self._first, self._per = 0.0, 1.0          # x of frame 0's centre and pixels per frame

    def set_presence(self, num_frames: int, frame_ids: np.ndarray) -> None:
        self.num_frames = max(1, num_frames)
        self.present = np.zeros(self.num_frames, bool)
        ids = np.asarray(frame_ids, np.int64)
        self.present[ids[(ids >= 0) & (ids < self.num_frames)]] = True
        self.update()

    def set_span(self, first: float, per_frame: float) -> None:
        """Draw frame f centred at x = ``first + f * per_frame`` (the slider's mapping)."""
        self._first, self._per = first, max(per_frame, 1e-6)
        self.update()

    def runs(self) -> list[tuple[int, int]]:
        """[start, end) frame runs where the track is present."""
        edges = np.diff(np.concatenate([[0], self.present.astype(np.int8), [0]]))
        return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        h, per, left = self.height(), self._per, self._first - self._per / 2
        p.fillRect(self.rect(), QColor("#2a2f37"))
        for a, b in self.runs():
            p.fillRect(QRectF(left + a * per, 2, max(1.0, (b - a) * per), h - 4), QColor(STRIP_COLOUR))
        p.fillRect(QRectF(left + self.current * per, 0, max(2.0, per), h), QColor("#ffd54f"))

    def mousePressEvent(self, event) -> None:  # noqa: N802
        frame = round((event.position().x() - self._first) / self._per)
        self.seek_requested.emit(int(min(max(frame, 0), self.num_frames - 1)))


class TimelineBar(QWidget):
    """Transport controls and the frame slider under the video and the 3D view."""

    seek_requested = Signal(int)
    scrub_requested = Signal(int)       # the slider is being dragged: a cheap frame will do
    play_toggled = Signal()
    speed_changed = Signal(float)
    loop_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        icon = lambda name: qta.icon(name, color="#e0e0e0")  # noqa: E731
        self._play_icon, self._pause_icon = icon("fa5s.play"), icon("fa5s.pause")

        def button(icon_name: str, tip: str, slot) -> QToolButton:
            b = QToolButton(self)
            b.setIcon(icon(icon_name))
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            return b

        self.start_button = button("fa5s.fast-backward", "First frame (Home)", lambda: self.seek_requested.emit(0))
        self.back_button = button("fa5s.step-backward", "Previous frame (Left or ,)", lambda: self._step(-1))
        self.play_button = button("fa5s.play", "Play / pause (Space; J / K / L: backwards / pause / forwards)",
                                  self.play_toggled.emit)
        self.forward_button = button("fa5s.step-forward", "Next frame (Right or .)", lambda: self._step(1))
        self.end_button = button("fa5s.fast-forward", "Last frame (End)", lambda: self.seek_requested.emit(10**9))
        self.loop_button = button("fa5s.redo-alt", "Loop: playback wraps at the end (off: it stops there)",
                                  lambda: self.loop_toggled.emit(self.loop_button.isChecked()))
        self.loop_button.setCheckable(True)
        self.slider = FrameSlider(Qt.Orientation.Horizontal, self)
        self.slider.setToolTip("Drag to scrub through the video (Page Up / Page Down: one second)")
        self.slider.setRange(0, 0)
        self.slider.valueChanged.connect(self._on_slider)
        self.slider.sliderReleased.connect(lambda: self.seek_requested.emit(self.slider.value()))
        self.strip = TrackStrip(self)
        self.strip.seek_requested.connect(self.seek_requested)
        self.slider.span_changed.connect(lambda: self.strip.set_span(*self.slider.frame_span()))
        self.frame_box = QSpinBox(self)
        self.frame_box.setRange(0, 0)
        self.frame_box.setKeyboardTracking(False)        # seek on Enter or arrows, not on every digit
        self.frame_box.setToolTip("Frame number: type one and press Enter to go there")
        self.frame_box.valueChanged.connect(self._on_frame_box)
        self.label = QLabel("/ 0   0:00.00", self)
        self.label.setToolTip("Last frame and the video time of the current frame")
        self.label.setMinimumWidth(120)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.speed = QComboBox(self)
        self.speed.setToolTip("Playback speed")
        for s in SPEEDS:
            self.speed.addItem(f"{s:g}x", s)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.currentIndexChanged.connect(lambda i: self.speed_changed.emit(SPEEDS[i]))

        track = QVBoxLayout()
        track.setSpacing(2)
        track.addWidget(self.slider)
        track.addWidget(self.strip)
        self.controls = QWidget(self)          # transport over frame box, time and speed
        grid = QGridLayout(self.controls)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(2)
        for col, w in enumerate((self.start_button, self.back_button, self.play_button, self.forward_button,
                                 self.end_button, self.loop_button)):
            grid.addWidget(w, 0, col)
        info = QHBoxLayout()
        for w in (self.frame_box, self.label, self.speed):
            info.addWidget(w)
        grid.addLayout(info, 1, 0, 1, 7)
        grid.setColumnStretch(6, 1)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.controls)
        row.addLayout(track, 1)
        self._current = 0
        self._updating = False

    def set_controls_width(self, width: int) -> None:
        """Make the controls this wide (at least what they need), so the slider starts under the plots."""
        self.controls.setFixedWidth(max(width, self.controls.minimumSizeHint().width()))

    def _step(self, delta: int) -> None:
        self.seek_requested.emit(self._current + delta)

    def _on_slider(self, value: int) -> None:
        if not self._updating:
            (self.scrub_requested if self.slider.isSliderDown() else self.seek_requested).emit(value)

    def _on_frame_box(self, value: int) -> None:
        if not self._updating:
            self.seek_requested.emit(value)

    def set_presence(self, num_frames: int, frame_ids: np.ndarray) -> None:
        self.strip.set_presence(num_frames, frame_ids)
        self.strip.set_span(*self.slider.frame_span())

    def show(self, timeline: Timeline) -> None:  # noqa: A003 (a view method, not QWidget.show)
        """Reflect the timeline's frame, length and play state."""
        self._current = timeline.current
        self._updating = True
        if self.slider.maximum() != timeline.num_frames - 1:
            self.slider.setMaximum(timeline.num_frames - 1)
            self.slider.span_changed.emit()
        self.slider.setValue(timeline.current)
        self.frame_box.setMaximum(timeline.num_frames - 1)
        if not self.frame_box.hasFocus():                  # never overwrite what the user is typing
            self.frame_box.setValue(timeline.current)
        self.loop_button.setChecked(timeline.loop)
        self._updating = False
        self.strip.current = timeline.current
        self.strip.update()
        self.play_button.setIcon(self._pause_icon if timeline.playing else self._play_icon)
        self.label.setText(f"/ {timeline.num_frames - 1}   {format_time(timeline.time_of(timeline.current))}")
