"""Exports in a row from one window, then another video (pytest-qt under Xvfb).

Each export runs on its own JobRunner thread; the window must survive the runner of the last
export ending while the next one starts (issue 12: exit 139 after the second export).
"""

from __future__ import annotations

import numpy as np
import pytest

from lmr_studio.qtenv import use_pyside6_plugins

use_pyside6_plugins()

from PySide6.QtWidgets import QDialog  # noqa: E402

from lmr_studio.export import EXPORTERS, SUFFIXES  # noqa: E402
from lmr_studio.gui.main_window import MainWindow  # noqa: E402
from tests.fixtures.fakes import fake_open_job, make_waving_result  # noqa: E402
from tests.fixtures.media import write_video  # noqa: E402

pytestmark = pytest.mark.gui

SIZE = (160, 120)


def _video(path, num_frames=12):
    frames = (np.full((SIZE[1], SIZE[0], 3), 8 * i, np.uint8) for i in range(num_frames))
    return write_video(path, frames, 25.0)


def _open(qtbot, win, path):
    with qtbot.waitSignal(win.controller.session_ready, timeout=20000):
        win.open_path(path)
    qtbot.waitUntil(lambda: not win.controller.busy, timeout=10000)


def _export(qtbot, win, fmt, target):
    """File > Export, choose ``fmt`` and frames 0..2, export; the dialog closes itself."""
    win.export_action.trigger()
    dialog = win.export_dialog
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(fmt))
    dialog.path_edit.setText(str(target))
    dialog.first_spin.setValue(0)
    dialog.last_spin.setValue(2)
    with qtbot.waitSignal(dialog.finished, timeout=60000):
        dialog.export_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert target.exists()
    assert str(target) in win.status_label.text()          # the status bar keeps "saved to PATH"


def _run(qtbot, tmp_path, formats):
    errors = []
    win = MainWindow(make_job=fake_open_job(make_waving_result(12, size=SIZE)))
    win.report_error = lambda _parent, err: errors.append(err)
    qtbot.addWidget(win)
    win.resize(1000, 700)
    win.show()
    _open(qtbot, win, _video(tmp_path / "first.avi"))
    for round_ in range(2):
        for fmt in formats:
            _export(qtbot, win, fmt, tmp_path / f"out{round_}_{fmt}{SUFFIXES[fmt] or '_dir'}")
    _open(qtbot, win, _video(tmp_path / "second.avi"))
    assert win.windowTitle().startswith("second.avi")
    _export(qtbot, win, formats[-1], tmp_path / f"again{SUFFIXES[formats[-1]] or '_dir'}")
    assert not errors
    win.close()


def test_every_format_twice_then_open_another_video(qtbot, tmp_path):
    """Frames 0..2 with the fake body: all eight formats twice take ~6 s under Xvfb."""
    _run(qtbot, tmp_path, list(EXPORTERS))


def test_a_dropped_runner_lives_until_its_thread_ends(qtbot):
    """Nobody holds the runner: it still delivers every item and ``finished``, then is released."""
    import gc
    import time

    from lmr_studio.gui.jobs import JobRunner

    got, ended = [], []

    def job(cancel):
        for i in range(5):
            time.sleep(0.01)
            yield i

    runner = JobRunner(job)
    runner.yielded.connect(got.append)
    runner.finished.connect(lambda: ended.append(True))
    runner.start()
    del runner
    gc.collect()
    qtbot.waitUntil(lambda: ended == [True], timeout=5000)
    assert got == list(range(5))
    qtbot.waitUntil(lambda: not JobRunner._alive, timeout=2000)
