"""Per-track display data: a track's meshes over frames, posed on demand, and the baseline ghost.

Built per result on a worker thread (plain numpy/torch, no Qt, no VTK); the views then ask for a
frame's row. Rows are posed in chunks and kept in a cache bounded in bytes (``posed_rows``), so the
window's memory does not grow with the clip's length.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from lmr_studio.result import MotionResult, row_of_frame
from lmr_studio.scene.posed_rows import ChunkCache, PosedRows


@dataclasses.dataclass
class TrackMeshes:
    """Meshes of one track: ``posed`` its rows' vertices, metres in the camera frame (translation
    applied); ``ghost_posed`` the same for the baseline model or None."""

    track_id: int
    frame_ids: np.ndarray
    posed: PosedRows
    ghost_posed: PosedRows | None = None

    def __len__(self) -> int:
        return len(self.posed)

    def vertices_at(self, row: int) -> np.ndarray:
        """(V, 3) float32 vertices of ``row`` (read-only)."""
        return self.posed[row]

    def ghost_at(self, row: int) -> np.ndarray | None:
        """(V, 3) float32 ghost vertices of ``row`` (read-only), or None without a ghost."""
        return None if self.ghost_posed is None else self.ghost_posed[row]

    def ground_sample(self) -> np.ndarray:
        """(K, V, 3) vertices of up to 64 rows spread over the track: where its ground goes."""
        return self.posed.sample()

    def row(self, frame: int) -> int | None:
        """Row of video frame ``frame``, or None where the track has no result."""
        return row_of_frame(self.frame_ids, frame)

    def nearest_row(self, frame: int) -> int:
        """Row of the frame nearest to ``frame`` where the track has a result (ties: the earlier)."""
        return int(np.argmin(np.abs(self.frame_ids - frame)))


def build_track_meshes(result: MotionResult, track_id: int, body, ghost_poses: np.ndarray | None = None,
                       cache: ChunkCache | None = None) -> TrackMeshes:
    """Meshes of a track posed on demand by ``body`` (a BodyModel), cached in ``cache`` (shared by
    a result's tracks; a new one when None); ``ghost_poses`` (F, 24, 3) adds a ghost posed by
    another model at the same place (same betas and translation)."""
    cache = ChunkCache() if cache is None else cache
    track = result.tracks[track_id]
    transl = track.translation(result.image_size, result.focal)
    posed = PosedRows(body, track.poses, track.betas, transl, cache)
    ghost = None if ghost_poses is None else PosedRows(body, ghost_poses, track.betas, transl, cache)
    return TrackMeshes(track_id, np.asarray(track.frame_ids), posed, ghost)


def people_at_frame(meshes: dict[int, TrackMeshes], track_ids, frame: int) -> dict[int, np.ndarray]:
    """(V, 3) vertices on video ``frame`` of each of ``track_ids`` that has meshes and a result there."""
    out = {}
    for tid in track_ids:
        mesh = meshes.get(tid)
        row = mesh.row(frame) if mesh is not None else None
        if row is not None:
            out[tid] = mesh.vertices_at(row)
    return out
