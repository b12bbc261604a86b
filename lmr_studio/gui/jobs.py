"""JobRunner: drive a plain generator on a QThread and relay what it yields as Qt signals.

The generator gets a ``threading.Event`` that :meth:`JobRunner.cancel` sets. The worker calls its
own thread's ``quit()`` when done (a ``finished -> quit`` connection raced with ``wait()`` in the
probes of notes/style-anchors.md §6.3). Only numpy data crosses threads; no VTK here.

Lifetime: a started runner keeps itself alive (in ``JobRunner._alive``) until its thread has
ended, whoever else drops it; then the thread and the worker are ``deleteLater``-ed and the runner
is released on the next turn of the event loop, never inside one of its own signals. Dropping the
last reference while the thread was winding down crashed the window (issue 12, exit 139).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator
from typing import ClassVar

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from lmr_studio.errors import LMRStudioError


class _Worker(QObject):
    yielded = Signal(object)
    failed = Signal(object)          # the exception (LMRStudioError, or any other for a bug report)

    def __init__(self, make: Callable[[threading.Event], Iterator], cancel: threading.Event) -> None:
        super().__init__()
        self._make, self._cancel = make, cancel

    @Slot()
    def run(self) -> None:
        try:
            for item in self._make(self._cancel):
                self.yielded.emit(item)
                if self._cancel.is_set():
                    break
        except LMRStudioError as err:
            self.failed.emit(err)
        except Exception as exc:  # a bug: report it in the dialog with its traceback
            exc.details = traceback.format_exc()
            self.failed.emit(exc)
        finally:
            self._make = None            # the job's closure dies here, on its own thread
            self.thread().quit()


class JobRunner(QObject):
    """One background job. Signals: ``yielded(item)``, ``failed(exception)``, ``finished()`` (last,
    once the thread has ended). No Qt parent: a parent deleted mid-job would delete a running thread."""

    yielded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    _alive: ClassVar[set["JobRunner"]] = set()

    def __init__(self, make: Callable[[threading.Event], Iterator]) -> None:
        super().__init__()
        self.cancel_event = threading.Event()
        self._running = False
        self._thread = QThread()
        self._worker = _Worker(make, self.cancel_event)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._thread.finished.connect(self._worker.deleteLater)     # runs on the worker's thread
        self._worker.yielded.connect(self.yielded)
        self._worker.failed.connect(self.failed)
        self._thread.finished.connect(self._on_thread_finished)     # queued to this (GUI) thread

    def start(self) -> None:
        JobRunner._alive.add(self)
        self._running = True
        self._thread.start()

    def cancel(self) -> None:
        """Ask the generator to stop; ``finished`` follows once it has."""
        self.cancel_event.set()

    def is_running(self) -> bool:
        return self._running

    def wait(self, ms: int = 5000) -> bool:
        """Block until the thread has ended (for shutdown only; the worker quits itself)."""
        return not self._running or self._thread.wait(ms)

    @Slot()
    def _on_thread_finished(self) -> None:
        self._thread.wait()               # QThread.finished comes just before the thread really ends
        self._running = False
        self._thread.deleteLater()
        self.finished.emit()
        QTimer.singleShot(0, lambda: JobRunner._alive.discard(self))
