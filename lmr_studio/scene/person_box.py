"""The box drawn around a person on the video: their own extent, not the padded crop LMR reads."""

from __future__ import annotations

import numpy as np

from lmr_studio.perception.features import VISIBILITY_THRESHOLD

#: BlazePose landmarks 0-10 are the face; the top of the head is above the highest of them by
#: this fraction of the visible landmarks' extent (measured on the standing Anny mean body:
#: 0.106 m over 1.711 m = 0.062).
HEAD_TOP = 0.062
MARGIN = 0.04           # of the box height, on every side


def person_box(keypoints: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """(4,) float32 box (x0, y0, x1, y1) pixels around the visible BlazePose ``keypoints`` (33, 3),
    raised above the face to the top of the head, with a small margin; ``fallback`` (4,) when
    fewer than two keypoints are visible."""
    visible = keypoints[keypoints[:, 2] >= VISIBILITY_THRESHOLD, :2]
    if len(visible) < 2:
        return np.asarray(fallback, np.float32)
    (x0, y0), (x1, y1) = visible.min(0), visible.max(0)
    height = max(y1 - y0, x1 - x0, 1.0)
    face = keypoints[:11][keypoints[:11, 2] >= VISIBILITY_THRESHOLD]
    if len(face):
        y0 = min(y0, face[:, 1].min() - HEAD_TOP * height)
    pad = MARGIN * height
    return np.array([x0 - pad, y0 - pad, x1 + pad, y1 + pad], np.float32)


def person_at_point(boxes: dict[int, np.ndarray], x: float, y: float) -> int | None:
    """The id of ``boxes`` (id -> (4,) x0, y0, x1, y1 pixels) whose box holds the pixel (``x``,
    ``y``); where boxes overlap, the one whose centre is nearest; None when none does."""
    best, best_d = None, np.inf
    for tid, (x0, y0, x1, y1) in boxes.items():
        d = np.hypot((x0 + x1) / 2 - x, (y0 + y1) / 2 - y)
        if x0 <= x <= x1 and y0 <= y <= y1 and d < best_d:
            best, best_d = tid, d
    return best
