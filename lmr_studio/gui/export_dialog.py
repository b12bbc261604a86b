"""ExportDialog: choose a format, frames, tracks, colours and an output path; export off the GUI thread.

The export runs on a :class:`~lmr_studio.gui.jobs.JobRunner` thread through
:func:`lmr_studio.export.export_result` (which loads the body model there when needed); progress
comes back as a queued signal, Cancel stops it and leaves no partial file.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QMessageBox, QProgressBar, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from lmr_studio.errors import ExportError
from lmr_studio.export import DESCRIPTIONS, SUFFIXES, export_result
from lmr_studio.gui.dialogs import process_options, show_error
from lmr_studio.gui.jobs import JobRunner
from lmr_studio.result import MotionResult

_ALL = -1        # track combo data: every track
_MAIN = -2       # track combo data: the main track


class ExportDialog(QDialog):
    """Export ``result`` (of the video at ``video_path``, which mp4 needs). ``body``: an already
    loaded body model to reuse; otherwise the worker loads the result's own.

    Signals: ``exported(path)`` after a file was written (the dialog then closes).
    """

    exported = Signal(str)
    _progressed = Signal(int, int)

    def __init__(self, result: MotionResult, video_path: str | None, parent: QWidget | None = None,
                 body=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.motion, self.video_path, self.body = result, video_path or result.video_path or None, body
        self.runner: JobRunner | None = None
        self.written: str | None = None          # the path of the last successful export
        self._cancelled = False

        self.format_combo = QComboBox()
        for name, text in DESCRIPTIONS.items():
            self.format_combo.addItem(text, name)
        self.first_spin, self.last_spin = QSpinBox(), QSpinBox()
        for spin in (self.first_spin, self.last_spin):
            spin.setRange(0, max(0, result.num_frames - 1))
        self.last_spin.setValue(max(0, result.num_frames - 1))
        frames_row = QHBoxLayout()
        frames_row.addWidget(self.first_spin)
        frames_row.addWidget(QLabel("to"))
        frames_row.addWidget(self.last_spin)
        self.track_combo = QComboBox()
        self.track_combo.addItem(f"Main person (track {result.main_id})", _MAIN)
        if len(result.tracks) > 1:
            self.track_combo.addItem("Everyone (all tracks)", _ALL)
            for tid, track in result.tracks.items():
                self.track_combo.addItem(f"Track {tid} ({len(track)} frames)", tid)
        self.colours_check = QCheckBox("Colour the six body parts")
        self.colours_check.setChecked(True)
        self.keypoints_check = QCheckBox("Draw the 2D keypoints (video only)")
        self.path_edit = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        form = QFormLayout()
        form.addRow("Format", self.format_combo)
        form.addRow("Frames", frames_row)
        form.addRow("People", self.track_combo)
        form.addRow("", self.colours_check)
        form.addRow("", self.keypoints_check)
        form.addRow("Save to", path_row)
        self.progress_bar = QProgressBar()
        self.progress_bar.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.start_export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.buttons)

        self._progressed.connect(self._show_progress)
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        self._format_changed()

    # -- choices ---------------------------------------------------------------------------
    @property
    def fmt(self) -> str:
        return self.format_combo.currentData()

    def _default_path(self) -> Path:
        source = Path(self.video_path or self.motion.video_path or "motion")
        folder = source.parent if source.parent.is_dir() else Path.home()
        return folder / f"{source.stem}_lmr{SUFFIXES[self.fmt]}"

    @Slot()
    def _format_changed(self) -> None:
        self.keypoints_check.setEnabled(self.fmt == "mp4")
        current = self.path_edit.text().strip()
        if not current:
            self.path_edit.setText(str(self._default_path()))
        else:   # keep the name, change the suffix to the new format's
            path = Path(current)
            stem = path.stem if path.suffix and path.suffix in SUFFIXES.values() else path.name
            self.path_edit.setText(str(path.with_name(stem + SUFFIXES[self.fmt])))

    @Slot()
    def _browse(self) -> None:
        suffix = SUFFIXES[self.fmt]
        name, _ = QFileDialog.getSaveFileName(self, "Export to", self.path_edit.text(),
                                              f"{self.fmt} (*{suffix})" if suffix else "Folder name (*)")
        if name:
            self.path_edit.setText(name)

    def options(self) -> dict:
        """The keywords for :func:`export_result` chosen in the dialog (no progress, no force)."""
        track = self.track_combo.currentData()
        first, last = self.first_spin.value(), self.last_spin.value()
        smpl = process_options().smpl_path if self.motion.body_model == "smpl" else None
        return {"frames": (first, last + 1),
                "tracks": None if track == _MAIN else list(self.motion.tracks) if track == _ALL else [track],
                "colours": self.colours_check.isChecked(), "video": self.video_path,
                "keypoints": self.keypoints_check.isChecked(), "smpl_path": smpl, "body": self.body}

    def confirm_overwrite(self, path: Path) -> bool:
        """Ask before replacing an existing file or folder."""
        answer = QMessageBox.question(self, "Replace?", f"{path.name} already exists. Replace it?")
        return answer == QMessageBox.StandardButton.Yes

    # -- running ---------------------------------------------------------------------------
    @Slot()
    def start_export(self) -> None:
        """Validate the choices and start the export thread."""
        text = self.path_edit.text().strip()
        if not text:
            show_error(self, ExportError("No output path was given.", "Choose where to save the export."))
            return
        path = Path(text).expanduser()
        if self.first_spin.value() > self.last_spin.value():
            show_error(self, ExportError("The first frame is after the last one.", "Choose a valid frame range."))
            return
        force = path.exists() and self.confirm_overwrite(path)
        if path.exists() and not force:
            return
        fmt, options = self.fmt, self.options()

        def job(cancel: threading.Event):
            def progress(done: int, total: int) -> None:
                if cancel.is_set():
                    raise ExportError("The export was cancelled.")
                self._progressed.emit(done, total)

            yield export_result(self.motion, fmt, path, progress=progress, force=force, **options)

        self._cancelled, self.written = False, None
        self.runner = JobRunner(job)
        self.runner.yielded.connect(self._done)
        self.runner.failed.connect(self._failed)
        self.runner.finished.connect(self._finished)
        self._set_running(True)
        self.runner.start()

    def _set_running(self, running: bool) -> None:
        for widget in (self.format_combo, self.first_spin, self.last_spin, self.track_combo,
                       self.colours_check, self.path_edit, self.export_button):
            widget.setEnabled(not running)
        self.keypoints_check.setEnabled(not running and self.fmt == "mp4")
        self.progress_bar.setVisible(running)
        self.progress_bar.setRange(0, 0)        # busy until the first progress report

    @Slot(int, int)
    def _show_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(done)

    @Slot(object)
    def _done(self, path) -> None:
        self.written = str(path)
        self.exported.emit(self.written)

    @Slot(object)
    def _failed(self, error) -> None:
        if not self._cancelled:
            show_error(self, error, "Export failed")

    @Slot()
    def _finished(self) -> None:
        self.runner = None
        self._set_running(False)
        if self._cancelled:
            super().reject()
        elif self.written is not None:
            self.accept()

    def reject(self) -> None:
        """Cancel: stop a running export first (it leaves no partial file), then close."""
        if self.runner is not None and self.runner.is_running():
            self._cancelled = True
            self.runner.cancel()
            return
        super().reject()
