"""How far the recovered mesh's joints land from BlazePose's 2D keypoints, per frame.

The twelve BlazePose landmarks that sit on SMPL joint centres (shoulders, elbows, wrists, hips,
knees, ankles; :data:`lmr_studio.training.landmarks.JOINT_CENTRE`) are compared with the same
SMPL joints projected into the image (``Track.joints2d``, full perspective with the track's
translation). The figure is the median distance over the visible pairs as a share of the
person's height (the vertical extent of their visible keypoints), so it reads the same on a
phone video and on a 4K one: the overlay's visible misfit at the limbs.
"""

from __future__ import annotations

import numpy as np

from lmr_studio.perception.features import VISIBILITY_THRESHOLD
from lmr_studio.training.landmarks import JOINT_CENTRE

#: The marked BlazePose landmarks and the SMPL joint each one sits on, in the same order.
MARKED_LANDMARKS = np.array(sorted(JOINT_CENTRE))
MARKED_JOINTS = np.array([JOINT_CENTRE[i] for i in MARKED_LANDMARKS])


def person_height(keypoints2d: np.ndarray) -> np.ndarray:
    """(F,) pixels: the vertical extent of the visible keypoints (F, 33, 3), at least 1."""
    kp = np.asarray(keypoints2d, np.float32)
    vis = kp[..., 2] >= VISIBILITY_THRESHOLD
    top = np.where(vis, kp[..., 1], np.inf).min(-1)
    bottom = np.where(vis, kp[..., 1], -np.inf).max(-1)
    return np.where(vis.any(-1), bottom - top, 1.0).clip(min=1.0).astype(np.float32)


def keypoint_error(joints2d: np.ndarray, keypoints2d: np.ndarray) -> np.ndarray:
    """(F,) float32 median distance between projected SMPL joints (F, 24, 2) px and the matching
    visible BlazePose keypoints (F, 33, 3), as a share of the person's height; NaN on frames with
    no visible matching keypoint."""
    kp = np.asarray(keypoints2d, np.float32)
    marked = kp[:, MARKED_LANDMARKS]
    dist = np.linalg.norm(np.asarray(joints2d, np.float32)[:, MARKED_JOINTS] - marked[..., :2], axis=-1)
    dist = np.where(marked[..., 2] >= VISIBILITY_THRESHOLD, dist / person_height(kp)[:, None], np.nan)
    out = np.full(len(dist), np.nan, np.float32)
    seen = ~np.isnan(dist).all(1)
    out[seen] = np.nanmedian(dist[seen], 1)
    return out
