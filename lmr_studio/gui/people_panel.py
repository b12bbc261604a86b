"""PeoplePanel: the list of people in the result, with colour chips, hide/show and selection."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QAbstractButton, QDockWidget, QListWidget, QListWidgetItem, QMainWindow, QVBoxLayout,
                               QWidget)

from lmr_studio.people import person_colour_hex, person_summary
from lmr_studio.result import MotionResult


def _chip(tid: int) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(person_colour_hex(tid)))
    return QIcon(pixmap)


def visibility(result: MotionResult, tid: int) -> float:
    """Share (0..1) of the video's frames on which person ``tid`` has a result."""
    return len(result.tracks[tid]) / max(1, result.num_frames)


class PeoplePanel(QWidget):
    """One row per person: colour chip, first-last frame and visibility (the time span and
    frame count in the tooltip), and a checkbox to draw them. ``person_clicked(tid)`` when a row is clicked, ``visibility_changed(tid, shown)``
    when a box is ticked; :meth:`show_people` redraws without emitting."""

    person_clicked = Signal(int)
    visibility_changed = Signal(int, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setToolTip("Click a person to follow them in the 3D view and the plots; untick to hide them")
        self.list.setWordWrap(True)  # a narrow dock wraps a row instead of cutting off its visibility
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        self.list.currentItemChanged.connect(
            lambda item, _old: item is not None and self.person_clicked.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.list.itemChanged.connect(lambda item: self.visibility_changed.emit(
            item.data(Qt.ItemDataRole.UserRole), item.checkState() == Qt.CheckState.Checked))

    def show_people(self, result: MotionResult | None, selected: int | None, visible: set[int]) -> None:
        """List the people of ``result`` (none: empty) with at least one frame (a partial result
        may hold a track with none yet), ``selected`` current, ``visible`` ticked."""
        self.list.blockSignals(True)
        self.list.clear()
        for tid in sorted(result.tracks) if result is not None else []:
            if len(result.tracks[tid]) == 0:
                continue
            frames, main = result.tracks[tid].frame_ids, " (main)" if tid == result.main_id else ""
            item = QListWidgetItem(_chip(tid), f"person {tid}{main}: frames {frames[0]}-{frames[-1]}, "
                                               f"{visibility(result, tid):.0%}")
            item.setToolTip(f"{person_summary(result, tid)}; a result on {visibility(result, tid):.0%} of the "
                            "video's frames. Click to follow; untick to hide.")
            item.setData(Qt.ItemDataRole.UserRole, tid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if tid in visible else Qt.CheckState.Unchecked)
            self.list.addItem(item)
            if tid == selected:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def row_of(self, tid: int) -> QListWidgetItem | None:
        """The row of person ``tid``, or None."""
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == tid:
                return self.list.item(i)
        return None


def add_people_dock(window: QMainWindow, panel: PeoplePanel) -> QDockWidget:
    """Dock ``panel`` on the right of ``window`` (movable, floatable, closable)."""
    dock = QDockWidget("People", window)
    dock.setObjectName("people_dock")
    dock.setWidget(panel)
    for button in dock.findChildren(QAbstractButton):        # the title bar's float and close buttons
        button.setToolTip("Float or close the people list (View > People list brings it back)")
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    return dock
