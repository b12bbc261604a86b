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
from lmr_studio.model.temporal import TemporalUnit
from lmr_studio.parts import NUM_JOINTS, NUM_PARTS, PART_JOINTS, ROOT_PART

#: Weak-perspective scale of a standing adult in a padded person box (about 2 / (1.7 m * 1.25)).
INITIAL_CAM = (0.9, 0.0, 0.0)
#: Recurrent state: per iteration, one entry per temporal unit (pose groups then camera).
State = list[list[torch.Tensor | None]]


@dataclasses.dataclass
class NetworkOutput:
    """Per-frame outputs of a window batch (B windows of T frames)."""

    rot6d: torch.Tensor          # (B, T, 24, 6)
    rotmat: torch.Tensor         # (B, T, 24, 3, 3)
    betas: torch.Tensor          # (B, T, num_betas)
    cam: torch.Tensor            # (B, T, 3) weak-perspective (s, tx, ty) in the box
    part_activity: torch.Tensor  # (B, T, 6) norm of each part's hidden-state change since the last frame
    state: State                 # carry into the next window for streaming


def pose_groups(kind: str) -> tuple[tuple[int, ...], ...]:
    """SMPL joints driven by each pose unit: six parts (root first) or one group of all 24."""
    if kind == "single_rnn":
        return (tuple(range(NUM_JOINTS)),)
    return PART_JOINTS


class MeshRegressor(nn.Module):
    """Features (B, T, 99) -> per-frame pose, shape, camera; see the module docstring."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        recurrent = config.kind != "per_frame"
        d, nb = config.encoder_dim, config.num_betas
        self.groups = pose_groups(config.kind)
        self.encoder = FeatureEncoder(config.feature_dim, d)
        root_dim = 6 * len(PART_JOINTS[ROOT_PART])
        hidden = config.single_hidden if config.kind == "single_rnn" else config.part_hidden
        units = []
        for g, joints in enumerate(self.groups):
            cond = root_dim if len(self.groups) > 1 and g != ROOT_PART else 0
            units.append(TemporalUnit(d + 6 * len(joints) + nb + cond, hidden, 6 * len(joints), recurrent))
        self.pose_units = nn.ModuleList(units)
        self.shape = nn.Sequential(nn.Linear(d + 6 * NUM_JOINTS + nb, config.shape_hidden), nn.ReLU(),
                                   nn.Linear(config.shape_hidden, nb))
        with torch.no_grad():
            self.shape[-1].weight.mul_(0.01)
            self.shape[-1].bias.zero_()
        self.camera = TemporalUnit(d + 6 * NUM_JOINTS + nb + 3, config.camera_hidden, 3, recurrent)
        identity6d = torch.tensor([1.0, 0.0, 0.0, 1.0, 0.0, 0.0])
        self.register_buffer("mean_pose", identity6d.repeat(NUM_JOINTS, 1))  # (24, 6)
        self.register_buffer("mean_betas", torch.zeros(nb))
        self.register_buffer("init_cam", torch.tensor(INITIAL_CAM))
        self.version = f"{config.kind}-untrained"  # replaced by the weights file's version on load

    def forward(self, features: torch.Tensor, state: State | None = None) -> NetworkOutput:
        """features: (B, T, feature_dim); ``state`` from the previous window (streaming) or None."""
        b, t, _ = features.shape
        phi = self.encoder(features)
        theta = self.mean_pose.expand(b, t, NUM_JOINTS, 6)
        betas = self.mean_betas.expand(b, t, -1)
        cam = self.init_cam.expand(b, t, 3)
        new_state: State = []
        hiddens: list[torch.Tensor] = []
        for v in range(self.config.iterations):
            carried = state[v] if state is not None else [None] * (len(self.groups) + 1)
            parts = [theta[:, :, list(j)] for j in self.groups]
            last_states: list[torch.Tensor | None] = []
            hiddens = []
            root_new = None
            for g, unit in enumerate(self.pose_units):
                inputs = [phi, parts[g].flatten(2), betas]
                if root_new is not None:
                    inputs.append(root_new.flatten(2))
                delta, hidden, last = unit(torch.cat(inputs, -1), carried[g])
                parts[g] = parts[g] + delta.view_as(parts[g])
                if g == ROOT_PART and len(self.groups) > 1:
                    root_new = parts[g]
                last_states.append(last)
                hiddens.append(hidden)
            theta = self._assemble(parts)
            flat = theta.flatten(2)
            betas = betas + self.shape(torch.cat([phi, flat, betas], -1))
            dcam, _, last = self.camera(torch.cat([phi, flat, betas, cam], -1), carried[-1])
            cam = cam + dcam
            last_states.append(last)
            new_state.append(last_states)
        activity = self._activity(hiddens, state[-1] if state is not None else None)
        return NetworkOutput(theta, rot6d_to_matrix(theta), betas, cam, activity, new_state)

    def _assemble(self, parts: list[torch.Tensor]) -> torch.Tensor:
        """Per-group (B, T, J_g, 6) -> (B, T, 24, 6) in SMPL joint order."""
        if len(parts) == 1:
            return parts[0]
        order = [j for joints in self.groups for j in joints]
        stacked = torch.cat(parts, 2)
        inverse = torch.empty(NUM_JOINTS, dtype=torch.long)
        inverse[torch.tensor(order)] = torch.arange(NUM_JOINTS)
        return stacked[:, :, inverse.to(stacked.device)]

    def _activity(self, hiddens: list[torch.Tensor], carried: list[torch.Tensor | None] | None) -> torch.Tensor:
        """(B, T, 6): norm of each pose unit's hidden-state change per frame (last iteration)."""
        norms = []
        for g, h in enumerate(hiddens):
            prev0 = carried[g][0] if carried is not None and carried[g] is not None else h[:, :1].squeeze(1)
            prev = torch.cat([prev0.unsqueeze(1), h[:, :-1]], 1)
            norms.append((h - prev).norm(dim=-1))
        act = torch.stack(norms, -1)
        return act.expand(*act.shape[:2], NUM_PARTS) if act.shape[-1] == 1 else act
