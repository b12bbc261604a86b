"""User settings (QSettings in an INI file): window layout, recent files, preferences.

The file lives in ``$LMR_STUDIO_CONFIG_DIR`` when set (the tests set it), else in the
platform's user config folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from PySide6.QtCore import QSettings

MAX_RECENT = 8


def settings_path() -> Path:
    folder = os.environ.get("LMR_STUDIO_CONFIG_DIR") or platformdirs.user_config_dir("lmr-studio")
    return Path(folder) / "lmr-studio.ini"


def app_settings() -> QSettings:
    """The settings object of this user (a new handle each call; QSettings syncs them)."""
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(path), QSettings.Format.IniFormat)


def recent_files() -> list[str]:
    """Recently opened videos/results, newest first, only those that still exist."""
    value = app_settings().value("recent", []) or []
    items = [value] if isinstance(value, str) else list(value)
    return [p for p in items if Path(p).exists()]


def add_recent(path: str | os.PathLike) -> None:
    path = str(Path(path).resolve())
    items = [path] + [p for p in recent_files() if p != path]
    app_settings().setValue("recent", items[:MAX_RECENT])
