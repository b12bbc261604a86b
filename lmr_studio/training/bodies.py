"""A bank of body shapes for training: betas, rest skeletons, landmark offsets, and a smooth
skeleton regressor (betas -> rest joints) for the differentiable 3D-joint loss.

Built once from a :class:`~lmr_studio.body.BodyModel` (Anny by default) with one batched rest
forward pass; posing then needs only :func:`~lmr_studio.geometry.kinematics.forward_kinematics`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from lmr_studio.training.landmarks import choose_vertices, landmark_offsets

#: Betas that drive Anny's six phenotypes (see lmr_studio.body.phenotype); 6..9 stay 0.
ACTIVE_BETAS = 6
BETA_STD = 1.0


@dataclasses.dataclass
class BodyBank:
    """N bodies: ``betas`` (N, 10), ``rest_joints`` (N, 24, 3) m, ``offsets`` (N, 33, 3) m,
    skeleton regressor ``skel_basis`` (28, 24, 3): rest joints are fitted by least squares as
    a quadratic function of the squashed betas (see :func:`_skeleton_features`)."""

    betas: np.ndarray
    rest_joints: np.ndarray
    offsets: np.ndarray
    skel_basis: np.ndarray


_PAIRS = np.triu_indices(ACTIVE_BETAS)
#: Terms of :func:`_skeleton_features` (rows of ``BodyBank.skel_basis``): 1 + 6 + 21 = 28.
SKELETON_TERMS = 1 + ACTIVE_BETAS + len(_PAIRS[0])


def _skeleton_features(betas):
    """[1, s, s_i * s_j (i <= j)] with s = sigmoid(0.8 * betas[:6]) (Anny's phenotype squashing)."""
    b = betas[..., :ACTIVE_BETAS]
    s = torch.sigmoid(0.8 * b) if isinstance(b, torch.Tensor) else 1 / (1 + np.exp(-0.8 * b))
    cat = torch.cat if isinstance(b, torch.Tensor) else np.concatenate
    return cat([s[..., :1] * 0 + 1, s, s[..., _PAIRS[0]] * s[..., _PAIRS[1]]], -1)


def skeleton_from_betas(basis: torch.Tensor, betas: torch.Tensor) -> torch.Tensor:
    """Differentiable rest joints (..., 24, 3) from betas (..., 10) with the bank's regressor."""
    return torch.einsum("...k,kjc->...jc", _skeleton_features(betas), basis)


def build_body_bank(body, count: int = 256, seed: int = 0, betas: np.ndarray | None = None) -> BodyBank:
    """Sample ``count`` bodies (betas ~ N(0, 1) on the active betas, clipped to +/-2.5) of ``body``,
    or use the given ``betas`` (K, 10). Body 0 is always the mean body (betas 0), on which the
    landmark vertices are chosen."""
    if betas is None:
        rng = np.random.default_rng(seed)
        betas = np.zeros((count, 10), dtype=np.float32)
        betas[:, :ACTIVE_BETAS] = np.clip(rng.normal(0, BETA_STD, (count, ACTIVE_BETAS)), -2.5, 2.5)
    else:
        betas = np.concatenate([np.zeros((1, 10)), np.asarray(betas).reshape(-1, 10)]).astype(np.float32)
        count = len(betas)
    betas[0] = 0.0
    zero = np.zeros((count, 24, 3), dtype=np.float32)
    vertices, joints = body.mesh_sequence(zero, betas)
    chosen = choose_vertices(vertices[0], joints[0], np.asarray(body.vertex_parts))
    offsets = landmark_offsets(vertices, joints, chosen)
    feats = _skeleton_features(betas.astype(np.float64))
    basis, *_ = np.linalg.lstsq(feats, joints.reshape(count, -1).astype(np.float64), rcond=None)
    return BodyBank(betas, joints.astype(np.float32), offsets,
                    basis.reshape(-1, 24, 3).astype(np.float32))
