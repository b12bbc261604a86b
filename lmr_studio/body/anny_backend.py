"""Anny backend (the embedded default): Anny's mesh driven by SMPL-layout poses and betas."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from lmr_studio.body.anny_cache import ensure_anny_model
from lmr_studio.body.anny_retarget import AnnyRetarget
from lmr_studio.body.base import BodyModel
from lmr_studio.body.phenotype import PHENOTYPES, betas_to_phenotypes
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.parts import NUM_JOINTS


def _load_anny(path) -> torch.nn.Module:
    """Anny from the exported float32 model file (fast; see anny_cache)."""
    from anny import Anny
    from anny.models.model_data import ModelData

    return Anny.from_model_data(ModelData.load_safetensors(path), pose_parameterization="local-ref",
                                bone_orientation="cached", root_identity_orientation=False)


class AnnyBody(BodyModel):
    """Anny (13,718 vertices, 104 bones) posed through :class:`AnnyRetarget`; betas become the six
    phenotypes through :func:`betas_to_phenotypes`. Output in the body frame (y up, faces +z)."""

    name = "anny"

    def __init__(self, anny: torch.nn.Module) -> None:
        if tuple(anny.phenotype_labels) != PHENOTYPES:
            raise ValueError(f"unexpected Anny phenotypes {anny.phenotype_labels}")
        with torch.no_grad():
            reference = anny(phenotype_kwargs=torch.full((1, len(PHENOTYPES)), 0.5))
        retarget = AnnyRetarget(list(anny.bone_labels), [int(p) for p in anny.bone_parents],
                                reference["bone_poses"][0, :, :3, 3].numpy(),
                                anny.reference_bone_orientations[0].numpy())
        bone_weights = np.zeros((len(anny.template_vertices), len(anny.bone_labels)), dtype=np.float32)
        np.add.at(bone_weights, (np.arange(len(bone_weights))[:, None], anny.vertex_bone_indices.numpy()),
                  anny.vertex_bone_weights.numpy())
        joint_weights = bone_weights @ np.eye(NUM_JOINTS, dtype=np.float32)[retarget.bone_joint]
        super().__init__(faces=anny.get_triangular_faces().numpy(), joint_weights=joint_weights)
        self.anny = anny
        self.retarget = retarget

    def _posed(self, rotmats: torch.Tensor, betas: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        _, glob = forward_kinematics(rotmats, torch.zeros(rotmats.shape[0], NUM_JOINTS, 3, device=rotmats.device))
        phenotypes = betas_to_phenotypes(betas)
        if not phenotypes.requires_grad and bool((phenotypes == phenotypes[:1]).all()):
            phenotypes = phenotypes[:1]  # one shape for the batch: Anny builds the rest body once
        out = self.anny(pose_parameters=self.retarget.pose_parameters(glob), phenotype_kwargs=phenotypes)
        vertices = self.retarget.to_body_frame(out["vertices"])
        return vertices, self.retarget.joints(out["bone_poses"][..., :3, 3])


def load_anny_body(progress: Callable[[int, int, str], None] | None = None) -> AnnyBody:
    """The Anny body model; builds and caches it on first use (about 90 s, see anny_cache)."""
    path = ensure_anny_model(progress)
    try:
        anny = _load_anny(path)
    except Exception:  # a damaged export (safetensors/anny raise various types): rebuild it once
        path.unlink(missing_ok=True)
        anny = _load_anny(ensure_anny_model(progress))
    return AnnyBody(anny)
