"""A reference SMPL skinning, written from the paper, to check the app's smplx path against.

Shape blend shapes, pose correctives, forward kinematics and linear blend skinning as published
(Loper et al., 2015); the kinematic chain is ``lmr_studio.geometry.kinematics.forward_kinematics``
over the SMPL tree (smplx has its own). The app poses SMPL with smplx (body/smpl_backend.py).
"""

from __future__ import annotations

import torch

from lmr_studio.geometry.kinematics import forward_kinematics


def smpl_lbs(
    rotmats: torch.Tensor,
    betas: torch.Tensor,
    v_template: torch.Tensor,
    shapedirs: torch.Tensor,
    posedirs: torch.Tensor,
    j_regressor: torch.Tensor,
    weights: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Pose an SMPL-format model.

    rotmats (B, 24, 3, 3) local joint rotations; betas (B, K); v_template (V, 3);
    shapedirs (V, 3, K); posedirs (V, 3, 207); j_regressor (24, V); weights (V, 24).
    Returns (vertices (B, V, 3), joints (B, 24, 3)) in metres, root at its rest position.
    """
    batch = rotmats.shape[0]
    v_shaped = v_template + torch.einsum("vck,bk->bvc", shapedirs, betas)
    rest_joints = torch.einsum("jv,bvc->bjc", j_regressor, v_shaped)
    eye = torch.eye(3, dtype=rotmats.dtype, device=rotmats.device)
    pose_feature = (rotmats[:, 1:] - eye).reshape(batch, -1)
    v_posed = v_shaped + torch.einsum("vck,bk->bvc", posedirs, pose_feature)
    joints, glob = forward_kinematics(rotmats, rest_joints)
    # Per-joint rigid transform taking rest-pose points to posed points: x -> G x + (p - G j).
    offsets = joints - torch.einsum("bjcd,bjd->bjc", glob, rest_joints)
    blend_rot = torch.einsum("vj,bjcd->bvcd", weights, glob)
    blend_off = torch.einsum("vj,bjc->bvc", weights, offsets)
    vertices = torch.einsum("bvcd,bvd->bvc", blend_rot, v_posed) + blend_off
    return vertices, joints
