"""PersonCombo: the toolbar's choice of the person the 3D view and the plots follow."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from lmr_studio.result import MotionResult


class PersonCombo(QComboBox):
    """One entry per track of the result; ``person_chosen(track_id)`` when the user picks one."""

    person_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setToolTip("Which person the 3D view and the plots follow (also: click them, or the People list)")
        self.currentIndexChanged.connect(lambda i: i >= 0 and self.person_chosen.emit(self.itemData(i)))

    def show_people(self, result: MotionResult | None, selected: int | None) -> None:
        """List the tracks of ``result`` (none: empty) with ``selected`` current; emits nothing."""
        ids = sorted(result.tracks) if result is not None else []
        self.blockSignals(True)
        self.clear()
        for tid in ids:
            self.addItem(f"person {tid} ({len(result.tracks[tid])} frames)", tid)
        if selected in ids:
            self.setCurrentIndex(ids.index(selected))
        self.blockSignals(False)
