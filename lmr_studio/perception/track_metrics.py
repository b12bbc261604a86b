"""Scores of a multi-person tracker against ground truth: recall, precision, identity switches.

A tracked pose matches a true person in a frame when its joint-centre landmarks (shoulders,
elbows, wrists, hips, knees, ankles) lie on average within ``threshold`` x the person's height
of the true joints; each frame is matched one-to-one (Hungarian) on that distance.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.optimize import linear_sum_assignment

from lmr_studio.perception.tracking import KeypointTrack
from lmr_studio.training.landmarks import JOINT_CENTRE

_LANDMARKS = np.array(list(JOINT_CENTRE.keys()))
_JOINTS = np.array(list(JOINT_CENTRE.values()))


@dataclasses.dataclass
class TrackingScores:
    """``recall``: matched / true person-frames; ``precision``: matched / tracked person-frames;
    ``id_switches``: times a true person's matched track id changed; ``matches[p]``: {frame: tid}."""

    recall: float
    precision: float
    id_switches: int
    true_count: int
    tracked_count: int
    matches: dict[int, dict[int, int]]


def score_tracks(tracks: dict[int, KeypointTrack], joints2d: np.ndarray, present: np.ndarray,
                 threshold: float = 0.2) -> TrackingScores:
    """Score ``tracks`` against true SMPL joints ``joints2d`` (P, F, 24, 2) pixels of P people over
    F frames, ``present`` (P, F) bool: where a person is in view and counted."""
    people, frames = present.shape
    by_frame: dict[int, list[tuple[int, np.ndarray]]] = {}
    for tid, track in tracks.items():
        for row, frame in enumerate(track.frame_ids):
            by_frame.setdefault(int(frame), []).append((tid, track.keypoints[row, _LANDMARKS, :2]))
    matches: dict[int, dict[int, int]] = {p: {} for p in range(people)}
    tracked = 0
    for frame in range(frames):
        found = by_frame.get(frame, [])
        tracked += len(found)
        truth = [p for p in range(people) if present[p, frame]]
        if not found or not truth:
            continue
        true_joints = joints2d[truth, frame][:, _JOINTS]                              # (T, 12, 2)
        heights = np.ptp(joints2d[truth, frame, :, 1], axis=1) * 1.15 + 1e-6           # joints span ~87 % of height
        predicted = np.stack([kp for _, kp in found])                                  # (N, 12, 2)
        cost = np.linalg.norm(true_joints[:, None] - predicted[None], axis=-1).mean(-1) / heights[:, None]
        rows, cols = linear_sum_assignment(cost)
        for r, c in zip(rows, cols):
            if cost[r, c] <= threshold:
                matches[truth[r]][frame] = found[c][0]
    matched = sum(len(m) for m in matches.values())
    switches = sum(int(np.count_nonzero(np.diff([m[f] for f in sorted(m)]))) for m in matches.values())
    true_count = int(present.sum())
    return TrackingScores(recall=matched / max(true_count, 1), precision=matched / max(tracked, 1),
                          id_switches=switches, true_count=true_count, tracked_count=tracked, matches=matches)
