"""``csv``: 3D joint positions, one row per frame, track and joint.

Columns: ``frame`` (video frame index), ``time_s`` (frame / fps), ``track``, ``joint`` (SMPL joint
name), ``x``, ``y``, ``z`` (metres, camera frame: x right, y up, z towards the viewer).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

from lmr_studio.export.common import ProgressFn, iter_meshes, select_tracks
from lmr_studio.io.atomic import atomic_path
from lmr_studio.parts import JOINT_NAMES
from lmr_studio.result import MotionResult

HEADER = ("frame", "time_s", "track", "joint", "x", "y", "z")


def export_csv(result: MotionResult, body, path: str | os.PathLike, *, frames=None,
               tracks: Sequence[int] | None = None, colours: bool = True, video=None,
               progress: ProgressFn | None = None, force: bool = False) -> Path:
    """Write joint positions of the chosen tracks to ``path`` (.csv); ``colours``/``video`` unused."""
    chosen = select_tracks(result, frames, tracks)
    total = sum(len(t) for t in chosen.values())
    with atomic_path(path, overwrite=force) as tmp:
        with open(tmp, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            done = 0
            for tid, track in chosen.items():
                for row, _, joints in iter_meshes(body, track, result, progress, total, done):
                    frame = int(track.frame_ids[row])
                    time_s = f"{frame / result.fps:.6f}"
                    writer.writerows((frame, time_s, tid, name, *(f"{c:.6f}" for c in joints[j]))
                                     for j, name in enumerate(JOINT_NAMES))
                done += len(track)
    return Path(path)
