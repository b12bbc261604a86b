"""The one body-model interface both backends share (SMPL joint order, camera/body frame).

Frame (the camera/body frame of ``lmr_studio.geometry.camera``): metres, y up, x to the
subject's left, z forward (out of the chest, towards the camera when the body faces it). A zero
pose is a T-pose standing upright and facing +z; each axis-angle rotation is a local rotation
of one SMPL joint relative to its parent, as in SMPL, and the root rotates about joint 0.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
import torch

from lmr_studio.body.segmentation import vertex_parts_from_weights
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.parts import NUM_JOINTS

NUM_BETAS = 10
# Shapes :meth:`BodyModel.rest_joints` poses at once. Per-frame shapes of a 3,600-frame Anny track
# at once (a preview of a whole track) raised the window's resident memory by about 2 GB.
REST_BATCH = 64


@dataclass
class BodyOutput:
    """vertices (B, V, 3) and joints (B, 24, 3), torch float32, metres, in the body frame."""

    vertices: torch.Tensor
    joints: torch.Tensor


class BodyModel(torch.nn.Module, ABC):
    """A posable body mesh driven by SMPL-layout poses (24 joints, axis-angle) and 10 betas.

    Subclasses set the mesh data and implement :meth:`_posed` (no translation). Attributes:
    ``name`` ("anny" | "smpl"), ``faces`` (F, 3) int64, ``joint_weights`` (V, 24) float32
    (skinning weight per SMPL joint), ``vertex_parts`` (V,) uint8 in 0..5.
    """

    name: str

    def __init__(self, faces: np.ndarray, joint_weights: np.ndarray) -> None:
        super().__init__()
        self.faces = np.ascontiguousarray(faces, dtype=np.int64)
        self.joint_weights = np.ascontiguousarray(joint_weights, dtype=np.float32)
        self.vertex_parts = vertex_parts_from_weights(self.joint_weights)

    @property
    def num_vertices(self) -> int:
        return int(self.joint_weights.shape[0])

    @property
    def device(self) -> torch.device:
        return next(self.buffers()).device

    @abstractmethod
    def _posed(self, rotmats: torch.Tensor, betas: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """rotmats (B, 24, 3, 3) local rotations, betas (B, 10) -> (vertices (B,V,3), joints (B,24,3))."""

    def forward(self, pose: torch.Tensor, betas: torch.Tensor, transl: torch.Tensor | None = None) -> BodyOutput:
        """Pose the body.

        pose: (B, 24, 3) axis-angle in radians, SMPL joint order (joint 0 = global orientation).
        betas: (B, 10) shape coefficients. transl: (B, 3) metres added to every point, or None.
        """
        pose = torch.as_tensor(pose, dtype=torch.float32, device=self.device)
        betas = torch.as_tensor(betas, dtype=torch.float32, device=self.device)
        if pose.ndim != 3 or pose.shape[1:] != (NUM_JOINTS, 3):
            raise ValueError(f"pose must be (B, 24, 3) axis-angle, got {tuple(pose.shape)}")
        if betas.shape != (pose.shape[0], NUM_BETAS):
            raise ValueError(f"betas must be ({pose.shape[0]}, {NUM_BETAS}), got {tuple(betas.shape)}")
        vertices, joints = self._posed(axis_angle_to_matrix(pose), betas)
        if transl is not None:
            shift = torch.as_tensor(transl, dtype=torch.float32, device=self.device)[:, None, :]
            vertices, joints = vertices + shift, joints + shift
        return BodyOutput(vertices=vertices, joints=joints)

    def rest_joints(self, betas: torch.Tensor, batch_size: int = REST_BATCH) -> torch.Tensor:
        """(B, 10) betas -> (B, 24, 3) joints in the zero pose; forward_kinematics over these
        with a pose's rotation matrices reproduces :meth:`forward`'s joints. Posed ``batch_size``
        shapes at a time: each one skins the whole mesh, so memory follows the batch, not B."""
        betas = torch.as_tensor(betas, dtype=torch.float32, device=self.device)
        zero = torch.zeros(min(len(betas), batch_size), NUM_JOINTS, 3, device=self.device)
        return torch.cat([self.forward(zero[:len(part)], part).joints for part in betas.split(batch_size)])

    @torch.no_grad()
    def mesh_sequence(
        self, poses: np.ndarray, betas: np.ndarray, transl: np.ndarray | None = None, batch_size: int = 64
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pose F frames in batches: poses (F,24,3), betas (F,10), transl (F,3) | None ->
        (vertices (F,V,3), joints (F,24,3)) float32 numpy."""
        frames = len(poses)
        vertices = np.empty((frames, self.num_vertices, 3), dtype=np.float32)
        joints = np.empty((frames, NUM_JOINTS, 3), dtype=np.float32)
        for start in range(0, frames, batch_size):
            part = slice(start, start + batch_size)
            out = self.forward(
                torch.as_tensor(np.asarray(poses[part], dtype=np.float32)),
                torch.as_tensor(np.asarray(betas[part], dtype=np.float32)),
                None if transl is None else torch.as_tensor(np.asarray(transl[part], dtype=np.float32)),
            )
            vertices[part] = out.vertices.cpu().numpy()
            joints[part] = out.joints.cpu().numpy()
        return vertices, joints
