"""The LMR Studio window (PySide6 + pyvista on VTK's Qt widget). The only package that imports Qt."""
