"""Helpers the window tests share: a shown MainWindow over fakes, and opening a path in it.

Import only from GUI tests (it imports the window, hence Qt)."""

from __future__ import annotations

from lmr_studio.gui.main_window import MainWindow


def show_window(qtbot, open_source, make_job, errors: list, size: tuple[int, int] = (1000, 700)) -> MainWindow:
    """A MainWindow on ``open_source`` / ``make_job``, shown at ``size``; errors it reports go to ``errors``."""
    win = MainWindow(open_source=open_source, make_job=make_job)
    win.report_error = lambda _parent, err: errors.append(err)
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    return win


def open_and_wait(qtbot, win: MainWindow, path) -> None:
    """Open ``path`` in ``win`` and wait until its session is shown and no job runs."""
    with qtbot.waitSignal(win.controller.session_ready, timeout=10000):
        win.open_path(path)
    qtbot.waitUntil(lambda: not win.controller.busy, timeout=5000)
