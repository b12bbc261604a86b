"""SMPL backend: the user's own SMPL file, posed by our LBS (body/lbs.py), no smplx/chumpy."""

from __future__ import annotations

import os

import numpy as np
import torch

from lmr_studio.body.base import BodyModel
from lmr_studio.body.lbs import smpl_lbs
from lmr_studio.body.smpl_file import load_smpl_arrays


class SmplBody(BodyModel):
    """SMPL from checked arrays (see ``smpl_file.SMPL_KEYS``); SMPL's own frame is the body frame."""

    name = "smpl"

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        super().__init__(faces=arrays["f"], joint_weights=arrays["weights"])
        for key in ("v_template", "shapedirs", "posedirs", "weights"):
            self.register_buffer(key, torch.from_numpy(arrays[key]))
        self.register_buffer("j_regressor", torch.from_numpy(arrays["J_regressor"]))

    def _posed(self, rotmats: torch.Tensor, betas: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return smpl_lbs(rotmats, betas, self.v_template, self.shapedirs, self.posedirs,
                        self.j_regressor, self.weights)


def load_smpl_body(smpl_path: str | os.PathLike | None = None) -> SmplBody:
    """SMPL from ``smpl_path`` or ``$LMR_STUDIO_SMPL``; raises MissingBodyModelError with a hint."""
    return SmplBody(load_smpl_arrays(smpl_path))
