"""Off-screen rendering of posed body meshes into RGB frames (training data, the sample clip).

Qt-free: a pyvista ``Plotter(off_screen=True)`` (works under Xvfb / Mesa llvmpipe). One plotter
and one actor per person are built once and reused over frames and clips: a frame writes new
points into the same PolyData, a clip writes new colours and lights; actors are never re-added.

Coordinates follow :mod:`lmr_studio.geometry.camera`: the renderer's camera sits at the origin
and looks along -z with y up, focal ``Camera.focal`` pixels, principal point at the image
centre, so a vertex lands where :func:`~lmr_studio.geometry.camera.perspective_project` puts it.
:class:`Camera` also carries where the camera stands in a y-up world (height, pitch), and
:meth:`Camera.to_camera` maps world points into its frame.

Appearance: a :class:`Look` per person colours each vertex by the SMPL joint that carries most
of its skinning weight (skin, top with none / short / long sleeves, bottoms long or short,
shoes); a :class:`Lighting` per clip sets a key and a fill light and the ambient term; the
background is any (H, W, 3) uint8 image (see :mod:`lmr_studio.training.backgrounds`), composited
under the rendered people by their alpha.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator, Sequence

import cv2
import numpy as np
import pyvista as pv

from lmr_studio.io.atomic import atomic_path
from lmr_studio.scene.body_scene import NormalEstimator

Colour = tuple[float, float, float]   # RGB in 0..1

#: SMPL joints whose vertices each garment covers (see :meth:`Look.vertex_colours`).
_TORSO = (3, 6, 9, 13, 14)
_UPPER_ARMS = (16, 17)
_FOREARMS = (18, 19)
_HIPS = (0, 1, 2)
_SHINS = (4, 5)
_FEET = (7, 8, 10, 11)
SLEEVES = ("none", "short", "long")
LEGS = ("short", "long")


@dataclasses.dataclass(frozen=True)
class Look:
    """One person's appearance: colours RGB in 0..1, ``sleeves`` in :data:`SLEEVES`, ``legs`` in
    :data:`LEGS` (shorts or long trousers)."""

    skin: Colour = (0.93, 0.74, 0.62)
    top: Colour | None = None       # None: no clothes at all, skin everywhere
    bottom: Colour = (0.2, 0.22, 0.3)
    shoes: Colour = (0.1, 0.1, 0.1)
    sleeves: str = "long"
    legs: str = "long"

    def vertex_colours(self, vertex_joints: np.ndarray) -> np.ndarray:
        """(V,) dominant SMPL joint per vertex -> (V, 3) uint8 RGB."""
        table = np.tile(np.asarray(self.skin, np.float64), (24, 1))
        if self.top is not None:
            covered = list(_TORSO) + (list(_UPPER_ARMS) if self.sleeves != "none" else []) + (
                list(_FOREARMS) if self.sleeves == "long" else [])
            table[covered] = self.top
            table[list(_HIPS) + (list(_SHINS) if self.legs == "long" else [])] = self.bottom
            table[list(_FEET)] = self.shoes
        return (np.clip(table, 0, 1) * 255).round().astype(np.uint8)[np.asarray(vertex_joints, np.int64)]


@dataclasses.dataclass(frozen=True)
class Lighting:
    """Key and fill lights (directions from the scene towards the light, camera frame), their
    intensities, and the surfaces' ambient / specular terms."""

    key_direction: tuple[float, float, float] = (0.5, 0.8, 1.0)
    key_intensity: float = 0.85
    fill_direction: tuple[float, float, float] = (-0.7, 0.2, 0.8)
    fill_intensity: float = 0.35
    ambient: float = 0.25
    specular: float = 0.15


@dataclasses.dataclass(frozen=True)
class Camera:
    """A pinhole camera: ``size`` (width, height) px, ``focal`` px, principal point at the centre.

    In a y-up world it stands at ``(0, height, 0)`` metres and looks along -z tilted down by
    ``pitch_deg`` (negative looks up). The default is the camera frame itself.
    """

    size: tuple[int, int]
    focal: float
    height: float = 0.0
    pitch_deg: float = 0.0

    def rotation(self) -> np.ndarray:
        """(3, 3) camera-to-world rotation (a turn about x by -pitch)."""
        a = -np.radians(self.pitch_deg)
        return np.array([[1.0, 0.0, 0.0], [0.0, np.cos(a), -np.sin(a)], [0.0, np.sin(a), np.cos(a)]])

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """(..., 3) world points in metres -> the same points in the camera frame."""
        return (np.asarray(points, np.float64) - np.array([0.0, self.height, 0.0])) @ self.rotation()

    @property
    def view_angle(self) -> float:
        """Vertical field of view in degrees (what VTK's camera takes)."""
        return float(np.degrees(2 * np.arctan(self.size[1] / 2 / self.focal)))


class OffscreenRenderer:
    """Renders up to ``max_people`` meshes sharing ``faces`` (T, 3) with ``vertex_joints`` (V,)
    labels (dominant SMPL joint per vertex, e.g. ``body.joint_weights.argmax(1)``).

    Per clip: :meth:`set_scene`; per frame: :meth:`render_rgba` or :meth:`render`. Call
    :meth:`close` when done (or use it as a context manager). ``multi_samples``: OpenGL MSAA
    samples; 0 by default: under Mesa llvmpipe 8x MSAA (pyvista's default) made a 640x480 frame
    cost 42 instead of 13 ms of CPU, and :meth:`render` feathers the silhouette edge instead.
    """

    def __init__(self, faces: np.ndarray, vertex_joints: np.ndarray, camera: Camera, max_people: int = 1,
                 multi_samples: int = 0) -> None:
        self.vertex_joints = np.asarray(vertex_joints, np.int64)
        n = len(self.vertex_joints)
        self._normals = NormalEstimator(faces, n)
        self.camera = camera
        theme = pv.themes.Theme()
        theme.multi_samples = multi_samples
        self.plotter = pv.Plotter(off_screen=True, window_size=camera.size, lighting="none", theme=theme)
        self.plotter.set_background("black")
        self._lights = [pv.Light(light_type="scene light"), pv.Light(light_type="scene light")]
        for light in self._lights:
            light.positional = False
            self.plotter.add_light(light)
        self.meshes: list[pv.PolyData] = []
        self.actors = []
        for i in range(max_people):
            mesh = pv.PolyData.from_regular_faces(np.zeros((n, 3), np.float32), np.asarray(faces, np.int64))
            mesh.point_data["rgb"] = np.zeros((n, 3), np.uint8)
            mesh.point_data["Normals"] = np.zeros((n, 3), np.float32)
            mesh.point_data.active_normals_name = "Normals"
            actor = self.plotter.add_mesh(mesh, scalars="rgb", rgb=True, name=f"person{i}", smooth_shading=True,
                                          show_scalar_bar=False, reset_camera=False, diffuse=0.9)
            actor.SetVisibility(False)
            self.meshes.append(mesh)
            self.actors.append(actor)
        cam = self.plotter.camera
        cam.position, cam.focal_point, cam.up = (0, 0, 0), (0, 0, -1), (0, 1, 0)
        cam.clipping_range = (0.05, 100.0)
        self.set_camera(camera)
        self.background = np.zeros((camera.size[1], camera.size[0], 3), np.uint8)
        self._people = 0

    def set_camera(self, camera: Camera) -> None:
        """Use ``camera``'s focal length (its image size must be the renderer's)."""
        if tuple(camera.size) != tuple(self.camera.size):
            raise ValueError(f"camera size {camera.size} differs from the renderer's {self.camera.size}")
        self.camera = camera
        self.plotter.camera.view_angle = camera.view_angle

    def set_scene(self, looks: Sequence[Look], lighting: Lighting = Lighting(),
                  background: np.ndarray | None = None) -> None:
        """Colour ``len(looks)`` people (the rest are hidden), set the lights and the background
        image ((H, W, 3) uint8 of the camera's size; None: black)."""
        if len(looks) > len(self.meshes):
            raise ValueError(f"{len(looks)} people but the renderer was built for {len(self.meshes)}")
        for i, (mesh, actor) in enumerate(zip(self.meshes, self.actors)):
            if i < len(looks):
                mesh.point_data["rgb"][:] = looks[i].vertex_colours(self.vertex_joints)
                mesh.Modified()
                prop = actor.GetProperty()
                prop.SetAmbient(lighting.ambient)
                prop.SetSpecular(lighting.specular)
            actor.SetVisibility(False)
        self._people = len(looks)
        for light, direction, intensity in zip(self._lights, (lighting.key_direction, lighting.fill_direction),
                                               (lighting.key_intensity, lighting.fill_intensity)):
            light.position = tuple(float(v) for v in direction)
            light.focal_point = (0.0, 0.0, 0.0)
            light.intensity = float(intensity)
        width, height = self.camera.size
        if background is None:
            self.background = np.zeros((height, width, 3), np.uint8)
        elif background.shape != (height, width, 3):
            raise ValueError(f"background must be ({height}, {width}, 3), got {background.shape}")
        else:
            self.background = np.asarray(background, np.uint8)

    def render_rgba(self, vertices: Sequence[np.ndarray]) -> np.ndarray:
        """One (V, 3) camera-frame vertex array per person (None: not in this frame) ->
        (H, W, 4) uint8, alpha 255 where a person covers the pixel."""
        for i, (mesh, actor) in enumerate(zip(self.meshes, self.actors)):
            verts = vertices[i] if i < min(len(vertices), self._people) else None
            if verts is None:
                actor.SetVisibility(False)
                continue
            mesh.points[:] = verts
            mesh.point_data["Normals"][:] = self._normals(verts)
            mesh.Modified()
            actor.SetVisibility(True)
        self.plotter.render()
        return np.asarray(self.plotter.screenshot(transparent_background=True, return_img=True))

    def render(self, vertices: Sequence[np.ndarray]) -> np.ndarray:
        """Like :meth:`render_rgba`, composited over the background: (H, W, 3) uint8 RGB. The
        people's outer edge is feathered one pixel inwards (a cheap stand-in for anti-aliasing)."""
        rgba = self.render_rgba(vertices)
        alpha = rgba[..., 3]
        alpha = np.minimum(alpha, cv2.blur(alpha, (3, 3)))[..., None].astype(np.uint16)
        blend = (rgba[..., :3] * alpha + self.background * (255 - alpha) + 127) // 255
        return blend.astype(np.uint8)

    def close(self) -> None:
        self.plotter.close()

    def __enter__(self) -> "OffscreenRenderer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def render_frames(vertices: np.ndarray | Sequence[np.ndarray], faces: np.ndarray, vertex_joints: np.ndarray,
                  looks: Look | Sequence[Look], camera: Camera, lighting: Lighting = Lighting(),
                  background: np.ndarray | None = None) -> Iterator[np.ndarray]:
    """Render F frames of one person ((F, V, 3) camera-frame vertices, metres) or several (a list
    of (F, V, 3), one :class:`Look` each) -> iterator of (H, W, 3) uint8 RGB frames."""
    people = [np.asarray(vertices)] if np.ndim(vertices[0]) == 2 else [np.asarray(v) for v in vertices]
    looks = [looks] if isinstance(looks, Look) else list(looks)
    if len(looks) != len(people):
        raise ValueError(f"{len(people)} people but {len(looks)} looks")
    with OffscreenRenderer(faces, vertex_joints, camera, max_people=len(people)) as renderer:
        renderer.set_scene(looks, lighting, background)
        for f in range(len(people[0])):
            yield renderer.render([p[f] for p in people])


def write_video(frames: Iterable[np.ndarray], path: str | os.PathLike, fps: float) -> int:
    """Write RGB uint8 frames to a video (OpenCV ``mp4v``; the container from the suffix of
    ``path``), atomically; returns the frame count. Raises ValueError when there are no frames."""
    count = 0
    with atomic_path(path) as tmp:   # the temporary name keeps the suffix
        writer = None
        try:
            for img in frames:
                if writer is None:
                    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps,
                                             (img.shape[1], img.shape[0]))
                writer.write(cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
                count += 1
        finally:
            if writer is not None:
                writer.release()
        if not count:
            raise ValueError(f"no frames to write to {path}")
    return count
