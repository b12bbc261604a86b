"""VideoSource: frame count, fps, size, random access to frame N and in-order decoding."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from lmr_studio.errors import BadVideoError
from lmr_studio.video.cache import FrameCache

DEFAULT_FPS = 30.0
CACHE_BYTES = 256 * 2**20  # the frame cache never holds more than this
_HINT = "Choose a video file that FFmpeg can play (for example .mp4, .avi, .mov, .mkv)."


class VideoSource:
    """A video file opened with OpenCV (FFmpeg backend).

    ``read(i)`` returns frame ``i`` as (H, W, 3) uint8 RGB (read-only array); reading the frame
    after the last one read decodes on, anything else seeks. Iterating yields every frame in
    order. ``num_frames`` counts the frames that actually decode: a truncated file reports fewer
    frames than its header claims. Raises :class:`BadVideoError` for a missing, unreadable or
    empty file. Thread-safe; use as a context manager or call :meth:`close`.
    """

    def __init__(self, path: str | os.PathLike, cache_size: int = 32) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise BadVideoError(f"{self.path} does not exist.", _HINT)
        if not self.path.is_file():
            raise BadVideoError(f"{self.path} is a folder, not a video file.", _HINT)
        self._lock = threading.Lock()
        self._cache = FrameCache(cache_size)
        self._cap = cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG)
        self._next = 0  # index of the frame the capture decodes next
        if not self._cap.isOpened():
            self._cap.release()
            raise BadVideoError(f"{self.path.name} is not a video that can be read.", _HINT)
        first = self._decode()
        if first is None:
            self._cap.release()
            raise BadVideoError(f"{self.path.name} contains no readable frames.", _HINT)
        self._cache.capacity = min(cache_size, max(2, CACHE_BYTES // first.nbytes))
        self._cache.put(0, first)
        self.size: tuple[int, int] = (first.shape[1], first.shape[0])
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps: float = float(fps) if np.isfinite(fps) and 0 < fps < 1000 else DEFAULT_FPS
        self.num_frames: int = self._count_frames(int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT)))

    def _decode(self) -> np.ndarray | None:
        ok, bgr = self._cap.read()
        if not ok or bgr is None:
            return None
        self._next += 1
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def _seek(self, index: int) -> None:
        if index != self._next:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
            self._next = index

    def _count_frames(self, claimed: int) -> int:
        """The header's frame count when its last frame decodes, else the frames that decode."""
        if claimed > 1:
            self._seek(claimed - 1)
            last = self._decode()
            if last is not None:
                self._cache.put(claimed - 1, last)
                return claimed
        self._seek(0)
        count = 0
        while self._cap.grab():
            count += 1
        self._next = count
        return max(count, 1)

    def read(self, index: int) -> np.ndarray:
        """Frame ``index`` (0-based) as (H, W, 3) uint8 RGB, read-only."""
        return self._read(index, cache=True)

    def _read(self, index: int, cache: bool) -> np.ndarray:
        index = int(index)
        if not 0 <= index < self.num_frames:
            raise IndexError(f"frame {index} is outside 0..{self.num_frames - 1}")
        with self._lock:
            frame = self._cache.get(index)
            if frame is not None:
                return frame
            if self._cap is None:
                raise BadVideoError(f"{self.path.name} is closed.", "Open the video again.")
            self._seek(index)
            frame = self._decode()
            if frame is None:
                self._next = -1  # position unknown after a failed decode: seek next time
                raise BadVideoError(f"Frame {index} of {self.path.name} could not be decoded.",
                                    "The file may be damaged; try re-encoding it (e.g. with ffmpeg).")
            if cache:
                return self._cache.put(index, frame)
            frame.setflags(write=False)
            return frame

    def __iter__(self) -> Iterator[np.ndarray]:
        """Every frame in order, decoded sequentially (not stored in the cache)."""
        for i in range(self.num_frames):
            yield self._read(i, cache=False)

    def __len__(self) -> int:
        return self.num_frames

    def close(self) -> None:
        with self._lock:
            if self._cap is not None:
                self._cap.release()
                self._cap = None
            self._cache.clear()

    def __enter__(self) -> "VideoSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"VideoSource({str(self.path)!r}, {self.size[0]}x{self.size[1]}, {self.num_frames} frames @ {self.fps:g} fps)"
