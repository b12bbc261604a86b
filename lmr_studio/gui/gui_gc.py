"""Python's cycle collector, run on the GUI thread only.

The automatic collector runs on whichever thread happens to allocate when a generation fills up.
On a worker thread (a processing QThread, a mesh prefetcher) it can free cyclic garbage that holds
Qt widgets, a closed window's menus, say: their C++ destructors then run there, against the GUI
thread's own deletions, and the two threads wait on each other's locks for ever (seen in the test
suite: a QMenu freed on a job's QThread while the GUI thread deleted its actions). pyqtgraph's
``GarbageCollector`` turns the automatic collector off and collects on a GUI-thread timer instead.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

#: How often the GUI thread checks the collector's generations, in seconds.
COLLECT_INTERVAL_S = 1.0


@contextlib.contextmanager
def garbage_collected_on_gui_thread(interval_s: float = COLLECT_INTERVAL_S) -> Iterator[None]:
    """While open, cyclic garbage is collected only by a timer on this thread (call it on the GUI
    thread, with a QApplication). On exit the automatic collector is as it was, after one full
    collection here."""
    from pyqtgraph.util.garbage_collector import GarbageCollector

    was_enabled = gc.isenabled()
    collector = GarbageCollector(interval=interval_s)   # turns the automatic collector off
    try:
        yield
    finally:
        collector.timer.stop()
        if was_enabled:
            gc.enable()
        gc.collect()
