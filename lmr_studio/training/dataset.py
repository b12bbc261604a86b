"""Seeded synthetic data sets: stacked clips as torch tensors for training and evaluation."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import torch
from scipy.spatial.transform import Rotation

from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.perception.features import KEYPOINT_DIM
from lmr_studio.training.bodies import BodyBank
from lmr_studio.training.motion import MotionClip, generate_motion
from lmr_studio.training.synth import Sample, synthesize

if TYPE_CHECKING:  # realdet_motion imports this module
    from lmr_studio.training.realdet_motion import MotionSource

#: Bank bodies used for training; the rest are held out for the test set.
TRAIN_BODY_FRACTION = 0.75


@dataclasses.dataclass
class ClipSet:
    """N clips of T frames: inputs and targets (torch float32), plus what eval needs."""

    features: torch.Tensor   # (N, T, FEATURE_DIM)
    rotmat: torch.Tensor     # (N, T, 24, 3, 3) camera-frame local rotations
    poses: torch.Tensor      # (N, T, 24, 3) axis-angle
    betas: torch.Tensor      # (N, T, 10)
    joints3d: torch.Tensor   # (N, T, 24, 3) metres
    joints2d: torch.Tensor   # (N, T, 24, 2) box-normalised
    keypoints: torch.Tensor  # (N, T, 33, 3) pixels + visibility
    families: list[str]

    def __len__(self) -> int:
        return self.features.shape[0]

    def batch(self, index: torch.Tensor) -> "ClipSet":
        """The clips at ``index`` (a 1-D long tensor)."""
        return self._map(lambda t: t[index], [self.families[i] for i in index.tolist()])

    def to(self, device: str | torch.device) -> "ClipSet":
        """The same clips with every tensor on ``device``."""
        return self._map(lambda t: t.to(device), self.families)

    def _map(self, fn, families: list[str]) -> "ClipSet":
        """A ClipSet of ``fn`` applied to every tensor field, with ``families``."""
        return ClipSet(*(fn(getattr(self, f.name)) for f in dataclasses.fields(self)[:-1]), families=families)


def with_world_dropped(features: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """(B, T, FEATURE_DIM) features with the world block and flag zeroed where ``keep`` (B, 1, 1) is 0."""
    return torch.cat([features[..., :KEYPOINT_DIM], features[..., KEYPOINT_DIM:] * keep], -1)


def body_indices(bank: BodyBank, split: str) -> np.ndarray:
    """Bank bodies of a split: the first 75 % for ``train``, the rest for ``test``."""
    cut = int(len(bank.betas) * TRAIN_BODY_FRACTION)
    return np.arange(cut) if split == "train" else np.arange(cut, len(bank.betas))


def make_clips(bank: BodyBank, families: tuple[str, ...], count: int, frames: int, seed: int,
               split: str = "train", fps: float = 30.0, stance_share: float = 0.0,
               mocap: MotionSource | None = None, mocap_share: float = 0.0) -> ClipSet:
    """``count`` clips of ``frames`` frames, families cycled, bodies from ``split``, all from
    ``seed``; ``stance_share`` as :func:`~lmr_studio.training.motion.generate_motion` takes it.
    With ``mocap`` (a 30 fps :class:`~lmr_studio.training.realdet_motion.MotionSource`), a
    ``mocap_share`` of the clips are instead windows of one of its motions, turned to face anywhere."""
    rng = np.random.default_rng(seed)
    bodies = body_indices(bank, split)
    samples, fams = [], []
    for i in range(count):
        if mocap is not None and rng.random() < mocap_share:
            clip = facing_anywhere(mocap.clip(str(rng.choice(mocap.names)), frames, rng), rng)
        else:
            clip = generate_motion(families[i % len(families)], frames, rng, fps, stance_share=stance_share)
        samples.append(synthesize(clip, bank, int(rng.choice(bodies)), rng))
        fams.append(clip.family)
    return stack_samples(samples, fams)


def facing_anywhere(clip: MotionClip, rng: np.random.Generator) -> MotionClip:
    """``clip`` turned about the vertical by a uniform random angle (orientation and path)."""
    turn = Rotation.from_euler("y", rng.uniform(-180.0, 180.0), degrees=True)
    poses = clip.poses.copy()
    poses[:, 0] = (turn * Rotation.from_rotvec(clip.poses[:, 0])).as_rotvec()
    return dataclasses.replace(clip, poses=poses, transl=turn.apply(clip.transl), euler=None)


def stack_samples(samples: list[Sample], families: list[str]) -> ClipSet:
    """Samples of equal length -> one :class:`ClipSet`."""
    stack = lambda name: torch.from_numpy(np.stack([getattr(s, name) for s in samples])).float()  # noqa: E731
    poses = stack("poses")
    return ClipSet(stack("features"), axis_angle_to_matrix(poses), poses, stack("betas"), stack("joints3d"),
                   stack("joints2d"), stack("keypoints"), list(families))
