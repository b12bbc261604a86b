"""How far the recovered mesh's joints land from BlazePose's 2D keypoints, per frame (pixels).

The twelve BlazePose landmarks that sit on SMPL joint centres (shoulders, elbows, wrists, hips,
knees, ankles; :data:`lmr_studio.training.landmarks.JOINT_CENTRE`) are compared with the same
SMPL joints projected into the image (``Track.joints2d``, full perspective with the track's
translation). This is the overlay's visible misfit: the mesh drawn on the video is off by about
this much at the limbs.
"""

from __future__ import annotations

import numpy as np

from lmr_studio.perception.features import VISIBILITY_THRESHOLD
from lmr_studio.training.landmarks import JOINT_CENTRE

_LANDMARKS = np.array(sorted(JOINT_CENTRE))
_JOINTS = np.array([JOINT_CENTRE[i] for i in _LANDMARKS])


def keypoint_error(joints2d: np.ndarray, keypoints2d: np.ndarray) -> np.ndarray:
    """(F,) float32 mean pixel distance between projected SMPL joints (F, 24, 2) and the matching
    visible BlazePose keypoints (F, 33, 3); NaN on frames with no visible matching keypoint."""
    kp = np.asarray(keypoints2d, np.float32)[:, _LANDMARKS]
    dist = np.linalg.norm(np.asarray(joints2d, np.float32)[:, _JOINTS] - kp[..., :2], axis=-1)   # (F, 12)
    visible = kp[..., 2] >= VISIBILITY_THRESHOLD
    count = visible.sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, (dist * visible).sum(1) / count, np.nan).astype(np.float32)
