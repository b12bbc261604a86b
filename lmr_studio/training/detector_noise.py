"""The procedural detector model's parameters, read from BlazePose's measured errors.

:mod:`noise_fit` measures BlazePose on render-and-detect frames (:mod:`realdet`) and writes
``blazepose_noise.json``; this module turns that file into the numbers
:mod:`synth` draws its errors from, so synthetic training data carries the detector's real
error sizes and rates. 2D sizes are shares of the person's extent in pixels; rates are per
frame (per landmark for drops); facing bins are degrees (0 = front view, 180 = back view).
"""

from __future__ import annotations

import dataclasses
import functools
import json

import numpy as np

from lmr_studio.training.noise_fit import FACING_BINS, FIT_PATH


@dataclasses.dataclass(frozen=True)
class DetectorNoise:
    """Ranges (low, high) drawn uniformly per clip, and rates; see the module docstring."""

    jitter: tuple[float, float]          # white 2D noise std
    drift: tuple[float, float]           # slow 2D noise std
    bias: tuple[float, float]            # constant 2D offset per clip and landmark (std)
    visibility_seen: tuple[float, float]  # visibility BlazePose gives points it sees
    face_away_cos: float                 # head forward . to-camera below this: face turned away
    face_away_visibility: tuple[float, float]
    drop_rate: float                     # per landmark and frame: a far-off point (outlier)
    drop_displacement: tuple[float, float]  # its distance from the truth (p10, p90)
    limb_swap_frames: tuple[float, float]   # length of a left/right limb swap (p10, p90), frames
    limb_swap_rate: tuple[float, ...]    # share of frames with a limb swap, per facing bin
    flip_rate: tuple[float, ...]         # share of frames seen facing the other way, per facing bin
    world_rotation_deg: float            # median angle of the world skeleton's rotation error

    @classmethod
    def from_fit(cls, fit: dict) -> "DetectorNoise":
        s, facing = fit["synth"], fit["by_facing_deg"]
        bins = [f"{lo}-{hi}" for lo, hi in zip(FACING_BINS[:-1], FACING_BINS[1:])]
        pair = lambda v: (float(v[0]), float(v[-1]))  # noqa: E731
        return cls(jitter=pair(s["jitter_std"]), drift=pair(s["drift_std"]), bias=pair(s["bias"]),
                   visibility_seen=pair(s["visibility_seen"]), face_away_cos=float(s["face_away_cos"]),
                   face_away_visibility=pair(s["face_away_visibility"]), drop_rate=float(s["drop_rate"]),
                   drop_displacement=pair(s["drop_displacement"]),
                   limb_swap_frames=pair(s["limb_swap_frames"]),
                   limb_swap_rate=tuple(float(facing["limb_swap_rate"][b]) for b in bins),
                   flip_rate=tuple(float(facing["world_front_back_flip_rate"][b]) for b in bins),
                   world_rotation_deg=float(fit["world"]["rotation_deg_p50_p90"][0]))

    def by_facing(self, rates: tuple[float, ...], facing_deg: np.ndarray) -> np.ndarray:
        """(F,) the rate of each frame's facing bin, for ``facing_deg`` (F,) in [0, 180]."""
        index = np.clip(np.digitize(facing_deg, FACING_BINS[1:-1]), 0, len(rates) - 1)
        return np.asarray(rates)[index]


@functools.cache
def measured_noise() -> DetectorNoise:
    """The parameters fitted to BlazePose (``blazepose_noise.json`` beside :mod:`noise_fit`)."""
    return DetectorNoise.from_fit(json.loads(FIT_PATH.read_text()))
