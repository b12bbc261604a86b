"""Per-track display data: posed meshes over frames, their projections, and the baseline ghost.

Built once per result on a worker thread (plain numpy/torch, no Qt, no VTK); the views then only
index into it by frame (aitviewer's "sequence = arrays over frames").
"""

from __future__ import annotations

import dataclasses

import numpy as np

from lmr_studio.result import MotionResult, row_of_frame


@dataclasses.dataclass
class TrackMeshes:
    """Meshes of one track. ``vertices`` (F, V, 3) float32 metres in the camera frame (translation
    applied); ``ghost`` the same for the baseline model or None."""

    track_id: int
    frame_ids: np.ndarray
    vertices: np.ndarray
    ghost: np.ndarray | None = None

    def row(self, frame: int) -> int | None:
        """Row of video frame ``frame``, or None where the track has no result."""
        return row_of_frame(self.frame_ids, frame)

    def nearest_row(self, frame: int) -> int:
        """Row of the frame nearest to ``frame`` where the track has a result (ties: the earlier)."""
        return int(np.argmin(np.abs(self.frame_ids - frame)))


def build_track_meshes(result: MotionResult, track_id: int, body, ghost_poses: np.ndarray | None = None) -> TrackMeshes:
    """Pose ``body`` (a BodyModel) on every row of a track; ``ghost_poses`` (F, 24, 3) adds a ghost
    posed by another model at the same place (same betas and translation)."""
    track = result.tracks[track_id]
    transl = track.translation(result.image_size)
    vertices, _ = body.mesh_sequence(track.poses, track.betas, transl)
    ghost = None
    if ghost_poses is not None:
        ghost, _ = body.mesh_sequence(ghost_poses, track.betas, transl)
    return TrackMeshes(track_id, np.asarray(track.frame_ids), np.asarray(vertices, np.float32),
                       None if ghost is None else np.asarray(ghost, np.float32))


def people_at_frame(meshes: dict[int, TrackMeshes], track_ids, frame: int) -> dict[int, np.ndarray]:
    """(V, 3) vertices on video ``frame`` of each of ``track_ids`` that has meshes and a result there."""
    out = {}
    for tid in track_ids:
        mesh = meshes.get(tid)
        row = mesh.row(frame) if mesh is not None else None
        if row is not None:
            out[tid] = mesh.vertices[row]
    return out
