"""BodyScene: the body mesh, a ghost mesh and a ground grid on any pyvista plotter.

Works on the window's pyvistaqt ``QtInteractor`` (``gui.mesh_view``) and on ``pv.Plotter(off_screen=True)``
alike, so tests need no Qt. Actors are built once; :meth:`BodyScene.set_frame` writes new points into the same
PolyData (never re-adds actors). VTK calls belong on the thread that owns the plotter.
Coordinates are the camera frame of ``geometry.camera`` (metres, x right, y up, z to the viewer).
"""

from __future__ import annotations

import math

import numpy as np
import pyvista as pv

from lmr_studio.geometry.normals import NormalEstimator
from lmr_studio.parts import NUM_PARTS, PART_COLOURS
from lmr_studio.scene.framing import PRESET_DIRECTIONS, box_centre, fit_distance, ground_plane
from lmr_studio.playback import PartVisibility

CAMERA_PRESETS: tuple[str, ...] = ("front", "side", "follow")
CUSTOM = "custom"      # the preset after the user turned the view by hand
GHOST_COLOUR = "#d8dde6"
_SAME_DIRECTION = math.cos(math.radians(2.0))   # a view within 2 degrees of a preset's is that preset
_DIM_GREY = np.array([70.0, 75.0, 84.0], np.float32)   # what dimmed parts fade towards


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
        self._person = np.zeros((2, 3))          # the points the camera frames (last shown person)

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
            self._person = vertices
            if self.camera_preset == "follow":
                self._aim(keep_direction=True)
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
        """Place a grid under all of (..., V, 3) ``vertices`` (the selected person's frames
        spread over their path): a margin around them and at most ``framing.GRID_LINES``
        round-sized cells, so distant lines do not crowd into moiré."""
        centre, size, step = ground_plane(vertices)
        cells = max(1, round(size / step))
        plane = pv.Plane(center=tuple(centre), direction=(0, 1, 0), i_size=size, j_size=size,
                         i_resolution=cells, j_resolution=cells)
        # Opaque, in the colour a 60 % grey-blue grid had over the dark background: a translucent
        # actor costs VTK a second (translucent) pass, about a fifth of a frame under Mesa llvmpipe.
        self.plotter.add_mesh(plane, style="wireframe", color="#424852", name="ground",
                              reset_camera=False, line_width=1, show_scalar_bar=False)
        self._person = np.asarray(vertices, np.float32).reshape(-1, 3)

    def set_camera(self, preset: str, vertices: np.ndarray | None = None) -> None:
        """Aim the camera at the person of (V, 3) ``vertices`` (default: the last shown), at a
        distance that fits them: 'front' (from the video camera's side), 'side' (from the
        person's left) or 'follow' (front, then re-centred on the person every frame keeping the
        user's turn and zoom). Does not render."""
        if preset not in CAMERA_PRESETS:
            raise ValueError(f"unknown camera preset {preset!r}; choose one of {CAMERA_PRESETS}")
        self.camera_preset = preset
        if vertices is not None:
            self._person = np.asarray(vertices)
        self._aim(keep_direction=False)

    def frame_person(self, vertices: np.ndarray) -> None:
        """Keep the person of (V, 3) ``vertices`` in view after a seek: the camera moves with
        them, keeping its direction and distance (the user's turn and zoom). Does not render."""
        self._person = np.asarray(vertices)
        self._aim(keep_direction=True)

    def turned_by_hand(self) -> bool:
        """After a mouse interaction: whether the view left its preset's direction; then the
        preset becomes ``CUSTOM`` (follow keeps following whatever the direction)."""
        direction = PRESET_DIRECTIONS.get(self.camera_preset)
        if direction is None:
            return False
        cam = self.plotter.camera
        offset = np.asarray(cam.position) - np.asarray(cam.focal_point)
        if float(offset @ direction) >= _SAME_DIRECTION * float(np.linalg.norm(offset)):
            return False
        self.camera_preset = CUSTOM
        return True

    def _aim(self, keep_direction: bool) -> None:
        cam = self.plotter.camera
        centre = box_centre(self._person)
        if keep_direction:
            offset = np.asarray(cam.position) - np.asarray(cam.focal_point)
        else:
            width, height = self.plotter.window_size
            distance = fit_distance(self._person, cam.view_angle, width / max(height, 1))
            offset = PRESET_DIRECTIONS[self.camera_preset if self.camera_preset != "follow" else "front"] * distance
        cam.focal_point = tuple(centre)
        cam.position = tuple(centre + offset)
        cam.up = (0.0, 1.0, 0.0)
        self.plotter.reset_camera_clipping_range()
