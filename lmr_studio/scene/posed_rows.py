"""Meshes posed on demand, in memory bounded whatever the clip's length.

A track's rows are posed in chunks of ``CHUNK_ROWS`` by one batched ``body.mesh_sequence`` call
(about 3 ms a row for Anny on a CPU, against 22 ms for a row alone), and the chunks are kept in a
least-recently-used cache bounded in bytes and shared by every track of a result. While a chunk is
used, the next one is posed on a background thread, so playback does not stall at chunk edges; a
row read out of sequence (a seek, a scrub) is posed alone. A result whose every row fits the cache
is posed whole when it is opened (:meth:`PosedRows.warm`), as before this module: short clips
play without posing, long ones stay within the bound.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

CHUNK_ROWS = 32
# Six people and the main person's ghost, each with its chunk and the prefetched next, at 32 rows
# of Anny (13,718 vertices: 5.3 MB a chunk), fit under this bound with room for a scrub back.
CACHE_BYTES = 192 * 2**20
GROUND_SAMPLE_ROWS = 64
# A read at most this many rows after the previous one is playback (which drops frames to keep
# time when drawing is slow), and poses the chunk; farther, or backwards, a seek: the row alone.
PLAYBACK_STEP_ROWS = 4


class ChunkCache:
    """Arrays by key, least recently used first out, never holding more than ``max_bytes`` bytes
    (an array larger than the bound is returned but not kept). Safe across threads."""

    def __init__(self, max_bytes: int = CACHE_BYTES):
        self.max_bytes = max_bytes
        self.nbytes = 0
        self._items: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._pending: dict[Hashable, Future] = {}
        self._lock = threading.Lock()
        self._compute_lock = threading.Lock()       # one body call at a time: no model is assumed re-entrant
        self._prefetcher: ThreadPoolExecutor | None = None

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def peek(self, key: Hashable) -> np.ndarray | None:
        """The array under ``key`` when cached (now the most recently used), else None."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def get(self, key: Hashable, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """The array under ``key``, computed by ``compute`` (or awaited from a prefetch) when absent."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            pending = self._pending.get(key)
        if pending is not None:
            return pending.result()
        return self._put(key, self._compute(compute))

    def prefetch(self, key: Hashable, compute: Callable[[], np.ndarray]) -> None:
        """Compute ``key`` on a background thread unless it is cached or under way."""
        with self._lock:
            if key in self._items or key in self._pending:
                return
            if self._prefetcher is None:
                self._prefetcher = ThreadPoolExecutor(1, thread_name_prefix="pose-prefetch")
            self._pending[key] = self._prefetcher.submit(self._compute_pending, key, compute)

    def _compute_pending(self, key: Hashable, compute: Callable[[], np.ndarray]) -> np.ndarray:
        try:
            return self._put(key, self._compute(compute))
        finally:
            with self._lock:
                self._pending.pop(key, None)

    def _compute(self, compute: Callable[[], np.ndarray]) -> np.ndarray:
        with self._compute_lock:
            return compute()

    def _put(self, key: Hashable, value: np.ndarray) -> np.ndarray:
        value.setflags(write=False)
        if value.nbytes > self.max_bytes:
            return value
        with self._lock:
            if key in self._items:
                return self._items[key]
            while self._items and self.nbytes + value.nbytes > self.max_bytes:
                self.nbytes -= self._items.popitem(last=False)[1].nbytes
            self._items[key] = value
            self.nbytes += value.nbytes
        return value


class PosedRows:
    """The (F, V, 3) float32 vertices, metres in the camera frame, of ``body`` posed by ``poses``
    (F, 24, 3) with ``betas`` (F, 10) at ``transl`` (F, 3); ``rows[i]`` poses row i (or its chunk) on
    first use and keeps it in ``cache``."""

    def __init__(self, body, poses: np.ndarray, betas: np.ndarray, transl: np.ndarray, cache: ChunkCache,
                 chunk_rows: int = CHUNK_ROWS):
        self.body, self.cache, self.chunk_rows = body, cache, chunk_rows
        self.poses, self.betas, self.transl = np.asarray(poses), np.asarray(betas), np.asarray(transl)
        self._last_row: int | None = None

    def __len__(self) -> int:
        return len(self.poses)

    def __getitem__(self, row: int) -> np.ndarray:
        """(V, 3) read-only vertices of ``row``. Its chunk when cached, or when reading on from a
        row just before (playback: one batched call, then the next chunk prefetched); a row read
        out of sequence (a seek, a scrub) is posed alone, at about a quarter of its chunk's cost."""
        if not 0 <= row < len(self):
            raise IndexError(f"row {row} outside 0..{len(self) - 1}")
        chunk, offset = divmod(int(row), self.chunk_rows)
        sequential = self._last_row is not None and 0 < row - self._last_row <= PLAYBACK_STEP_ROWS
        self._last_row = int(row)
        vertices = self.cache.peek((self, chunk))
        if vertices is None and not sequential:
            return self.cache.get((self, "row", int(row)), lambda: self._pose_rows(np.array([row]))[0])
        if vertices is None:
            vertices = self.cache.get((self, chunk), lambda: self._pose(chunk))
        if (chunk + 1) * self.chunk_rows < len(self):
            self.cache.prefetch((self, chunk + 1), lambda: self._pose(chunk + 1))
        return vertices[offset]

    def nbytes(self, vertex_count: int) -> int:
        """Bytes of all rows posed, for a body of ``vertex_count`` vertices."""
        return len(self) * vertex_count * 3 * np.dtype(np.float32).itemsize

    def warm(self) -> None:
        """Pose every chunk into the cache now (when opening a result that fits the cache, so
        playback and seeks never wait for the body model)."""
        for chunk in range(-(-len(self) // self.chunk_rows)):
            self.cache.get((self, chunk), lambda c=chunk: self._pose(c))

    def sample(self, count: int = GROUND_SAMPLE_ROWS) -> np.ndarray:
        """(K, V, 3) vertices of up to ``count`` evenly spaced rows (first and last included), posed
        in one call and not cached: enough to place a ground under the whole path."""
        rows = np.unique(np.linspace(0, len(self) - 1, min(count, len(self))).round().astype(int))
        return self._pose_rows(rows)

    def _pose(self, chunk: int) -> np.ndarray:
        return self._pose_rows(np.arange(chunk * self.chunk_rows, min((chunk + 1) * self.chunk_rows, len(self))))

    def _pose_rows(self, rows: np.ndarray) -> np.ndarray:
        vertices, _ = self.body.mesh_sequence(self.poses[rows], self.betas[rows], self.transl[rows])
        return np.asarray(vertices, np.float32)
