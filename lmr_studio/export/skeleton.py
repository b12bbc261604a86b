"""The 24-joint SMPL skeleton of one track, as the skeletal formats (glb, bvh) animate it.

The skeleton's bone offsets come from the body model's zero-pose joints for the track's mean shape
(``body.rest_joints``); each frame has the pose's local rotations and the root position
``rest[0] + transl``. Forward kinematics over it (geometry.kinematics) reproduces the body model's
joints exactly when the shape is constant over the track (it usually is nearly so).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.parts import PARENTS
from lmr_studio.result import MotionResult, Track


@dataclasses.dataclass
class Skeleton:
    """rest (24, 3) zero-pose joints, metres; rotations (F, 24, 3, 3) local, SMPL order;
    root_positions (F, 3) pelvis position, metres, camera frame."""

    rest: np.ndarray
    rotations: np.ndarray
    root_positions: np.ndarray

    @property
    def offsets(self) -> np.ndarray:
        """(24, 3) each joint's rest offset from its parent (the root's: its rest position)."""
        parents = np.array(PARENTS)
        out = self.rest.copy()
        out[1:] -= self.rest[parents[1:]]
        return out


def track_skeleton(body, track: Track, result: MotionResult) -> Skeleton:
    """The animated skeleton of ``track`` (its mean betas give the bone lengths)."""
    betas = torch.as_tensor(np.asarray(track.betas, np.float32).mean(0, keepdims=True))
    with torch.no_grad():
        rest = body.rest_joints(betas)[0].double().numpy()
    rotations = axis_angle_to_matrix(torch.as_tensor(np.asarray(track.poses), dtype=torch.float64)).numpy()
    root_positions = rest[0] + track.translation(result.image_size, result.focal)
    return Skeleton(rest=rest, rotations=rotations, root_positions=root_positions)
