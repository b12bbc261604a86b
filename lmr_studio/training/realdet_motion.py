"""Where a render-and-detect pool's motion comes from (:mod:`~lmr_studio.training.realdet`).

A source has ``names`` (one is drawn per clip into its :class:`~lmr_studio.training.realdet_setup.ClipSetup`
and stored in the shard's ``family`` column) and ``clip(name, frames, rng)``, the world-frame
motion (y up, 30 fps) of that clip:

* :class:`GeneratedMotions`: the generated families (:func:`~lmr_studio.training.motion.generate_motion`),
  the training pool;
* :class:`FileMotions`: random windows of the motions of a motion file (``lmr-studio datagen
  --motion``, as ``lmr-studio eval --motion`` takes it, ``lafan1`` included) fitted on the body model
  (:func:`~lmr_studio.training.user_motion.fit_motion`); names ``motion:<clip name>``. Such pools
  are for evaluation only: ``lmr-studio train`` refuses them
  (:func:`~lmr_studio.training.realdet.refuse_evaluation_pools`), unless made ``--trainable``
  from motion capture whose licence allows training (:func:`mocap_motions`).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Protocol

import numpy as np

from lmr_studio.errors import LMRStudioError
from lmr_studio.training.fit_cache import cached_training_fit
from lmr_studio.training.motion import MotionClip, generate_motion
from lmr_studio.training.user_motion import (TARGET_FPS, FittedMotion, fit_motion, load_motion_file, motion_paths,
                                             resampled_frames)

#: Prefix of a motion file clip's name in the shards' ``family`` column.
PREFIX = "motion:"


class MotionSource(Protocol):
    """A pool's motion: ``names`` to draw from, ``clip`` the world-frame motion of one name."""

    names: tuple[str, ...]

    def clip(self, name: str, frames: int, rng: np.random.Generator) -> MotionClip: ...


@dataclasses.dataclass(frozen=True)
class GeneratedMotions:
    """The generated motion ``families`` at ``fps``, a ``stance_share`` of the upright clips in a
    crouched stance (:func:`~lmr_studio.training.motion.generate_motion`)."""

    families: tuple[str, ...]
    fps: float
    stance_share: float = 0.0

    @property
    def names(self) -> tuple[str, ...]:
        return self.families

    def clip(self, name: str, frames: int, rng: np.random.Generator) -> MotionClip:
        return generate_motion(name, frames, rng, self.fps, stance_share=self.stance_share)


class FileMotions:
    """Windows of fitted motions ({clip name: motion}, 30 fps), each at least ``frames`` long."""

    fps = TARGET_FPS

    def __init__(self, motions: dict[str, FittedMotion], frames: int) -> None:
        for name, motion in motions.items():
            _check_length(name, len(motion.poses), frames)
        self.motions = {PREFIX + name: motion for name, motion in motions.items()}
        self.names = tuple(self.motions)

    def clip(self, name: str, frames: int, rng: np.random.Generator) -> MotionClip:
        """``frames`` consecutive frames of motion ``name``, starting anywhere (uniform)."""
        motion = self.motions[name]
        start = int(rng.integers(len(motion.poses) - frames + 1))
        window = slice(start, start + frames)
        return MotionClip(motion.poses[window].astype(np.float64), motion.transl[window].astype(np.float64),
                          self.fps, name)


def check_motion_files(paths: dict[str, Path], frames: int) -> None:
    """LMRStudioError when a motion file (checked by :func:`load_motion_file`) is shorter than
    ``frames`` frames at 30 fps: cheap, before any body model loads."""
    for name, path in paths.items():
        _check_length(name, resampled_frames(load_motion_file(path)), frames)


def fit_motion_files(paths: dict[str, Path], body, bank, frames: int) -> FileMotions:
    """The motions of ``paths`` ({clip name: file}) fitted on ``body`` (shape from ``bank``)."""
    return FileMotions({name: fit_motion(load_motion_file(path), body, bank) for name, path in paths.items()}, frames)


def mocap_motions(sources: list[str] | tuple[str, ...], body, bank, frames: int, fits: Path | None = None
                  ) -> FileMotions:
    """The motions of ``sources`` (motion files, folders of them, or ``deepmimic``, as
    :func:`~lmr_studio.training.user_motion.motion_paths` takes them) and their mirror images
    (DeepMimic's come with theirs) fitted on ``body``, as windows of ``frames`` frames: motion
    capture to train on (``train --mocap``, ``datagen --motion ... --trainable``). Motions shorter
    than a window are left out; LMRStudioError when none is left. With ``fits`` (a folder) each
    fit is kept there and reused (:func:`~lmr_studio.training.fit_cache.cached_training_fit`)."""
    from lmr_studio.training.deepmimic import DEEPMIMIC, mirrored

    motions, short = {}, 0
    for source in sources:
        for name, path in motion_paths(source).items():
            d = load_motion_file(path)
            if resampled_frames(d) < frames:
                short += 1
                continue
            motions[name] = d
            if source != DEEPMIMIC:  # any vertical mirror plane: the windows are turned to face anywhere
                motions[f"{name}_mirror"] = {"joints3d": mirrored(np.asarray(d["joints3d"])), "fps": d["fps"]}
    if not motions:
        raise LMRStudioError(f"No motion of {' '.join(map(str, sources))} has {frames} frames at 30 fps.",
                             "Give longer motions, or shorter clips (--clip-frames, --shard-frames).")
    print(f"motion capture: {len(motions)} motions with the mirror images ({short} shorter than {frames} frames "
          "left out)", file=sys.stderr)
    if fits is None:
        return FileMotions({name: fit_motion(d, body, bank) for name, d in motions.items()}, frames)
    return FileMotions({name: cached_training_fit(name, d, body, bank, fits) for name, d in motions.items()}, frames)


def _check_length(name: str, length: int, frames: int) -> None:
    if length < frames:
        raise LMRStudioError(f"Motion {name!r} has {length} frames at 30 fps, fewer than the {frames} of a clip.",
                             f"Give a longer motion, or --shard-frames {length} or fewer.")
