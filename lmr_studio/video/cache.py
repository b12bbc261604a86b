"""A small least-recently-used cache of decoded frames."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np


class FrameCache:
    """Keeps the ``capacity`` most recently used frames, keyed by frame index.

    Stored frames are made read-only so a caller cannot change what later callers receive.
    """

    def __init__(self, capacity: int = 32) -> None:
        self.capacity = max(0, int(capacity))
        self._frames: OrderedDict[int, np.ndarray] = OrderedDict()

    def get(self, index: int) -> np.ndarray | None:
        frame = self._frames.get(index)
        if frame is not None:
            self._frames.move_to_end(index)
        return frame

    def put(self, index: int, frame: np.ndarray) -> np.ndarray:
        """Store ``frame`` (made read-only) and return it; evicts the oldest frame when full."""
        frame.setflags(write=False)
        if self.capacity:
            self._frames[index] = frame
            self._frames.move_to_end(index)
            while len(self._frames) > self.capacity:
                self._frames.popitem(last=False)
        return frame

    def clear(self) -> None:
        self._frames.clear()

    def __len__(self) -> int:
        return len(self._frames)
