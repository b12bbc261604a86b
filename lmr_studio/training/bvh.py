"""Read Biovision Hierarchy (.bvh) motion capture: the skeleton, the channels, and joint positions.

Semantics (as in the format's common use, and our own exporter :mod:`lmr_studio.export.bvh`):

* a joint's rotation channels, in the order listed, are intrinsic Euler angles in degrees: listed
  ``Zrotation Yrotation Xrotation`` means the local rotation ``Rz @ Ry @ Rx`` (column vectors);
* a joint with position channels takes them as its translation from its parent (in the parent's
  frame) instead of its ``OFFSET`` (in practice only the root has them, and they are the root's
  position in the world); every other joint sits at its ``OFFSET``;
* ``End Site`` blocks are read and skipped; units are the file's own (LAFAN1: centimetres).
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np
from scipy.spatial.transform import Rotation

from lmr_studio.errors import LMRStudioError

HINT = "Give a text BVH file with a HIERARCHY block (ROOT, JOINT, OFFSET, CHANNELS) and a MOTION block."


@dataclasses.dataclass
class BvhMotion:
    """A parsed BVH: joint ``names`` (J,), ``parents`` (J,) (-1 for the root), ``offsets`` (J, 3),
    per joint its ``channels`` (names as in the file), ``values`` (F, C) all channel values per
    frame in file order, and the frame time ``frame_time`` in seconds."""

    names: list[str]
    parents: list[int]
    offsets: np.ndarray
    channels: list[list[str]]
    values: np.ndarray
    frame_time: float

    @property
    def fps(self) -> float:
        return 1.0 / self.frame_time

    def global_transforms(self) -> tuple[np.ndarray, np.ndarray]:
        """Forward kinematics: (positions (F, J, 3) in file units, rotations (F, J, 3, 3) joint-to-world)."""
        frames, joints = len(self.values), len(self.names)
        pos = np.zeros((frames, joints, 3))
        rot = np.zeros((frames, joints, 3, 3))
        column = 0
        for j, channels in enumerate(self.channels):
            block = self.values[:, column:column + len(channels)]
            column += len(channels)
            local_t = np.broadcast_to(self.offsets[j], (frames, 3)).copy()
            axes = "".join(c[0].upper() for c in channels if c.lower().endswith("rotation"))
            angles = block[:, [i for i, c in enumerate(channels) if c.lower().endswith("rotation")]]
            moved = [i for i, c in enumerate(channels) if c.lower().endswith("position")]
            if moved:
                local_t = np.zeros((frames, 3))
                for i in moved:
                    local_t[:, "xyz".index(channels[i][0].lower())] = block[:, i]
            local_r = Rotation.from_euler(axes, angles, degrees=True).as_matrix() if axes else np.broadcast_to(
                np.eye(3), (frames, 3, 3))
            p = self.parents[j]
            if p < 0:
                pos[:, j], rot[:, j] = local_t, local_r
            else:
                pos[:, j] = pos[:, p] + np.einsum("fij,fj->fi", rot[:, p], local_t)
                rot[:, j] = rot[:, p] @ local_r
        return pos, rot


def parse_bvh(text: str, source: str = "BVH") -> BvhMotion:
    """Parse the text of a BVH file; LMRStudioError naming ``source`` when it is malformed."""
    tokens = text.split()
    names: list[str] = []
    parents: list[int] = []
    offsets: list[list[float]] = []
    channels: list[list[str]] = []
    stack: list[int] = []
    i = 0

    def fail(what: str) -> LMRStudioError:
        return LMRStudioError(f"{source} is not a readable BVH file ({what}).", HINT)

    try:
        if tokens[0] != "HIERARCHY":
            raise fail("no HIERARCHY")
        i = 1
        in_end_site = False
        while tokens[i] != "MOTION":
            tok = tokens[i]
            if tok in ("ROOT", "JOINT"):
                names.append(tokens[i + 1])
                parents.append(stack[-1] if stack else -1)
                offsets.append([0.0, 0.0, 0.0])
                channels.append([])
                i += 2
            elif tok == "End":
                in_end_site = True
                i += 2
            elif tok == "{":
                stack.append(-2 if in_end_site else len(names) - 1)
                i += 1
            elif tok == "}":
                stack.pop()
                in_end_site = False
                i += 1
            elif tok == "OFFSET":
                values = [float(v) for v in tokens[i + 1:i + 4]]
                if not in_end_site:
                    offsets[-1] = values
                i += 4
            elif tok == "CHANNELS":
                count = int(tokens[i + 1])
                channels[-1] = tokens[i + 2:i + 2 + count]
                i += 2 + count
            else:
                raise fail(f"unexpected {tok!r} in the hierarchy")
        if not names or stack:
            raise fail("unbalanced hierarchy")
        if tokens[i + 1] != "Frames:" or tokens[i + 3:i + 5] != ["Frame", "Time:"]:
            raise fail("no Frames / Frame Time")
        frames, frame_time = int(tokens[i + 2]), float(tokens[i + 5])
        width = sum(len(c) for c in channels)
        numbers = np.asarray(tokens[i + 6:i + 6 + frames * width], dtype=np.float64)
    except LMRStudioError:
        raise
    except (IndexError, ValueError):
        raise fail("truncated or not numbers") from None
    if frames < 1 or len(numbers) != frames * width or not 0 < frame_time < 1 or not np.isfinite(numbers).all():
        raise fail(f"expected {frames} frames of {width} finite values at a plausible frame time")
    return BvhMotion(names, parents, np.asarray(offsets), channels, numbers.reshape(frames, width), frame_time)


def read_bvh(path: str | os.PathLike) -> BvhMotion:
    """:func:`parse_bvh` of a file; LMRStudioError when it is missing or unreadable."""
    try:
        with open(path, encoding="utf-8", errors="strict") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise LMRStudioError(f"{path} does not exist.", HINT) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LMRStudioError(f"{path} is not a readable BVH file ({exc.__class__.__name__}).", HINT) from None
    return parse_bvh(text, str(path))
