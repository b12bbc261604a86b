"""BlazePose's measured errors on render-and-detect data (:mod:`realdet`), in the terms of the
procedural detector model of :mod:`synth`, written as a small JSON.

Units: 2D errors are divided by the person's extent in pixels (the longer side of the true
landmarks' bounding box, per frame), as ``synth._detector_errors`` scales its noise. Per clip and
landmark, the error on frames where the point is seen (visibility >= 0.5) and not an outlier
(error < :data:`OUTLIER` of the extent) splits into a clip bias (its mean), white jitter (from
frame-to-frame differences: var(diff) / 2) and slow drift (what is left of the variance).
Outliers count as drops. A left/right pair is swapped on a frame when each detected point is
nearer the other side's true point (the true points at least 10 % of the extent apart).
Facing (:func:`facing_degrees`) is 0 deg for a front view, 90 for a side view, 180 for a back
view, from the pelvis's left axis; the head's drives the face-visibility fit.
World landmarks (BlazePose's metric skeleton, turned to y up with ``[x, -y, -z]``) are scored on
the 12 limb landmarks against the true SMPL joints: PA-MPJPE, and the angle of the Procrustes
rotation (above 90 deg: a front/back flip).

    python -m lmr_studio.training.noise_fit [DIR] [--out lmr_studio/training/blazepose_noise.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.parts import PARENTS
from lmr_studio.perception.features import VISIBILITY_THRESHOLD
from lmr_studio.training.landmarks import JOINT_CENTRE

FIT_PATH = Path(__file__).with_name("blazepose_noise.json")
OUTLIER = 0.15
GROUPS: dict[str, tuple[int, ...]] = {
    "face": tuple(range(11)), "shoulders": (11, 12), "elbows": (13, 14), "wrists": (15, 16),
    "hands": tuple(range(17, 23)), "hips": (23, 24), "knees": (25, 26), "ankles": (27, 28),
    "feet": tuple(range(29, 33)),
}
SWAP_PAIRS = {"arms": ((13, 14), (15, 16)), "legs": ((25, 26), (27, 28)), "shoulders": ((11, 12),),
              "hips": ((23, 24),)}
LIMB_LANDMARKS = np.array([11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28])
LIMB_JOINTS = np.array([JOINT_CENTRE[i] for i in LIMB_LANDMARKS])
FACING_BINS = (0, 45, 90, 135, 180)
SWAP_APART = 0.1


def global_rotations(poses: np.ndarray, joints: tuple[int, ...]) -> dict[int, np.ndarray]:
    """Global rotation matrices (..., 3, 3) of ``joints`` from local axis-angle poses (..., 24, 3)."""
    local = axis_angle_to_matrix(torch.from_numpy(np.asarray(poses, np.float64))).numpy()
    glob: dict[int, np.ndarray] = {}
    for j in range(max(joints) + 1):
        glob[j] = local[..., j, :, :] if PARENTS[j] < 0 else glob[PARENTS[j]] @ local[..., j, :, :]
    return {j: glob[j] for j in joints}


def facing_degrees(rotation: np.ndarray, position: np.ndarray) -> np.ndarray:
    """How far a body frame (rotation (..., 3, 3), origin ``position`` (..., 3), camera frame) is
    turned from a front view, in degrees: the angle between its left axis (+x) and the image's
    right at that point (the horizontal perpendicular to the ray from the camera). 0: seen from
    the front (its left on the image right), 90: from the side, 180: from behind; defined for
    lying or bent bodies too, where a forward axis points up or down."""
    left = rotation[..., :, 0]
    ray = position / np.linalg.norm(position, axis=-1, keepdims=True)
    right = np.cross(ray, np.array([0.0, 1.0, 0.0]))
    right = right / np.linalg.norm(right, axis=-1, keepdims=True)
    return np.degrees(np.arccos(np.clip((left * right).sum(-1), -1, 1)))


def procrustes(pred: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Similarity-align (M, J, 3) ``pred`` to ``truth``: (aligned (M, J, 3), rotation angle (M,) deg)."""
    p = pred - pred.mean(1, keepdims=True)
    t = truth - truth.mean(1, keepdims=True)
    u, s, vt = np.linalg.svd(np.einsum("mji,mjk->mik", p, t))
    d = np.sign(np.linalg.det(u @ vt))
    s[:, -1] *= d
    u[:, :, -1] *= d[:, None]
    rot = u @ vt                                           # p @ rot ~ t
    scale = s.sum(1) / (p ** 2).sum((1, 2)).clip(1e-12)
    aligned = scale[:, None, None] * p @ rot + truth.mean(1, keepdims=True)
    angle = np.degrees(np.arccos(np.clip((np.trace(rot, axis1=1, axis2=2) - 1) / 2, -1, 1)))
    return aligned, angle


def _pct(x: np.ndarray, q=(10, 50, 90)) -> list[float]:
    return [round(float(v), 5) for v in np.percentile(x, q)] if len(x) else []


def _clip_noise(err: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (clip, landmark) bias norm, white std and drift std (box units) from errors (N, F, L, 2)
    on frames ``ok`` (N, F, L); NaN where fewer than 8 usable frames."""
    n, f, lm = ok.shape
    bias = np.full((n, lm), np.nan)
    white = np.full((n, lm), np.nan)
    drift = np.full((n, lm), np.nan)
    for c in range(n):
        for j in range(lm):
            m = ok[c, :, j]
            if m.sum() < 8:
                continue
            e = err[c, m, j]
            mean = e.mean(0)
            r = e - mean
            pairs = m[1:] & m[:-1]
            if pairs.sum() < 4:
                continue
            d = (err[c, 1:, j] - err[c, :-1, j])[pairs]
            w2 = (d ** 2).mean() / 2                       # per axis
            bias[c, j] = np.linalg.norm(mean)
            white[c, j] = np.sqrt(w2)
            drift[c, j] = np.sqrt(max((r ** 2).mean() - w2, 0.0))
    return bias, white, drift


def _swaps(kp: np.ndarray, truth: np.ndarray, extent: np.ndarray, pairs) -> np.ndarray:
    """(N, F) bool: any of ``pairs`` swapped left/right on the frame: the two true points are at
    least :data:`SWAP_APART` of the extent apart and each detected point is nearer the other
    side's true point than its own."""
    out = np.zeros(kp.shape[:2], bool)
    dist = lambda a, b: np.linalg.norm(a - b, axis=-1)  # noqa: E731
    for a, b in pairs:
        apart = dist(truth[..., a, :], truth[..., b, :]) > SWAP_APART * extent
        a_crossed = dist(kp[..., a, :], truth[..., b, :]) < dist(kp[..., a, :], truth[..., a, :])
        b_crossed = dist(kp[..., b, :], truth[..., a, :]) < dist(kp[..., b, :], truth[..., b, :])
        out |= apart & a_crossed & b_crossed
    return out


def _runs(flags: np.ndarray) -> list[int]:
    """Lengths of the runs of True in each row of (N, F) ``flags``."""
    lengths = []
    for row in flags:
        edges = np.diff(np.concatenate([[0], row.astype(int), [0]]))
        lengths += list(np.nonzero(edges < 0)[0] - np.nonzero(edges > 0)[0])
    return lengths


def _by_facing(values: np.ndarray, facing: np.ndarray, fn) -> dict[str, float | list]:
    out = {}
    for lo, hi in zip(FACING_BINS[:-1], FACING_BINS[1:]):
        m = (facing >= lo) & (facing < hi + (hi == 180))
        out[f"{lo}-{hi}"] = fn(values[m]) if m.any() else None
    return out


def fit_noise(data: dict[str, np.ndarray]) -> dict:
    """The fitted parameters and measurements (see the module docstring) from :func:`load_realdet`'s arrays."""
    found = data["found"]
    kp, vis, truth = data["keypoints"][..., :2], data["keypoints"][..., 2], data["landmarks2d"]
    extent = (truth.max(2) - truth.min(2)).max(-1)                       # (N, F) px
    err = (kp - truth) / extent[..., None, None]
    dist = np.linalg.norm(err, axis=-1)
    seen = found[..., None] & (vis >= VISIBILITY_THRESHOLD)
    inlier = seen & (dist < OUTLIER)
    rot = global_rotations(data["poses"], (0, 15))
    pelvis = data["joints3d"][..., 0, :] + data["transl"]
    head = data["landmarks3d"][..., 0, :] + data["transl"]
    facing = facing_degrees(rot[0], pelvis)
    head_cos = np.cos(np.radians(facing_degrees(rot[15], head)))
    bias, white, drift = _clip_noise(err, inlier)

    groups = {}
    for name, idx in GROUPS.items():
        idx = list(idx)
        g_seen, g_found = seen[..., idx], np.broadcast_to(found[..., None], seen[..., idx].shape)
        g_vis = vis[..., idx][g_found]
        g_out = (dist[..., idx] >= OUTLIER) & g_found
        groups[name] = {
            "error_p10_p50_p90": _pct(dist[..., idx][g_seen]),
            "bias_p10_p50_p90": _pct(bias[:, idx][~np.isnan(bias[:, idx])]),
            "jitter_p10_p50_p90": _pct(white[:, idx][~np.isnan(white[:, idx])]),
            "drift_p10_p50_p90": _pct(drift[:, idx][~np.isnan(drift[:, idx])]),
            "visibility_p10_p50_p90": _pct(g_vis),
            "below_threshold": round(float((g_vis < VISIBILITY_THRESHOLD).mean()), 4) if g_vis.size else None,
            "error_p50_below_threshold": _pct(dist[..., idx][g_found & ~g_seen], (50,)),
            "outlier_rate": round(float(g_out.sum() / max(g_found.sum(), 1)), 4),
            "outlier_visibility_p50": _pct(vis[..., idx][g_out], (50,)),
        }
    face_vis = vis[..., list(GROUPS["face"])].mean(-1)
    cos_bins = np.array([-1.0, -0.5, -0.2, 0.0, 0.2, 0.5, 1.0])
    face_by_cos = {}
    for lo, hi in zip(cos_bins[:-1], cos_bins[1:]):
        m = found & (head_cos >= lo) & (head_cos <= hi)
        face_by_cos[f"{lo:+.1f}..{hi:+.1f}"] = round(float(face_vis[m].mean()), 3) if m.any() else None
    away = found & (head_cos < -0.2)

    swaps = {name: _swaps(kp, truth, extent, pairs) & found for name, pairs in SWAP_PAIRS.items()}
    full_flip = swaps["shoulders"] & swaps["hips"]
    limb_swap = (swaps["arms"] | swaps["legs"]) & ~full_flip
    n_found = max(int(found.sum()), 1)

    world = data["world"][..., [0, 1, 2]] * np.array([1.0, -1.0, -1.0])
    w_pred = world[found][:, LIMB_LANDMARKS]
    w_true = data["joints3d"][found][:, LIMB_JOINTS]
    aligned, angle = procrustes(w_pred.astype(np.float64), w_true.astype(np.float64))
    pa = np.linalg.norm(aligned - w_true, axis=-1).mean(-1) * 1000
    centred = (w_pred - w_pred.mean(1, keepdims=True)) - (w_true - w_true.mean(1, keepdims=True))
    cam_aligned = np.linalg.norm(centred, axis=-1).mean(-1) * 1000
    f_found = facing[found]

    seen_vis = vis[inlier]
    return {
        "source": {"clips": int(found.shape[0]), "frames": int(found.size), "found_rate": round(float(found.mean()), 4),
                   "families": sorted(set(map(str, data["family"])))},
        "synth": {
            "jitter_std": _pct(white[~np.isnan(white)], (10, 90)),
            "drift_std": _pct(drift[~np.isnan(drift)], (10, 90)),
            "bias": _pct(bias[~np.isnan(bias)], (10, 90)),
            "visibility_seen": _pct(seen_vis, (10, 90)),
            "face_away_cos": -0.2,
            "face_away_visibility": _pct(vis[..., list(GROUPS["face"])][away].ravel(), (10, 90)),
            "drop_rate": round(float((found[..., None] & (dist >= OUTLIER)).sum() / (n_found * 33)), 4),
            "drop_displacement": _pct(dist[found[..., None] & (dist >= OUTLIER)], (10, 50, 90)),
            "limb_swap_rate": round(float(limb_swap.sum() / n_found), 4),
            "limb_swap_frames": _pct(np.array(_runs(limb_swap)), (10, 50, 90)),
            "full_flip_rate": round(float(full_flip.sum() / n_found), 4),
            "not_found_rate": round(float(1 - found.mean()), 4),
        },
        "groups": groups,
        "face_visibility_by_head_cos": face_by_cos,
        "by_facing_deg": {
            "frames": _by_facing(facing, facing, lambda v: int(v.size)),
            "not_found_rate": _by_facing(~found, facing, lambda v: round(float(v.mean()), 4)),
            "limb_swap_rate": _by_facing(limb_swap[found], f_found, lambda v: round(float(v.mean()), 4)),
            "full_flip_rate": _by_facing(full_flip[found], f_found, lambda v: round(float(v.mean()), 4)),
            "world_pa_mpjpe_mm": _by_facing(pa, f_found, lambda v: round(float(v.mean()), 1)),
            "world_rotation_deg_p50_p90": _by_facing(angle, f_found, lambda v: _pct(v, (50, 90))),
            "world_front_back_flip_rate": _by_facing(angle > 90, f_found, lambda v: round(float(v.mean()), 4)),
        },
        "world": {
            "pa_mpjpe_mm_mean": round(float(pa.mean()), 1),
            "pa_mpjpe_mm_p50_p90": _pct(pa, (50, 90)),
            "camera_aligned_mpjpe_mm_mean": round(float(cam_aligned.mean()), 1),
            "rotation_deg_p50_p90": _pct(angle, (50, 90)),
            "front_back_flip_rate": round(float((angle > 90).mean()), 4),
        },
    }


def main(argv: list[str] | None = None) -> int:
    from lmr_studio.training.realdet import default_dir, load_realdet

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, nargs="?", default=None, help="realdet shards (default: the cache)")
    parser.add_argument("--out", type=Path, default=FIT_PATH)
    args = parser.parse_args(argv)
    fitted = fit_noise(load_realdet(args.directory or default_dir()))
    from lmr_studio.io.atomic import atomic_path
    with atomic_path(args.out) as tmp:
        tmp.write_text(json.dumps(fitted, indent=1) + "\n")
    print(json.dumps(fitted["synth"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
