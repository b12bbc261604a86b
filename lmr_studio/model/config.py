"""Network hyper-parameters, stored inside every weights file so a file rebuilds its own network."""

from __future__ import annotations

import dataclasses

from lmr_studio.perception.features import FEATURE_DIM

#: Network kinds: LMR and the two baselines of the paper's ablation (same inputs, losses, budget).
KINDS: tuple[str, ...] = ("lmr", "single_rnn", "per_frame")


@dataclasses.dataclass
class ModelConfig:
    """Sizes of one network.

    feature_dim: input features per frame (see ``perception.features``: 2D landmarks, world
        landmarks, world flag).
    encoder_dim: size of the per-frame feature Phi_t.
    part_hidden: hidden size of each of LMR's six part GRUs (and of the per-frame part layers).
    single_hidden: hidden size of the single pose GRU of the ``single_rnn`` baseline (larger, so
        its pose GRU has as many parameters as LMR's six: 302k vs 295k).
    camera_hidden: hidden size of the camera GRU.
    shape_hidden: hidden size of the fully connected shape module.
    iterations: V, refinement iterations starting from the mean pose / shape / camera.
    num_betas: shape coefficients.
    """

    kind: str = "lmr"
    feature_dim: int = FEATURE_DIM
    encoder_dim: int = 256
    part_hidden: int = 64
    single_hidden: int = 216
    camera_hidden: int = 32
    shape_hidden: int = 64
    iterations: int = 3
    num_betas: int = 10

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ModelConfig":
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
