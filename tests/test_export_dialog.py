"""ExportDialog (pytest-qt under Xvfb): export off the GUI thread, cancel, overwrite, errors."""

from __future__ import annotations

import time

import numpy as np
import pytest

from lmr_studio.qtenv import use_pyside6_plugins

use_pyside6_plugins()

from PySide6.QtWidgets import QDialog  # noqa: E402

from lmr_studio.gui import export_dialog as module  # noqa: E402
from lmr_studio.gui.export_dialog import ExportDialog  # noqa: E402
from tests.fixtures.fakes import FakeBody, camera_joints, make_random_result  # noqa: E402

pytestmark = pytest.mark.gui


class SlowBody(FakeBody):
    """A FakeBody that takes 20 ms a frame, so that an export can be cancelled half way."""

    def mesh_sequence(self, poses, betas, transl=None):
        time.sleep(0.02 * len(poses))
        return super().mesh_sequence(poses, betas, transl)


@pytest.fixture
def errors(monkeypatch):
    shown = []
    monkeypatch.setattr(module, "show_error", lambda parent, err, title="": shown.append(err))
    return shown


def _dialog(qtbot, body, num_frames=12, two_tracks=True):
    result = make_random_result(body, num_frames=num_frames, two_tracks=two_tracks)
    dialog = ExportDialog(result, None, body=body)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _choose(dialog, fmt, path):
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(fmt))
    dialog.path_edit.setText(str(path))


def test_exports_the_chosen_frames_and_tracks(qtbot, errors, tmp_path):
    dialog = _dialog(qtbot, FakeBody())
    _choose(dialog, "csv", tmp_path / "j.csv")
    dialog.first_spin.setValue(2)
    dialog.last_spin.setValue(4)
    dialog.track_combo.setCurrentIndex(dialog.track_combo.findData(4))
    with qtbot.waitSignal(dialog.finished, timeout=20000):
        dialog.export_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and not errors
    assert dialog.written == str(tmp_path / "j.csv")
    rows = np.genfromtxt(tmp_path / "j.csv", delimiter=",", names=True, dtype=None, encoding=None)
    assert set(rows["track"]) == {4} and set(rows["frame"]) == {3, 4}
    np.testing.assert_allclose(rows["x"][:24], camera_joints(dialog.motion.tracks[4])[0, :, 0], atol=1e-5)


def test_format_change_keeps_the_name(qtbot, errors, tmp_path):
    dialog = _dialog(qtbot, FakeBody())
    _choose(dialog, "glb", tmp_path / "walk.glb")
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("ply"))
    assert dialog.path_edit.text() == str(tmp_path / "walk")
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("bvh"))
    assert dialog.path_edit.text() == str(tmp_path / "walk.bvh")
    assert not dialog.keypoints_check.isEnabled()
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("mp4"))
    assert dialog.keypoints_check.isEnabled()


def test_cancel_stops_and_leaves_nothing(qtbot, errors, tmp_path):
    dialog = _dialog(qtbot, SlowBody(), num_frames=120, two_tracks=False)
    _choose(dialog, "ply", tmp_path / "meshes")
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.progress_bar.value() > 3, timeout=20000)
    assert not dialog.format_combo.isEnabled()
    with qtbot.waitSignal(dialog.finished, timeout=20000):
        dialog.reject()
    assert dialog.result() == QDialog.DialogCode.Rejected and not errors
    assert not list(tmp_path.iterdir())


def test_overwrite_is_asked_and_errors_are_shown(qtbot, errors, tmp_path, monkeypatch):
    dialog = _dialog(qtbot, FakeBody())
    target = tmp_path / "m.bvh"
    target.write_text("mine")
    _choose(dialog, "bvh", target)
    monkeypatch.setattr(dialog, "confirm_overwrite", lambda path: False)
    dialog.export_button.click()
    assert dialog.runner is None and target.read_text() == "mine"

    monkeypatch.setattr(dialog, "confirm_overwrite", lambda path: True)
    dialog.track_combo.setCurrentIndex(dialog.track_combo.findData(-1))      # everyone: bvh holds one
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.runner is None, timeout=20000)
    assert len(errors) == 1 and "holds one person" in str(errors[0])
    assert target.read_text() == "mine" and dialog.isVisible()
