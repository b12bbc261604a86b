"""The LMR Studio window (PySide6 + pyvistaqt). The only package that imports Qt."""
