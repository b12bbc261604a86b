"""NativeInteractor: a pyvista plotter inside VTK's own QWidget-based Qt interactor.

pyvistaqt's ``QtInteractor`` is a ``QOpenGLWidget``: Qt then composites the whole window through
OpenGL on every repaint, which under software GL (Mesa llvmpipe) costs tens of milliseconds even
when only a label changes. VTK's ``QVTKRenderWindowInteractor`` (QWidget base) renders into a
native child window instead, so the rest of the window paints with Qt's raster engine.
"""

from __future__ import annotations

import contextlib

import vtkmodules.qt

vtkmodules.qt.PyQtImpl = "PySide6"      # before the import below: VTK would otherwise probe PyQt5 first
vtkmodules.qt.QVTKRWIBase = "QWidget"

from pyvista.plotting import BasePlotter  # noqa: E402
from pyvista.plotting.render_window_interactor import RenderWindowInteractor  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402
from vtkmodules.qt.QVTKRenderWindowInteractor import QVTKRenderWindowInteractor  # noqa: E402


@contextlib.contextmanager
def _no_base_plotter_init():
    """PySide6 continues the cooperative ``__init__`` chain past QWidget into BasePlotter with no
    arguments; skip that call, the explicit one follows."""
    original = BasePlotter.__init__
    BasePlotter.__init__ = lambda self, *a, **k: None
    try:
        yield
    finally:
        BasePlotter.__init__ = original


class NativeInteractor(QVTKRenderWindowInteractor, BasePlotter):
    """A pyvista plotter (``add_mesh``, ``camera``, ``render``, ``screenshot``…) drawn by a
    native-window Qt widget; ``self.interactor`` is the widget to put in a layout."""

    def __init__(self, parent: QWidget | None = None, multi_samples: int = 0) -> None:
        with _no_base_plotter_init():
            QVTKRenderWindowInteractor.__init__(self, parent)
        BasePlotter.__init__(self)
        self.interactor = self
        self.ren_win = self.GetRenderWindow()
        self.ren_win.SetMultiSamples(multi_samples)
        for renderer in self.renderers:
            renderer.view_isometric()
            self.ren_win.AddRenderer(renderer)
        self._off_screen = False
        self.iren = RenderWindowInteractor(self, interactor=self.ren_win.GetInteractor())
        self.iren.interactor.RemoveObservers("MouseMoveEvent")
        self.iren.initialize()
        self.enable_trackball_style()
        self._closed = False
        self._first_time = False   # lets BasePlotter.render() render

    def render(self) -> None:
        """Render now (a closed plotter does nothing)."""
        if not self._closed:
            BasePlotter.render(self)

    def close(self) -> None:
        """Release the render window and the widget."""
        if self._closed:
            return
        self._closed = True
        BasePlotter.close(self)
        self.Finalize()
        QVTKRenderWindowInteractor.close(self)
