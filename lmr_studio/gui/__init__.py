"""The LMR Studio window (PySide6 + pyvista on pyvistaqt's Qt widget). The only package that imports Qt.

qtawesome and pyvistaqt reach Qt through qtpy, which would otherwise take the first binding it
finds; one process must not mix two, so qtpy is told to use PySide6 before any of them loads.
"""

import os

os.environ["QT_API"] = "pyside6"
