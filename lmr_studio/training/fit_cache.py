"""Motion files fitted on the body once, kept in the user cache: one truth per motion for evaluation.

Fitting a motion (:func:`~lmr_studio.training.user_motion.fit_motion`) is gradient descent on
bases the body model computes with torch, whose last bits depend on torch's thread count; the
descent grows them into limb twists (LAFAN1's second clip, first 10 s: up to 0.055 rad apart
between 1 and 2 threads). End-to-end evaluation renders the fit and caches the videos by it, so
a run with another ``--threads`` rendered every video again and scored against another truth.
The first fit of a (motion, frame limit, body model) is saved as
``<user cache>/eval/fits/<name>-<key>.npz`` and every later run loads it. The key hashes the joints
the file's reader gives, not the file's bytes, so a reader that maps a skeleton differently (the
BVH naming schemes) fits the file again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from lmr_studio.io.atomic import atomic_path
from lmr_studio.training.user_motion import FittedMotion, fit_motion, load_motion_file

#: Bumped when :func:`~lmr_studio.training.user_motion.fit_motion` changes, so old fits are not reused.
FIT_VERSION = 2  # 2: the inverse kinematics' step annealed (smooth motion no longer gains jitter)

#: ``fit(motion, body, bank, frames) -> FittedMotion``: :func:`fit_motion` by default.
Fit = Callable[..., FittedMotion]


def fit_key(motion: dict, frames: int | None, body_name: str, bank=None) -> str:
    """12 hex digits naming one fit: the motion's joints and frame rate (``load_motion_file``'s
    dict), the frame limit, the body model, :data:`FIT_VERSION` and, when given, the body bank's
    shapes (its seeded betas: the fitted shape comes from the bank's skeleton regressor, whose last
    bits vary with torch's thread count while the betas do not)."""
    h = hashlib.sha1(np.ascontiguousarray(motion["joints3d"], dtype=np.float64).tobytes())
    h.update(repr((float(motion["fps"]), frames, body_name, FIT_VERSION)).encode())
    if bank is not None:
        h.update(np.ascontiguousarray(bank.betas, dtype=np.float32).tobytes())
    return h.hexdigest()[:12]


def _load(file: Path) -> FittedMotion | None:
    try:
        with np.load(file, allow_pickle=False) as data:
            return FittedMotion(data["poses"], data["betas"], data["transl"], float(data["fit_error_mm"]))
    except (OSError, ValueError, KeyError):
        return None  # missing or unreadable: fit again


def cached_fit(name: str, path: Path, body, bank, frames: int | None, root: Path, fit: Fit = fit_motion
               ) -> FittedMotion:
    """The motion file ``path`` cut to ``frames`` and fitted on ``body`` by ``fit``, from
    ``root / <name>-<key>.npz`` when an earlier run saved it there, else fitted and saved."""
    source = load_motion_file(path)
    return _cached(root / f"{name}-{fit_key(source, frames, body.name)}.npz", source, body, bank, frames, fit)


def training_fits_dir() -> Path:
    """Where ``train --mocap`` keeps its fits: ``<user cache>/train/fits``."""
    from lmr_studio.body.paths import cache_dir

    return cache_dir() / "train" / "fits"


def cached_training_fit(name: str, source: dict, body, bank, root: Path, fit: Fit = fit_motion) -> FittedMotion:
    """The motion ``source`` (``load_motion_file``'s dict) fitted on ``body`` by ``fit``, kept in
    ``root`` like :func:`cached_fit`'s and keyed by ``bank`` too: ``train --mocap`` fits each
    file once per bank instead of once per run (measured: 7 minutes on one core for 102 CMU motions,
    21 minutes at 30 fps, and their mirror images)."""
    return _cached(root / f"{name}-{fit_key(source, None, body.name, bank)}.npz", source, body, bank, None, fit)


def _cached(file: Path, source: dict, body, bank, frames: int | None, fit: Fit) -> FittedMotion:
    motion = _load(file)
    if motion is None:
        motion = fit(source, body, bank, frames=frames)
        file.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(file) as tmp:
            with open(tmp, "wb") as fh:
                np.savez(fh, poses=motion.poses, betas=motion.betas, transl=motion.transl,
                         fit_error_mm=np.float64(motion.fit_error_mm))
    return motion
