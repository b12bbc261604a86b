"""The iterative mesh regressor shared by LMR and its baselines.

One network class, three configurations (``ModelConfig.kind``):

* ``lmr``: six part GRUs (root part first; each other part gets ``[Phi_t, theta_part, beta,
  theta_root updated]`` and never another part's pose), a fully connected shape module on
  ``[Phi_t, theta, beta]`` and a camera GRU on ``[Phi_t, theta, beta, c]``.
* ``single_rnn``: the paper's ablation, one GRU for all 24 joints (``[Phi_t, theta, beta]``),
  everything else identical.
* ``per_frame``: LMR's wiring with every GRU replaced by a per-frame layer (no recurrence).

Poses are refined as residual updates in the 6D rotation representation over ``iterations``
(V) rounds that start from the mean pose / shape / camera (buffers).
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from lmr_studio.geometry.rotations import rot6d_to_matrix
from lmr_studio.model.config import ModelConfig
from lmr_studio.model.encoder import FeatureEncoder
from lmr_studio.model.temporal import GroupedGRU
from lmr_studio.parts import NUM_JOINTS, NUM_PARTS, PART_JOINTS, ROOT_PART

#: Weak-perspective scale of a standing adult in a padded person box (about 2 / (1.7 m * 1.25)).
INITIAL_CAM = (0.9, 0.0, 0.0)
#: Recurrent state: per iteration, the last hidden state (G, B, H) of each unit (root, other parts, camera).
State = list[list[torch.Tensor | None]]


@dataclasses.dataclass
class NetworkOutput:
    """Per-frame outputs of a batch of B sequences of T frames."""

    rot6d: torch.Tensor          # (B, T, 24, 6)
    rotmat: torch.Tensor         # (B, T, 24, 3, 3)
    betas: torch.Tensor          # (B, T, num_betas)
    cam: torch.Tensor            # (B, T, 3) weak-perspective (s, tx, ty) in the box
    part_activity: torch.Tensor  # (B, T, 6) norm of each part's hidden-state change since the last frame
    state: State                 # the recurrent state after the last frame, to continue the sequences


def pose_groups(kind: str) -> tuple[tuple[int, ...], ...]:
    """SMPL joints driven by each pose unit: six parts (root first) or one group of all 24."""
    if kind == "single_rnn":
        return (tuple(range(NUM_JOINTS)),)
    return PART_JOINTS


class MeshRegressor(nn.Module):
    """Features (B, T, feature_dim) -> per-frame pose, shape, camera; see the module docstring."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        recurrent = config.kind != "per_frame"
        d, nb = config.encoder_dim, config.num_betas
        self.groups = pose_groups(config.kind)
        self.encoder = FeatureEncoder(config.feature_dim, d)
        root_dim = 6 * len(PART_JOINTS[ROOT_PART])
        pose_dims = [6 * len(j) for j in self.groups]
        if len(self.groups) == 1:  # single_rnn: one GRU on [Phi, theta, beta]
            self.root = GroupedGRU(d, [pose_dims[0] + nb], pose_dims, config.single_hidden, recurrent)
            self.others = None
        else:  # LMR: root GRU on [Phi, theta_root, beta]; five GRUs on [Phi, theta_k, beta, theta_root new]
            self.root = GroupedGRU(d, [root_dim + nb], [root_dim], config.part_hidden, recurrent)
            self.others = GroupedGRU(d, [p + nb + root_dim for p in pose_dims[1:]], pose_dims[1:],
                                     config.part_hidden, recurrent)
        self.shape = nn.Sequential(nn.Linear(d + 6 * NUM_JOINTS + nb, config.shape_hidden), nn.ReLU(),
                                   nn.Linear(config.shape_hidden, nb))
        with torch.no_grad():
            self.shape[-1].weight.mul_(0.01)
            self.shape[-1].bias.zero_()
        self.camera = GroupedGRU(d, [6 * NUM_JOINTS + nb + 3], [3], config.camera_hidden, recurrent)
        identity6d = torch.tensor([1.0, 0.0, 0.0, 1.0, 0.0, 0.0])
        self.register_buffer("mean_pose", identity6d.repeat(NUM_JOINTS, 1))  # (24, 6)
        self.register_buffer("mean_betas", torch.zeros(nb))
        self.register_buffer("init_cam", torch.tensor(INITIAL_CAM))
        order = [j for joints in self.groups for j in joints]
        inverse = torch.empty(NUM_JOINTS, dtype=torch.long)
        inverse[torch.tensor(order)] = torch.arange(NUM_JOINTS)
        self.register_buffer("joint_order", torch.tensor(order), persistent=False)
        self.register_buffer("joint_unorder", inverse, persistent=False)
        self.version = f"{config.kind}-untrained"  # replaced by the weights file's version on load

    def forward(self, features: torch.Tensor, state: State | None = None) -> NetworkOutput:
        """features: (B, T, feature_dim); ``state`` after the frames before these, or None to start."""
        b, t, _ = features.shape
        phi = self.encoder(features)
        units = [u for u in (self.root, self.others, self.camera) if u is not None]
        projected = [u.project_phi(phi) for u in units]
        theta = self.mean_pose.expand(b, t, NUM_JOINTS, 6)
        betas = self.mean_betas.expand(b, t, -1)
        cam = self.init_cam.expand(b, t, 3)
        sizes = [len(j) for j in self.groups]
        new_state: State = []
        hiddens: list[torch.Tensor] = []
        for v in range(self.config.iterations):
            carried = state[v] if state is not None else [None] * len(units)
            parts = list(theta[:, :, self.joint_order].split(sizes, 2))
            (d_root,), h_root, s_root = self.root(projected[0], [torch.cat([parts[0].flatten(2), betas], -1)],
                                                  carried[0])
            parts[0] = parts[0] + d_root.view_as(parts[0])
            last, hiddens = [s_root], [h_root]
            if self.others is not None:
                root_new = parts[0].flatten(2)
                extras = [torch.cat([p.flatten(2), betas, root_new], -1) for p in parts[1:]]
                deltas, h_other, s_other = self.others(projected[1], extras, carried[1])
                parts[1:] = [p + dp.view_as(p) for p, dp in zip(parts[1:], deltas)]
                last.append(s_other)
                hiddens.append(h_other)
            theta = torch.cat(parts, 2)[:, :, self.joint_unorder]
            flat = theta.flatten(2)
            betas = betas + self.shape(torch.cat([phi, flat, betas], -1))
            (dcam,), _, s_cam = self.camera(projected[-1], [torch.cat([flat, betas, cam], -1)], carried[-1])
            cam = cam + dcam
            last.append(s_cam)
            new_state.append(last)
        hidden = torch.cat(hiddens, 2)  # (B, T, G, H) over the pose groups of the last iteration
        carried_pose = None
        if state is not None and state[-1][0] is not None:
            carried_pose = torch.cat(state[-1][:-1], 0).transpose(0, 1)  # (B, G, H)
        return NetworkOutput(theta, rot6d_to_matrix(theta), betas, cam, self._activity(hidden, carried_pose),
                             new_state)

    @staticmethod
    def _activity(hidden: torch.Tensor, carried: torch.Tensor | None) -> torch.Tensor:
        """(B, T, 6): norm of each pose group's hidden-state change per frame (last iteration)."""
        first = carried if carried is not None else hidden[:, 0]
        prev = torch.cat([first.unsqueeze(1), hidden[:, :-1]], 1)
        act = (hidden - prev).norm(dim=-1)
        return act.expand(*act.shape[:2], NUM_PARTS) if act.shape[-1] == 1 else act
