"""Seeded synthetic motions in the 24-joint SMPL tree, with joint limits.

A clip is a sequence of per-joint Euler angles (degrees, extrinsic x-y-z, in the parent's frame of
SMPL's T-pose: x right, y up, z forward) built from a few semantic degrees of freedom (hip and
knee flexion, arm elevation and forward flexion, elbow flexion, spine bend and twist, ...), each a
sum of a posture, rhythmic terms and band-limited noise, then clipped to :data:`JOINT_LIMITS`;
plus a root motion (heading with turns, forward speed, pelvis height, forward pitch).

Families and their split:

* training: ``part_switch`` (parts move with different dynamics at different times: legs still
  while the arms move fast, then the reverse, ...), ``walk``, ``run`` (with turns), ``sports``
  (throws / swings, squats, lunges), ``dance`` (sways, arm waves, knee bounces), and the everyday
  poses that videos show and the first five lacked: ``crouch``, ``kneel``, ``sit_stand``,
  ``bend_pick``, ``reach_overhead``, ``crawl``, ``lie_down`` (and get up), ``turn_around``
  (a full turn on the spot), ``random_limits`` (smooth random trajectories that fill the
  joint-limit box, each part at its own pace), ``gesture`` (standing, the arms reaching, pointing
  and crossing in front of the body from one held pose to the next) and ``mix`` (legs, torso and
  root of one family, the head and each arm from other clips). Every training clip also gets its
  own posture (:func:`_style`: per-joint offsets and slow drift), as people stand differently,
  and on request (``stance_share``) a share of the upright ones is performed in a crouched stance
  (:func:`_stance`: knees bent forward over the feet, pelvis tilted back, torso leaning forward);
* held-out test (never seen in training): ``jumping_jacks``, ``boxing``, ``kicks``, ``climb``
  (stepping up stairs) and ``jump``. The held-out families are new *combinations* of postures the
  training families cover (deep hip and knee flexion, arms up, one leg lifted) with dynamics
  training never shows (ballistic flight, a rising ground), so the test measures generalisation
  to unseen motion, not extrapolation to unseen joint angles. Postures that no other family
  reaches (lying, crawling, kneeling, sitting, arms overhead) stay in training: a network never
  shown them cannot recover them, and real videos have them.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.spatial.transform import Rotation

from lmr_studio.parts import NUM_JOINTS, PART_JOINTS

#: The training families of the first shipped weights (kept to measure coverage against).
FIRST_TRAIN_FAMILIES: tuple[str, ...] = ("part_switch", "walk", "run", "sports", "dance")
EVERYDAY_FAMILIES: tuple[str, ...] = ("crouch", "kneel", "sit_stand", "bend_pick", "reach_overhead", "crawl",
                                      "lie_down", "turn_around", "random_limits")
#: Added with the pool of version 2: gesturing and reaching while standing, and parts from different families.
GESTURE_FAMILIES: tuple[str, ...] = ("gesture", "mix")
TRAIN_FAMILIES: tuple[str, ...] = FIRST_TRAIN_FAMILIES + EVERYDAY_FAMILIES + GESTURE_FAMILIES
TEST_FAMILIES: tuple[str, ...] = ("jumping_jacks", "boxing", "kicks", "climb", "jump")

#: Std of a training clip's per-joint posture offsets, as a share of each joint's limit range (:func:`_style`).
STYLE_STD = 0.08

#: Hip to ankle of an average adult (m): how far the pelvis drops as the stance bends the legs.
LEG_LENGTH = 0.85
#: Upright families that a training clip may perform in a crouched stance (:func:`_stance`).
STANCE_FAMILIES: tuple[str, ...] = ("walk", "run", "part_switch", "sports", "dance", "turn_around", "gesture", "mix")

#: Per-joint (x, y, z) Euler limits in degrees, (24, 3, 2). The pelvis (global orientation) is free.
#: Collar and shoulder elevation together reach 100 degrees above horizontal (arms overhead).
_L = {
    1: ((-120, 35), (-40, 40), (-15, 60)), 2: ((-120, 35), (-40, 40), (-60, 15)),
    3: ((-15, 35), (-20, 20), (-15, 15)), 6: ((-15, 30), (-20, 20), (-15, 15)), 9: ((-15, 30), (-20, 20), (-15, 15)),
    4: ((0, 150), (-5, 5), (-5, 5)), 5: ((0, 150), (-5, 5), (-5, 5)),
    7: ((-40, 40), (-20, 20), (-20, 20)), 8: ((-40, 40), (-20, 20), (-20, 20)),
    10: ((-30, 30), (-5, 5), (-5, 5)), 11: ((-30, 30), (-5, 5), (-5, 5)),
    12: ((-30, 40), (-40, 40), (-20, 20)), 15: ((-30, 30), (-45, 45), (-20, 20)),
    13: ((-10, 10), (-15, 15), (-10, 30)), 14: ((-10, 10), (-15, 15), (-30, 10)),
    16: ((-60, 60), (-170, 40), (-95, 70)), 17: ((-60, 60), (-40, 170), (-70, 95)),
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
    """Euler angles (F, 24, 3) in degrees, written through semantic DOFs (sides: 0 left, 1 right).
    Every DOF adds to what is there: a family's movement adds to the resting posture. Starts with
    the arms hanging down (shoulder elevation 0)."""

    def __init__(self, frames: int) -> None:
        self.e = np.zeros((frames, NUM_JOINTS, 3))
        self.e[:, (16, 17), 2] = (-90.0, 90.0)

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
        """Raise the arm sideways by ``elevation`` (from hanging down: 90 = horizontal) and forward
        by ``forward`` (+ = in front), twist about its axis (degrees)."""
        j, s = (16, 17)[side], (1, -1)[side]
        self.e[:, j, 2] += s * np.asarray(elevation)
        self.e[:, j, 1] += -s * np.asarray(forward)
        self.e[:, j, 0] += np.asarray(twist)

    def collar(self, side: int, elevation) -> None:
        """Shrug: the collar's share of raising the arm above the shoulder (degrees)."""
        self.e[:, (13, 14)[side], 2] += (1, -1)[side] * np.asarray(elevation)

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
        p.shoulder(side, rng.uniform(0, 12), rng.uniform(-5, 15))
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


@dataclasses.dataclass
class _Root:
    """Root motion a family adds (per frame): forward ``speed`` m/s, pelvis ``height`` offset m,
    forward ``pitch`` of the whole body (degrees, + = face down), extra heading ``spin`` (degrees)."""

    speed: np.ndarray | float = 0.0
    height: np.ndarray | float = 0.0
    pitch: np.ndarray | float = 0.0
    spin: np.ndarray | float = 0.0


def _alternate(frames: int, rng: np.random.Generator, fps: float, hold_s: tuple[float, float] = (0.8, 2.5),
               move_s: tuple[float, float] = (0.7, 1.5)) -> np.ndarray:
    """(frames,) in [0, 1]: holds alternating between 0 and 1 (random start), joined by half-cosine moves."""
    out = np.empty(frames)
    level, i = float(rng.integers(2)), 0
    while i < frames:
        hold = int(rng.uniform(*hold_s) * fps)
        out[i:i + hold] = level
        i += hold
        move = max(int(rng.uniform(*move_s) * fps), 2)
        ramp = (1 - np.cos(np.linspace(0, np.pi, move))) / 2
        n = len(out[i:i + move])
        out[i:i + move] = level + (1 - 2 * level) * ramp[:n]
        i += move
        level = 1 - level
    return out


def _arms_relaxed(p: _Pose, rng: np.random.Generator, forward: float = 15.0) -> None:
    for s in (0, 1):
        p.shoulder(s, rng.uniform(10, 25), forward)
        p.elbow(s, rng.uniform(15, 40))


def _crouch(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> _Root:
    """Squat down onto the heels and hold (looking around, arms forward for balance), stand up."""
    d = _alternate(len(t), rng, fps)
    for s in (0, 1):
        p.hip(s, 115 * d, 10 + 15 * d)
        p.knee(s, 145 * d)
        p.ankle(s, -30 * d)
        p.shoulder(s, 15 + 25 * d, 50 * d)
        p.elbow(s, 20 + 50 * d)
    p.spine(25 * d)
    p.head(-15 * d, 30 * smooth_noise(rng, len(t), fps, 0.4)[:, 0])
    return _Root(height=-0.5 * d, pitch=15 * d)


def _kneel(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> _Root:
    """Go down on one knee (proposal, tying a shoe) or on both knees, hold, and get up."""
    d = _alternate(len(t), rng, fps, hold_s=(1.0, 3.0), move_s=(0.8, 1.6))
    if rng.random() < 0.5:  # one knee, the other foot in front
        front = int(rng.integers(2))
        p.hip(front, 90 * d)
        p.knee(front, 95 * d)
        p.hip(1 - front, -10 * d)
        p.knee(1 - front, 100 * d)
        p.ankle(1 - front, 30 * d)
        p.shoulder(front, 15, 40 * d)
        p.elbow(front, 30 + 40 * d)
        p.shoulder(1 - front, 15, 10)
        height = -0.45 * d
    else:  # both knees, sitting up
        for s in (0, 1):
            p.hip(s, 10 * d, 8)
            p.knee(s, 100 * d)
            p.ankle(s, 35 * d)
        _arms_relaxed(p, rng, 20)
        height = -0.48 * d
    p.spine(10 * d)
    return _Root(height=height)


def _sit_stand(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> _Root:
    """Sit down on a chair, sit a while (arms on the lap, shifting), stand up: the torso leans
    forward while the hips pass over the feet."""
    frames = len(t)
    d = _alternate(frames, rng, fps, hold_s=(1.0, 3.0), move_s=(1.0, 1.8))
    transit = np.sin(np.pi * d)  # 1 halfway down or up
    for s in (0, 1):
        p.hip(s, 90 * d, 8 * d)
        p.knee(s, 95 * d)
        p.ankle(s, -15 * transit)
        p.shoulder(s, 15 + 10 * transit, 35 * d + 20 * transit)
        p.elbow(s, 25 + 45 * d)
    p.spine(10 * d + 25 * transit, 10 * smooth_noise(rng, frames, fps, 0.3)[:, 0] * d)
    return _Root(height=-0.42 * d, pitch=20 * transit - 8 * d)


def _bend_pick(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> _Root:
    """Bend at the hips to pick something up from the floor with one or both hands, straighten up."""
    d = _alternate(len(t), rng, fps, hold_s=(0.5, 2.0), move_s=(0.7, 1.3))
    hands = (0, 1) if rng.random() < 0.4 else (int(rng.integers(2)),)
    knees = rng.uniform(10, 60)
    for s in (0, 1):
        reach = float(s in hands)
        p.hip(s, (70 + knees / 3) * d, 8)
        p.knee(s, knees * d)
        p.ankle(s, -knees / 4 * d)
        p.shoulder(s, 15 + 10 * d * reach, (60 + 30 * reach) * d)
        p.elbow(s, 25 - 15 * d * reach + 30 * d * (1 - reach))
    p.spine(30 * d)
    p.head(-20 * d)
    return _Root(height=-(0.05 + knees / 300) * d, pitch=55 * d)


def _reach_overhead(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> None:
    """Reach up to a high shelf or stretch: one or both arms overhead, on tiptoe, head back."""
    frames = len(t)
    up = np.stack([_alternate(frames, rng, fps, hold_s=(0.4, 2.0), move_s=(0.5, 1.2)) for _ in (0, 1)], 1)
    for s in (0, 1):
        p.shoulder(s, 15 + 145 * up[:, s], 30 * up[:, s] * rng.uniform(0.2, 1.0))
        p.collar(s, 25 * up[:, s])
        p.elbow(s, 30 - 20 * up[:, s] + 10 * smooth_noise(rng, frames, fps, 1.0)[:, 0] * up[:, s])
        p.ankle(s, 25 * up.max(1))
    p.spine(-8 * up.max(1), 0, 10 * (up[:, 0] - up[:, 1]))
    p.head(-25 * up.max(1))


def _crawl(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> _Root:
    """Crawl on hands and knees (torso horizontal, face down), diagonal limbs moving together."""
    phi = 2 * np.pi * rng.uniform(0.5, 0.9) * t + rng.uniform(0, 2 * np.pi)
    for s in (0, 1):
        ph = phi + s * np.pi
        p.hip(s, 90 + 20 * np.sin(ph), 8)
        p.knee(s, 95 + 15 * np.clip(np.sin(ph + 1.2), 0, None))
        p.ankle(s, 30)
        p.shoulder(s, 15, 80 - 20 * np.sin(ph + np.pi))
        p.elbow(s, 10 + 20 * np.clip(np.sin(ph + np.pi + 1.2), 0, None))
    p.spine(-5, 8 * np.sin(phi))
    p.head(-30, 15 * smooth_noise(rng, len(t), fps, 0.4)[:, 0])
    return _Root(speed=0.35, height=-0.45, pitch=90)


def _lie_down(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> _Root:
    """Sit down on the floor and lie on the back (or front), stay, and get up again the same way."""
    frames = len(t)
    sit = _alternate(frames, rng, fps, hold_s=(0.6, 1.5), move_s=(0.8, 1.4))
    lie = np.clip(2 * sit - 1, 0, 1)  # lies back during the second half of each sitting-down move
    sit = np.clip(2 * sit, 0, 1)
    lie = (1 - np.cos(np.pi * lie)) / 2
    sit = (1 - np.cos(np.pi * sit)) / 2
    prone = rng.random() < 0.3
    for s in (0, 1):
        p.hip(s, 90 * sit * (1 - lie) + (0 if prone else 10) * lie, 10)
        p.knee(s, 110 * sit * (1 - lie) + 20 * lie * rng.uniform(0, 1))
        p.shoulder(s, 20 + 20 * lie, 40 * sit * (1 - lie) + (150 if prone else 0) * lie)
        p.elbow(s, 20 + 60 * lie * prone)
    p.spine(25 * sit * (1 - lie))
    p.head(20 * lie * (1 - 2 * prone))
    return _Root(height=-0.8 * sit, pitch=(90 if prone else -90) * lie)


def _turn_around(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> _Root:
    """Turn all the way around on the spot (one or more full turns either way), stepping."""
    frames = len(t)
    turns = _alternate(frames, rng, fps, hold_s=(0.5, 2.0), move_s=(1.5, 3.0))
    count = np.cumsum(np.abs(np.diff(turns, prepend=turns[0])))  # 0 -> 1 -> 2 ... across moves
    moving = np.abs(np.gradient(count)) * fps  # turns per second while turning
    step = 2 * np.pi * 1.8 * t
    for s in (0, 1):
        lift = np.clip(np.sin(step + s * np.pi), 0, None) * np.clip(2 * moving, 0, 1)
        p.hip(s, 30 * lift, 5)
        p.knee(s, 50 * lift + 5)
        p.shoulder(s, 15, 10)
        p.elbow(s, 25)
    way = 1 if rng.random() < 0.5 else -1
    p.head(0, 30 * np.clip(2 * moving, 0, 1) * way)  # looks where it turns
    return _Root(spin=360 * count * way)


def _style(p: _Pose, rng: np.random.Generator, frames: int, fps: float) -> None:
    """A person's own way of standing and moving, added to a training clip's motion (degrees):
    per clip, each joint gets a constant offset (std :data:`STYLE_STD` of its limit range, so a
    slouch, a forward head, raised shoulders, toes out, arms turned in) and a slow drift of a
    third of that (weight shifts, fidgeting). Not applied to the held-out test families, which
    keep the motion they were measured on."""
    span = JOINT_LIMITS[1:, :, 1] - JOINT_LIMITS[1:, :, 0]
    offset = STYLE_STD * span * rng.standard_normal(span.shape)
    drift = smooth_noise(rng, frames, fps, 0.25, span.size).reshape(frames, *span.shape)
    p.e[:, 1:] += offset + STYLE_STD / 3 * span * drift


def _stance(p: _Pose, root: _Root, rng: np.random.Generator) -> None:
    """A crouched stance held through the clip (how many people walk, sneak, guard or wait): the
    thighs ``a`` forward of vertical (0-25 deg), the knees bent ``2 a`` and the ankles ``a`` so that
    the feet stay under the hips and flat, the pelvis tilted back (0-15 deg) and the spine bent
    forward to put the torso ``lean`` ahead of vertical (0-20 deg); the pelvis drops with the legs."""
    depth = rng.uniform(0.0, 1.0)
    thigh, tilt, lean = depth * 25.0, depth * rng.uniform(0.0, 15.0), depth * rng.uniform(0.0, 20.0)
    for side in (0, 1):
        p.hip(side, thigh - tilt)
        p.knee(side, 2 * thigh)
        p.ankle(side, -thigh)
    p.spine(bend=lean + tilt)
    root.pitch = root.pitch - tilt
    root.height = root.height - LEG_LENGTH * (1 - np.cos(np.radians(thigh)))


def _via_points(frames: int, rng: np.random.Generator, fps: float, low, high, hold_s=(0.0, 1.2),
                move_s=(0.35, 1.1)) -> np.ndarray:
    """(frames, dims) point-to-point movement: targets drawn uniformly in [low, high] (dims,),
    reached with minimum-jerk moves, held in between (how people reach, point and gesture)."""
    low, high = np.asarray(low, np.float64), np.asarray(high, np.float64)
    out = np.empty((frames, len(low)))
    here, i = rng.uniform(low, high), 0
    while i < frames:
        hold = int(rng.uniform(*hold_s) * fps)
        out[i:i + hold] = here
        i += hold
        move = max(int(rng.uniform(*move_s) * fps), 2)
        s = np.linspace(0, 1, move)[:, None]
        target = rng.uniform(low, high)
        n = len(out[i:i + move])
        out[i:i + move] = (here + (target - here) * (10 * s ** 3 - 15 * s ** 4 + 6 * s ** 5))[:n]
        here, i = target, i + move
    return out


def _gesture(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> None:
    """Standing and using the arms: each arm reaches, points and gestures from one held pose to the
    next (shoulder elevation, forward flexion and twist, elbow flexion), the torso turning and
    leaning with it, the head looking around, the weight shifting from leg to leg."""
    frames = len(t)
    for side in (0, 1):
        elevation, forward, twist, elbow = _via_points(frames, rng, fps, (0, -30, -60, 0), (150, 120, 60, 140)).T
        p.shoulder(side, elevation, forward, twist)
        p.collar(side, np.clip(elevation - 90, 0, None) / 3)
        p.elbow(side, elbow)
    bend, turn, lean = _via_points(frames, rng, fps, (-10, -30, -12), (35, 30, 12), hold_s=(0.5, 2.0)).T
    p.spine(bend, turn, lean)
    nod, look, tilt = _via_points(frames, rng, fps, (-30, -50, -15), (30, 50, 15)).T
    p.head(nod, look, tilt)
    shift = np.sin(2 * np.pi * rng.uniform(0.1, 0.4) * t + rng.uniform(0, 2 * np.pi))
    for side, sign in ((0, 1), (1, -1)):
        p.hip(side, 5 + 10 * np.clip(-sign * shift, 0, None), 5 + 8 * sign * shift)
        p.knee(side, 5 + 20 * np.clip(-sign * shift, 0, None))


def _mix(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> _Root:
    """Parts doing different things: the legs, torso and root of one training family, each arm
    and the head from other clips of any training family (walking while reaching, kneeling while
    waving): combinations no single family holds."""
    sources = [f for f in TRAIN_FAMILIES if f not in ("mix", "random_limits")]
    bases = [f for f in sources if f != "crawl"]  # crawling needs its own arms to hold the body up
    base, root = _family_pose(bases[rng.integers(len(bases))], t, rng, fps)
    p.e[:] = base.e
    for joints in PART_JOINTS[1:4]:  # head, left arm, right arm
        other, _ = _family_pose(sources[rng.integers(len(sources))], t, rng, fps)
        p.e[:, joints] = other.e[:, joints]
    return root


def _random_limits(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> None:
    """Smooth random trajectories that fill the joint-limit box: each part has its own pace; each
    Euler angle is band-limited noise mapped through the normal CDF onto its limit range, so it
    is uniform over the range and stays inside it."""
    from scipy.special import ndtr

    frames = len(t)
    for joints in PART_JOINTS:
        moving = [j for j in joints if j != 0]
        noise = smooth_noise(rng, frames, fps, rng.uniform(0.15, 0.7), 3 * len(moving)).reshape(frames, -1, 3)
        lo, hi = JOINT_LIMITS[moving, :, 0], JOINT_LIMITS[moving, :, 1]
        p.e[:, moving] = lo + (hi - lo) * ndtr(noise)


def _climb(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> _Root:
    """Climb stairs or step up onto boxes: high knee lifts, forward lean, the ground rises."""
    f = rng.uniform(0.6, 0.9)
    phi = 2 * np.pi * f * t + rng.uniform(0, 2 * np.pi)
    for s in (0, 1):
        ph = phi + s * np.pi
        lift = np.clip(np.sin(ph), 0, None)
        p.hip(s, 15 + 65 * lift)
        p.knee(s, 15 + 85 * np.clip(np.sin(ph + 0.4), 0, None))
        p.ankle(s, -15 * lift)
        p.shoulder(s, 12, -25 * np.sin(ph))
        p.elbow(s, 30)
    p.spine(15)
    rise = rng.uniform(0.15, 0.3)  # metres per step, two steps per cycle
    return _Root(speed=0.5, height=2 * rise * f * t, pitch=10)


def _jump(p: _Pose, t: np.ndarray, rng: np.random.Generator, fps: float) -> _Root:
    """Jumps on the spot or forward: crouch with arms back, extend with arms swinging up, fly, land."""
    frames = len(t)
    cycle = rng.uniform(1.3, 2.2)  # seconds per jump
    phase = (t / cycle + rng.uniform(0, 1)) % 1.0
    crouch = np.exp(-((phase - 0.3) / 0.09) ** 2) + 0.8 * np.exp(-((phase - 0.75) / 0.07) ** 2)
    flight = np.clip(np.sin(np.pi * (phase - 0.45) / 0.25), 0, None) * (phase > 0.45) * (phase < 0.7)
    swing = np.exp(-((phase - 0.5) / 0.12) ** 2) - 0.6 * crouch
    for s in (0, 1):
        p.hip(s, 10 + 80 * crouch + 15 * flight)
        p.knee(s, 10 + 100 * crouch + 30 * flight)
        p.ankle(s, -25 * crouch + 25 * flight)
        p.shoulder(s, 20 + 100 * np.clip(swing, 0, None), 90 * swing)
        p.elbow(s, 20 + 20 * crouch)
    p.spine(30 * crouch)
    height = 0.4 * rng.uniform(0.5, 1.0) * flight - 0.3 * crouch
    return _Root(speed=rng.uniform(0, 1.5) * flight, height=height, pitch=15 * crouch)


_FAMILIES = {"part_switch": _part_switch, "sports": _sports, "dance": _dance, "boxing": _boxing, "kicks": _kicks,
             "crouch": _crouch, "kneel": _kneel, "sit_stand": _sit_stand, "bend_pick": _bend_pick,
             "reach_overhead": _reach_overhead, "crawl": _crawl, "lie_down": _lie_down, "turn_around": _turn_around,
             "random_limits": _random_limits, "climb": _climb, "jump": _jump, "gesture": _gesture,
             "mix": _mix}


def _family_pose(family: str, t: np.ndarray, rng: np.random.Generator, fps: float) -> tuple[_Pose, _Root]:
    """``family``'s local Euler angles over times ``t`` (s), resting posture included, and its root motion."""
    frames = len(t)
    p = _Pose(frames)
    _posture(p, rng, frames, fps, amount=0.5 if family in TEST_FAMILIES else 1.0)
    root = _Root()
    if family in ("walk", "run"):
        root.speed = _gait(p, t, rng, run=family == "run")
        root.height = (0.06 if family == "run" else 0.02) * np.abs(np.sin(2 * np.pi * t))
    elif family == "jumping_jacks":
        root.height = _jumping_jacks(p, t, rng, fps)
    else:
        fn = _FAMILIES.get(family)
        if fn is None:
            raise ValueError(f"unknown motion family {family!r}")
        root = fn(p, t, rng, fps) or root
    return p, root


def generate_motion(family: str, frames: int, rng: np.random.Generator, fps: float = 30.0,
                    own_posture: bool | None = None, stance: bool | None = None,
                    stance_share: float = 0.0) -> MotionClip:
    """One clip of ``frames`` frames of ``family`` (see module docstring), clipped to joint limits.
    ``own_posture``: add the clip's own posture (:func:`_style`); by default training families
    get it and the held-out test families do not. Scenes that must not change with the training
    data (the crowd benchmark) pass False. ``stance``: perform in a crouched stance
    (:func:`_stance`); by default a share ``stance_share`` of the clips of
    :data:`STANCE_FAMILIES` that get their own posture (0: none, and ``rng`` draws as before)."""
    t = np.arange(frames) / fps
    p, root = _family_pose(family, t, rng, fps)
    if own_posture is None:
        own_posture = family not in TEST_FAMILIES
    if own_posture:
        _style(p, rng, frames, fps)
    if stance is None:
        stance = stance_share > 0 and own_posture and family in STANCE_FAMILIES and rng.random() < stance_share
    if stance:
        _stance(p, root, rng)
    euler = np.clip(p.e, JOINT_LIMITS[None, :, :, 0], JOINT_LIMITS[None, :, :, 1])
    # global orientation: heading (yaw) with turns, slight lean and sway; world frame y up
    turn_rate = rng.uniform(-60, 60) * (rng.random() < 0.6) + 25 * smooth_noise(rng, frames, fps, 0.2)[:, 0]
    yaw = rng.uniform(-180, 180) + np.cumsum(turn_rate) / fps + root.spin
    lean = 3 * smooth_noise(rng, frames, fps, 0.3, 2)
    euler[:, 0] = np.stack([lean[:, 0] + root.pitch, yaw, lean[:, 1]], -1)
    rot = Rotation.from_euler("xyz", euler.reshape(-1, 3), degrees=True)
    rot0 = Rotation.from_euler("zxy", euler[:, 0][:, [2, 0, 1]], degrees=True)  # sway, lean, then yaw
    poses = rot.as_rotvec().reshape(frames, NUM_JOINTS, 3)
    poses[:, 0] = rot0.as_rotvec()
    heading = np.stack([np.sin(np.radians(yaw)), np.zeros(frames), np.cos(np.radians(yaw))], -1)
    transl = np.cumsum(heading * np.broadcast_to(root.speed, (frames,))[:, None], 0) / fps
    transl[:, 1] += root.height
    return MotionClip(poses.astype(np.float32), transl.astype(np.float32), fps, family, euler)
