"""Seeded synthetic motions in the 24-joint SMPL tree, with joint limits.

A clip is a sequence of per-joint Euler angles (degrees, extrinsic x-y-z, in the parent's frame of
SMPL's T-pose: x right, y up, z forward) built from a few semantic degrees of freedom (hip and
knee flexion, arm elevation and forward flexion, elbow flexion, spine bend and twist, ...), each a
sum of a posture, rhythmic terms and band-limited noise, then clipped to :data:`JOINT_LIMITS`.

Families and their split:

* training: ``part_switch`` (parts move with different dynamics at different times: legs still
  while the arms move fast, then the reverse, ...), ``walk``, ``run`` (with turns), ``sports``
  (throws / swings, squats, lunges), ``dance`` (sways, arm waves, knee bounces);
* held-out test (never seen in training): ``jumping_jacks``, ``boxing``, ``kicks``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.spatial.transform import Rotation

from lmr_studio.parts import NUM_JOINTS

TRAIN_FAMILIES: tuple[str, ...] = ("part_switch", "walk", "run", "sports", "dance")
TEST_FAMILIES: tuple[str, ...] = ("jumping_jacks", "boxing", "kicks")

#: Per-joint (x, y, z) Euler limits in degrees, (24, 3, 2). The pelvis (global orientation) is free.
_L = {
    1: ((-120, 35), (-40, 40), (-15, 60)), 2: ((-120, 35), (-40, 40), (-60, 15)),
    3: ((-15, 35), (-20, 20), (-15, 15)), 6: ((-15, 30), (-20, 20), (-15, 15)), 9: ((-15, 30), (-20, 20), (-15, 15)),
    4: ((0, 150), (-5, 5), (-5, 5)), 5: ((0, 150), (-5, 5), (-5, 5)),
    7: ((-40, 40), (-20, 20), (-20, 20)), 8: ((-40, 40), (-20, 20), (-20, 20)),
    10: ((-30, 30), (-5, 5), (-5, 5)), 11: ((-30, 30), (-5, 5), (-5, 5)),
    12: ((-30, 40), (-40, 40), (-20, 20)), 15: ((-30, 30), (-45, 45), (-20, 20)),
    13: ((-10, 10), (-15, 15), (-10, 20)), 14: ((-10, 10), (-15, 15), (-20, 10)),
    16: ((-60, 60), (-170, 40), (-95, 50)), 17: ((-60, 60), (-40, 170), (-50, 95)),
    18: ((-60, 60), (-150, 0), (-5, 5)), 19: ((-60, 60), (0, 150), (-5, 5)),
    20: ((-40, 40), (-40, 40), (-50, 50)), 21: ((-40, 40), (-40, 40), (-50, 50)),
    22: ((-15, 15), (-15, 15), (-15, 15)), 23: ((-15, 15), (-15, 15), (-15, 15)),
}
JOINT_LIMITS = np.array([[(-180, 180)] * 3 if j == 0 else _L[j] for j in range(NUM_JOINTS)], dtype=np.float64)


@dataclasses.dataclass
class MotionClip:
    """One motion in the world frame (y up): ``poses`` (F, 24, 3) axis-angle (joint 0 = global
    orientation), ``transl`` (F, 3) metres of the root, ``fps``, ``family``, and the clipped local
    Euler angles ``euler`` (F, 24, 3) degrees the poses were made from (joint 0: lean, yaw, sway)."""

    poses: np.ndarray
    transl: np.ndarray
    fps: float
    family: str
    euler: np.ndarray | None = None


def smooth_noise(rng: np.random.Generator, frames: int, fps: float, hz: float, dims: int = 1) -> np.ndarray:
    """(frames, dims) band-limited noise of unit std, varying at about ``hz``."""
    sigma = max(fps / (2.0 * np.pi * hz), 0.5)
    pad = int(4 * sigma) + 1
    x = gaussian_filter1d(rng.standard_normal((frames + 2 * pad, dims)), sigma, axis=0)[pad:-pad]
    return x / (x.std(0, keepdims=True) + 1e-8)


class _Pose:
    """Euler angles (F, 24, 3) in degrees, written through semantic DOFs (sides: 0 left, 1 right)."""

    def __init__(self, frames: int) -> None:
        self.e = np.zeros((frames, NUM_JOINTS, 3))

    def hip(self, side: int, flex, abduct=0.0, twist=0.0) -> None:
        j, s = (1, 2)[side], (1, -1)[side]
        self.e[:, j, 0] += -np.asarray(flex)
        self.e[:, j, 2] += s * np.asarray(abduct)
        self.e[:, j, 1] += s * np.asarray(twist)

    def knee(self, side: int, flex) -> None:
        self.e[:, (4, 5)[side], 0] += flex

    def ankle(self, side: int, flex) -> None:
        self.e[:, (7, 8)[side], 0] += flex

    def shoulder(self, side: int, elevation, forward=0.0, twist=0.0) -> None:
        """elevation 0 = arm down at the side, 90 = horizontal; forward flexion (+ = in front)."""
        j, s = (16, 17)[side], (1, -1)[side]
        self.e[:, j, 2] += s * (np.asarray(elevation) - 90.0)
        self.e[:, j, 1] += -s * np.asarray(forward)
        self.e[:, j, 0] += np.asarray(twist)

    def elbow(self, side: int, flex) -> None:
        self.e[:, (18, 19)[side], 1] += (-1, 1)[side] * np.asarray(flex)

    def spine(self, bend=0.0, twist=0.0, side=0.0) -> None:
        for j in (3, 6, 9):
            self.e[:, j] += np.stack(np.broadcast_arrays(np.asarray(bend) / 3, np.asarray(twist) / 3,
                                                         np.asarray(side) / 3), -1)

    def head(self, nod=0.0, turn=0.0, tilt=0.0) -> None:
        for j in (12, 15):
            self.e[:, j] += np.stack(np.broadcast_arrays(np.asarray(nod) / 2, np.asarray(turn) / 2,
                                                         np.asarray(tilt) / 2), -1)


def _posture(p: _Pose, rng: np.random.Generator, frames: int, fps: float, amount: float = 1.0) -> None:
    """A resting posture with slow idle sway on every joint (degrees)."""
    for side in (0, 1):
        p.shoulder(side, rng.uniform(5, 25), rng.uniform(-5, 15))
        p.elbow(side, rng.uniform(5, 30))
        p.knee(side, rng.uniform(0, 10))
    p.e[:, 1:] += amount * 2.0 * smooth_noise(rng, frames, fps, 0.3, (NUM_JOINTS - 1) * 3).reshape(frames, -1, 3)


def _gait(p: _Pose, t: np.ndarray, rng: np.random.Generator, run: bool) -> np.ndarray:
    """Walking or running cycle; returns the per-frame forward speed (m/s)."""
    f = rng.uniform(1.3, 1.6) if run else rng.uniform(0.8, 1.05)
    phi = 2 * np.pi * f * t + rng.uniform(0, 2 * np.pi)
    hip_a, knee_a, arm_a = (rng.uniform(35, 50), rng.uniform(80, 110), rng.uniform(30, 55)) if run else \
        (rng.uniform(20, 30), rng.uniform(40, 60), rng.uniform(10, 30))
    for side, sgn in ((0, 1), (1, -1)):
        ph = phi + (0 if side == 0 else np.pi)
        p.hip(side, hip_a * np.sin(ph) + (15 if run else 5))
        p.knee(side, knee_a * np.clip(np.sin(ph - 1.2), 0, None) + 8)
        p.ankle(side, 10 * np.sin(ph - 0.6))
        p.shoulder(side, 8, -sgn * arm_a * np.sin(phi))
        p.elbow(side, (rng.uniform(70, 95) if run else rng.uniform(10, 30)) + 10 * np.sin(phi))
    p.spine(bend=rng.uniform(8, 18) if run else rng.uniform(0, 6), twist=8 * np.sin(phi))
    return np.full_like(t, (rng.uniform(2.5, 4.0) if run else rng.uniform(1.0, 1.6)))


def _part_switch(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> None:
    """Each part alternates between holding still and moving fast, on its own schedule."""
    frames = len(t)
    patterns = [(0, 0, 1, 1, 0, 0), (0, 0, 0, 0, 1, 1), (1, 1, 0, 0, 0, 0), (0, 1, 1, 0, 0, 1), (1, 0, 0, 1, 1, 0)]
    env = np.zeros((frames, 6))
    start = 0
    while start < frames:
        length = int(rng.uniform(0.7, 2.0) * fps)
        env[start:start + length] = patterns[rng.integers(len(patterns))]
        start += length
    env = gaussian_filter1d(env, 0.08 * fps, axis=0)
    fast = lambda hz, d=1: smooth_noise(rng, frames, fps, hz, d)  # noqa: E731
    hz = rng.uniform(1.5, 3.5)
    p.spine(env[:, 0] * 15 * fast(hz / 2)[:, 0], env[:, 0] * 20 * fast(hz / 2)[:, 0], env[:, 0] * 10 * fast(hz / 2)[:, 0])
    p.head(env[:, 1] * 25 * fast(hz)[:, 0], env[:, 1] * 35 * fast(hz)[:, 0], env[:, 1] * 10 * fast(hz)[:, 0])
    for side in (0, 1):
        a = env[:, 2 + side]
        n = fast(hz, 4)
        p.shoulder(side, 50 + a * 50 * n[:, 0] - 40 * (1 - a), a * 60 * n[:, 1] + 20 * a, a * 30 * n[:, 2])
        p.elbow(side, a * (50 + 45 * n[:, 3]))
        l_ = env[:, 4 + side]
        m = fast(hz, 3)
        p.hip(side, l_ * (30 + 35 * m[:, 0]), l_ * 15 * np.abs(m[:, 1]))
        p.knee(side, l_ * (40 + 40 * m[:, 2]))


def _sports(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> None:
    """Throws / racket swings with torso twist, squats, or lunges."""
    kind = rng.integers(3)
    f = rng.uniform(0.5, 1.2)
    phi = 2 * np.pi * f * t + rng.uniform(0, 2 * np.pi)
    if kind == 0:  # swing with one arm, sharp in one direction
        side = int(rng.integers(2))
        swing = np.sin(phi) + 0.4 * np.sin(2 * phi)
        p.shoulder(side, 60 + 30 * swing, 50 + 70 * swing, 20 * swing)
        p.elbow(side, 40 - 35 * swing)
        p.shoulder(1 - side, 35, 30 - 20 * swing)
        p.elbow(1 - side, 60)
        p.spine(10, 30 * swing * (1 if side else -1))
        for s in (0, 1):
            p.hip(s, 20, 10)
            p.knee(s, 30)
    elif kind == 1:  # squats
        depth = (1 - np.cos(phi)) / 2
        for s in (0, 1):
            p.hip(s, 100 * depth, 15)
            p.knee(s, 120 * depth)
            p.ankle(s, -25 * depth)
            p.shoulder(s, 10 + 70 * depth, 80 * depth)
        p.spine(25 * depth)
    else:  # lunges, alternating legs
        lead = (np.sin(phi / 2) > 0).astype(float)
        depth = np.abs(np.sin(phi))
        for s in (0, 1):
            front = lead if s == 0 else 1 - lead
            p.hip(s, depth * (80 * front - 20 * (1 - front)))
            p.knee(s, depth * (90 * front + 80 * (1 - front)))
            p.shoulder(s, 20 + 40 * depth, 10)
        p.spine(5)


def _dance(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> None:
    """Beat-driven hip sway, arm waves with phase offsets, knee bounces, head bobs."""
    beat = 2 * np.pi * rng.uniform(0.8, 2.0) * t
    off = rng.uniform(0, 2 * np.pi, 6)
    p.spine(5 * np.sin(2 * beat), 15 * np.sin(beat + off[0]), 12 * np.sin(beat))
    p.head(8 * np.sin(2 * beat + off[1]), 15 * np.sin(beat / 2))
    for s in (0, 1):
        p.shoulder(s, 70 + 60 * np.sin(beat + off[2 + s]), 30 + 40 * np.sin(beat / 2 + off[4]))
        p.elbow(s, 60 + 50 * np.sin(2 * beat + off[3 - s]))
        p.hip(s, 15 + 10 * np.sin(2 * beat + s * np.pi), 8 * (1 + np.sin(beat)))
        p.knee(s, 25 + 20 * np.sin(2 * beat + s * np.pi))


def _jumping_jacks(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> np.ndarray:
    f = rng.uniform(0.9, 1.5)
    open_ = (1 - np.cos(2 * np.pi * f * t + rng.uniform(0, 6.3))) / 2
    for s in (0, 1):
        p.shoulder(s, 10 + 160 * open_, 10)
        p.elbow(s, 15)
        p.hip(s, 5, 5 + 25 * open_)
        p.knee(s, 10 + 15 * (1 - open_))
    return 0.08 * np.abs(np.sin(2 * np.pi * f * t))


def _bursts(frames: int, rng: np.random.Generator, fps: float, duration_s: tuple[float, float],
            gap_s: tuple[float, float]) -> np.ndarray:
    """(frames, 2) in [0, 1]: half-sine bursts on a random side (left 0 / right 1), one at a time."""
    out = np.zeros((frames, 2))
    i = int(rng.integers(0, int(0.5 * fps)))
    while i < frames:
        side = int(rng.integers(2))
        width = int(rng.uniform(*duration_s) * fps)
        out[i:i + width, side] = np.sin(np.linspace(0, np.pi, len(out[i:i + width, side])))
        i += width + int(rng.uniform(*gap_s) * fps)
    return out


def _boxing(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> None:
    punch = _bursts(len(t), rng, fps, duration_s=(0.15, 0.35), gap_s=(0.1, 0.8))
    for s in (0, 1):
        p.shoulder(s, 30 + 50 * punch[:, s], 45 + 45 * punch[:, s], -20)
        p.elbow(s, 125 - 115 * punch[:, s])
        p.hip(s, 20, 10)
        p.knee(s, 25 + 10 * np.sin(2 * np.pi * 2.0 * t + s))
    p.spine(10, 25 * (punch[:, 1] - punch[:, 0]))
    p.head(10, 0)


def _kicks(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> None:
    kick = _bursts(len(t), rng, fps, duration_s=(0.4, 0.8), gap_s=(0.3, 1.0))
    for s in (0, 1):
        p.hip(s, 90 * kick[:, s] + 10, 10 * kick[:, s])
        p.knee(s, 70 * kick[:, s] * (1 - kick[:, s]) * 4 * 0.5 + 10)
        p.shoulder(s, 45 + 30 * kick[:, 1 - s], 20)
        p.elbow(s, 70)
    p.spine(-10 * (kick[:, 0] + kick[:, 1]), 10 * (kick[:, 0] - kick[:, 1]), 8 * (kick[:, 0] - kick[:, 1]))


def generate_motion(family: str, frames: int, rng: np.random.Generator, fps: float = 30.0) -> MotionClip:
    """One clip of ``frames`` frames of ``family`` (see module docstring), clipped to joint limits."""
    t = np.arange(frames) / fps
    p = _Pose(frames)
    _posture(p, rng, frames, fps, amount=0.5 if family in TEST_FAMILIES else 1.0)
    speed = np.zeros(frames)
    bounce = np.zeros(frames)
    if family in ("walk", "run"):
        speed = _gait(p, t, rng, run=family == "run")
        bounce = (0.06 if family == "run" else 0.02) * np.abs(np.sin(2 * np.pi * t))
    elif family == "jumping_jacks":
        bounce = _jumping_jacks(p, t, rng, fps)
    else:
        fn = {"part_switch": _part_switch, "sports": _sports, "dance": _dance,
              "boxing": _boxing, "kicks": _kicks}.get(family)
        if fn is None:
            raise ValueError(f"unknown motion family {family!r}")
        fn(p, t, rng, fps)
    euler = np.clip(p.e, JOINT_LIMITS[None, :, :, 0], JOINT_LIMITS[None, :, :, 1])
    # global orientation: heading (yaw) with turns, slight lean and sway; world frame y up
    turn_rate = rng.uniform(-60, 60) * (rng.random() < 0.6) + 25 * smooth_noise(rng, frames, fps, 0.2)[:, 0]
    yaw = rng.uniform(-180, 180) + np.cumsum(turn_rate) / fps
    lean = 3 * smooth_noise(rng, frames, fps, 0.3, 2)
    euler[:, 0] = np.stack([lean[:, 0], yaw, lean[:, 1]], -1)
    rot = Rotation.from_euler("xyz", euler.reshape(-1, 3), degrees=True)
    rot0 = Rotation.from_euler("zxy", euler[:, 0][:, [2, 0, 1]], degrees=True)  # sway, lean, then yaw
    poses = rot.as_rotvec().reshape(frames, NUM_JOINTS, 3)
    poses[:, 0] = rot0.as_rotvec()
    heading = np.stack([np.sin(np.radians(yaw)), np.zeros(frames), np.cos(np.radians(yaw))], -1)
    transl = np.cumsum(heading * speed[:, None], 0) / fps
    transl[:, 1] += bounce
    return MotionClip(poses.astype(np.float32), transl.astype(np.float32), fps, family, euler)
