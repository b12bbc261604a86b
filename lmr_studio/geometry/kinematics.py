"""Forward kinematics over the SMPL 24-joint tree (torch)."""

from __future__ import annotations

import torch

from lmr_studio.parts import PARENTS


def forward_kinematics(rotmats: torch.Tensor, rest_joints: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Pose a skeleton.

    rotmats: (B, 24, 3, 3) local joint rotations (SMPL order; joint 0 is the global orientation).
    rest_joints: (B, 24, 3) joint positions in the zero pose, metres.
    Returns (joints (B, 24, 3) metres, global rotations (B, 24, 3, 3)); the root stays at its rest
    position (no translation is applied).
    """
    glob = [rotmats[:, 0]]
    pos = [rest_joints[:, 0]]
    for j in range(1, len(PARENTS)):
        p = PARENTS[j]
        offset = rest_joints[:, j] - rest_joints[:, p]
        pos.append(pos[p] + (glob[p] @ offset.unsqueeze(-1)).squeeze(-1))
        glob.append(glob[p] @ rotmats[:, j])
    return torch.stack(pos, 1), torch.stack(glob, 1)
