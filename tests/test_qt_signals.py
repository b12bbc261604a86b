"""Qt signals emitted from Python must not leak references (PySide6 6.12.0 did: the pin's reason).

PySide6 6.12.0's ``Signal.emit`` dropped one reference to ``True`` on every call; the window emits
at least once per processed frame, so processing a 30-minute clip ended in "Fatal Python error:
none_dealloc / bool_dealloc" after about 9 minutes. docs/upgrading.md holds the pin.
"""

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    plain = Signal()
    carrying = Signal(object)


def test_emitting_keeps_the_reference_counts_of_true_false_and_none(qapp):
    emitter = _Emitter()
    received = []
    emitter.carrying.connect(received.append)
    emitter.plain.connect(lambda: received.append(True))
    before = [sys.getrefcount(x) for x in (True, False, None)]
    for _ in range(200):
        emitter.plain.emit()
        emitter.carrying.emit(None)
    received.clear()
    assert [sys.getrefcount(x) for x in (True, False, None)] == before
