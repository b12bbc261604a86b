"""Cyclic garbage is freed on the GUI thread, never on a worker that happens to allocate
(lmr_studio/gui/gui_gc.py: a Qt object freed on a worker deadlocked the suite)."""

import gc
import threading

import pytest

from lmr_studio.qtenv import use_pyside6_plugins

use_pyside6_plugins()

from lmr_studio.gui.gui_gc import garbage_collected_on_gui_thread  # noqa: E402


class Cycle:
    """Garbage only the cycle collector frees; its finaliser logs the thread that freed it."""

    def __init__(self, log: list[str]):
        self.me, self.log = self, log

    def __del__(self):
        self.log.append(threading.current_thread().name)


def allocate_on_a_worker(kept: list) -> None:
    """Make 10,000 container objects on a thread named "worker", enough to fill generation 0."""
    worker = threading.Thread(target=lambda: kept.extend([] for _ in range(10_000)), name="worker")
    worker.start()
    worker.join()


def test_the_automatic_collector_would_free_garbage_on_the_allocating_worker():
    log, kept = [], []
    gc.collect()
    Cycle(log)
    allocate_on_a_worker(kept)
    assert log == ["worker"]


@pytest.mark.gui
def test_inside_it_the_gui_threads_timer_frees_the_garbage(qtbot):
    log, kept = [], []
    with garbage_collected_on_gui_thread(interval_s=0.05):
        Cycle(log)
        allocate_on_a_worker(kept)
        assert log == [] and not gc.isenabled()
        qtbot.waitUntil(lambda: log == ["MainThread"], timeout=3000)


@pytest.mark.gui
def test_on_leaving_the_collector_is_as_it_was_and_what_is_left_is_freed_here(qapp):
    log = []
    gc.enable()
    with garbage_collected_on_gui_thread():
        Cycle(log)
    assert log == ["MainThread"] and gc.isenabled()
