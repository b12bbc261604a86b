"""Forward kinematics over the SMPL 24-joint tree (torch)."""

from __future__ import annotations

import torch

from lmr_studio.parts import PARENTS


def _as_index(ids: list[int]) -> slice | list[int]:
    """``ids`` as a slice when they are a run of consecutive numbers (a view, cheap to back-propagate)."""
    return slice(ids[0], ids[-1] + 1) if ids == list(range(ids[0], ids[-1] + 1)) else ids


def _tree_levels(parents: tuple[int, ...]) -> tuple[list, list[int] | None]:
    """Per depth level after the root's: (its joints, the offsets' rows of those joints, each
    joint's parent's place within the level above), each a slice where it can be; and the
    permutation from levels order to joint order (None when it is the identity, as for SMPL)."""
    depth = [0] * len(parents)
    for j in range(1, len(parents)):
        depth[j] = depth[parents[j]] + 1
    levels = [[j for j in range(len(parents)) if depth[j] == d] for d in range(max(depth) + 1)]
    steps = [(_as_index(levels[d]), _as_index([j - 1 for j in levels[d]]),
              _as_index([levels[d - 1].index(parents[j]) for j in levels[d]])) for d in range(1, len(levels))]
    order = [j for level in levels for j in level]
    inverse = sorted(range(len(order)), key=order.__getitem__)
    return steps, None if inverse == order else inverse


_STEPS, _INVERSE = _tree_levels(PARENTS)


def forward_kinematics(rotmats: torch.Tensor, rest_joints: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Pose a skeleton.

    rotmats: (B, 24, 3, 3) local joint rotations (SMPL order; joint 0 is the global orientation).
    rest_joints: (B, 24, 3) joint positions in the zero pose, metres.
    Returns (joints (B, 24, 3) metres, global rotations (B, 24, 3, 3)); the root stays at its rest
    position (no translation is applied).

    The tree is walked one depth level at a time (8 batched steps instead of 23 joint steps: the
    2D refinement runs it and its gradient a hundred times per frame).
    """
    offsets = rest_joints[:, 1:] - rest_joints[:, list(PARENTS[1:])]  # (B, 23, 3), joint 1's first
    glob, pos = [rotmats[:, :1]], [rest_joints[:, :1]]
    for joints, rows, parent_slots in _STEPS:
        parent_glob, parent_pos = glob[-1][:, parent_slots], pos[-1][:, parent_slots]
        pos.append(parent_pos + (parent_glob @ offsets[:, rows, :, None])[..., 0])
        glob.append(parent_glob @ rotmats[:, joints])
    joints, glob = torch.cat(pos, 1), torch.cat(glob, 1)
    return (joints, glob) if _INVERSE is None else (joints[:, _INVERSE], glob[:, _INVERSE])
