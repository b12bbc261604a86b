"""Cameras that film a fitted motion for end-to-end evaluation, and the motion as each one sees it.

An :class:`EvalCamera` follows the person like a camera operator would: it stays ``distance``
metres from a smoothed pelvis track (so the person stays in frame and about
:data:`PERSON_PX` pixels tall), at ``elevation`` degrees above the horizontal, at ``azimuth``
degrees around the person from their smoothed heading (0 = in front, 90 = at their left side,
180 = behind), and looks at the smoothed pelvis, or ``pan`` degrees to its left, so that the
person stands right of the image centre, as in the frame of a camera that does not aim at them
(:data:`OFF_CENTRE_CAMERAS`). Smoothing (Gaussian, :data:`FOLLOW_S` seconds) keeps the camera
steady: a quick turn of the person shows as a turn, a slow walk around a room does not move them
out of the view.

Frames: the world is y up (the motion's); a camera's frame is that of
:mod:`lmr_studio.geometry.camera` (x right, y up, looking along -z), so the renderer and the
pipeline see the same geometry as training.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.spatial.transform import Rotation

from lmr_studio.geometry.camera import default_focal

#: Image size of the evaluation videos (width, height) px, and the person's standing height in them.
IMAGE_SIZE = (640, 480)
PERSON_PX = 200.0
#: Standing height (m) used to place the camera for :data:`PERSON_PX`.
STANDING_M = 1.7
FOLLOW_S = 1.0


@dataclasses.dataclass(frozen=True)
class EvalCamera:
    """One evaluation camera (see the module docstring); angles in degrees. ``person_px``: a
    standing person's height in the image (px); ``lens``: the focal length as a multiple of the
    image's long side, ``None`` for the one the pipeline assumes (``default_focal``)."""

    name: str
    azimuth: float
    elevation: float
    size: tuple[int, int] = IMAGE_SIZE
    pan: float = 0.0
    person_px: float = PERSON_PX
    lens: float | None = None

    def __repr__(self) -> str:
        """The dataclass's, without the fields left at their defaults: renders are cached under a
        hash of the cameras' repr, which stays what it was for the cameras made before a field."""
        fields = f"name={self.name!r}, azimuth={self.azimuth!r}, elevation={self.elevation!r}, size={self.size!r}"
        extra = {"pan": self.pan or None, "person_px": None if self.person_px == PERSON_PX else self.person_px,
                 "lens": self.lens}
        return f"EvalCamera({fields}{''.join(f', {k}={v!r}' for k, v in extra.items() if v is not None)})"

    @property
    def focal(self) -> float:
        """Focal length, px."""
        return default_focal(*self.size) if self.lens is None else self.lens * max(self.size)

    @property
    def distance(self) -> float:
        """Metres from the pelvis that make a standing person ``person_px`` tall."""
        return self.focal * STANDING_M / self.person_px


#: Front, side, back three-quarter, and a high camera looking down from the front quarter.
CAMERAS: tuple[EvalCamera, ...] = (
    EvalCamera("front", 0.0, 5.0),
    EvalCamera("side", 90.0, 5.0),
    EvalCamera("back34", 145.0, 5.0),
    EvalCamera("high", 30.0, 40.0),
)
#: The front and side cameras panned 15 degrees: the pelvis stands about 206 px right of the
#: image centre (a third of the way to the edge), seen along a ray 15 degrees off the camera's axis.
OFF_CENTRE_CAMERAS: tuple[EvalCamera, ...] = (
    EvalCamera("front_off", 0.0, 5.0, pan=15.0),
    EvalCamera("side_off", 90.0, 5.0, pan=15.0),
)
#: The front camera nearer and farther (a standing person 360 and 100 px tall of the image's 480:
#: 3.6 and 13.1 m away), and with a wide lens (a phone's: focal 0.6 x the long side, 80 degrees
#: across, the person 200 px tall from 3.3 m), which the pipeline does not know: it assumes 1.2 x.
SCALE_AND_LENS_CAMERAS: tuple[EvalCamera, ...] = (
    EvalCamera("front_near", 0.0, 5.0, person_px=360.0),
    EvalCamera("front_far", 0.0, 5.0, person_px=100.0),
    EvalCamera("front_wide", 0.0, 5.0, lens=0.6),
)
#: Every camera ``eval --render --cameras`` can name; :data:`CAMERAS` are the default.
ALL_CAMERAS = CAMERAS + OFF_CENTRE_CAMERAS + SCALE_AND_LENS_CAMERAS


def heading(root_poses: np.ndarray) -> np.ndarray:
    """(F,) unwrapped heading (radians, about y; 0 = facing +z) of root axis-angles (F, 3)."""
    forward = Rotation.from_rotvec(root_poses).apply([0.0, 0.0, 1.0])
    return np.unwrap(np.arctan2(forward[:, 0], forward[:, 2]))


def extrinsics(camera: EvalCamera, pelvis: np.ndarray, root_poses: np.ndarray, fps: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame world-to-camera rotations (F, 3, 3) and camera centres (F, 3) metres, for a
    person whose pelvis is at ``pelvis`` (F, 3) with root orientations ``root_poses`` (F, 3)."""
    sigma = FOLLOW_S * fps
    target = gaussian_filter1d(pelvis, sigma, axis=0, mode="nearest")
    target[:, 1] = np.median(pelvis[:, 1])  # level: the camera does not bob with the pelvis
    az = gaussian_filter1d(heading(root_poses), sigma, mode="nearest") + np.radians(camera.azimuth)
    el = np.radians(camera.elevation)
    offset = np.stack([np.cos(el) * np.sin(az), np.full_like(az, np.sin(el)), np.cos(el) * np.cos(az)], -1)
    centre = target + camera.distance * offset
    z = offset                                    # the camera looks along -z, at the target
    x = np.cross([0.0, 1.0, 0.0], z)
    x /= np.linalg.norm(x, axis=-1, keepdims=True)
    y = np.cross(z, x)
    if camera.pan:  # turned left about its own up axis: the person lands right of the centre
        p = np.radians(camera.pan)
        x, z = np.cos(p) * x - np.sin(p) * z, np.sin(p) * x + np.cos(p) * z
    return np.stack([x, y, z], 1), centre


@dataclasses.dataclass
class FilmedMotion:
    """A fitted motion as one camera films it: ``poses`` (F, 24, 3) with the root orientation in
    the camera frame (what the pipeline should recover), ``betas`` (F, 10), and the extrinsics
    ``rotation`` (F, 3, 3) world-to-camera and ``centre`` (F, 3) metres."""

    poses: np.ndarray
    betas: np.ndarray
    rotation: np.ndarray
    centre: np.ndarray


def film(camera: EvalCamera, poses: np.ndarray, betas: np.ndarray, transl: np.ndarray, body, fps: float
         ) -> FilmedMotion:
    """``poses`` (F, 24, 3) world, ``betas`` (10,), ``transl`` (F, 3) on ``body`` seen by ``camera``."""
    rest_pelvis = body.rest_joints(np.asarray(betas, np.float32)[None])[0, 0].cpu().numpy()
    rotation, centre = extrinsics(camera, transl + rest_pelvis, poses[:, 0], fps)
    cam_poses = poses.copy()
    cam_poses[:, 0] = Rotation.from_matrix(rotation @ Rotation.from_rotvec(poses[:, 0]).as_matrix()).as_rotvec()
    return FilmedMotion(cam_poses.astype(np.float32), np.repeat(np.asarray(betas, np.float32)[None], len(poses), 0),
                        rotation, centre)


def camera_vertices(filmed: FilmedMotion, poses: np.ndarray, transl: np.ndarray, body,
                    batch: int = 64) -> Iterator[np.ndarray]:
    """Camera-frame vertices (V, 3) frame by frame of the world motion (``poses``, ``transl``)."""
    for start in range(0, len(poses), batch):
        part = slice(start, start + batch)
        verts, _ = body.mesh_sequence(poses[part], filmed.betas[part], transl[part])
        local = np.einsum("fij,fvj->fvi", filmed.rotation[part], verts - filmed.centre[part][:, None])
        yield from local.astype(np.float32)
