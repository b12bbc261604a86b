"""Run a generator on its own thread, a few items ahead of the loop that consumes it.

The pipeline tracks people (MediaPipe and OpenCV, which release the GIL) while the body stage
refines the frames tracked so far (torch): with the tracker on its own thread the two overlap
on two cores instead of taking turns.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_END = object()


def iterate_ahead(items: Iterator[T], depth: int = 32, name: str = "lmr-ahead") -> Iterator[T]:
    """Yield what ``items`` yields, in order, while a helper thread produces up to ``depth`` items
    ahead. An exception raised by ``items`` is raised here at the point it happened. When the
    consumer stops early (``close()``, an exception, garbage collection), the helper stops within
    one item and closes ``items`` (its ``finally`` blocks run on the helper thread) before this
    generator returns."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    failure: list[BaseException] = []

    def put(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    break
        except BaseException as exc:  # re-raised on the consumer's thread
            failure.append(exc)
        try:
            close = getattr(items, "close", None)
            if close is not None:
                close()
        except BaseException as exc:  # an error in the items' cleanup: raised there too, not a hang
            failure.append(exc)
        put(_END)

    helper = threading.Thread(target=produce, name=name, daemon=True)
    helper.start()
    try:
        while True:
            item = ready.get()
            if item is _END:
                break
            yield item
        if failure:
            raise failure[0]
    finally:
        stop.set()
        helper.join()
