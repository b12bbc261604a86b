"""SMPL backend: the user's own SMPL file, posed by ``smplx`` (the ``lmr-studio[smpl]`` extra).

smplx is handed the arrays our restricted unpickler already checked (``data_struct=``), never the
user's file: smplx 0.1.28 would ``pickle.load`` any file it opens itself (which can run code, and
needs chumpy for the official files). smplx's code is under the MPI non-commercial licence, like
the SMPL files it poses; whoever has an SMPL file has accepted it.
"""

from __future__ import annotations

import contextlib
import io
import os

import numpy as np
import torch

from lmr_studio.body.base import NUM_BETAS, BodyModel
from lmr_studio.body.smpl_file import load_smpl_arrays
from lmr_studio.errors import MissingBodyModelError
from lmr_studio.parts import NUM_JOINTS

SMPLX_HINT = "Install the SMPL extra (`pip install 'lmr-studio[smpl]'`, which adds smplx), or use the Anny body."
#: smplx always appends keypoints picked from vertices (nose, eyes, ears) to SMPL's 24 joints; we
#: keep only the 24, so the picks name vertex 0, which exists in any mesh.
_UNUSED_VERTEX_PICKS = dict.fromkeys(("nose", "reye", "leye", "rear", "lear"), 0)


def smplx_layer(arrays: dict[str, np.ndarray]) -> torch.nn.Module:
    """An ``smplx.SMPLLayer`` built from checked SMPL arrays (see ``smpl_file.SMPL_KEYS``)."""
    try:
        import smplx
    except ImportError:
        raise MissingBodyModelError("The SMPL body needs the smplx package, which is not installed.",
                                    SMPLX_HINT) from None
    with contextlib.redirect_stdout(io.StringIO()):   # smplx prints a warning for 10-beta files
        return smplx.SMPLLayer(model_path="", data_struct=smplx.utils.Struct(**arrays), num_betas=NUM_BETAS,
                               vertex_ids=_UNUSED_VERTEX_PICKS, use_feet_keypoints=False, use_hands=False)


class SmplBody(BodyModel):
    """SMPL posed by smplx; SMPL's own frame is the body frame. ``layer`` is the smplx module."""

    name = "smpl"

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        super().__init__(faces=arrays["f"], joint_weights=arrays["weights"])
        self.layer = smplx_layer(arrays)

    def _posed(self, rotmats: torch.Tensor, betas: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.layer(betas=betas, global_orient=rotmats[:, :1], body_pose=rotmats[:, 1:], pose2rot=False)
        return out.vertices, out.joints[:, :NUM_JOINTS]


def load_smpl_body(smpl_path: str | os.PathLike | None = None) -> SmplBody:
    """SMPL from ``smpl_path`` or ``$LMR_STUDIO_SMPL``; raises MissingBodyModelError with a hint."""
    return SmplBody(load_smpl_arrays(smpl_path))
