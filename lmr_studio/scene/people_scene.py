"""The other people in the 3D view: one solid mesh per person, in the person's colour.

The selected person stays :class:`~lmr_studio.scene.body_scene.BodyScene`'s part-coloured body
(the parts panel and the plots speak of their parts); everyone else is drawn in their person
colour (:func:`lmr_studio.people.person_colour`), the colour of their chip in the people list
and of their box on the video, so a person is found by colour in both views. Every person has
one actor, created the first time they are shown and updated in place after that (never re-added
per frame). Coordinates: the shared camera frame (metres), each person at their own translation.
"""

from __future__ import annotations

import numpy as np
import pyvista as pv

from lmr_studio.people import person_colour
from lmr_studio.scene.framing import box_centre

PICK_MARGIN_PX = 8.0        # a click this close (screen pixels) outside a person's projected box picks them


class PeopleActors:
    """Solid-coloured meshes of people other than the selected one, on a pyvista ``plotter``.

    faces: (T, 3) int triangles shared by every person (one body model per session).
    """

    def __init__(self, plotter: pv.BasePlotter, faces: np.ndarray, num_vertices: int) -> None:
        self.plotter = plotter
        self.faces = np.asarray(faces, dtype=np.int64)
        self.num_vertices = num_vertices
        self.meshes: dict[int, pv.PolyData] = {}
        self.actors: dict = {}
        self.shown: dict[int, np.ndarray] = {}      # tid -> (V, 3) vertices on screen now

    def _actor(self, tid: int):
        """The actor of person ``tid``, made on first use."""
        if tid not in self.actors:
            mesh = pv.PolyData.from_regular_faces(np.zeros((self.num_vertices, 3), np.float32), self.faces)
            self.meshes[tid] = mesh
            self.actors[tid] = self.plotter.add_mesh(
                mesh, color=tuple(c / 255 for c in person_colour(tid)), name=f"person-{tid}",
                reset_camera=False, show_scalar_bar=False, smooth_shading=False, diffuse=0.85, ambient=0.2)
        return self.actors[tid]

    def remove(self) -> None:
        """Take every person's actor out of the plotter (before a scene for another body model)."""
        for actor in self.actors.values():
            self.plotter.remove_actor(actor, render=False)
        self.meshes, self.actors, self.shown = {}, {}, {}

    def set_frame(self, people: dict[int, np.ndarray]) -> None:
        """Show ``people`` (track id -> (V, 3) vertices, metres); every other person's actor is
        hidden. Does not render."""
        for tid, actor in self.actors.items():
            if tid not in people:
                actor.SetVisibility(False)
        for tid, vertices in people.items():
            actor = self._actor(tid)
            mesh = self.meshes[tid]
            mesh.points[:] = vertices
            mesh.Modified()
            actor.SetVisibility(True)
        self.shown = dict(people)


def _to_display(renderer, point: np.ndarray) -> np.ndarray:
    renderer.SetWorldPoint(*point, 1.0)
    renderer.WorldToDisplay()
    return np.asarray(renderer.GetDisplayPoint()[:2])


def pick_person(plotter: pv.BasePlotter, people: dict[int, np.ndarray], x: float, y: float,
                margin: float = PICK_MARGIN_PX) -> int | None:
    """The person of ``people`` (track id -> (V, 3) vertices on screen) under the display point
    (``x``, ``y``) (VTK display pixels, origin bottom left): among those whose projected 3D box,
    grown by ``margin`` pixels, holds the point, the one whose box centre projects nearest; None
    when the click is on nobody."""
    renderer = plotter.renderer
    best, best_d = None, np.inf
    for tid, vertices in people.items():
        pts = np.asarray(vertices, np.float64).reshape(-1, 3)
        lo, hi = pts.min(0), pts.max(0)
        corners = np.array([[a[0], b[1], c[2]] for a in (lo, hi) for b in (lo, hi) for c in (lo, hi)])
        screen = np.array([_to_display(renderer, c) for c in corners])
        (x0, y0), (x1, y1) = screen.min(0) - margin, screen.max(0) + margin
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            continue
        d = float(np.hypot(*(_to_display(renderer, box_centre(pts)) - (x, y))))
        if d < best_d:
            best, best_d = tid, d
    return best
