"""Cameras: weak perspective in the person box, full perspective in the image.

Conventions (used by training, the pipeline, overlays and exports alike):

* Camera / body frame: metres, x to the image right, y up, z towards the viewer; the camera sits
  at the origin and looks along -z. A body with zero global orientation stands upright facing
  the camera (its left, +x, appears on the image right).
* Image: pixels, origin top-left, u right, v down.
* Box: a square crop ``(cx, cy, side)`` in pixels; box-normalised coordinates run from -1 to 1
  across the crop (x right, y down).
* Weak-perspective camera ``cam = (s, tx, ty)``: ``x_n = s * (X + tx)``, ``y_n = -s * (Y + ty)``.
* Full perspective: focal ``f`` pixels, principal point at the image centre, body translation
  ``T`` so that a point's camera coordinates are ``P + T`` (``T_z < 0``, in front of the camera).

All functions accept numpy arrays or torch tensors and return the same kind.
"""

from __future__ import annotations

import numpy as np
import torch

from lmr_studio.geometry.rotations import rotation_between


def _stack(arrays, like):
    return torch.stack(arrays, dim=-1) if isinstance(like, torch.Tensor) else np.stack(arrays, axis=-1)


def default_focal(width: int, height: int) -> float:
    """A plausible focal length in pixels for an unknown camera (about 55 degrees across)."""
    return 1.2 * float(max(width, height))


#: Diagonal of a 35 mm film frame (36 x 24 mm), mm: what "35 mm equivalent" focal lengths refer to.
FILM_DIAGONAL_MM = float(np.hypot(36.0, 24.0))


def focal_from_35mm(focal_35mm: float, width: int, height: int) -> float:
    """Pixels of a focal length given as its 35 mm equivalent (mm, as phones and EXIF state it),
    matched on the image diagonal: the same angle of view across the diagonal as on 35 mm film."""
    return focal_35mm * float(np.hypot(width, height)) / FILM_DIAGONAL_MM


def weak_perspective_project(points, cam):
    """Project (..., N, 3) points with (..., 3) weak-perspective cams -> (..., N, 2) box-normalised."""
    s, tx, ty = cam[..., 0:1], cam[..., 1:2], cam[..., 2:3]
    x = s * (points[..., 0] + tx)
    y = -s * (points[..., 1] + ty)
    return _stack([x, y], points)


def box_to_pixels(xy_n, box):
    """(..., N, 2) box-normalised -> pixels; ``box`` is (..., 3) = (cx, cy, side)."""
    half = box[..., 2:3] / 2
    return _stack([box[..., 0:1] + xy_n[..., 0] * half, box[..., 1:2] + xy_n[..., 1] * half], xy_n)


def pixels_to_box(uv, box):
    """(..., N, 2) pixels -> box-normalised; ``box`` is (..., 3) = (cx, cy, side)."""
    half = box[..., 2:3] / 2
    return _stack([(uv[..., 0] - box[..., 0:1]) / half, (uv[..., 1] - box[..., 1:2]) / half], uv)


def corners_to_box(bboxes):
    """(..., 4) corner boxes (x0, y0, x1, y1) px -> (..., 3) square boxes (cx, cy, side)."""
    cx = (bboxes[..., 0] + bboxes[..., 2]) / 2
    cy = (bboxes[..., 1] + bboxes[..., 3]) / 2
    w = bboxes[..., 2] - bboxes[..., 0]
    h = bboxes[..., 3] - bboxes[..., 1]
    side = torch.maximum(w, h) if isinstance(bboxes, torch.Tensor) else np.maximum(w, h)
    return _stack([cx, cy, side], bboxes)


def weak_to_full_translation(cam, box, focal: float, image_size: tuple[int, int]):
    """Weak-perspective cams (..., 3) in boxes (..., 3) -> body translations (..., 3) in metres.

    ``image_size`` is (width, height) in pixels. The perspective projection of the body's root
    then lands where the weak-perspective one did (VIBE's ``convert_crop_cam_to_orig_img``).
    """
    width, height = image_size
    s, tx, ty = cam[..., 0], cam[..., 1], cam[..., 2]
    depth = 2.0 * focal / (s * box[..., 2]).clip(min=1e-6) if isinstance(s, torch.Tensor) else (
        2.0 * focal / np.clip(s * box[..., 2], 1e-6, None))
    tx_full = tx + (box[..., 0] - width / 2) * depth / focal
    ty_full = ty - (box[..., 1] - height / 2) * depth / focal
    return _stack([tx_full, ty_full, -depth], cam)


def perspective_project(points, transl, focal: float, image_size: tuple[int, int]):
    """Project (..., N, 3) body points translated by (..., 3) ``transl`` -> (..., N, 2) pixels."""
    width, height = image_size
    p = points + transl[..., None, :]
    depth = -p[..., 2]
    depth = depth.clip(min=1e-6) if isinstance(depth, torch.Tensor) else np.clip(depth, 1e-6, None)
    u = width / 2 + focal * p[..., 0] / depth
    v = height / 2 - focal * p[..., 1] / depth
    return _stack([u, v], points)


def ray_rotation(points: np.ndarray) -> np.ndarray:
    """(..., 3, 3) rotations that turn the optical axis (0, 0, -1) onto the rays to the
    camera-frame ``points`` (..., 3) metres, about the axis perpendicular to both (the smallest
    turn; numpy only).

    A crop around a person off the image centre looks like a centred person seen along the
    camera's axis, so what is read from a crop (the network's body orientation, BlazePose's world
    landmarks) is relative to the ray through the person; this rotation takes it to the camera.
    """
    return rotation_between(np.array([0.0, 0.0, -1.0]), points)
