"""Where BlazePose marks the body model's joints, measured on render-and-detect data
(:mod:`realdet`): the refinement's :data:`~lmr_studio.model.refine.FIT_OFFSETS`.

BlazePose marks points it sees on the body (the ankle's bone, the top of the shoulder, the front
of the hip, the knuckles); the body model's joints lie inside it. Each refinement target
(:data:`~lmr_studio.model.refine.FIT_POINTS`) is modelled as its joint moved by a fixed offset
``o`` (3,) metres in the axes of one segment (:data:`~lmr_studio.model.refine.FIT_FRAMES`), which
turns with the body. On every seen frame of the train split (the target's landmarks at visibility
above 0.5), the target unprojected at the joint's depth minus the true joint gives two linear
equations in ``o``: ``(R o)_xy = r_xy`` with ``R`` the segment's camera-frame rotation (to first
order: the offset's own depth, a few centimetres against metres, is left out). ``o`` is their
robust least-squares solution (Huber, :data:`HUBER_M`, by iteratively reweighted least squares),
since BlazePose sometimes marks a limb far off.

    python -m lmr_studio.training.fit_calibration [DIR ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

from lmr_studio.errors import LMRStudioError
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.model.refine import FIT_FRAMES, FIT_JOINTS, fit_targets

#: Landmarks below this visibility are not measured.
MIN_VISIBILITY = 0.5
#: Metres: residuals beyond this count linearly, not squared.
HUBER_M = 0.01
REWEIGHTS = 8


def _robust_solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The Huber least-squares ``x`` of ``a x = b``, ``a`` (M, 3), ``b`` (M,)."""
    weight = np.ones(len(b))
    for _ in range(REWEIGHTS):
        root = np.sqrt(weight)
        x = np.linalg.lstsq(a * root[:, None], b * root, rcond=None)[0]
        residual = np.abs(a @ x - b)
        weight = np.where(residual < HUBER_M, 1.0, HUBER_M / np.maximum(residual, 1e-12))
    return x


def measure_offsets(keypoints: np.ndarray, joints: np.ndarray, rotations: np.ndarray, focal: np.ndarray,
                    image_size: np.ndarray) -> np.ndarray:
    """(P, 3) metres: each refinement target's offset from its joint in its segment's axes, from
    frames of people found by BlazePose: ``keypoints`` (N, 33, 3) px + visibility, the true
    camera-frame ``joints`` (N, 24, 3) m and world ``rotations`` (N, 24, 3, 3) of the joints (the
    camera's axes: x right, y up, looking along -z), ``focal`` (N,) px, ``image_size`` (N, 2)."""
    targets, weight = fit_targets(keypoints)
    centre = np.asarray(image_size, np.float64) / 2
    offsets = []
    for p, joint in enumerate(FIT_JOINTS):
        seen = weight[:, p] > MIN_VISIBILITY
        depth = -joints[seen, joint, 2]
        xy = (targets[seen, p] - centre[seen]) * (depth / focal[seen])[:, None] * [1.0, -1.0]
        residual = xy - joints[seen, joint, :2]
        rows = rotations[seen, FIT_FRAMES[p], :2, :]
        offsets.append(_robust_solve(rows.reshape(-1, 3), residual.reshape(-1)))
    return np.array(offsets)


def world_rotations(poses: np.ndarray, chunk: int = 20000) -> np.ndarray:
    """(N, 24, 3, 3) world rotations of the joints of (N, 24, 3) axis-angle ``poses``."""
    out = []
    for start in range(0, len(poses), chunk):
        local = axis_angle_to_matrix(torch.as_tensor(poses[start:start + chunk], dtype=torch.float32))
        out.append(forward_kinematics(local, torch.zeros(len(local), 24, 3))[1].numpy())
    return np.concatenate(out) if out else np.zeros((0, 24, 3, 3), np.float32)


def main(argv: list[str] | None = None) -> int:
    from lmr_studio.training.realdet import default_dir, load_realdet
    from lmr_studio.training.realdet_clips import realdet_split

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directories", type=Path, nargs="*", help="realdet shards (default: the cache's pool)")
    args = parser.parse_args(argv)
    try:
        parts = [realdet_split(load_realdet(d), "train") for d in args.directories or [default_dir()]]
    except LMRStudioError as err:
        print(err, file=sys.stderr)
        return 2
    data = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    frames = data["found"].shape[1]
    found = data["found"].reshape(-1).astype(bool)
    flat = {k: data[k].reshape(-1, *data[k].shape[2:])[found] for k in ("keypoints", "joints3d", "transl", "poses")}
    per_clip = {k: np.repeat(data[k], frames, 0)[found] for k in ("focal", "image_size")}
    offsets = measure_offsets(flat["keypoints"], flat["joints3d"] + flat["transl"][:, None], world_rotations(flat["poses"]),
                              per_clip["focal"], per_clip["image_size"])
    rows = ", ".join("[" + ", ".join(f"{round(v * 1000):d}" for v in o) + "]" for o in offsets)
    print(f"FIT_OFFSETS (mm) = [{rows}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
