"""Window layout: splitters, the plots' frame axis over the slider's, and the saved layout
(geometry, toolbar state, splitter sizes, overlay mode and camera preset).

Stored in the user's QSettings (:mod:`lmr_studio.gui.settings`) when the window closes and read
back when it opens.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint
from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget

from lmr_studio.gui.settings import app_settings

DEFAULT_SIZE = (1400, 880)


def splitter(orientation, first: QWidget, second: QWidget, stretch: tuple[int, int] = (0, 0)) -> QSplitter:
    """A splitter holding ``first`` and ``second`` with these stretch factors."""
    split = QSplitter(orientation)
    for i, widget in enumerate((first, second)):
        split.addWidget(widget)
        split.setStretchFactor(i, stretch[i])
    return split


def align_plot_to_slider(plot, slider) -> None:
    """Lay the dynamics plot's frame axis over the timeline slider's: frame f at the same window x."""
    first, per_frame = slider.frame_span()
    offset = slider.mapToGlobal(QPoint(0, 0)).x() - plot.mapToGlobal(QPoint(0, 0)).x()
    plot.align_frames(first + offset, per_frame)


def line_up_timeline(timeline_bar, plot) -> None:
    """Size the timeline's controls so that the slider's first frame sits at the left edge of the
    plots' curves, then lay the plots' frame axis over the slider's."""
    slider = timeline_bar.slider
    curves_left = plot.mapToGlobal(QPoint(round(plot.frames_left()), 0)).x()
    controls_left = timeline_bar.controls.mapToGlobal(QPoint(0, 0)).x()     # does not move with its width
    gap = timeline_bar.layout().spacing()
    timeline_bar.set_controls_width(round(curves_left - controls_left - gap - slider.frame_span()[0]))
    align_plot_to_slider(plot, slider)


def restore_layout(window: QMainWindow, splitters: dict[str, QSplitter]) -> tuple[str, str]:
    """Restore geometry and splitter sizes; returns the saved (overlay mode, camera preset)."""
    s = app_settings()
    geometry, state = s.value("window/geometry"), s.value("window/state")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    else:
        window.resize(*DEFAULT_SIZE)
    if isinstance(state, QByteArray):
        window.restoreState(state)
    for name, split in splitters.items():
        sizes = s.value(f"splitters/{name}")
        if isinstance(sizes, QByteArray):
            split.restoreState(sizes)
    return str(s.value("view/overlay", "mesh")), str(s.value("view/camera", "front"))


def save_layout(window: QMainWindow, splitters: dict[str, QSplitter], overlay: str, camera: str | None) -> None:
    s = app_settings()
    s.setValue("window/geometry", window.saveGeometry())
    s.setValue("window/state", window.saveState())
    for name, split in splitters.items():
        s.setValue(f"splitters/{name}", split.saveState())
    s.setValue("view/overlay", overlay)
    if camera is not None:
        s.setValue("view/camera", camera)
    s.sync()


def reset_layout(window: QMainWindow, splitters: dict[str, QSplitter]) -> None:
    """Video and 3D view half and half, the parts panel a quarter, the top row three quarters."""
    w, h = window.width(), window.height()
    splitters["top"].setSizes([w // 2, w // 2])
    splitters["bottom"].setSizes([w // 4, 3 * w // 4])
    splitters["main"].setSizes([3 * h // 4, h // 4])
