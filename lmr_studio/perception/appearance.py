"""A person's look for re-identification: colour histograms of their torso and legs.

The regions come from BlazePose keypoints (shoulders to hips, hips to ankles), so the histogram
follows the person and ignores the background around them.
"""

from __future__ import annotations

import cv2
import numpy as np

from lmr_studio.perception.features import VISIBILITY_THRESHOLD

#: Hue and saturation bins per region.
BINS = (12, 4)
_TORSO = (11, 12, 23, 24)
_LEGS = (23, 24, 25, 26, 27, 28)


def _region(rgb: np.ndarray, keypoints: np.ndarray, landmarks: tuple[int, ...]) -> np.ndarray | None:
    points = keypoints[list(landmarks)]
    points = points[points[:, 2] >= VISIBILITY_THRESHOLD, :2]
    if len(points) < 3:
        return None
    (x0, y0), (x1, y1) = points.min(0), points.max(0)
    inset = 0.2 * (x1 - x0)  # the middle of the body, not the background beside it
    h, w = rgb.shape[:2]
    x0, x1 = int(max(x0 + inset, 0)), int(min(x1 - inset, w))
    y0, y1 = int(max(y0, 0)), int(min(y1, h))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return rgb[y0:y1, x0:x1]


def appearance(rgb: np.ndarray, keypoints: np.ndarray) -> np.ndarray | None:
    """(2 * 12 * 4,) float32 hue-saturation histograms of the torso and legs, each summing to 1,
    from frame ``rgb`` and the person's (33, 3) keypoints in its pixels; None when too little shows."""
    hists = []
    for landmarks in (_TORSO, _LEGS):
        patch = _region(rgb, keypoints, landmarks)
        if patch is None:
            return None
        hsv = cv2.cvtColor(np.ascontiguousarray(patch), cv2.COLOR_RGB2HSV)
        hist = cv2.calcHist([hsv], [0, 1], None, list(BINS), [0, 180, 0, 256]).reshape(-1)
        hists.append(hist / max(float(hist.sum()), 1.0))
    return np.concatenate(hists).astype(np.float32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Bhattacharyya coefficient of two :func:`appearance` histograms, averaged over the regions:
    1 for the same colours, 0 for colours that never meet."""
    return float(np.sqrt(a * b).sum() / 2)
