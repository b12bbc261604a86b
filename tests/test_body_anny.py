"""Anny backend: the cached export, the betas -> phenotype map, shape response, speed figure."""

import numpy as np
import pytest
import torch

from lmr_studio.body import anny_model_ready, benchmark_body_forward, ensure_anny_model
from lmr_studio.body.anny_cache import anny_model_path
from lmr_studio.body.phenotype import PHENOTYPES, betas_to_phenotypes
from lmr_studio.parts import JOINT_NAMES


def test_phenotypes_deterministic_bounded_and_neutral_at_zero():
    betas = torch.randn(1000, 10) * 5
    phen = betas_to_phenotypes(betas)
    assert phen.shape == (1000, 6)
    assert torch.equal(phen, betas_to_phenotypes(betas.clone()))
    assert phen.min() >= 0 and phen.max() <= 1
    zero = betas_to_phenotypes(torch.zeros(1, 10))[0]
    assert zero[PHENOTYPES.index("gender")] == pytest.approx(0.5)
    assert zero[PHENOTYPES.index("height")] == pytest.approx(0.5)
    assert 0.6 < zero[PHENOTYPES.index("age")] < 0.9  # an adult, not Anny's default teenager


def test_phenotype_map_is_smooth():
    betas = torch.zeros(1, 10, requires_grad=True)
    betas_to_phenotypes(betas).sum().backward()
    assert torch.isfinite(betas.grad).all() and betas.grad[0, :6].abs().min() > 0


def test_export_is_cached_and_small(anny_body):
    assert anny_model_ready()
    assert anny_model_path().stat().st_size < 40e6
    calls = []
    assert ensure_anny_model(lambda *args: calls.append(args)) == anny_model_path()
    assert calls[-1][:2] == (100, 100)


def test_anny_mesh_and_parts(anny_body):
    assert anny_body.name == "anny"
    assert anny_body.num_vertices == 13718
    counts = np.bincount(anny_body.vertex_parts, minlength=6)
    assert counts[2] == counts[3] and counts[4] == counts[5]  # left/right arms and legs match


def test_height_beta_makes_a_taller_body(anny_body):
    betas = torch.zeros(2, 10)
    betas[1, 0] = 2.0
    verts = anny_body(torch.zeros(2, 24, 3), betas).vertices
    height = verts[..., 1].amax(1) - verts[..., 1].amin(1)
    assert height[1] > height[0] + 0.03
    assert 1.4 < height[0] < 2.0  # metres


def test_global_orientation_turns_the_body(anny_body):
    """Yaw by +90 deg about y: the body's left (+x) turns to -z, as in SMPL."""
    pose = torch.zeros(1, 24, 3)
    pose[0, 0, 1] = np.pi / 2
    joints = anny_body(pose, torch.zeros(1, 10)).joints[0]
    hand = joints[JOINT_NAMES.index("left_hand")] - joints[0]
    assert hand[2] < -0.5 and abs(hand[0]) < 0.1


def test_benchmark_reports_frames_per_second(anny_body):
    """Frames per second = batch / the median of the timed runs (here 0.1, 0.4 and 0.2 s)."""
    readings = iter([0.0, 0.1, 1.0, 1.4, 2.0, 2.2])
    fps = benchmark_body_forward(batch=8, repeats=3, clock=lambda: next(readings))
    assert fps == pytest.approx(8 / 0.2)


@pytest.mark.slow
def test_first_build_exports_and_cleans_up(tmp_path, monkeypatch):
    import anny.paths

    monkeypatch.setenv("LMR_STUDIO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    before = anny.paths.get_anny_cache_path()
    seen = []
    path = ensure_anny_model(lambda done, total, message: seen.append(done))
    assert path.is_file() and path.parent == tmp_path / "cache"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]  # anny's 790 MB build cache is gone
    assert anny.paths.get_anny_cache_path() == before
    assert seen == sorted(seen) and seen[-1] == 100
