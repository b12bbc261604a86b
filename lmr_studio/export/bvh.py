"""``bvh``: the 24-joint SMPL skeleton animation (Biovision Hierarchy), for Blender, MotionBuilder
and mocap tools.

* Joints are the SMPL joints by name; bone offsets come from the body model for the track's mean
  shape; units are metres (import into Blender at scale 1); y up, z towards the camera.
* The root (``pelvis``) has ``OFFSET 0 0 0`` and six channels ``Xposition Yposition Zposition
  Zrotation Yrotation Xrotation``: its position channels hold the pelvis position in the camera
  frame (root translation included). Every other joint has ``Zrotation Yrotation Xrotation``.
* Rotations are ZYX Euler angles in degrees, applied in the listed order as intrinsic rotations:
  the local rotation is ``Rz(z) @ Ry(y) @ Rx(x)`` (column vectors), relative to the rest pose in
  which all local rotations are identity (SMPL's T-pose).
* Leaf joints (feet, head, hands) end in an ``End Site`` half their bone's length further on.
* One motion line per video frame from the track's first to last frame at the video's fps; frames
  where the person was not found repeat the previous frame.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from lmr_studio.export.common import ProgressFn, select_tracks, single_track
from lmr_studio.export.skeleton import Skeleton, track_skeleton
from lmr_studio.io.atomic import atomic_path
from lmr_studio.parts import JOINT_NAMES, PARENTS
from lmr_studio.result import MotionResult

CHILDREN: tuple[tuple[int, ...], ...] = tuple(
    tuple(c for c, p in enumerate(PARENTS) if p == j) for j in range(len(PARENTS)))


def _depth_first(joint: int = 0) -> tuple[int, ...]:
    return (joint, *(j for c in CHILDREN[joint] for j in _depth_first(c)))


#: Joints in the order their channels appear on a motion line (the hierarchy's order).
CHANNEL_ORDER: tuple[int, ...] = _depth_first()


def _fmt(v) -> str:
    return " ".join(f"{x:.6f}" for x in v)


def write_hierarchy(out: io.TextIOBase, offsets: np.ndarray, joint: int = 0, depth: int = 0) -> None:
    """Write the HIERARCHY block of ``joint`` and its descendants; offsets (24, 3) metres."""
    pad = "  " * depth
    if joint == 0:
        out.write(f"ROOT {JOINT_NAMES[0]}\n{{\n  OFFSET 0 0 0\n"
                  "  CHANNELS 6 Xposition Yposition Zposition Zrotation Yrotation Xrotation\n")
    else:
        out.write(f"{pad}JOINT {JOINT_NAMES[joint]}\n{pad}{{\n{pad}  OFFSET {_fmt(offsets[joint])}\n"
                  f"{pad}  CHANNELS 3 Zrotation Yrotation Xrotation\n")
    for child in CHILDREN[joint]:
        write_hierarchy(out, offsets, child, depth + 1)
    if not CHILDREN[joint]:
        out.write(f"{pad}  End Site\n{pad}  {{\n{pad}    OFFSET {_fmt(offsets[joint] * 0.5)}\n{pad}  }}\n")
    out.write(f"{pad}}}\n")


def motion_rows(skeleton: Skeleton, frame_ids: np.ndarray) -> np.ndarray:
    """(N, 3 + 72) channel values for every frame from the first to the last of ``frame_ids``."""
    frames = np.arange(frame_ids[0], frame_ids[-1] + 1)
    rows = np.searchsorted(frame_ids, frames, side="right") - 1       # last known row at or before
    euler = Rotation.from_matrix(skeleton.rotations.reshape(-1, 3, 3)).as_euler("ZYX", degrees=True)
    euler = euler.reshape(len(frame_ids), -1, 3)[:, list(CHANNEL_ORDER)]
    channels = np.concatenate([skeleton.root_positions, euler.reshape(len(frame_ids), -1)], 1)
    return channels[rows]


def export_bvh(result: MotionResult, body, path: str | os.PathLike, *, frames=None,
               tracks: Sequence[int] | None = None, colours: bool = True, video=None,
               progress: ProgressFn | None = None, force: bool = False) -> Path:
    """Write one track's skeleton animation to ``path`` (.bvh); ``colours``/``video`` unused."""
    _, track = single_track(select_tracks(result, frames, tracks), "bvh")
    skeleton = track_skeleton(body, track, result)
    rows = motion_rows(skeleton, track.frame_ids)
    with atomic_path(path, overwrite=force) as tmp:
        with open(tmp, "w") as fh:
            fh.write("HIERARCHY\n")
            write_hierarchy(fh, skeleton.offsets)
            fh.write(f"MOTION\nFrames: {len(rows)}\nFrame Time: {1.0 / result.fps:.8f}\n")
            for i, row in enumerate(rows):
                fh.write(_fmt(row) + "\n")
                if progress is not None:
                    progress(i + 1, len(rows))
    return Path(path)
