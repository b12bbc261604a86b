"""SMPL 24-joint poses onto Anny's 104-bone rig ("anny" rig, "local-ref" pose parameters).

Frames: SMPL / the body frame is y up, facing +z, subject's left +x. Anny is z up, facing -y,
subject's left +x. ``SMPL_TO_ANNY`` (= Rx(+90 deg)) maps body-frame vectors to Anny's frame.

Recipe (notes/body-model.md §1.5):
1. Global SMPL joint rotations G_j by forward kinematics over the SMPL tree; G'_j = C G_j C^T.
2. Every Anny bone follows one SMPL joint: its own (``SMPL_JOINT_BONES``) or, for bones with
   none (twist, extra spine/neck bones, metacarpals, finger/toe segments, eyes), its parent's.
3. Anny's reference pose is an A-pose with the elbows slightly bent; SMPL's zero pose is a
   T-pose with straight arms. Bones from ``upperarm01`` down get a fixed rotation that turns the
   upper arm horizontal (±x), bones from ``lowerarm01`` down one that turns the forearm
   horizontal, so the world rotation of bone b is Delta_b = G'_J(b) O_b.
4. Anny's local-ref deltas are D_b = S^T Delta_parent^T Delta_b S, with S = U_root^T (the
   rotation the reference skeleton gets from the root's reference orientation).
The SMPL joint positions are the heads of the bones of ``SMPL_JOINT_POSITION_BONES`` (averaged
where there are several): rigid in their parent joint's frame, so they obey SMPL's FK.
"""

from __future__ import annotations

import numpy as np
import torch

from lmr_studio.geometry.rotations import rotation_between
from lmr_studio.parts import NUM_JOINTS

#: Body frame -> Anny frame (Rx(+90 deg)): (x, y, z) -> (x, -z, y).
SMPL_TO_ANNY = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])

_SIDED = {  # SMPL joint (left, right) -> Anny bone names with {s} = L / R
    (1, 2): ("upperleg01.{s}",), (4, 5): ("lowerleg01.{s}",), (7, 8): ("foot.{s}",),
    (10, 11): tuple(f"toe{k}-1.{{s}}" for k in range(1, 6)),
    (13, 14): ("clavicle.{s}",), (16, 17): ("upperarm01.{s}",), (18, 19): ("lowerarm01.{s}",),
    (20, 21): ("wrist.{s}",), (22, 23): tuple(f"finger{k}-1.{{s}}" for k in range(1, 6)),
}
#: SMPL joint -> the Anny bones whose rotation it sets.
SMPL_JOINT_BONES: dict[int, tuple[str, ...]] = {
    0: ("root",), 3: ("spine04",), 6: ("spine02",), 9: ("spine01",), 12: ("neck01",), 15: ("head",),
    **{j: tuple(b.format(s=s) for b in bones) for pair, bones in _SIDED.items() for j, s in zip(pair, "LR")},
}
#: SMPL joint -> the Anny bones whose heads (averaged) give its position.
SMPL_JOINT_POSITION_BONES: dict[int, tuple[str, ...]] = {
    **SMPL_JOINT_BONES,
    22: tuple(f"finger{k}-1.L" for k in range(2, 6)), 23: tuple(f"finger{k}-1.R" for k in range(2, 6)),
}
#: Chain root bone -> (bone whose head ends the segment, T-pose direction in Anny's frame).
ARM_SEGMENTS = {
    f"{start}.{s}": (f"{end}.{s}", np.array([sign, 0.0, 0.0]))
    for s, sign in (("L", 1.0), ("R", -1.0)) for start, end in (("upperarm01", "lowerarm01"), ("lowerarm01", "wrist"))
}


class AnnyRetarget(torch.nn.Module):
    """Turns SMPL local rotations into Anny local-ref pose parameters, and Anny bone heads into
    SMPL joints. Built from the rig (labels, parents) and its reference pose."""

    def __init__(self, labels: list[str], parents: list[int], ref_heads: np.ndarray,
                 root_orientation: np.ndarray) -> None:
        """ref_heads (n_bones, 3): bone heads of the identity pose (Anny frame); root_orientation
        (3, 3): the root's reference orientation U_0."""
        super().__init__()
        if any(p >= b for b, p in enumerate(parents) if b > 0):
            raise ValueError("Anny's bones are expected parents first")
        index = {name: i for i, name in enumerate(labels)}
        joint_of_bone = np.full(len(labels), -1)
        for joint, bones in SMPL_JOINT_BONES.items():
            joint_of_bone[[index[b] for b in bones]] = joint
        segment = np.zeros(len(labels), dtype=int)  # index into corrections; 0 = none
        corrections = [np.eye(3)]
        for start, (end, target) in ARM_SEGMENTS.items():
            corrections.append(rotation_between(ref_heads[index[end]] - ref_heads[index[start]], target))
            segment[index[start]] = len(corrections) - 1
        for b, p in enumerate(parents):  # parents come before children in Anny's bone order
            if b == 0:
                continue
            if joint_of_bone[b] < 0:
                joint_of_bone[b] = joint_of_bone[p]
            segment[b] = segment[b] or segment[p]
        position = np.zeros((NUM_JOINTS, len(labels)), dtype=np.float32)
        for joint, bones in SMPL_JOINT_POSITION_BONES.items():
            position[joint, [index[b] for b in bones]] = 1.0 / len(bones)
        s = torch.as_tensor(root_orientation, dtype=torch.float32).T
        self.register_buffer("joint_of_bone", torch.as_tensor(joint_of_bone, dtype=torch.long))
        self.register_buffer("parent", torch.as_tensor(parents, dtype=torch.long).clamp(min=0))
        self.register_buffer("correction", torch.as_tensor(np.array(corrections)[segment], dtype=torch.float32))
        self.register_buffer("position", torch.from_numpy(position))
        self.register_buffer("frame", SMPL_TO_ANNY.clone())
        self.register_buffer("s", s)
        self.bone_joint = joint_of_bone  # numpy copy for skinning-weight grouping

    def pose_parameters(self, glob: torch.Tensor) -> torch.Tensor:
        """glob (B, 24, 3, 3) global SMPL joint rotations (body frame) -> (B, n_bones, 4, 4)."""
        c = self.frame
        g = c @ glob @ c.T                                   # into Anny's frame
        delta = g[:, self.joint_of_bone] @ self.correction   # world rotation per bone
        delta_parent = delta[:, self.parent]
        delta_parent[:, 0] = torch.eye(3, dtype=delta.dtype, device=delta.device)
        local = self.s.T @ delta_parent.transpose(-1, -2) @ delta @ self.s
        out = torch.zeros(*local.shape[:2], 4, 4, dtype=local.dtype, device=local.device)
        out[..., :3, :3] = local
        out[..., 3, 3] = 1.0
        return out

    def joints(self, bone_heads: torch.Tensor) -> torch.Tensor:
        """(B, n_bones, 3) posed bone heads (Anny frame) -> (B, 24, 3) SMPL joints (body frame)."""
        return torch.einsum("jb,nbc->njc", self.position, bone_heads) @ self.frame

    def to_body_frame(self, points: torch.Tensor) -> torch.Tensor:
        """(..., 3) Anny-frame points -> body frame."""
        return points @ self.frame
