"""Per-track display data: posed meshes over frames, their projections, and the baseline ghost.

Built once per result on a worker thread (plain numpy/torch, no Qt, no VTK); the views then only
index into it by frame (aitviewer's "sequence = arrays over frames").
"""

from __future__ import annotations

import dataclasses

import numpy as np

from lmr_studio.dynamics import part_angular_speed
from lmr_studio.geometry.camera import corners_to_box, default_focal, perspective_project, weak_to_full_translation
from lmr_studio.result import MotionResult, Track


def track_translation(track: Track, image_size: tuple[int, int]) -> np.ndarray:
    """(F, 3) body translation in metres: the track's own, or derived from its weak-perspective cams."""
    if track.transl is not None:
        return np.asarray(track.transl, np.float32)
    box = corners_to_box(np.asarray(track.bboxes, np.float64))
    return weak_to_full_translation(np.asarray(track.cam, np.float64), box, default_focal(*image_size),
                                    image_size).astype(np.float32)


@dataclasses.dataclass
class TrackMeshes:
    """Meshes of one track. ``vertices`` (F, V, 3) float32 metres in the camera frame (translation
    applied); ``ghost`` the same for the baseline model or None; ``speed`` (F, 6) rad/s per part."""

    track_id: int
    frame_ids: np.ndarray
    vertices: np.ndarray
    speed: np.ndarray
    ghost: np.ndarray | None = None

    def row(self, frame: int) -> int | None:
        """Row of video frame ``frame``, or None where the track has no result."""
        i = int(np.searchsorted(self.frame_ids, frame))
        return i if i < len(self.frame_ids) and self.frame_ids[i] == frame else None

    def projected(self, row: int, focal: float, image_size: tuple[int, int]) -> np.ndarray:
        """(V, 2) pixel positions of the row's vertices in the video image."""
        return perspective_project(self.vertices[row], np.zeros(3, np.float32), focal, image_size)


def build_track_meshes(result: MotionResult, track_id: int, body, ghost_poses: np.ndarray | None = None) -> TrackMeshes:
    """Pose ``body`` (a BodyModel) on every row of a track; ``ghost_poses`` (F, 24, 3) adds a ghost
    posed by another model at the same place (same betas and translation)."""
    track = result.tracks[track_id]
    transl = track_translation(track, result.image_size)
    vertices, _ = body.mesh_sequence(track.poses, track.betas, transl)
    ghost = None
    if ghost_poses is not None:
        ghost, _ = body.mesh_sequence(ghost_poses, track.betas, transl)
    speed = part_angular_speed(track.poses, track.frame_ids, result.fps)
    return TrackMeshes(track_id, np.asarray(track.frame_ids), np.asarray(vertices, np.float32), speed,
                       None if ghost is None else np.asarray(ghost, np.float32))
