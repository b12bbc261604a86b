"""BodyScene: the body mesh, a ghost mesh and a ground grid on any pyvista plotter.

Works on the window's ``gui.vtk_widget.NativeInteractor`` and on ``pv.Plotter(off_screen=True)``
alike, so tests need no Qt. Actors are built once; :meth:`BodyScene.set_frame` writes new points into the same
PolyData (never re-adds actors). VTK calls belong on the thread that owns the plotter.
Coordinates are the camera frame of ``geometry.camera`` (metres, x right, y up, z to the viewer).
"""

from __future__ import annotations

import numpy as np
import pyvista as pv

from lmr_studio.geometry.normals import NormalEstimator
from lmr_studio.parts import NUM_PARTS, PART_COLOURS
from lmr_studio.playback import PartVisibility

CAMERA_PRESETS: tuple[str, ...] = ("front", "side", "follow")
GHOST_COLOUR = "#d8dde6"
_VIEW_DISTANCE = 4.5   # metres from the person for the camera presets
_DIM_GREY = np.array([70.0, 75.0, 84.0], np.float32)   # what dimmed parts fade towards


def _box_centre(points: np.ndarray) -> np.ndarray:
    """Centre of the axis-aligned bounds of (..., 3) points (the mean leans towards the hands)."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    return (pts.min(axis=0) + pts.max(axis=0)) / 2


def part_rgba(vertex_parts: np.ndarray, state: PartVisibility, colours: np.ndarray = PART_COLOURS) -> np.ndarray:
    """(V, 4) uint8 colours: each vertex its part's colour; hidden parts get alpha 0, dimmed parts
    (another part is highlighted) stay opaque but fade towards grey, which avoids the sorting
    artefacts of translucent surfaces."""
    emphasis = np.asarray(state.opacities(), np.float32)[:, None]
    rgb = np.asarray(colours, np.float32)[:NUM_PARTS]
    faded = np.where(emphasis < 1, _DIM_GREY + (rgb - _DIM_GREY) * (emphasis + 0.1), rgb)
    alpha = np.where(emphasis > 0, 255, 0)
    table = np.concatenate([faded, alpha], axis=1).round().astype(np.uint8)
    return table[np.asarray(vertex_parts, dtype=np.int64)]


class BodyScene:
    """The 3D view of one person: part-coloured body, optional ghost, ground grid, camera presets.

    plotter: any pyvista plotter; faces: (T, 3) int triangles; vertex_parts: (V,) 0..5 part labels.
    """

    def __init__(self, plotter: pv.BasePlotter, faces: np.ndarray, vertex_parts: np.ndarray,
                 colours: np.ndarray = PART_COLOURS) -> None:
        self.plotter = plotter
        self.faces = np.asarray(faces, dtype=np.int64)
        self.vertex_parts = np.asarray(vertex_parts, dtype=np.uint8)
        self.colours = np.asarray(colours, dtype=np.uint8)
        self.parts = PartVisibility()
        self.camera_preset = "front"
        n = len(self.vertex_parts)
        self._normals = NormalEstimator(self.faces, n)
        self.mesh = pv.PolyData.from_regular_faces(np.zeros((n, 3), np.float32), self.faces)
        self.mesh.point_data["rgba"] = part_rgba(self.vertex_parts, self.parts, self.colours)
        self.mesh.point_data["Normals"] = np.zeros((n, 3), np.float32)
        self.mesh.point_data.active_normals_name = "Normals"
        self.body_actor = plotter.add_mesh(self.mesh, scalars="rgba", rgba=True, name="body",
                                           show_scalar_bar=False, reset_camera=False,
                                           specular=0.3, specular_power=15, diffuse=0.85, ambient=0.15)
        self.ghost = pv.PolyData.from_regular_faces(np.zeros((n, 3), np.float32), self.faces)
        self.ghost_actor = plotter.add_mesh(self.ghost, color=GHOST_COLOUR, opacity=0.35, name="ghost",
                                            reset_camera=False, show_scalar_bar=False)
        self.ghost_actor.SetVisibility(False)
        self._centre = np.zeros(3)

    # -- per frame ---------------------------------------------------------------------------
    def set_frame(self, vertices: np.ndarray | None, ghost: np.ndarray | None = None) -> None:
        """Show (V, 3) vertices in metres (None hides the body, e.g. no person on this frame).

        ``ghost`` (V, 3) shows the comparison mesh, None hides it. Does not render.
        """
        if vertices is None:
            self.body_actor.SetVisibility(False)
        else:
            self.mesh.points[:] = vertices
            self.mesh.point_data["Normals"][:] = self._normals(vertices)
            self.mesh.Modified()
            self.body_actor.SetVisibility(True)
            self._centre = _box_centre(vertices)
            if self.camera_preset == "follow":
                self._aim(self._centre, keep_direction=True)
        if ghost is None or vertices is None:
            self.ghost_actor.SetVisibility(False)
        else:
            self.ghost.points[:] = ghost
            self.ghost.Modified()
            self.ghost_actor.SetVisibility(True)

    def render(self) -> None:
        self.plotter.render()

    # -- parts --------------------------------------------------------------------------------
    def set_parts(self, state: PartVisibility) -> None:
        """Apply show/highlight/solo of the six parts to the vertex colours. Does not render."""
        self.parts = state
        self.mesh.point_data["rgba"][:] = part_rgba(self.vertex_parts, state, self.colours)
        self.mesh.Modified()

    # -- ground and camera ------------------------------------------------------------------
    def set_ground(self, vertices: np.ndarray) -> None:
        """Place a grid under all of (..., V, 3) ``vertices`` (e.g. the whole sequence)."""
        pts = np.asarray(vertices, dtype=np.float32).reshape(-1, 3)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        centre = (lo + hi) / 2
        size = float(max(hi[0] - lo[0], hi[2] - lo[2], 2.0)) + 2.0
        plane = pv.Plane(center=(centre[0], lo[1], centre[2]), direction=(0, 1, 0),
                         i_size=size, j_size=size, i_resolution=int(size * 2), j_resolution=int(size * 2))
        # Opaque, in the colour a 60 % grey-blue grid had over the dark background: a translucent
        # actor costs VTK a second (translucent) pass, about a fifth of a frame under Mesa llvmpipe.
        self.plotter.add_mesh(plane, style="wireframe", color="#424852", name="ground",
                              reset_camera=False, line_width=1, show_scalar_bar=False)
        self._centre = _box_centre(pts)

    def set_camera(self, preset: str, centre: np.ndarray | None = None) -> None:
        """Aim the camera: 'front' (from the video camera's side), 'side' (from the person's
        left) or 'follow' (front, re-centred on the person every frame). Does not render."""
        if preset not in CAMERA_PRESETS:
            raise ValueError(f"unknown camera preset {preset!r}; choose one of {CAMERA_PRESETS}")
        self.camera_preset = preset
        if centre is not None:
            self._centre = np.asarray(centre, dtype=np.float64)
        self._aim(self._centre, keep_direction=False)

    def _aim(self, centre: np.ndarray, keep_direction: bool) -> None:
        cam = self.plotter.camera
        if keep_direction:
            offset = np.asarray(cam.position) - np.asarray(cam.focal_point)
        else:
            direction = np.array([1.0, 0.15, 0.0]) if self.camera_preset == "side" else np.array([0.0, 0.15, 1.0])
            offset = direction / np.linalg.norm(direction) * _VIEW_DISTANCE
        cam.focal_point = tuple(centre)
        cam.position = tuple(centre + offset)
        cam.up = (0.0, 1.0, 0.0)
        self.plotter.reset_camera_clipping_range()
