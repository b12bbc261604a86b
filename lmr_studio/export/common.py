"""What every exporter shares: choosing tracks and frames, evaluating meshes, safe output paths.

Positions in every 3D export (meshes, joints, skeletons) are in the camera frame of
:mod:`lmr_studio.geometry.camera` (metres, x right, y up, z towards the viewer): the body model's
output plus the track's full-image translation, so several people keep their places in the scene.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from lmr_studio.errors import ExportError
from lmr_studio.io.atomic import write_error
from lmr_studio.parts import PART_COLOURS
from lmr_studio.result import MotionResult, Track

#: ``progress(done, total)``; it may raise (an ExportError, say) to cancel the export.
ProgressFn = Callable[[int, int], None]

#: Frames evaluated by the body model in one batch.
MESH_CHUNK = 32


def parse_frame_range(text: str) -> tuple[int | None, int | None]:
    """``"A:B"`` (half-open, like a Python slice), ``"A:"``, ``":B"`` or ``"A"`` -> (start, stop)."""
    hint = "Write the range as START:STOP in video frames, e.g. 0:100 (STOP excluded), 50: or :200."
    try:
        if ":" not in text:
            start = int(text)
            return start, start + 1
        a, b = text.split(":")
        return (int(a) if a.strip() else None), (int(b) if b.strip() else None)
    except ValueError:
        raise ExportError(f"'{text}' is not a frame range.", hint) from None


def frame_span(result: MotionResult, frames: tuple[int | None, int | None] | None) -> tuple[int, int]:
    """The half-open span of video frames to export, clipped to the video; raises if empty."""
    start, stop = frames if frames is not None else (None, None)
    start = 0 if start is None else max(0, start)
    stop = result.num_frames if stop is None else min(result.num_frames, stop)
    if stop <= start:
        raise ExportError(f"The frame range {start}:{stop} is empty (the video has {result.num_frames} frames).",
                          "Choose START < STOP within the video.")
    return start, stop


def select_tracks(result: MotionResult, frames: tuple[int | None, int | None] | None,
                  tracks: Sequence[int] | None) -> dict[int, Track]:
    """The chosen tracks (None: the main track) cut to the frame range; raises if nothing is left."""
    if tracks is None:
        ids = [result.main_id]
    else:
        ids = list(tracks)
        unknown = [t for t in ids if t not in result.tracks]
        if unknown:
            raise ExportError(f"This result has no track {unknown[0]}.",
                              f"Tracks in this result: {', '.join(map(str, result.tracks)) or 'none'}.")
    start, stop = frame_span(result, frames)
    chosen = {}
    for tid in ids:
        track = result.tracks[tid]
        rows = (track.frame_ids >= start) & (track.frame_ids < stop)
        if rows.any():
            chosen[tid] = track.sliced(rows)
    if not chosen:
        raise ExportError(f"No recovered frames between {start} and {stop}.",
                          "Choose a frame range in which the person was found.")
    return chosen


def single_track(chosen: dict[int, Track], fmt: str) -> tuple[int, Track]:
    """The one track of a single-person format; raises when several were chosen."""
    if len(chosen) != 1:
        raise ExportError(f"The {fmt} format holds one person, but {len(chosen)} tracks were chosen.",
                          "Export one track at a time (--track ID), or use glb, pkl, csv, obj or ply.")
    return next(iter(chosen.items()))


def vertex_colours(body, colours: bool) -> np.ndarray | None:
    """(V, 3) uint8 sRGB part colour of every vertex, or None without colours."""
    return PART_COLOURS[np.asarray(body.vertex_parts)] if colours else None


def iter_meshes(body, track: Track, result: MotionResult, progress: ProgressFn | None = None,
                total: int | None = None, done: int = 0) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Yield (row, vertices (V, 3), joints (24, 3)) for every row of ``track``, camera frame, metres.

    Frames are evaluated in batches by ``body.mesh_sequence``; ``progress`` is told after each row,
    counting from ``done`` towards ``total`` (default: the track's length).
    """
    transl = track.translation(result.image_size, result.focal)
    total = len(track) if total is None else total
    for lo in range(0, len(track), MESH_CHUNK):
        hi = min(lo + MESH_CHUNK, len(track))
        verts, joints = body.mesh_sequence(track.poses[lo:hi], track.betas[lo:hi], transl[lo:hi])
        for k in range(hi - lo):
            yield lo + k, verts[k], joints[k]
            if progress is not None:
                progress(done + lo + k + 1, total)


def mesh_arrays(body, track: Track, result: MotionResult, progress: ProgressFn | None = None,
                total: int | None = None, done: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """All of :func:`iter_meshes` at once: vertices (F, V, 3) and joints (F, 24, 3) float32."""
    verts = np.empty((len(track), body.num_vertices, 3), np.float32)
    joints = np.empty((len(track), 24, 3), np.float32)
    for row, v, j in iter_meshes(body, track, result, progress, total, done):
        verts[row], joints[row] = v, j
    return verts, joints


def refuse_overwrite(path: str | os.PathLike, force: bool) -> Path:
    """``path`` as a Path; raises ExportError when it exists and ``force`` is not set."""
    path = Path(path)
    if path.exists() and not force:
        raise ExportError(f"{path} already exists.", "Choose another name or pass --force to overwrite.")
    return path


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike, *, force: bool = False) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``path``; on success it replaces ``path``.

    The folder counterpart of :func:`lmr_studio.io.atomic.atomic_path`: on any failure the
    temporary folder is removed and ``path`` is left as it was.
    """
    target = refuse_overwrite(path, force)
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} is a file, not a folder.", "Choose a folder name for per-frame meshes.")
    if not target.parent.is_dir():
        raise ExportError(f"The folder {target.parent} does not exist.", "Create it or choose another path.")
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.replace(target, old / target.name)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise write_error(target, exc) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
