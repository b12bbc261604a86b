"""Where the body model's joints sit from BlazePose's landmarks in the image, measured on
render-and-detect data (:mod:`realdet`): the refinement's :data:`~lmr_studio.model.refine.FIT_ALONG`.

BlazePose marks points it sees on the body (the ankle's bone, the top of the shoulder, the
knuckles); the 2D refinement compares them with the body's joints, which lie inside it. For each
refinement target (:data:`~lmr_studio.model.refine.FIT_POINTS`) with its landmark up the limb
(:func:`~lmr_studio.model.refine.landmark_targets`), ``along`` is the median over the train split's
seen frames (visibility above 0.5) of the joint's offset from the target, projected on the
limb's image direction ``u = target - parent`` and divided by ``|u|^2``; the joint is then
``target + along * u``. Units: none (a share of the limb's projected length).

    python -m lmr_studio.training.fit_calibration [DIR ...]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

#: Landmarks below this visibility are not measured.
MIN_VISIBILITY = 0.5


def measure_along(keypoints: np.ndarray, joints2d: np.ndarray, found: np.ndarray) -> np.ndarray:
    """(P,) ``along`` per refinement target from detected ``keypoints`` (..., 33, 3) px and
    visibility, the true ``joints2d`` (..., 24, 2) px and ``found`` (...) bool, over the frames
    where BlazePose found the person."""
    from lmr_studio.model.refine import FIT_POINTS, landmark_targets

    target, limb = landmark_targets(keypoints)
    along = []
    for p, (landmarks, joint) in enumerate(FIT_POINTS):
        u = limb[..., p, :]
        offset = joints2d[..., joint, :] - target[..., p, :]
        seen = found & (keypoints[..., list(landmarks), 2].min(-1) > MIN_VISIBILITY) & ((u * u).sum(-1) > 1.0)
        along.append(np.median((offset * u).sum(-1)[seen] / (u * u).sum(-1)[seen]))
    return np.array(along)


def main(argv: list[str] | None = None) -> int:
    from lmr_studio.training.realdet import default_dir, load_realdet
    from lmr_studio.training.realdet_clips import realdet_split

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directories", type=Path, nargs="*", help="realdet shards (default: the cache's pool)")
    args = parser.parse_args(argv)
    parts = [realdet_split(load_realdet(d), "train") for d in args.directories or [default_dir()]]
    keypoints, joints2d, found = (np.concatenate([p[key] for p in parts]) for key in ("keypoints", "joints2d", "found"))
    along = measure_along(keypoints, joints2d, found.astype(bool))
    print("FIT_ALONG = [" + ", ".join(f"{round(a, 2) + 0.0:.2f}" for a in along) + "]")  # + 0.0: no "-0.00"
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
