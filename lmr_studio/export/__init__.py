"""Exporters: one module per file format, all with the same call.

``EXPORTERS[name](result, body, path, *, frames, tracks, colours, video, progress, force)`` writes
``path`` atomically and returns it. ``frames`` is a half-open (start, stop) range of video frames
(None ends: the whole video), ``tracks`` a list of track ids (None: the main track), ``colours``
adds the per-part colours, ``video`` is the source video (mp4 only; default: the result's),
``progress(done, total)`` is called as work advances, and ``force`` allows overwriting.
Failures raise :class:`~lmr_studio.errors.ExportError` and leave no partial file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from lmr_studio.errors import ExportError
from lmr_studio.export.bvh import export_bvh
from lmr_studio.export.csv import export_csv
from lmr_studio.export.glb import export_glb
from lmr_studio.export.meshes import export_obj, export_ply
from lmr_studio.export.mp4 import export_mp4
from lmr_studio.export.npz import export_npz
from lmr_studio.export.pkl import export_pkl
from lmr_studio.result import MotionResult

EXPORTERS: dict[str, Callable] = {
    "npz": export_npz,
    "pkl": export_pkl,
    "obj": export_obj,
    "ply": export_ply,
    "glb": export_glb,
    "bvh": export_bvh,
    "mp4": export_mp4,
    "csv": export_csv,
}

#: One-line descriptions, for the CLI help and the export dialog.
DESCRIPTIONS: dict[str, str] = {
    "npz": "SMPL parameters, AMASS-style keys (.npz)",
    "pkl": "VIBE-compatible output dict (.pkl)",
    "obj": "Meshes, one OBJ per frame (folder)",
    "ply": "Meshes with part colours, one PLY per frame (folder)",
    "glb": "Animated, skinned glTF 2.0 (.glb)",
    "bvh": "Skeleton animation (.bvh)",
    "mp4": "Annotated video (.mp4)",
    "csv": "3D joint positions (.csv)",
}

#: Formats that write a folder of per-frame files.
FOLDER_FORMATS = frozenset({"obj", "ply"})
#: File name suffix of each format ("" for the folder formats).
SUFFIXES: dict[str, str] = {name: "" if name in FOLDER_FORMATS else f".{name}" for name in EXPORTERS}
#: Formats that need no body model.
BODYLESS_FORMATS = frozenset({"npz"})
#: Formats whose ``colours`` option changes the file (per-vertex or painted part colours).
COLOUR_FORMATS = frozenset({"obj", "ply", "glb", "mp4"})
#: Formats that hold one person (``tracks`` must name one track).
SINGLE_PERSON_FORMATS = frozenset({"npz", "bvh"})


def format_for_path(path: str | os.PathLike) -> str:
    """The format a file name asks for by its suffix (``out.glb`` -> ``glb``); raises if none."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in EXPORTERS or suffix in FOLDER_FORMATS:
        raise ExportError(f"Cannot tell the export format from {Path(path).name}.",
                          f"Pass --format, one of: {', '.join(EXPORTERS)}.")
    return suffix


def export_result(result: MotionResult, fmt: str, path: str | os.PathLike, *, body=None,
                  smpl_path: str | os.PathLike | None = None, keypoints: bool = False, **options) -> Path:
    """Export ``result`` as ``fmt`` to ``path``: the one entry point of the CLI and the GUI.

    ``body`` is loaded when the format needs one and none is given: SMPL from ``smpl_path`` when
    set, else the result's own body model. ``keypoints`` draws BlazePose keypoints (mp4 only);
    ``options`` are the exporters' keywords (frames, tracks, colours, video, progress, force).
    """
    if fmt not in EXPORTERS:
        raise ExportError(f"Unknown export format {fmt!r}.", f"Choose one of: {', '.join(EXPORTERS)}.")
    if body is None and fmt not in BODYLESS_FORMATS:
        from lmr_studio.body import load_body_model  # here: npz needs no body model (nor anny/warp)

        body = load_body_model("smpl" if smpl_path else result.body_model, smpl_path=smpl_path)
    if fmt == "mp4":
        options["keypoints"] = keypoints
    return EXPORTERS[fmt](result, body, path, **options)
