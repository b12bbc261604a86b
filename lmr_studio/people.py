"""The people of a result, for views that show several at once (pure data, no Qt).

Every person lives in one camera space: a track's ``transl`` (from its weak-perspective camera,
:func:`lmr_studio.geometry.camera.weak_to_full_translation`) places its body-frame joints where
the person stands in front of the camera, so people side by side in the video stand side by side
in 3D, and a smaller person in the image stands farther away.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from lmr_studio.result import MotionResult

#: Person colours, sRGB 0..255, chosen apart from the part colours (lmr_studio.parts) and from
#: each other; person ``tid`` gets ``PERSON_COLOURS[tid % len(PERSON_COLOURS)]``.
PERSON_COLOURS: np.ndarray = np.array(
    [
        (76, 175, 80),    # green
        (156, 39, 176),   # purple
        (0, 150, 136),    # teal
        (236, 64, 122),   # pink
        (121, 85, 72),    # brown
        (63, 81, 181),    # indigo
        (0, 229, 255),    # cyan
        (139, 195, 74),   # light green
        (96, 125, 139),   # blue grey
        (128, 0, 32),     # maroon
    ],
    dtype=np.uint8,
)


def person_colour(tid: int) -> tuple[int, int, int]:
    """The (r, g, b) colour of person ``tid``."""
    r, g, b = (int(c) for c in PERSON_COLOURS[int(tid) % len(PERSON_COLOURS)])
    return r, g, b


def person_colour_hex(tid: int) -> str:
    """'#rrggbb' of person ``tid``."""
    return "#{:02x}{:02x}{:02x}".format(*person_colour(tid))


@dataclasses.dataclass(frozen=True)
class PersonAtFrame:
    """One person seen in one frame: ``row`` of their track, ``joints`` (24, 3) metres in the shared
    camera space (body joints + translation), ``box`` (x0, y0, x1, y1) pixels."""

    tid: int
    row: int
    joints: np.ndarray
    box: np.ndarray


def people_at(result: MotionResult, frame: int) -> list[PersonAtFrame]:
    """Everyone with a result at video ``frame``, by track id."""
    out = []
    for tid, track in sorted(result.tracks.items()):
        row = track.row_of_frame(frame)
        if row is None:
            continue
        transl = np.zeros(3, np.float32) if track.transl is None else track.transl[row]
        out.append(PersonAtFrame(tid, row, track.joints3d[row] + transl, track.bboxes[row]))
    return out


def person_summary(result: MotionResult, tid: int) -> str:
    """A one-line description of person ``tid`` for a list: frames and time span."""
    track = result.tracks[tid]
    first, last = int(track.frame_ids[0]), int(track.frame_ids[-1])
    fps = result.fps or 25.0
    return f"person {tid}: {len(track)} frames, {first / fps:.1f}-{last / fps:.1f} s"
