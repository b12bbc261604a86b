"""Vertex normals of a triangle mesh: the one normals function of the 3D view and the exports."""

from __future__ import annotations

import numpy as np
import scipy.sparse


class NormalEstimator:
    """Area-weighted unit vertex normals for a fixed triangle list (a sparse vertex-face sum),
    built once per mesh topology and applied to every frame.

    faces: (T, 3) int; ``__call__(vertices (V, 3)) -> (V, 3) float32`` unit normals (counter-clockwise
    triangles face outwards). A vertex on no triangle gets (0, 0, 0).
    """

    def __init__(self, faces: np.ndarray, num_vertices: int) -> None:
        faces = np.asarray(faces, dtype=np.int64)
        rows = faces.reshape(-1)
        cols = np.repeat(np.arange(len(faces)), 3)
        self.faces = faces
        self._incidence = scipy.sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                                                  shape=(num_vertices, len(faces)))

    def __call__(self, vertices: np.ndarray) -> np.ndarray:
        v = np.asarray(vertices, dtype=np.float32)
        tri = v[self.faces]
        normals = self._incidence @ np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        length = np.linalg.norm(normals, axis=1, keepdims=True)
        return (normals / np.maximum(length, 1e-12)).astype(np.float32)


def vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """(V, 3) float32 unit vertex normals of one mesh: vertices (V, 3), faces (T, 3)."""
    return NormalEstimator(faces, len(vertices))(vertices)
