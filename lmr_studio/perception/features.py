"""BlazePose keypoint layout, person boxes from keypoints, and LMR's per-frame input features.

The same functions build the features for training (synthetic keypoints) and for inference
(BlazePose on video), so both see identical inputs.
"""

from __future__ import annotations

import numpy as np

from lmr_studio.geometry.camera import pixels_to_box

#: The 33 BlazePose landmarks, in BlazePose order. Sides are the subject's own.
BLAZEPOSE_NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
)
NUM_KEYPOINTS = len(BLAZEPOSE_NAMES)

#: BlazePose indices of the COCO-17 keypoints, in COCO order.
COCO17_FROM_BLAZEPOSE: tuple[int, ...] = (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)

#: Skeleton edges between BlazePose landmarks, for overlays.
BLAZEPOSE_EDGES: tuple[tuple[int, int], ...] = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24),
    (23, 25), (25, 27), (27, 29), (29, 31), (27, 31), (24, 26), (26, 28), (28, 30), (30, 32),
    (28, 32), (0, 2), (0, 5), (2, 7), (5, 8), (15, 19), (16, 20), (9, 10),
)

VISIBILITY_THRESHOLD = 0.5
BOX_PADDING = 1.25
#: Per frame: 33 x (x_n, y_n, visibility) in the box, then 33 x 3 world landmarks, then a flag
#: that says whether the world landmarks are present (1) or absent (0, all zero).
KEYPOINT_DIM = NUM_KEYPOINTS * 3
WORLD_DIM = NUM_KEYPOINTS * 3
FEATURE_DIM = KEYPOINT_DIM + WORLD_DIM + 1
#: BlazePose's world frame (x right, y down, z away from the camera) -> ours (x right, y up, z
#: towards the viewer): a half turn about x.
WORLD_AXES = np.array([1.0, -1.0, -1.0], np.float32)
#: Sigma, in frames, of the Gaussian that smooths a track's world landmarks over time before the
#: network and the refinement read them (:func:`steady_world`), and the frames it reaches on each
#: side. Each frame's estimate jitters and the network passes the jitter on to the mesh: on LAFAN1's
#: renders, the render-and-detect split and the bundled sample smoothing cut the mesh's
#: acceleration error by a quarter to a third at equal or lower PA-MPJPE; a causal One-Euro filter
#: instead lagged and cost the sample's fast arms 2 mm (docs/model.md).
WORLD_SMOOTHING = 1.0
WORLD_RADIUS = 3


def box_from_keypoints(keypoints: np.ndarray, padding: float = BOX_PADDING,
                       threshold: float = VISIBILITY_THRESHOLD) -> np.ndarray:
    """Square person boxes from keypoints.

    keypoints: (..., 33, 3) pixels + visibility in [0, 1].
    Returns (..., 3) = (cx, cy, side) pixels: the extent of the visible points, padded. When fewer
    than two points are visible, all points are used.
    """
    kp = np.asarray(keypoints, dtype=np.float64)
    vis = kp[..., 2] >= threshold
    few = vis.sum(-1, keepdims=True) < 2
    vis = np.where(few, True, vis)
    xs = np.where(vis, kp[..., 0], np.nan)
    ys = np.where(vis, kp[..., 1], np.nan)
    x0, x1 = np.nanmin(xs, -1), np.nanmax(xs, -1)
    y0, y1 = np.nanmin(ys, -1), np.nanmax(ys, -1)
    side = np.maximum(np.maximum(x1 - x0, y1 - y0) * padding, 1.0)
    return np.stack([(x0 + x1) / 2, (y0 + y1) / 2, side], -1)


def box_to_corners(box: np.ndarray) -> np.ndarray:
    """(..., 3) square boxes (cx, cy, side) -> (..., 4) corners (x0, y0, x1, y1), pixels."""
    box = np.asarray(box, dtype=np.float64)
    half = box[..., 2] / 2
    return np.stack([box[..., 0] - half, box[..., 1] - half, box[..., 0] + half, box[..., 1] + half], -1)


def keypoint_features(keypoints: np.ndarray, box: np.ndarray, world: np.ndarray | None = None) -> np.ndarray:
    """LMR input features: keypoints normalised to the person box, plus BlazePose's 3D when known.

    keypoints: (..., 33, 3) pixels + visibility; box: (..., 3) (cx, cy, side) pixels;
    world: (..., 33, 3) BlazePose world landmarks (metres, hip-centred, BlazePose's axes) or None.
    Returns (..., FEATURE_DIM) float32: per landmark (x_n, y_n, visibility) with x_n, y_n in about
    [-1, 1], then the world landmarks in our axes (metres), then 1.0 when the world landmarks are
    given, else zeros and 0.0 (2D-only input such as imported OpenPose keypoints). A landmark
    BlazePose guesses behind the body keeps its position beside its low visibility, for the network
    to weigh; only a point of visibility 0 (one the source does not have) is zeroed.
    """
    kp = np.asarray(keypoints, dtype=np.float32)
    xy = pixels_to_box(kp[..., :2], np.asarray(box, dtype=np.float32))
    vis = kp[..., 2:3]
    xy = np.where(vis > 0.0, xy, 0.0)
    flat = np.concatenate([xy, vis], -1).reshape(*kp.shape[:-2], KEYPOINT_DIM)
    lead = flat.shape[:-1]
    if world is None:
        world_flat, flag = np.zeros((*lead, WORLD_DIM), np.float32), np.zeros((*lead, 1), np.float32)
    else:
        world_flat = (np.asarray(world, np.float32) * WORLD_AXES).reshape(*lead, WORLD_DIM)
        flag = np.ones((*lead, 1), np.float32)
    return np.concatenate([flat, world_flat, flag], -1).astype(np.float32)


def without_world(features: np.ndarray) -> np.ndarray:
    """The same features as 2D-only input: world landmarks and their flag zeroed (a copy)."""
    out = np.array(features, dtype=np.float32, copy=True)
    out[..., KEYPOINT_DIM:] = 0.0
    return out


def steady_world(world: np.ndarray, frame_ids: np.ndarray, sigma: float = WORLD_SMOOTHING) -> np.ndarray:
    """One track's world landmarks (F, 33, 3) at its ``frame_ids`` (F,), smoothed over time by
    :func:`~lmr_studio.smoothing.gaussian_over_frames` (``sigma`` frames, :data:`WORLD_RADIUS`
    frames each side; frames without landmarks, NaN, stay so); (F, 33, 3) float32."""
    from lmr_studio.smoothing import gaussian_over_frames

    return gaussian_over_frames(world, frame_ids, sigma, WORLD_RADIUS).astype(np.float32)
