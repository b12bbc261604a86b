"""Training losses (the paper's SMPL-parameter L2, 3D-joint L1 and 2D-joint L1) with their weights.

* pose: squared error of the 24 rotation matrices (sum over the 9 entries, mean over joints and
  frames), weight ``pose`` = 1.0; betas: squared error of the betas, weight ``betas`` = 0.05;
* 3D joints: L1 (metres) between pelvis-aligned joints, prediction posed by forward kinematics
  on the skeleton regressed from the predicted betas, weight ``joints3d`` = 5.0;
* 2D joints: L1 between the weak-perspective projection of the predicted joints with the
  predicted camera and the box-normalised projections of the true joints, weight ``joints2d``
  = 1.0; joints projected more than 2 box half-widths from the centre (a broken box) are ignored;
* joint velocity (optional, weight ``velocity``, 0 by default and in the shipped weights): L1
  (metres per frame) between the frame-to-frame steps of the predicted and the true pelvis-aligned
  3D joints, within the frames of one call: it asks a recurrent network to move as the body moves
  (no lag, no jitter) rather than only to land near each frame's pose.
"""

from __future__ import annotations

import dataclasses

import torch

from lmr_studio.geometry.camera import weak_perspective_project
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.model.network import NetworkOutput


@dataclasses.dataclass
class LossWeights:
    pose: float = 1.0
    betas: float = 0.05
    joints3d: float = 5.0
    joints2d: float = 1.0
    velocity: float = 0.0


def predicted_joints(rotmat: torch.Tensor, rest_joints: torch.Tensor) -> torch.Tensor:
    """(B, T, 24, 3, 3) rotations on (B, T, 24, 3) rest skeletons -> (B, T, 24, 3) joints."""
    b, t = rotmat.shape[:2]
    joints, _ = forward_kinematics(rotmat.reshape(b * t, 24, 3, 3), rest_joints.reshape(b * t, 24, 3))
    return joints.view(b, t, 24, 3)


def lmr_losses(out: NetworkOutput, pred_rest: torch.Tensor, rotmat: torch.Tensor, betas: torch.Tensor,
               joints3d: torch.Tensor, joints2d: torch.Tensor,
               weights: LossWeights = LossWeights()) -> dict[str, torch.Tensor]:
    """Weighted loss terms and their sum ``total``; targets shaped as in ``ClipSet``."""
    pose = ((out.rotmat - rotmat) ** 2).sum((-1, -2)).mean()
    shape = ((out.betas - betas) ** 2).mean()
    joints = predicted_joints(out.rotmat, pred_rest)
    rel_pred = joints - joints[:, :, :1]
    rel_true = joints3d - joints3d[:, :, :1]
    j3d = (rel_pred - rel_true).abs().sum(-1).mean()
    proj = weak_perspective_project(joints, out.cam)
    valid = (joints2d.abs().amax(-1) < 2.0).float()
    j2d = ((proj - joints2d).abs().sum(-1) * valid).sum() / valid.sum().clamp(min=1.0)
    terms = {"pose": weights.pose * pose, "betas": weights.betas * shape,
             "joints3d": weights.joints3d * j3d, "joints2d": weights.joints2d * j2d}
    if weights.velocity > 0 and rel_pred.shape[1] > 1:
        step_pred, step_true = rel_pred.diff(dim=1), rel_true.diff(dim=1)
        terms["velocity"] = weights.velocity * (step_pred - step_true).abs().sum(-1).mean()
    terms["total"] = sum(terms.values())
    return terms
