"""BlazePose (MediaPipe 0.10.21, model "full") on whole frames or square crops."""

from __future__ import annotations

import dataclasses
import os

import cv2
import numpy as np

from lmr_studio.geometry.camera import box_to_pixels

#: Side of the square crop BlazePose sees, pixels.
CROP_SIZE = 256


@dataclasses.dataclass
class Detection:
    """One BlazePose result.

    keypoints: (33, 3) image pixels + visibility in [0, 1].
    world: (33, 3) metres, BlazePose's own metric skeleton centred on the mid-hip, in its image-like
        frame (x right, y down, z away from the camera); it does not depend on the crop.
    """

    keypoints: np.ndarray
    world: np.ndarray


def _pose_module():
    os.environ.setdefault("GLOG_minloglevel", "2")  # silence MediaPipe's start-up logging
    from mediapipe.python.solutions import pose
    return pose


def preload() -> None:
    """Import MediaPipe's pose solution now (about 0.6 s of CPU, measured), while models load,
    instead of on the first frame."""
    _pose_module()


class BlazePose:
    """One BlazePose instance (it keeps its own tracking state: use one per followed person).

    ``static``: detect on every call (for crops that jump around); otherwise MediaPipe's video
    mode, which re-detects only when it loses the person. Only ``model_complexity=1`` ships in
    the wheel, so it is the only one used.
    """

    def __init__(self, static: bool = False, min_detection: float = 0.5, min_tracking: float = 0.5) -> None:
        # No landmark smoothing: crops move with the person, and smoothing in crop coordinates
        # raised the error on the sample from 4.9 to 5.7 px with no less jitter (measured).
        self._pose = _pose_module().Pose(static_image_mode=static, model_complexity=1, smooth_landmarks=False,
                                         min_detection_confidence=min_detection,
                                         min_tracking_confidence=min_tracking)

    def on_image(self, rgb: np.ndarray) -> Detection | None:
        """The pose in ``rgb`` (keypoints in its pixels), or None when no pose is found."""
        res = self._pose.process(np.ascontiguousarray(rgb))
        if res.pose_landmarks is None:
            return None
        h, w = rgb.shape[:2]
        lm = res.pose_landmarks.landmark
        keypoints = np.array([(p.x * w, p.y * h, p.visibility) for p in lm], dtype=np.float32)
        world = np.zeros((len(lm), 3), np.float32)
        if res.pose_world_landmarks is not None:
            world[:] = [(p.x, p.y, p.z) for p in res.pose_world_landmarks.landmark]
        return Detection(keypoints, world)

    def on_crop(self, rgb: np.ndarray, box: np.ndarray) -> Detection | None:
        """The pose in the square crop ``box`` (cx, cy, side) of ``rgb``, keypoints in frame pixels."""
        crop = crop_square(rgb, box)
        found = self.on_image(crop)
        if found is None:
            return None
        xy_n = found.keypoints[:, :2] / (CROP_SIZE / 2) - 1.0
        found.keypoints[:, :2] = box_to_pixels(xy_n[None], np.asarray(box, np.float32)[None])[0]
        return found

    def forget(self) -> None:
        """Drop the person video mode is following, so the next call detects afresh (one call on a
        blank crop, ~12 ms of CPU; restarting MediaPipe's graph or making a new instance costs
        70-170 ms, measured)."""
        self._pose.process(_BLANK)

    def close(self) -> None:
        self._pose.close()


_BLANK = np.zeros((CROP_SIZE, CROP_SIZE, 3), np.uint8)


def crop_square(rgb: np.ndarray, box: np.ndarray, size: int = CROP_SIZE) -> np.ndarray:
    """The square ``box`` (cx, cy, side) pixels of ``rgb`` resampled to (size, size, 3); outside is black."""
    cx, cy, side = (float(v) for v in box)
    scale = size / side
    affine = np.array([[scale, 0.0, size / 2 - scale * cx], [0.0, scale, size / 2 - scale * cy]])
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.warpAffine(rgb, affine, (size, size), flags=interp, borderMode=cv2.BORDER_CONSTANT)
