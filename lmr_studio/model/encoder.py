"""The per-frame feature encoder Phi_t: keypoint (and world landmark) features -> one feature vector per frame."""

from __future__ import annotations

import torch
from torch import nn


class FeatureEncoder(nn.Module):
    """Two-layer MLP with layer norm; (B, T, feature_dim) -> (B, T, encoder_dim)."""

    def __init__(self, feature_dim: int, encoder_dim: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(feature_dim, encoder_dim), nn.LayerNorm(encoder_dim), nn.ReLU(),
            nn.Linear(encoder_dim, encoder_dim), nn.LayerNorm(encoder_dim), nn.ReLU(),
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.net(features)
