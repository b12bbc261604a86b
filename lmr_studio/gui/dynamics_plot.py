"""DynamicsPlot (pyqtgraph): per part, angular speed and recurrent activity over the whole video.

Two stacked plots share the frame axis; a playhead follows the timeline and a click seeks.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGraphicsItem, QVBoxLayout, QWidget

from lmr_studio.parts import NUM_PARTS, PART_COLOURS
from lmr_studio.playback import PartVisibility


class DynamicsPlot(QWidget):
    """Emits ``seek_requested(int)`` when the user clicks a frame."""

    seek_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = pg.GraphicsLayoutWidget(self)
        self.view.setBackground("#1b1f24")
        self.speed_plot = self.view.addPlot(row=0, col=0)
        self.activity_plot = self.view.addPlot(row=1, col=0)
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
            colour = tuple(int(c) for c in PART_COLOURS[p])
            self.speed_curves.append(self.speed_plot.plot([], [], pen=pg.mkPen(colour, width=1.5),
                                                          connect="finite"))
            self.activity_curves.append(self.activity_plot.plot([], [], pen=pg.mkPen(colour, width=1.5),
                                                                connect="finite"))
        self.playheads = []
        for plot in (self.speed_plot, self.activity_plot):
            line = pg.InfiniteLine(0, angle=90, pen=pg.mkPen("#ffd54f", width=1.5), movable=False)
            plot.addItem(line, ignoreBounds=True)
            plot.setMouseEnabled(x=True, y=False)
            plot.showGrid(x=True, y=True, alpha=0.15)
            self.playheads.append(line)
        # Keep axes (with their grid) and curves as cached pixmaps: moving the playhead then
        # repaints a blit instead of every path (measured 9.7 -> 3.6 ms per move under Xvfb).
        cached = [plot.getAxis(name) for plot in (self.speed_plot, self.activity_plot) for name in ("left", "bottom")]
        for item in cached + self.speed_curves + self.activity_curves:
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.view.scene().sigMouseClicked.connect(self._on_click)
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
        self.speed_plot.setXRange(0, max(1, num_frames - 1), padding=0.01)
        self.activity_plot.setTitle("Recurrent activity of each part's model (hidden-state change)"
                                    if activity is not None else "Recurrent activity: not in this result", size="9pt")

    def set_parts(self, state: PartVisibility) -> None:
        """Hide curves of hidden parts; thicken highlighted ones."""
        for p in range(NUM_PARTS):
            colour = tuple(int(c) for c in PART_COLOURS[p])
            width = 3.0 if state.highlighted[p] else 1.5
            alpha = int(255 * max(0.3, state.emphasis(p)))
            for curve in (self.speed_curves[p], self.activity_curves[p]):
                curve.setVisible(state.shown(p))
                curve.setPen(pg.mkPen((*colour, alpha), width=width))

    def set_playhead(self, frame: int) -> None:
        for line in self.playheads:
            line.setValue(frame)

    def _on_click(self, event) -> None:
        for plot in (self.speed_plot, self.activity_plot):
            if plot.sceneBoundingRect().contains(event.scenePos()):
                x = plot.vb.mapSceneToView(event.scenePos()).x()
                self.seek_requested.emit(int(round(x)))
                return
