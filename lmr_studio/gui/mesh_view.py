"""MeshView: a :class:`BodyScene` on pyvistaqt's ``QtInteractor``, with camera preset buttons.

pyvistaqt 0.12.0's ``QtInteractor`` is VTK's ``QVTKRenderWindowInteractor`` on a plain ``QWidget``
base: VTK renders into a native child window and the rest of the window paints with Qt's raster
engine. (From 0.13 on the widget is a ``QOpenGLWidget``; Qt then composites the whole window
through OpenGL on every repaint, which costs tens of milliseconds under Mesa software GL. That is
why pyproject pins pyvistaqt==0.12.0; docs/gui.md has the figures.)
"""

from __future__ import annotations

import numpy as np
import qtawesome as qta
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget
from pyvistaqt import QtInteractor

from lmr_studio.playback import PartVisibility
from lmr_studio.scene.body_scene import CAMERA_PRESETS, BodyScene
from lmr_studio.scene.people_scene import PeopleActors, pick_person

DEFERRED_RENDER_MS = 100
CLICK_SLOP_PX = 4           # a left press and release this close is a click (a pick), not a turn
_PRESET_ICONS = {"front": "fa5s.user", "side": "fa5s.street-view", "follow": "fa5s.crosshairs"}


class MeshView(QWidget):
    """The 3D viewport. :meth:`set_body` builds the scene once per body model;
    :meth:`show_vertices` updates it in place: the selected person part-coloured, the others in
    their person colours. ``ghost_toggled(bool)`` reports the ghost button, ``person_clicked(tid)``
    a click on a person."""

    ghost_toggled = Signal(bool)
    person_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # No multisampling: with Mesa software GL, 8x MSAA (pyvista's default) doubles the frame time.
        # No auto_update: the view renders when a frame changes, not on a 5 Hz timer.
        self.plotter = QtInteractor(self, multi_samples=0, auto_update=False)
        self.plotter.set_background("#1b1f24", top="#3b4250")
        self.scene: BodyScene | None = None
        self.people: PeopleActors | None = None
        self._faces_key: tuple[int, int] | None = None
        self.ghost_enabled = False

        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 2)
        bar.addWidget(QLabel("3D view"))
        bar.addStretch(1)
        self.preset_buttons: dict[str, QToolButton] = {}
        group = QButtonGroup(self)
        for name in CAMERA_PRESETS:
            b = QToolButton(self)
            b.setIcon(qta.icon(_PRESET_ICONS[name], color="#dddddd"))
            b.setText(name.capitalize())
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.setCheckable(True)
            b.setToolTip(f"Camera: {name}" + (" (re-centred on the person every frame)" if name == "follow" else ""))
            b.clicked.connect(lambda _=False, n=name: self.set_camera(n))
            group.addButton(b)
            bar.addWidget(b)
            self.preset_buttons[name] = b
        self.preset_buttons["front"].setChecked(True)
        self.ghost_button = QToolButton(self)
        self.ghost_button.setIcon(qta.icon("fa5s.ghost", color="#dddddd"))
        self.ghost_button.setText("Baseline ghost")
        self.ghost_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.ghost_button.setCheckable(True)
        self.ghost_button.setToolTip("Overlay the single-RNN baseline's mesh (grey) to compare with LMR")
        self.ghost_button.toggled.connect(self._on_ghost)
        bar.addWidget(self.ghost_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.plotter.interactor, 1)
        self.preset = "front"
        self._deferred = QTimer(self)
        self._deferred.setSingleShot(True)
        self._deferred.timeout.connect(lambda: (self._apply_pending(), self.draw()))
        self._pending: tuple | None = None         # (vertices, ghost, reframe, others) not yet in the scene
        self._press: tuple[int, int] | None = None
        self.plotter.iren.add_observer("LeftButtonPressEvent", self._on_press)
        self.plotter.iren.add_observer("LeftButtonReleaseEvent", self._after_mouse)    # left-drag turns the view

    def set_body(self, faces: np.ndarray, vertex_parts: np.ndarray, track_vertices: np.ndarray,
                 shown: np.ndarray) -> None:
        """(Re)build the scene for a body model (once per model), lay the ground under the
        selected person's (K, V, 3) ``track_vertices`` (frames spread over their path) and fit
        the view to the person at ``shown`` (V, 3): on open and on a person switch, the
        preset's view, even after a turn by hand."""
        key = (len(vertex_parts), len(faces))
        if self.scene is None or key != self._faces_key:
            self.scene = BodyScene(self.plotter, faces, vertex_parts)
            if self.people is not None:
                self.people.remove()
            self.people = PeopleActors(self.plotter, faces, len(vertex_parts))
            self._faces_key = key
        self.scene.set_ground(track_vertices)
        self.set_camera(self.preset, shown)

    def draw(self) -> None:
        """Schedule one repaint; the widget's paint renders the scene (a render() here would
        render it twice)."""
        self.plotter.interactor.update()

    def set_camera(self, preset: str, vertices: np.ndarray | None = None) -> None:
        """Use a camera preset, fitted to the (V, 3) ``vertices`` (default: the last shown); an
        unknown name (after a turn by hand, or a stale setting) means 'front'."""
        self.preset = preset if preset in self.preset_buttons else "front"
        self.preset_buttons[self.preset].setChecked(True)
        if self.scene is not None:
            self.scene.set_camera(self.preset, vertices)
            self.draw()

    def _on_press(self, *_args) -> None:
        self._press = self.plotter.iren.interactor.GetEventPosition()

    def _after_mouse(self, *_args) -> None:
        """A click (no drag) on a person picks them; a turn by hand leaves 'front'/'side': no
        preset button stays checked."""
        x, y = self.plotter.iren.interactor.GetEventPosition()
        if self._press is not None and max(abs(x - self._press[0]), abs(y - self._press[1])) <= CLICK_SLOP_PX:
            tid = self.pick(x, y)
            if tid is not None:
                self.person_clicked.emit(tid)
        if self.scene is not None and self.scene.turned_by_hand():
            self.preset = self.scene.camera_preset          # CUSTOM: seeks keep the turned view
            group = self.preset_buttons["front"].group()
            group.setExclusive(False)
            for button in self.preset_buttons.values():
                button.setChecked(False)
            group.setExclusive(True)

    def set_parts(self, state: PartVisibility) -> None:
        if self.scene is not None:
            self.scene.set_parts(state)
            self.draw()

    def pick(self, x: int, y: int) -> int | None:
        """The person (track id) shown under the display point (x, y) (VTK pixels, origin bottom
        left): one of the others, else None."""
        if self.people is None:
            return None
        return pick_person(self.plotter, self.people.shown, x, y)

    def show_vertices(self, vertices: np.ndarray | None, ghost: np.ndarray | None, reframe: bool = False,
                      defer: bool = False, others: dict[int, np.ndarray] | None = None) -> None:
        """Show one frame's (V, 3) vertices of the selected person (None: not here) and of
        ``others`` (track id -> (V, 3)), bring the selected one into view with
        ``reframe`` (after a seek), and render now, while the video pane's overlay composes on its
        own thread (a hidden view repaints when shown). With ``defer`` (a slider drag) render at
        most every ``DEFERRED_RENDER_MS``, the last frame always: the video pane keeps up with the
        hand while the 3D view, a software-GL render, follows a few times a second."""
        if self.scene is None:
            return
        self._pending = (vertices, ghost, reframe, others or {})
        if defer:                                  # the mesh update (normals) waits for the render too
            if not self._deferred.isActive():
                self._deferred.start(DEFERRED_RENDER_MS)
            return
        self._deferred.stop()
        self._apply_pending()
        if self.plotter.interactor.isVisible():
            self.plotter.render()
        else:
            self.draw()

    def _apply_pending(self) -> None:
        if self._pending is None or self.scene is None:
            return
        vertices, ghost, reframe, others = self._pending
        self._pending = None
        self.scene.set_frame(vertices, ghost if self.ghost_enabled else None)
        self.people.set_frame(others)
        if reframe and vertices is not None:
            self.scene.frame_person(vertices)

    def _on_ghost(self, on: bool) -> None:
        self.ghost_enabled = on
        self.ghost_toggled.emit(on)

    def close_plotter(self) -> None:
        self.plotter.close()
