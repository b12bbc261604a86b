"""Rotation conversions (torch), and the smallest rotation between two directions (numpy).
Axis-angle vectors in radians; matrices act on column vectors.

The conversions are built on ``roma`` (a dependency of anny). The 6D representation is the first two columns of the
rotation matrix (Zhou et al., 2019), flattened as (a1x, a2x, a1y, a2y, a1z, a2z) like VIBE/HMR2.
"""

from __future__ import annotations

import numpy as np
import roma
import torch


def axis_angle_to_matrix(aa: torch.Tensor) -> torch.Tensor:
    """(..., 3) axis-angle -> (..., 3, 3) rotation matrices."""
    return roma.rotvec_to_rotmat(aa)


def matrix_to_axis_angle(rotmat: torch.Tensor) -> torch.Tensor:
    """(..., 3, 3) rotation matrices -> (..., 3) axis-angle, angle in [0, pi]."""
    return roma.rotmat_to_rotvec(rotmat)


def rot6d_to_matrix(x: torch.Tensor) -> torch.Tensor:
    """(..., 6) 6D rotation -> (..., 3, 3) via Gram-Schmidt."""
    m = x.reshape(*x.shape[:-1], 3, 2)
    return roma.special_gramschmidt(m)


def matrix_to_rot6d(rotmat: torch.Tensor) -> torch.Tensor:
    """(..., 3, 3) rotation matrices -> (..., 6): first two columns, row-major."""
    return rotmat[..., :, :2].reshape(*rotmat.shape[:-2], 6)


def axis_angle_to_rot6d(aa: torch.Tensor) -> torch.Tensor:
    """(..., 3) axis-angle -> (..., 6)."""
    return matrix_to_rot6d(axis_angle_to_matrix(aa))


def rot6d_to_axis_angle(x: torch.Tensor) -> torch.Tensor:
    """(..., 6) -> (..., 3) axis-angle."""
    return matrix_to_axis_angle(rot6d_to_matrix(x))


def rotation_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(..., 3, 3) smallest rotations taking directions ``a`` (..., 3) onto ``b`` (..., 3), about
    the axis perpendicular to both (numpy; undefined for opposite directions)."""
    a = np.asarray(a, np.float64) / np.linalg.norm(a, axis=-1, keepdims=True)
    b = np.asarray(b, np.float64) / np.linalg.norm(b, axis=-1, keepdims=True)
    a, b = np.broadcast_arrays(a, b)
    v, c = np.cross(a, b), (a * b).sum(-1)[..., None, None]
    zero = np.zeros_like(v[..., 0])
    vx = np.stack([np.stack([zero, -v[..., 2], v[..., 1]], -1), np.stack([v[..., 2], zero, -v[..., 0]], -1),
                   np.stack([-v[..., 1], v[..., 0], zero], -1)], -2)
    return np.eye(3) + vx + vx @ vx / (1.0 + c)
