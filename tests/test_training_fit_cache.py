"""One fit per motion file for end-to-end evaluation (and per body bank for training on motion
capture): saved on the first run, loaded after."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from lmr_studio.training.fit_cache import cached_fit, cached_training_fit, fit_key
from lmr_studio.training.user_motion import FittedMotion, load_motion_file


class CountingFit:
    """A stand-in for ``fit_motion``: a fit drawn from the frame count, and how often it ran."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, motion: dict, body, bank, frames: int | None = None) -> FittedMotion:
        self.calls += 1
        rng = np.random.default_rng(self.calls)
        f = len(motion["joints3d"]) if frames is None else frames
        return FittedMotion(rng.normal(size=(f, 24, 3)).astype(np.float32), rng.normal(size=10).astype(np.float32),
                            rng.normal(size=(f, 3)).astype(np.float32), 12.5)


def _motion_file(path, frames: int = 12, shift: float = 0.0):
    joints = np.random.default_rng(0).normal(size=(frames, 24, 3)) + shift
    np.savez(path, joints3d=joints, fps=np.array(30.0))
    return path


def test_first_run_fits_and_saves_later_runs_load_the_same_fit(tmp_path):
    path = _motion_file(tmp_path / "walk.npz")
    body, fit, root = SimpleNamespace(name="anny"), CountingFit(), tmp_path / "fits"
    first = cached_fit("walk", path, body, None, 10, root, fit)
    again = cached_fit("walk", path, body, None, 10, root, fit)
    assert fit.calls == 1 and (root / f"walk-{fit_key(load_motion_file(path), 10, 'anny')}.npz").is_file()
    for name in ("poses", "betas", "transl"):
        np.testing.assert_array_equal(getattr(again, name), getattr(first, name))
    assert again.fit_error_mm == 12.5 and again.poses.shape == (10, 24, 3)


def test_another_frame_limit_body_or_file_content_is_another_fit(tmp_path):
    path = _motion_file(tmp_path / "walk.npz")
    fit, root = CountingFit(), tmp_path / "fits"
    cached_fit("walk", path, SimpleNamespace(name="anny"), None, 10, root, fit)
    cached_fit("walk", path, SimpleNamespace(name="anny"), None, None, root, fit)
    cached_fit("walk", path, SimpleNamespace(name="smpl"), None, 10, root, fit)
    _motion_file(path, shift=0.5)  # the same name, other motion
    cached_fit("walk", path, SimpleNamespace(name="anny"), None, 10, root, fit)
    assert fit.calls == 4 and len(list(root.glob("walk-*.npz"))) == 4


def test_the_key_is_the_motion_the_reader_gives_not_the_file_bytes(tmp_path):
    path = _motion_file(tmp_path / "walk.npz")
    fit, root = CountingFit(), tmp_path / "fits"
    cached_fit("walk", path, SimpleNamespace(name="anny"), None, 10, root, fit)
    joints = np.load(path)["joints3d"]
    np.savez_compressed(path, joints3d=joints, fps=np.array(30.0))  # other bytes, the same motion
    cached_fit("walk", path, SimpleNamespace(name="anny"), None, 10, root, fit)
    np.savez(path, joints3d=joints, fps=np.array(60.0))  # the same joints at another frame rate
    cached_fit("walk", path, SimpleNamespace(name="anny"), None, 10, root, fit)
    assert fit.calls == 2 and len(list(root.glob("walk-*.npz"))) == 2


def test_unreadable_saved_fit_is_fitted_again(tmp_path):
    path = _motion_file(tmp_path / "walk.npz")
    body, fit, root = SimpleNamespace(name="anny"), CountingFit(), tmp_path / "fits"
    root.mkdir()
    (root / f"walk-{fit_key(load_motion_file(path), None, 'anny')}.npz").write_text("not an npz")
    motion = cached_fit("walk", path, body, None, None, root, fit)
    assert fit.calls == 1 and motion.poses.shape == (12, 24, 3)
    assert cached_fit("walk", path, body, None, None, root, fit).fit_error_mm == 12.5 and fit.calls == 1


def test_training_fits_are_kept_per_body_bank(tmp_path):
    """``train --mocap`` fits each motion once per bank: its seed changes the shapes and the shape
    regressor the fit uses, so another bank is another fit, and the same bank loads the saved one."""
    source = load_motion_file(_motion_file(tmp_path / "walk.npz"))
    body, fit, root = SimpleNamespace(name="anny"), CountingFit(), tmp_path / "fits"
    bank_a, bank_b = (SimpleNamespace(betas=np.full((256, 10), v, np.float32)) for v in (0.0, 1e-3))
    first = cached_training_fit("walk", source, body, bank_a, root, fit)
    again = cached_training_fit("walk", source, body, bank_a, root, fit)
    other = cached_training_fit("walk", source, body, bank_b, root, fit)
    assert fit.calls == 2 and len(list(root.glob("walk-*.npz"))) == 2
    np.testing.assert_array_equal(again.poses, first.poses)
    assert not np.array_equal(other.poses, first.poses)
    assert first.poses.shape == (12, 24, 3)  # the whole motion: no frame limit
