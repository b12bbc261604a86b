"""Temporal units: a GRU over the frames of a window, or (per-frame baseline) the same layer without recurrence."""

from __future__ import annotations

import torch
from torch import nn


class TemporalUnit(nn.Module):
    """(B, T, in_dim) -> hidden sequence (B, T, hidden), last state, and a linear read-out (B, T, out_dim).

    ``recurrent=True``: a one-layer GRU whose state can be carried across windows (streaming).
    ``recurrent=False``: a per-frame layer (Linear + tanh) with the same sizes; its state is None.
    """

    def __init__(self, in_dim: int, hidden: int, out_dim: int, recurrent: bool, out_scale: float = 0.01) -> None:
        super().__init__()
        self.recurrent = recurrent
        self.core = nn.GRU(in_dim, hidden, batch_first=True) if recurrent else nn.Linear(in_dim, hidden)
        self.out = nn.Linear(hidden, out_dim)
        with torch.no_grad():  # start near "no update" so the first iterations refine the mean gently
            self.out.weight.mul_(out_scale)
            self.out.bias.zero_()

    def forward(self, x: torch.Tensor, state: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """Returns (read-out (B, T, out_dim), hidden (B, T, hidden), last state (1, B, hidden) or None)."""
        if self.recurrent:
            hidden, last = self.core(x, state)
        else:
            hidden, last = torch.tanh(self.core(x)), None
        return self.out(hidden), hidden, last
