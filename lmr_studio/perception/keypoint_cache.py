"""Keypoint tracks cached per video, keyed by the file's content hash, in the user cache dir."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from lmr_studio.body.paths import cache_dir
from lmr_studio.io.atomic import atomic_path
from lmr_studio.perception.tracking import KeypointTrack

#: Bump when the tracker changes what it finds, so old cached keypoints are not reused.
TRACKER_VERSION = 7


def content_hash(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def cache_file(video_path: str | os.PathLike, all_tracks: bool, folder: str | os.PathLike | None = None) -> Path:
    """The cache file for one video's keypoints in one tracking mode, in ``folder`` (default:
    ``<user cache>/keypoints``)."""
    mode = "all" if all_tracks else "main"
    folder = Path(folder) if folder is not None else cache_dir() / "keypoints"
    return folder / f"{content_hash(video_path)}-v{TRACKER_VERSION}-{mode}.npz"


def save_tracks(path: Path, tracks: dict[int, KeypointTrack]) -> None:
    """Write tracks atomically (``t{id}/frame_ids``, ``t{id}/keypoints``, ``t{id}/world`` when known)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for tid, t in tracks.items():
        arrays[f"t{tid}/frame_ids"] = t.frame_ids
        arrays[f"t{tid}/keypoints"] = t.keypoints
        if t.world is not None:
            arrays[f"t{tid}/world"] = t.world
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)


def load_tracks(path: Path) -> dict[int, KeypointTrack] | None:
    """Tracks from a cache file, or None when it is missing or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as data:
            ids = sorted({int(k.split("/")[0][1:]) for k in data.files})
            return {tid: KeypointTrack(data[f"t{tid}/frame_ids"], data[f"t{tid}/keypoints"],
                                       data[f"t{tid}/world"] if f"t{tid}/world" in data.files else None)
                    for tid in ids}
    except (OSError, ValueError, KeyError):
        return None
