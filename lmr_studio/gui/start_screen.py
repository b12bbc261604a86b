"""StartScreen: what the window shows before a video is open (open, sample, recent files)."""

from __future__ import annotations

from pathlib import Path

import qtawesome as qta
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from lmr_studio.resources import SAMPLE_VIDEO


class StartScreen(QWidget):
    """Signals: ``open_video()``, ``open_result()``, ``open_path(str)`` (sample or recent file)."""

    open_video = Signal()
    open_result = Signal()
    open_path = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("<span style='font-size:26pt; font-weight:600'>LMR Studio</span>")
        subtitle = QLabel("Recover a 3D body from a video with six local recurrent models, "
                          "one per body part.<br>Drop a video here, or:")
        subtitle.setStyleSheet("color:#aab1bb; font-size:11pt")
        buttons = QHBoxLayout()
        self.video_button = self._button("fa5s.film", "Open video…", self.open_video.emit)
        self.result_button = self._button("fa5s.file-import", "Open result…", self.open_result.emit)
        self.sample_button = self._button("fa5s.running", "Try the sample", lambda: self.open_path.emit(str(SAMPLE_VIDEO)))
        self.sample_button.setEnabled(SAMPLE_VIDEO.exists())
        if not SAMPLE_VIDEO.exists():
            self.sample_button.setToolTip(f"The sample video is missing ({SAMPLE_VIDEO})")
        buttons.addStretch(1)
        for b in (self.video_button, self.result_button, self.sample_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.recent = QListWidget()
        self.recent.setMaximumWidth(640)
        self.recent.setMaximumHeight(180)
        self.recent.itemActivated.connect(lambda item: self.open_path.emit(item.data(Qt.ItemDataRole.UserRole)))
        col = QVBoxLayout(self)
        col.addStretch(2)
        for w in (title, subtitle):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            col.addWidget(w)
        col.addSpacing(18)
        col.addLayout(buttons)
        col.addSpacing(18)
        self.recent_label = QLabel("Recent")
        self.recent_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        col.addWidget(self.recent_label)
        col.addWidget(self.recent, 0, Qt.AlignmentFlag.AlignHCenter)
        col.addStretch(3)

    def _button(self, icon: str, text: str, slot) -> QPushButton:
        b = QPushButton(qta.icon(icon, color="#e0e0e0"), text)
        b.setMinimumHeight(44)
        b.setFixedWidth(200)
        b.clicked.connect(slot)
        return b

    def set_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        for path in paths:
            item = QListWidgetItem(qta.icon("fa5s.video", color="#aab1bb"), f"{Path(path).name}   —   {Path(path).parent}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            self.recent.addItem(item)
        self.recent.setVisible(bool(paths))
        self.recent_label.setVisible(bool(paths))
