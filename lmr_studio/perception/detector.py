"""Person boxes from OpenCV's HOG people detector: a cheap seed for people too small for BlazePose.

The Daimler pedestrian model (48x96 window) on a copy of the frame scaled to 800 px finds
walking people down to about 70 px tall (the INRIA 64x128 model at 640 px needed about 150 px;
on a frame of the generated crowd it found 5 people against 3, measured).
"""

from __future__ import annotations

import cv2
import numpy as np

#: Frames are scaled to this many pixels on their long side before detection.
DETECT_SIDE = 800


class PeopleDetector:
    """Upright pedestrians (HOG, Daimler model, 48x96 window). Misses unusual poses: a seed only."""

    def __init__(self, min_score: float = 0.3) -> None:
        self._hog = cv2.HOGDescriptor((48, 96), (16, 16), (8, 8), (8, 8), 9)
        self._hog.setSVMDetector(cv2.HOGDescriptor_getDaimlerPeopleDetector())
        self.min_score = min_score

    def detect(self, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Boxes (N, 4) = (x0, y0, x1, y1) pixels of ``rgb`` and scores (N,), best first."""
        h, w = rgb.shape[:2]
        scale = DETECT_SIDE / max(h, w)
        small = cv2.resize(rgb, (round(w * scale), round(h * scale)),
                           interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        if min(small.shape[:2]) < 96:  # smaller than the detector window
            return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)
        rects, weights = self._hog.detectMultiScale(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), winStride=(8, 8),
                                                    padding=(8, 8), scale=1.05)
        if len(rects) == 0:
            return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)
        scores = np.asarray(weights, np.float32).reshape(-1)
        boxes = np.asarray(rects, np.float32).reshape(-1, 4)
        boxes[:, 2:] += boxes[:, :2]
        boxes /= scale
        keep = scores >= self.min_score
        order = np.argsort(-scores[keep])
        return boxes[keep][order], scores[keep][order]


def box_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two corner boxes (x0, y0, x1, y1)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def box_containment(a: np.ndarray, b: np.ndarray) -> float:
    """The share of the smaller of two corner boxes that lies inside the other (0..1)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return float(ix * iy / smaller) if smaller > 0 else 0.0
