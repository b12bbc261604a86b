"""``pkl``: a VIBE-compatible output dict, so tools that read VIBE results read ours.

A plain pickle of ``{track_id: {...}}`` with numpy arrays (``joblib.load`` reads it too), each
track in VIBE's conventions: 3D in VIBE's camera frame (x right, y down, z away from the viewer,
i.e. ours turned 180 degrees about x, the turn folded into the global orientation), no translation.

==============  ==========  ===========================================================
``pose``        (F, 72)     axis-angle, SMPL joint order, global orientation in VIBE's frame
``betas``       (F, 10)     shape coefficients
``verts``       (F, V, 3)   mesh vertices, metres (V = the body model's vertex count)
``joints3d``    (F, 24, 3)  SMPL-order joints, metres (VIBE itself writes 49 joints)
``pred_cam``    (F, 3)      weak-perspective (s, tx, ty) in the person box, VIBE's y-down sign
``orig_cam``    (F, 4)      (sx, sy, tx, ty) in the full image, as VIBE's convert_crop_cam_to_orig_img
``bboxes``      (F, 4)      square person box (cx, cy, w, h), pixels
``joints2d``    (F, 33, 3)  the BlazePose keypoints LMR read (pixels + visibility)
``frame_ids``   (F,)        video frame indices
==============  ==========  ===========================================================
"""

from __future__ import annotations

import dataclasses
import os
import pickle
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from lmr_studio.export.common import ProgressFn, mesh_arrays, select_tracks
from lmr_studio.geometry.camera import corners_to_box
from lmr_studio.geometry.rotations import axis_angle_to_matrix, matrix_to_axis_angle
from lmr_studio.io.atomic import atomic_path
from lmr_studio.result import MotionResult, Track

#: Our camera frame -> VIBE's (y down, z away): a half turn about x.
FLIP = np.diag([1.0, -1.0, -1.0])


def to_vibe_poses(poses: np.ndarray) -> np.ndarray:
    """(F, 24, 3) axis-angle in our frame -> (F, 72) with the global orientation in VIBE's frame."""
    out = np.array(poses, dtype=np.float32)
    root = axis_angle_to_matrix(torch.from_numpy(out[:, 0]).double())
    out[:, 0] = matrix_to_axis_angle(torch.from_numpy(FLIP) @ root).float().numpy()
    return out.reshape(len(out), 72)


def vibe_cams(cam: np.ndarray, pelvis: np.ndarray, bboxes: np.ndarray,
              image_size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pred_cam (F, 3), orig_cam (F, 4), bboxes (F, 4) cx, cy, w, h) for VIBE-frame meshes.

    cam: (F, 3) our (s, tx, ty); pelvis: (F, 3) the root joint, which the half turn keeps in place,
    metres; bboxes: (F, 4) corners (x0, y0, x1, y1), pixels; image_size: (width, height).
    """
    s, tx, ty = cam[:, 0], cam[:, 1], cam[:, 2]
    pred = np.stack([s, tx, -ty - 2.0 * pelvis[:, 1]], -1)
    box = corners_to_box(np.asarray(bboxes, np.float64))
    width, height = image_size
    sx = pred[:, 0] * box[:, 2] / width
    sy = pred[:, 0] * box[:, 2] / height
    orig = np.stack([sx, sy, (box[:, 0] - width / 2) / (width / 2) / sx + pred[:, 1],
                     (box[:, 1] - height / 2) / (height / 2) / sy + pred[:, 2]], -1)
    vibe_boxes = np.stack([box[:, 0], box[:, 1], box[:, 2], box[:, 2]], -1)
    return pred.astype(np.float32), orig.astype(np.float32), vibe_boxes.astype(np.float32)


def vibe_track(body, track: Track, result: MotionResult, progress: ProgressFn | None = None,
               total: int | None = None, done: int = 0) -> dict[str, np.ndarray]:
    """One track as VIBE's per-person output dict (``progress`` as in common.iter_meshes)."""
    pose = to_vibe_poses(track.poses)
    untranslated = dataclasses.replace(track, poses=pose.reshape(-1, 24, 3), transl=np.zeros((len(track), 3)))
    verts, joints = mesh_arrays(body, untranslated, result, progress, total, done)
    pred_cam, orig_cam, bboxes = vibe_cams(track.cam, joints[:, 0], track.bboxes, result.image_size)
    return {"pose": pose, "betas": track.betas.astype(np.float32), "verts": verts, "joints3d": joints,
            "pred_cam": pred_cam, "orig_cam": orig_cam, "bboxes": bboxes,
            "joints2d": track.keypoints2d.astype(np.float32), "frame_ids": track.frame_ids.astype(np.int64)}


def export_pkl(result: MotionResult, body, path: str | os.PathLike, *, frames=None,
               tracks: Sequence[int] | None = None, colours: bool = True, video=None,
               progress: ProgressFn | None = None, force: bool = False) -> Path:
    """Write the chosen tracks as a VIBE-style pickle to ``path``; ``colours``/``video`` unused."""
    chosen = select_tracks(result, frames, tracks)
    total = sum(len(t) for t in chosen.values())
    output, done = {}, 0
    for tid, track in chosen.items():
        output[tid] = vibe_track(body, track, result, progress, total, done)
        done += len(track)
    with atomic_path(path, overwrite=force) as tmp:
        with open(tmp, "wb") as fh:
            pickle.dump(output, fh, protocol=4)
    return Path(path)
