"""Exporters: one module per file format, all with the same call.

``EXPORTERS[name](result, body, path, *, frames, tracks, colours, video, progress, force)`` writes
``path`` atomically and returns it. ``frames`` is a half-open (start, stop) range of video frames
(None ends: the whole video), ``tracks`` a list of track ids (None: the main track), ``colours``
adds the per-part colours, ``video`` is the source video (mp4 only; default: the result's),
``progress(done, total)`` is called as work advances, and ``force`` allows overwriting.
Failures raise :class:`~lmr_studio.errors.ExportError` and leave no partial file.
"""

from __future__ import annotations

from collections.abc import Callable

from lmr_studio.export.bvh import export_bvh
from lmr_studio.export.csv import export_csv
from lmr_studio.export.glb import export_glb
from lmr_studio.export.meshes import export_obj, export_ply
from lmr_studio.export.mp4 import export_mp4
from lmr_studio.export.npz import export_npz
from lmr_studio.export.pkl import export_pkl

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

#: File name suffix of each format ("" for the folder formats, which write one file per frame).
SUFFIXES: dict[str, str] = {name: "" if name in ("obj", "ply") else f".{name}" for name in EXPORTERS}
#: Formats that need no body model.
BODYLESS_FORMATS = frozenset({"npz"})
