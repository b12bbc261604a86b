"""DynamicsPlot (pyqtgraph): per part, angular speed and recurrent activity over the whole video.

Two stacked plots share the frame axis; a playhead follows the timeline and a click seeks. The
frame axis is laid over the timeline slider's (:meth:`DynamicsPlot.align_frames`), so a frame
in the plots is straight above the same frame on the slider. Right-side parts are dashed.
Tick labels keep a minimum gap (:class:`SparseAxis`), so they never overlap in a short pane.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QGraphicsItem, QVBoxLayout, QWidget

from lmr_studio.parts import NUM_PARTS, PART_COLOURS, RIGHT_PARTS
from lmr_studio.playback import PartVisibility

MIN_LABEL_GAP_PX = {"left": 18, "bottom": 70}     # tick label pitch: a text line; a 5-digit frame


class SparseAxis(pg.AxisItem):
    """An axis with one level of round ticks (1, 2, 5 x 10^k) spaced at least
    ``MIN_LABEL_GAP_PX`` pixels apart, whatever the plot's size."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float):  # noqa: N802 (pyqtgraph's name)
        span = abs(maxVal - minVal)
        if span <= 0 or size <= 0:
            return []
        raw = span / max(1.0, size / MIN_LABEL_GAP_PX["left" if self.orientation in ("left", "right") else "bottom"])
        power = 10.0 ** math.floor(math.log10(raw))
        step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
        return [(step, 0)]


def part_pen(part: int, alpha: int = 255, width: float = 1.5):
    """The pen of a part's curve: its colour, dashed on the subject's right."""
    colour = tuple(int(c) for c in PART_COLOURS[part])
    style = Qt.PenStyle.DashLine if part in RIGHT_PARTS else Qt.PenStyle.SolidLine
    return pg.mkPen((*colour, alpha), width=width, style=style)


class DynamicsPlot(QWidget):
    """Emits ``seek_requested(int)`` when the user clicks a frame."""

    seek_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = pg.GraphicsLayoutWidget(self)
        self.view.setBackground("#1b1f24")
        self.view.setToolTip("Click a frame to go there; solid: left side, dashed: right side")
        axes = lambda: {"left": SparseAxis("left"), "bottom": SparseAxis("bottom")}  # noqa: E731
        self.speed_plot = self.view.addPlot(row=0, col=0, axisItems=axes())
        self.activity_plot = self.view.addPlot(row=1, col=0, axisItems=axes())
        self.activity_plot.setXLink(self.speed_plot)
        self.speed_plot.setLabel("left", "rad/s")
        self.activity_plot.setLabel("left", "activity")
        self.speed_plot.hideAxis("bottom")
        self.speed_plot.setTitle("Joint angular speed per part (from the recovered poses)", size="9pt")
        self.activity_plot.setTitle("Recurrent activity of each part's model (hidden-state change)", size="9pt")
        for plot in (self.speed_plot, self.activity_plot):
            plot.getAxis("left").setWidth(48)
            plot.getAxis("left").enableAutoSIPrefix(False)
        self.speed_curves: list[pg.PlotDataItem] = []
        self.activity_curves: list[pg.PlotDataItem] = []
        for p in range(NUM_PARTS):
            self.speed_curves.append(self.speed_plot.plot([], [], pen=part_pen(p), connect="finite"))
            self.activity_curves.append(self.activity_plot.plot([], [], pen=part_pen(p), connect="finite"))
        self.playheads = []
        for plot in (self.speed_plot, self.activity_plot):
            line = pg.InfiniteLine(0, angle=90, pen=pg.mkPen("#ffd54f", width=1.5), movable=False)
            plot.addItem(line, ignoreBounds=True)
            plot.setMouseEnabled(x=False, y=False)     # the frame axis follows the slider
            plot.hideButtons()
            plot.showGrid(x=True, y=True, alpha=0.15)
            self.playheads.append(line)
        # Keep axes (with their grid) and curves as cached pixmaps: moving the playhead then
        # repaints a blit instead of every path (measured 9.7 -> 3.6 ms per move under Xvfb).
        cached = [plot.getAxis(name) for plot in (self.speed_plot, self.activity_plot) for name in ("left", "bottom")]
        for item in cached + self.speed_curves + self.activity_curves:
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.view.scene().sigMouseClicked.connect(self._on_click)
        self._num_frames = 1
        self._frame_map: tuple[float, float] | None = None      # (x of frame 0, px per frame) in this widget
        self.speed_plot.vb.sigResized.connect(lambda _vb: self._apply_frame_range())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def set_data(self, num_frames: int, frame_ids: np.ndarray, speed: np.ndarray | None,
                 activity: np.ndarray | None) -> None:
        """Curves over frames: ``speed`` (F, 6) rad/s and ``activity`` (F, 6), rows at ``frame_ids``.

        Gaps in ``frame_ids`` are drawn as gaps (NaN), not as straight lines.
        """
        x = np.arange(num_frames, dtype=np.float64)
        ids = np.asarray(frame_ids, np.int64)
        for curves, values in ((self.speed_curves, speed), (self.activity_curves, activity)):
            full = np.full((num_frames, NUM_PARTS), np.nan)
            inside = (ids >= 0) & (ids < num_frames)
            if values is not None and inside.any():
                full[ids[inside]] = np.asarray(values)[inside]
            for p, curve in enumerate(curves):
                curve.setData(x, full[:, p])
        self._num_frames = max(1, num_frames)
        self._apply_frame_range()
        self.activity_plot.setTitle("Recurrent activity of each part's model (hidden-state change)"
                                    if activity is not None else "Recurrent activity: not in this result", size="9pt")

    def align_frames(self, x0: float, per_frame: float) -> None:
        """Lay the frame axis so that frame f sits at x = ``x0 + f * per_frame`` in this widget's
        coordinates (the timeline slider's mapping, brought into this widget)."""
        self._frame_map = (x0, per_frame)
        self._apply_frame_range()

    def _apply_frame_range(self) -> None:
        vb = self.speed_plot.vb
        if self._frame_map is None or not self._frame_map[1] > 0:
            vb.setXRange(0, max(1, self._num_frames - 1), padding=0.01)
            return
        x0, per = self._frame_map
        rect = vb.sceneBoundingRect()
        left = self.view.mapFromScene(rect.topLeft()).x() + self.view.x()
        right = self.view.mapFromScene(rect.topRight()).x() + self.view.x()
        vb.setXRange((left - x0) / per, (right - x0) / per, padding=0)

    def frames_left(self) -> float:
        """x in this widget where the curves' area begins (right of the value axis)."""
        rect = self.speed_plot.vb.sceneBoundingRect()
        return self.view.mapFromScene(rect.topLeft()).x() + self.view.x()

    def frame_x(self, frame: float) -> float:
        """Where ``frame`` is drawn, as an x in this widget's coordinates."""
        scene = self.speed_plot.vb.mapViewToScene(QPointF(frame, 0))
        return self.view.mapFromScene(scene).x() + self.view.x()

    def set_parts(self, state: PartVisibility) -> None:
        """Hide curves of hidden parts; thicken highlighted ones."""
        for p in range(NUM_PARTS):
            pen = part_pen(p, int(255 * max(0.3, state.emphasis(p))), 3.0 if state.highlighted[p] else 1.5)
            for curve in (self.speed_curves[p], self.activity_curves[p]):
                curve.setVisible(state.shown(p))
                curve.setPen(pen)

    def set_playhead(self, frame: int) -> None:
        for line in self.playheads:
            line.setValue(frame)

    def _on_click(self, event) -> None:
        for plot in (self.speed_plot, self.activity_plot):
            if plot.sceneBoundingRect().contains(event.scenePos()):
                x = plot.vb.mapSceneToView(event.scenePos()).x()
                self.seek_requested.emit(int(round(min(max(x, 0), self._num_frames - 1))))
                return

