"""Where the body layer keeps its files: the user cache (Anny export) and app data (SMPL npz)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "lmr_studio"


def cache_dir() -> Path:
    """``$LMR_STUDIO_CACHE`` or the user cache dir (``~/.cache/lmr_studio`` on Linux), created."""
    path = Path(os.environ.get("LMR_STUDIO_CACHE") or platformdirs.user_cache_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """``$LMR_STUDIO_DATA_DIR`` or the user data dir (``~/.local/share/lmr_studio``), created."""
    path = Path(os.environ.get("LMR_STUDIO_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path
