"""PySide6 must use its own Qt plugins even though the OpenCV wheel points Qt at cv2/qt."""

import os
import subprocess
import sys

SCRIPT = """
import os
from lmr_studio.qtenv import use_pyside6_plugins
use_pyside6_plugins()
from PySide6.QtCore import QLibraryInfo
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel("hello"); label.show(); app.processEvents()
print("PLUGIN_ENV=" + os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH", ""))
print("PLUGINS=" + QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
print("PLATFORM=" + app.platformName())
"""


def test_cv2_qt_paths_are_dropped_before_qt_starts():
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM_PLUGIN_PATH", None)
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)
    assert lines["PLUGIN_ENV"] == ""
    assert "PySide6" in lines["PLUGINS"]
    assert lines["PLATFORM"] == os.environ.get("QT_QPA_PLATFORM", "xcb")
