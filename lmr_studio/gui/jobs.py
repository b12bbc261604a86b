"""JobRunner: drive a plain generator on a QThread and relay what it yields as Qt signals.

The generator gets a ``threading.Event`` that :meth:`JobRunner.cancel` sets. The worker calls its
own thread's ``quit()`` when done (a ``finished -> quit`` connection raced with ``wait()`` in the
probes of notes/style-anchors.md §6.3). Only numpy data crosses threads; no VTK here.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, QThread, Signal, Slot

from lmr_studio.errors import LMRStudioError


class _Worker(QObject):
    yielded = Signal(object)
    failed = Signal(object)          # the exception (LMRStudioError, or any other for a bug report)
    done = Signal()

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
            self.done.emit()
            self.thread().quit()


class JobRunner(QObject):
    """One background job. Signals: ``yielded(item)``, ``failed(exception)``, ``finished()`` (last)."""

    yielded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, make: Callable[[threading.Event], Iterator], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cancel_event = threading.Event()
        self._thread = QThread()
        self._worker = _Worker(make, self.cancel_event)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.yielded.connect(self.yielded)
        self._worker.failed.connect(self.failed)
        self._thread.finished.connect(self.finished)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        """Ask the generator to stop; ``finished`` follows once it has."""
        self.cancel_event.set()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, ms: int = 5000) -> bool:
        """Block until the thread has ended (for shutdown only; the worker quits itself)."""
        return self._thread.wait(ms)
