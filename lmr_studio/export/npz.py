"""``npz``: SMPL-style parameters with AMASS-like keys, for research code that reads AMASS files.

Keys: ``poses`` (F, 72) axis-angle, radians, SMPL joint order (the first three are the global
orientation in the camera frame); ``betas`` (10,) the track's mean shape and ``betas_per_frame``
(F, 10); ``trans`` (F, 3) metres; ``mocap_framerate`` (the video's fps); ``gender`` ("neutral");
``cam`` (F, 3) weak-perspective (s, tx, ty) in the person box; ``frame_ids`` (F,) video frames;
``body_model`` ("anny" or "smpl"). No body model is needed to write it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lmr_studio.export.common import ProgressFn, select_tracks, single_track
from lmr_studio.io.atomic import atomic_path
from lmr_studio.result import MotionResult


def export_npz(result: MotionResult, body, path: str | os.PathLike, *, frames=None,
               tracks: Sequence[int] | None = None, colours: bool = True, video=None,
               progress: ProgressFn | None = None, force: bool = False) -> Path:
    """Write one track's parameters to ``path`` (.npz); ``body``, ``colours`` and ``video`` are unused."""
    _, track = single_track(select_tracks(result, frames, tracks), "npz")
    arrays = {
        "poses": track.poses.reshape(len(track), 72).astype(np.float32),
        "betas": track.betas.mean(0).astype(np.float32),
        "betas_per_frame": track.betas.astype(np.float32),
        "trans": track.translation(result.image_size, result.focal),
        "mocap_framerate": np.float64(result.fps),
        "gender": np.str_("neutral"),
        "cam": track.cam.astype(np.float32),
        "frame_ids": track.frame_ids.astype(np.int64),
        "body_model": np.str_(result.body_model),
    }
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with atomic_path(path, overwrite=force) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(buffer.getbuffer())
    if progress is not None:
        progress(1, 1)
    return Path(path)
