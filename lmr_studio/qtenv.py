"""Keep OpenCV's bundled Qt out of PySide6's way.

The non-headless OpenCV wheels (opencv-contrib-python, pulled in by mediapipe 0.10.21) set
``QT_QPA_PLATFORM_PLUGIN_PATH`` and ``QT_QPA_FONTDIR`` to ``cv2/qt/...`` when ``cv2`` is imported.
PySide6 would then load OpenCV's xcb plugin, built against another Qt. Call
:func:`use_pyside6_plugins` once before creating the QApplication (the GUI entry point does).
"""

from __future__ import annotations

import os

_CV2_VARIABLES = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")


def use_pyside6_plugins() -> None:
    """Import cv2 now (so its side effect happens first) and drop the Qt paths it set."""
    import cv2  # noqa: F401  (imported for its environment side effect)

    for name in _CV2_VARIABLES:
        value = os.environ.get(name, "")
        if "cv2" in value.replace("\\", "/").split("/"):
            del os.environ[name]
