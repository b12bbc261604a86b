"""Dialogs: errors (message + what to do) and Preferences (body model, SMPL file, device)."""

from __future__ import annotations

import torch
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLineEdit, QMessageBox, QPushButton, QWidget)

from lmr_studio.errors import LMRStudioError
from lmr_studio.gui.settings import app_settings
from lmr_studio.pipeline import ProcessOptions
from lmr_studio.video.lens import FOCAL_35MM_RANGE, check_focal_35mm


def show_error(parent: QWidget | None, error: BaseException, title: str = "LMR Studio") -> None:
    """A modal dialog: for an LMRStudioError its message and hint; otherwise an unexpected-error
    report with the traceback under 'Show Details'."""
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    if isinstance(error, LMRStudioError):
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText(error.message)
        box.setInformativeText(error.window_hint)
    else:
        box.setIcon(QMessageBox.Icon.Critical)
        box.setText(f"Something went wrong: {error.__class__.__name__}: {error}")
        box.setInformativeText("This is a bug in LMR Studio. Please report it with the details below.")
        box.setDetailedText(getattr(error, "details", ""))
    box.exec()


def devices() -> list[str]:
    """Devices the user can choose: 'auto', 'cpu' and 'cuda' when torch sees a GPU."""
    return ["auto", "cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def process_options() -> ProcessOptions:
    """ProcessOptions from the saved preferences (Anny unless an SMPL file is set, smoothing and the
    camera's focal length as chosen); every person in the video is recovered (``all_tracks``)."""
    s = app_settings()
    smpl = str(s.value("smpl_path", "") or "")
    device = str(s.value("device", "auto") or "auto")
    return ProcessOptions(body_model="smpl" if smpl else "anny", smpl_path=smpl or None,
                          device=None if device == "auto" else device, all_tracks=True, smooth=smooth_enabled(),
                          assumed_focal_35mm=focal_35mm_preference())


def ghost_enabled() -> bool:
    return str(app_settings().value("ghost", "true")).lower() == "true"


def smooth_enabled() -> bool:
    """Whether finished tracks are smoothed over time (default: :class:`ProcessOptions`'s)."""
    return str(app_settings().value("smooth", str(ProcessOptions.smooth))).lower() == "true"


def focal_35mm_preference() -> float | None:
    """The user's usual lens (35 mm-equivalent focal length, mm) for files that do not state theirs,
    or None: the default guess."""
    value = float(app_settings().value("focal_35mm", 0.0) or 0.0)
    return value if value >= FOCAL_35MM_RANGE[0] else None


def remember_focal_35mm(focal_35mm: float | None) -> None:
    """Save the user's usual lens (35 mm-equivalent focal length, mm; None: auto) for the videos
    processed next; an impossible value raises LMRStudioError and changes nothing."""
    app_settings().setValue("focal_35mm", 0.0 if focal_35mm is None else check_focal_35mm(focal_35mm))


class PreferencesDialog(QDialog):
    """Body model (Anny built in, or an SMPL file), compute device, baseline ghost, smoothing,
    the camera's focal length."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        s = app_settings()
        self.smpl_edit = QLineEdit(str(s.value("smpl_path", "") or ""))
        self.smpl_edit.setPlaceholderText("empty: use the built-in Anny body model")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.smpl_edit, 1)
        row.addWidget(browse)
        self.device = QComboBox()
        self.device.addItems(devices())
        self.device.setCurrentText(str(s.value("device", "auto")))
        self.ghost = QCheckBox("Compute the single-RNN baseline for the ghost mesh")
        self.ghost.setChecked(ghost_enabled())
        self.smooth = QCheckBox("Smooth each person's motion once the video is processed")
        self.smooth.setChecked(smooth_enabled())
        self.focal = QDoubleSpinBox()
        self.focal.setRange(FOCAL_35MM_RANGE[0] - 1, FOCAL_35MM_RANGE[1])  # the lowest value means "auto"
        self.focal.setDecimals(0)
        self.focal.setSuffix(" mm (35 mm equivalent)")
        self.focal.setSpecialValueText("auto: a guess of about 42 mm")
        self.focal.setToolTip("Your camera's focal length as its 35 mm equivalent, as phones state it (a phone's "
                              "main camera is about 26 mm, a wide action camera about 15 mm), for videos and photos "
                              "that do not state their own (a photo's EXIF, an iPhone video's metadata). Knowing it "
                              "places the body better in videos filmed with a wide lens.")
        self.focal.setValue(focal_35mm_preference() or self.focal.minimum())
        form = QFormLayout(self)
        form.addRow("SMPL model file", row)
        form.addRow("Device", self.device)
        form.addRow("", self.ghost)
        form.addRow("", self.smooth)
        form.addRow("Your camera's lens", self.focal)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "SMPL model file", "", "SMPL model (*.pkl *.npz)")
        if path:
            self.smpl_edit.setText(path)

    def accept(self) -> None:
        s = app_settings()
        s.setValue("smpl_path", self.smpl_edit.text().strip())
        s.setValue("device", self.device.currentText())
        s.setValue("ghost", "true" if self.ghost.isChecked() else "false")
        s.setValue("smooth", "true" if self.smooth.isChecked() else "false")
        remember_focal_35mm(None if self.focal.value() == self.focal.minimum() else self.focal.value())
        super().accept()
