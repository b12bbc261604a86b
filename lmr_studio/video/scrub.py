"""ScrubFrames: small thumbnails of a video, decoded ahead in the background, for slider drags.

A random seek in a long-GOP video decodes from the previous keyframe (p50 139 ms on a 1080p
H.264 clip with a keyframe every 10 s, issue 12), too slow to follow a hand on the slider. While
the slider is dragged the window shows the nearest thumbnail instead, and the exact frame once
the drag stops. A background thread (PyAV) first decodes only the keyframes, then every frame in
order, keeping every ``stride``-th as a thumbnail ``width`` pixels wide (at most the video's), within
``budget_bytes`` (one thumbnail more at most). Keyframes count against it: the first pass keeps one
only ``stride`` frames or more after the last it kept, and the second drops those off its grid as
it passes them (a phone video has a keyframe every second or two: an hour of them at 384x216
would take 0.4-0.9 GB).
Frame indices come from presentation times (constant frame rate assumed, as in ``VideoSource``).
"""

from __future__ import annotations

import bisect
import collections
import math
import os
import threading
from pathlib import Path

import numpy as np

THUMB_WIDTH = 384
BUDGET_BYTES = 96 * 2**20


class ScrubFrames:
    """Thumbnails of the video at ``path``; :meth:`nearest` never blocks on decoding. A file PyAV
    cannot read leaves it empty (``nearest`` returns None) with the error in ``failed``."""

    def __init__(self, path: str | os.PathLike, width: int = THUMB_WIDTH, budget_bytes: int = BUDGET_BYTES) -> None:
        self.path, self.width, self.budget = Path(path), width, budget_bytes
        self.failed: str | None = None
        self.done = threading.Event()           # set when every frame has been decoded once
        self._lock = threading.Lock()
        self._indices: list[int] = []           # sorted frame indices that have a thumbnail
        self._thumbs: dict[int, np.ndarray] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lmr-scrub", daemon=True)
        self._thread.start()

    def nearest(self, frame: int) -> tuple[int, np.ndarray] | None:
        """(index, (h, w, 3) uint8 RGB thumbnail) of the decoded frame nearest to ``frame``, or None."""
        with self._lock:
            if not self._indices:
                return None
            i = bisect.bisect_left(self._indices, frame)
            candidates = self._indices[max(0, i - 1):i + 1]
            best = min(candidates, key=lambda k: abs(k - frame))
            return best, self._thumbs[best]

    def __len__(self) -> int:
        with self._lock:
            return len(self._indices)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _keep(self, index: int, image: np.ndarray) -> None:
        with self._lock:
            if index not in self._thumbs:
                bisect.insort(self._indices, index)
            self._thumbs[index] = image

    def _drop(self, index: int) -> None:
        with self._lock:
            del self._thumbs[index]
            self._indices.pop(bisect.bisect_left(self._indices, index))

    def _run(self) -> None:
        import av

        try:
            with av.open(str(self.path)) as container:
                stream = container.streams.video[0]
                stream.thread_type = "AUTO"
                fps = float(stream.average_rate or stream.guessed_rate or 30)
                start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
                width = min(self.width, stream.width)
                height = max(2, round(width * stream.height / stream.width / 2) * 2)
                frames = stream.frames
                if not frames and stream.duration:
                    frames = int(float(stream.duration * stream.time_base) * fps)
                stride = max(1, math.ceil(frames * width * height * 3 / self.budget)) if frames else 1

                def index_of(frame) -> int:
                    return round((frame.time - start) * fps)

                def thumbnail(frame) -> np.ndarray:
                    return frame.to_ndarray(width=width, height=height, format="rgb24")

                stream.codec_context.skip_frame = "NONKEY"       # pass 1: keyframes only, a few per minute
                last, off_grid = -stride, collections.deque()   # kept keyframes that are not stride multiples
                for frame in container.decode(stream):
                    if self._stop.is_set():
                        return
                    if index_of(frame) - last >= stride:
                        last = index_of(frame)
                        self._keep(last, thumbnail(frame))
                        if last % stride:
                            off_grid.append(last)
                stream.codec_context.skip_frame = "DEFAULT"      # pass 2: every frame, in order
                container.seek(0)
                for frame in container.decode(stream):
                    if self._stop.is_set():
                        return
                    index = index_of(frame)
                    if index % stride == 0:
                        self._keep(index, thumbnail(frame))
                        while off_grid and off_grid[0] < index:
                            self._drop(off_grid.popleft())
            self.done.set()
        except Exception as exc:  # a file PyAV cannot read: scrubbing falls back to exact frames
            self.failed = f"{exc.__class__.__name__}: {exc}"
            self.done.set()
