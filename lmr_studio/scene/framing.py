"""Where the 3D camera goes to show a person, and how coarse the ground grid is (pure numpy).

Camera frame of :mod:`lmr_studio.geometry.camera`: metres, x right, y up, z towards the video camera.
"""

from __future__ import annotations

import math

import numpy as np

#: Unit view directions (from the person towards the 3D camera) of the fixed presets.
PRESET_DIRECTIONS: dict[str, np.ndarray] = {
    "front": np.array([0.0, 0.15, 1.0]) / math.hypot(0.15, 1.0),    # from the video camera's side, a little above
    "side": np.array([1.0, 0.15, 0.0]) / math.hypot(1.0, 0.15),     # from the person's left
}
FILL = 0.8                  # the person's bounding sphere spans this fraction of the narrower view side
GRID_LINES = 16             # at most this many grid cells across the ground (more turns into moiré)
_NICE_STEPS = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0)


def box_centre(points: np.ndarray) -> np.ndarray:
    """Centre of the axis-aligned bounds of (..., 3) points (the mean leans towards the hands)."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    return (pts.min(axis=0) + pts.max(axis=0)) / 2


def fit_distance(points: np.ndarray, view_angle_deg: float, aspect: float) -> float:
    """Camera distance (metres) from the box centre of (..., 3) ``points`` at which their bounding
    sphere fills ``FILL`` of the view: ``view_angle_deg`` is the vertical field of view, ``aspect``
    width / height of the view (a tall, narrow pane needs more distance)."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    radius = max(float(np.linalg.norm(pts.max(axis=0) - pts.min(axis=0))) / 2, 0.05)
    half_v = math.radians(view_angle_deg) / 2
    half = min(half_v, math.atan(math.tan(half_v) * max(aspect, 1e-3)))
    return radius / (math.sin(half) * FILL)


def grid_step(size: float) -> float:
    """A round cell size (metres) giving at most ``GRID_LINES`` cells across ``size`` metres."""
    for step in _NICE_STEPS:
        if size / step <= GRID_LINES:
            return step
    return _NICE_STEPS[-1]


def ground_plane(points: np.ndarray, margin: float = 1.5) -> tuple[np.ndarray, float, float]:
    """(centre (3,), size, step) of a square grid under (..., 3) ``points``: centred under their
    bounds at their lowest y, ``margin`` metres beyond them, size a whole number of cells."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    extent = max(hi[0] - lo[0], hi[2] - lo[2]) + 2 * margin
    step = grid_step(extent)
    size = math.ceil(extent / step) * step
    return np.array([(lo[0] + hi[0]) / 2, lo[1], (lo[2] + hi[2]) / 2]), size, step
