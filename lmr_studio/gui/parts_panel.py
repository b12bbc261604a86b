"""PartsPanel: one row per LMR part (swatch, name, show, highlight, solo) over a PartVisibility."""

from __future__ import annotations

import qtawesome as qta
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QPushButton, QToolButton, QWidget

from lmr_studio.parts import NUM_PARTS, PART_LABELS, part_colour_hex
from lmr_studio.playback import PartVisibility


class PartsPanel(QWidget):
    """Emits ``changed(PartVisibility)`` whenever a toggle changes."""

    changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = PartVisibility()
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setVerticalSpacing(4)
        title = QLabel("<b>LMR parts</b>")
        title.setToolTip("Each part has its own recurrent model; the root runs first")
        grid.addWidget(title, 0, 0, 1, 2)
        for col, text in ((2, "show"), (3, "highlight"), (4, "solo")):
            head = QLabel(f"<small>{text}</small>")
            head.setToolTip({"show": "Draw the part", "highlight": "Draw the part opaque and dim the others",
                             "solo": "Draw only the soloed parts"}[text])
            grid.addWidget(head, 0, col)
        self.show_boxes: list[QCheckBox] = []
        self.highlight_buttons: list[QToolButton] = []
        self.solo_buttons: list[QToolButton] = []
        for p in range(NUM_PARTS):
            swatch = QLabel()
            swatch.setFixedSize(14, 14)
            swatch.setStyleSheet(f"background:{part_colour_hex(p)}; border-radius:3px;")
            grid.addWidget(swatch, p + 1, 0)
            swatch.setToolTip(f"{PART_LABELS[p]}: its colour in the video, the 3D view and the plots")
            name = QLabel(PART_LABELS[p])
            name.setToolTip(swatch.toolTip())
            grid.addWidget(name, p + 1, 1)
            show = QCheckBox()
            show.setChecked(True)
            show.setToolTip(f"Show {PART_LABELS[p].lower()}")
            show.toggled.connect(lambda on, p=p: self._set("visible", p, on))
            grid.addWidget(show, p + 1, 2)
            hl = self._toggle("fa5s.lightbulb", f"Highlight {PART_LABELS[p].lower()} (dim the others)")
            hl.toggled.connect(lambda on, p=p: self._set("highlighted", p, on))
            grid.addWidget(hl, p + 1, 3)
            solo = self._toggle("fa5s.bullseye", f"Show only {PART_LABELS[p].lower()} (and other soloed parts)")
            solo.toggled.connect(lambda on, p=p: self._set("soloed", p, on))
            grid.addWidget(solo, p + 1, 4)
            self.show_boxes.append(show)
            self.highlight_buttons.append(hl)
            self.solo_buttons.append(solo)
        self.reset_button = QPushButton("Show all")
        self.reset_button.setToolTip("Show every part; clear highlight and solo")
        self.reset_button.clicked.connect(self.reset)
        grid.addWidget(self.reset_button, NUM_PARTS + 1, 0, 1, 5)
        grid.setRowStretch(NUM_PARTS + 2, 1)

    def _toggle(self, icon: str, tip: str) -> QToolButton:
        b = QToolButton(self)
        b.setCheckable(True)
        b.setAutoRaise(True)
        b.setIcon(qta.icon(icon, color="#9aa0a6", color_on="#ffd54f"))
        b.setToolTip(tip)
        return b

    def _set(self, field: str, part: int, on: bool) -> None:
        self.state.set(field, part, on)
        self._sync()
        self.changed.emit(self.state)

    def reset(self) -> None:
        """Show all parts, clear highlight and solo."""
        self.state.reset()
        self._sync()
        self.changed.emit(self.state)

    def _sync(self) -> None:
        """Tick the boxes and buttons as the state says (a solo can show a part)."""
        for widgets, values in ((self.show_boxes, self.state.visible), (self.highlight_buttons, self.state.highlighted),
                                (self.solo_buttons, self.state.soloed)):
            for widget, on in zip(widgets, values):
                widget.blockSignals(True)
                widget.setChecked(on)
                widget.blockSignals(False)
