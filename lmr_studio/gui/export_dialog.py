"""ExportDialog: choose a format, frames, tracks, colours and an output path; export off the GUI thread.

The export runs on a :class:`~lmr_studio.gui.jobs.JobRunner` thread through
:func:`lmr_studio.export.export_result` (which loads the body model there when needed); progress
comes back as a queued signal, Cancel stops it and leaves no partial file. Options a format does
not use are disabled. The dialog remembers its last choices (user settings, ``export/...``): the
format; per format the folder and the colour / keypoint options; the people; and the frame range
for the same video.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QMessageBox, QProgressBar, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from lmr_studio.errors import ExportError
from lmr_studio.export import COLOUR_FORMATS, DESCRIPTIONS, SINGLE_PERSON_FORMATS, SUFFIXES, export_result
from lmr_studio.gui.dialogs import process_options, show_error
from lmr_studio.gui.jobs import JobRunner
from lmr_studio.gui.settings import app_settings
from lmr_studio.result import MotionResult

_ALL = -1        # track combo data: every track
_MAIN = -2       # track combo data: the main track


class ExportDialog(QDialog):
    """Export ``result`` (of the video at ``video_path``, which mp4 needs). ``body``: an already
    loaded body model to reuse; otherwise the worker loads the result's own. ``selected``: the
    person the window follows, whom "People" offers unless "Everyone" was the last choice.

    Signals: ``exported(path)`` after a file was written (the dialog then closes).
    """

    exported = Signal(str)
    _progressed = Signal(int, int)

    def __init__(self, result: MotionResult, video_path: str | None, parent: QWidget | None = None,
                 body=None, selected: int | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.motion, self.video_path, self.body = result, video_path or result.video_path or None, body
        self.runner: JobRunner | None = None
        self.written: str | None = None          # the path of the last successful export
        self._cancelled = False

        self.format_combo = QComboBox()
        self.format_combo.setToolTip("The file format to write")
        for name, text in DESCRIPTIONS.items():
            self.format_combo.addItem(text, name)
        self.first_spin, self.last_spin = QSpinBox(), QSpinBox()
        for spin in (self.first_spin, self.last_spin):
            spin.setRange(0, max(0, result.num_frames - 1))
        self.last_spin.setValue(max(0, result.num_frames - 1))
        self.first_spin.setToolTip("First video frame to export")
        self.last_spin.setToolTip("Last video frame to export (included)")
        frames_row = QHBoxLayout()
        frames_row.addWidget(self.first_spin)
        frames_row.addWidget(QLabel("to"))
        frames_row.addWidget(self.last_spin)
        self.track_combo = QComboBox()
        self.track_combo.setToolTip("Whose motion to export (npz and bvh hold one person)")
        self.track_combo.addItem(f"Main person (track {result.main_id})", _MAIN)
        if len(result.tracks) > 1:
            self.track_combo.addItem("Everyone (all tracks)", _ALL)
            for tid, track in result.tracks.items():
                self.track_combo.addItem(f"Track {tid} ({len(track)} frames)", tid)
        self.colours_check = QCheckBox("Colour the six body parts")
        self.colours_check.setToolTip("Part colours on the meshes or the video (obj, ply, glb, mp4)")
        self.colours_check.setChecked(True)
        self.keypoints_check = QCheckBox("Draw the 2D keypoints (video only)")
        self.keypoints_check.setToolTip("Draw BlazePose's keypoints over the annotated video (mp4)")
        self.path_edit = QLineEdit()
        self.path_edit.setToolTip("Where to write the file (obj and ply: a folder of per-frame files)")
        browse = QPushButton("Browse…")
        browse.setToolTip("Choose where to save")
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
        self.export_button.setToolTip("Write the file (runs in the background; Cancel stops it)")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip(
            "Close, or stop a running export (no partial file is left)")
        self.progress_bar.setToolTip("Export progress")
        self.buttons.accepted.connect(self.start_export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.buttons)

        self._progressed.connect(self._show_progress)
        self._restore_choices()
        if selected in result.tracks and self.track_combo.currentData() != _ALL:
            self.track_combo.setCurrentIndex(self.track_combo.findData(_MAIN if selected == result.main_id else selected))
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        self._format_changed()

    # -- choices ---------------------------------------------------------------------------
    @property
    def fmt(self) -> str:
        return self.format_combo.currentData()

    def _default_path(self) -> Path:
        """``<video stem>_lmr<suffix>`` in the folder last used for this format, else the video's."""
        source = Path(self.video_path or self.motion.video_path or "motion")
        folder = Path(str(app_settings().value(f"export/{self.fmt}/folder", "") or source.parent))
        folder = folder if folder.is_dir() else Path.home()
        return folder / f"{source.stem}_lmr{SUFFIXES[self.fmt]}"

    def _restore_choices(self) -> None:
        s = app_settings()
        index = self.format_combo.findData(str(s.value("export/format", "")))
        self.format_combo.setCurrentIndex(max(0, index))
        people = self.track_combo.findData(int(s.value("export/people", _MAIN)))
        self.track_combo.setCurrentIndex(max(0, people))
        frames = s.value("export/frames")                      # kept for the same video only
        if self.video_path and isinstance(frames, list) and len(frames) == 3 and frames[0] == str(self.video_path):
            self.first_spin.setValue(int(frames[1]))
            self.last_spin.setValue(int(frames[2]))
        self.path_edit.setText(str(self._default_path()))

    def _save_choices(self, path: Path) -> None:
        s = app_settings()
        s.setValue("export/format", self.fmt)
        s.setValue("export/people", int(self.track_combo.currentData()))
        s.setValue("export/frames", [str(self.video_path or ""), self.first_spin.value(), self.last_spin.value()])
        s.setValue(f"export/{self.fmt}/folder", str(path.parent))
        s.setValue(f"export/{self.fmt}/colours", self.colours_check.isChecked())
        if self.fmt == "mp4":
            s.setValue("export/mp4/keypoints", self.keypoints_check.isChecked())

    @Slot()
    def _format_changed(self) -> None:
        """Enable the options this format uses (with their remembered values); fit the path's suffix."""
        s, fmt = app_settings(), self.fmt
        self.colours_check.setEnabled(fmt in COLOUR_FORMATS)
        self.colours_check.setChecked(str(s.value(f"export/{fmt}/colours", "true")).lower() == "true")
        self.keypoints_check.setEnabled(fmt == "mp4")
        keypoints = str(s.value("export/mp4/keypoints", "false")).lower() == "true"
        self.keypoints_check.setChecked(fmt == "mp4" and keypoints)
        everyone = self.track_combo.findData(_ALL)
        if everyone >= 0:
            self.track_combo.model().item(everyone).setEnabled(fmt not in SINGLE_PERSON_FORMATS)
            if fmt in SINGLE_PERSON_FORMATS and self.track_combo.currentIndex() == everyone:
                self.track_combo.setCurrentIndex(self.track_combo.findData(_MAIN))
        path = Path(self.path_edit.text().strip() or self._default_path())   # keep the name, fit the suffix
        stem = path.stem if path.suffix and path.suffix in SUFFIXES.values() else path.name
        self.path_edit.setText(str(path.with_name(stem + SUFFIXES[fmt])))

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
        self._save_choices(path)

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
                       self.path_edit, self.export_button):
            widget.setEnabled(not running)
        self.colours_check.setEnabled(not running and self.fmt in COLOUR_FORMATS)
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
