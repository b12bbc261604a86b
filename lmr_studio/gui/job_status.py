"""JobStatus: the status bar's message, job progress bar and cancel button."""

from __future__ import annotations

import qtawesome as qta
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton

from lmr_studio.pipeline import Progress


class JobStatus:
    """Adds a message label (stretching), a progress bar and a cancel button to ``bar``."""

    def __init__(self, bar: QStatusBar) -> None:
        self.label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.setToolTip("Processing progress")
        self.cancel_button = QToolButton()
        self.cancel_button.setIcon(qta.icon("fa5s.stop", color="#ef5350"))
        self.cancel_button.setToolTip("Cancel processing (what was computed stays on screen)")
        bar.addWidget(self.label, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)

    def show_progress(self, item: Progress) -> None:
        self.progress.setRange(0, max(1, item.total))
        self.progress.setValue(item.done)
        self.progress.setFormat(f"{item.stage} %v/%m")

    def set_busy(self, busy: bool) -> None:
        """Show the progress bar (indeterminate until the first report) and the cancel button while busy."""
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)
