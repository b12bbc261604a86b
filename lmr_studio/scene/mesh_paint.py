"""The one mesh-on-image painter: a posed mesh, coloured by body part, blended over a video frame.

Used by the video overlay (:mod:`lmr_studio.gui.video_view`, on its overlay thread) and the mp4
export. The mesh is projected with the full-perspective camera of
:mod:`lmr_studio.geometry.camera`; triangles facing away from the camera (clockwise in the y-down
image is facing it) or behind it are dropped; each part is filled as one label, parts far to near
by their mean depth (a part has one colour, so order inside a part does not show), and the labels
are blended over the frame with each part's opacity.

:func:`paint_silhouette` is the cheap painter for the people who are not selected: the union of
each part's projected convex hull, filled with one colour (about a tenth of the cost of a mesh).
"""

from __future__ import annotations

import cv2
import numpy as np

from lmr_studio.geometry.camera import perspective_project
from lmr_studio.parts import NUM_PARTS, PART_COLOURS

MESH_ALPHA = 0.7                      # blend weight of an opaque part over the frame
NEUTRAL_RGB = (200, 200, 200)         # every part's colour when the parts are not coloured
_NEAR_Z = -1e-3                       # metres: triangles with a corner nearer than this are dropped


def paint_mesh(frame: np.ndarray, vertices: np.ndarray, faces: np.ndarray, face_parts: np.ndarray, focal: float,
               opacity=None, colours: bool = True, strength: float = MESH_ALPHA) -> np.ndarray:
    """``frame`` (H, W, 3) uint8 RGB with the mesh blended in; returns a new image.

    vertices: (V, 3) camera frame, metres (the camera looks along -z); faces: (T, 3);
    face_parts: (T,) part of each triangle; focal: pixels; opacity: (6,) per part in 0..1
    (None: all 1); colours: part colours, else neutral grey; strength: blend weight at opacity 1.
    """
    out = frame.copy()
    h, w = frame.shape[:2]
    opacity = np.ones(NUM_PARTS, np.float32) if opacity is None else np.asarray(opacity, np.float32)
    pixels = np.round(perspective_project(vertices, np.zeros(3), focal, (w, h))).astype(np.int32)
    tri = pixels[faces]                                                     # (T, 3, 2)
    e1, e2 = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    # Camera-facing triangles wind clockwise in the y-down image; this also drops the ones that
    # round to zero area (most are under a pixel: filling them costs time and adds no pixels).
    keep = (e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0] < 0) & (vertices[faces, 2].max(1) < _NEAR_Z)
    if not keep.any():
        return out
    counts = np.bincount(face_parts, minlength=NUM_PARTS).clip(min=1)
    part_depth = np.bincount(face_parts, weights=-vertices[faces[:, 0], 2], minlength=NUM_PARTS) / counts
    tri, parts = tri[keep], face_parts[keep]
    label = np.zeros((h, w), np.uint8)
    for p in sorted((p for p in range(NUM_PARTS) if opacity[p] > 0), key=lambda k: -part_depth[k]):   # far first
        polys = tri[parts == p]
        if len(polys):
            cv2.fillPoly(label, list(polys), int(p + 1))
    lut = np.zeros((NUM_PARTS + 1, 3), np.uint8)
    lut[1:] = PART_COLOURS if colours else NEUTRAL_RGB
    bx, by, bw, bh = cv2.boundingRect(tri.reshape(-1, 2))                  # faster than numpy's min/max
    x0, y0, x1, y1 = max(bx, 0), max(by, 0), min(bx + bw, w), min(by + bh, h)
    if x1 <= x0 or y1 <= y0:
        return out
    crop = label[y0:y1, x0:x1]
    alpha = np.concatenate([[0.0], strength * opacity]).astype(np.float32)[crop]
    out[y0:y1, x0:x1] = cv2.blendLinear(out[y0:y1, x0:x1], lut[crop], 1 - alpha, alpha)   # per-pixel weights
    return out


def paint_silhouette(frame: np.ndarray, vertices: np.ndarray, vertex_parts: np.ndarray, focal: float,
                     colour: tuple[int, int, int], strength: float = MESH_ALPHA) -> np.ndarray:
    """``frame`` (H, W, 3) uint8 RGB with the person's silhouette in ``colour`` blended in; a new image.

    vertices: (V, 3) camera frame, metres; vertex_parts: (V,) part of each vertex; focal: pixels.
    The silhouette is the union of each body part's projected convex hull (vertices behind the
    camera are left out).
    """
    out = frame.copy()
    h, w = frame.shape[:2]
    front = vertices[:, 2] < _NEAR_Z
    pixels = np.round(perspective_project(vertices[front], np.zeros(3), focal, (w, h))).astype(np.int32)
    parts = np.asarray(vertex_parts)[front]
    if len(pixels) < 3:
        return out
    bx, by, bw, bh = cv2.boundingRect(pixels)
    x0, y0, x1, y1 = max(bx, 0), max(by, 0), min(bx + bw, w), min(by + bh, h)
    if x1 <= x0 or y1 <= y0:
        return out
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    for p in range(NUM_PARTS):
        points = pixels[parts == p]
        if len(points) >= 3:
            cv2.fillConvexPoly(mask, cv2.convexHull(points - [x0, y0]), 1)
    alpha = (strength * mask).astype(np.float32)
    fill = np.empty((y1 - y0, x1 - x0, 3), np.uint8)
    fill[:] = colour
    out[y0:y1, x0:x1] = cv2.blendLinear(out[y0:y1, x0:x1], fill, 1 - alpha, alpha)
    return out
