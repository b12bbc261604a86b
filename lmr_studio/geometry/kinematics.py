"""Forward kinematics over the SMPL 24-joint tree (torch)."""

from __future__ import annotations

import torch

from lmr_studio.parts import PARENTS


def _tree_levels(parents: tuple[int, ...]) -> tuple[list[list[int]], list[list[int]], list[int]]:
    """The joints by depth in the tree (root alone first), for each level after the first the
    position of every joint's parent within the level above, and the joint order's inverse:
    ``torch.cat(levels)[:, inverse]`` is in joint order."""
    depth = [0] * len(parents)
    for j in range(1, len(parents)):
        depth[j] = depth[parents[j]] + 1
    levels = [[j for j in range(len(parents)) if depth[j] == d] for d in range(max(depth) + 1)]
    parent_slots = [[levels[d - 1].index(parents[j]) for j in levels[d]] for d in range(1, len(levels))]
    order = [j for level in levels for j in level]
    return levels, parent_slots, sorted(range(len(order)), key=order.__getitem__)


_LEVELS, _PARENT_SLOTS, _INVERSE = _tree_levels(PARENTS)


def forward_kinematics(rotmats: torch.Tensor, rest_joints: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Pose a skeleton.

    rotmats: (B, 24, 3, 3) local joint rotations (SMPL order; joint 0 is the global orientation).
    rest_joints: (B, 24, 3) joint positions in the zero pose, metres.
    Returns (joints (B, 24, 3) metres, global rotations (B, 24, 3, 3)); the root stays at its rest
    position (no translation is applied).

    The tree is walked one depth level at a time (9 batched steps instead of 23 joint steps: the
    2D refinement runs it and its gradient a hundred times per frame).
    """
    offsets = rest_joints[:, 1:] - rest_joints[:, list(PARENTS[1:])]  # (B, 23, 3), joint 1 first
    glob, pos = [rotmats[:, :1]], [rest_joints[:, :1]]
    for level, slots in zip(_LEVELS[1:], _PARENT_SLOTS):
        parent_glob, parent_pos = glob[-1][:, slots], pos[-1][:, slots]
        joints = list(level)
        pos.append(parent_pos + (parent_glob @ offsets[:, [j - 1 for j in joints], :, None])[..., 0])
        glob.append(parent_glob @ rotmats[:, joints])
    return torch.cat(pos, 1)[:, _INVERSE], torch.cat(glob, 1)[:, _INVERSE]
