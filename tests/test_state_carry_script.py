"""scripts/compare_state_carry.py: restarted, cross-faded windows (the alternative to one carried state)."""

from __future__ import annotations

import pytest
import torch

from lmr_studio.model import build_model
from tests.script_loader import load_script

SMALL = {"encoder_dim": 32, "part_hidden": 16, "camera_hidden": 8, "shape_hidden": 16, "iterations": 2}


@pytest.fixture(scope="module")
def script():
    return load_script("compare_state_carry")


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return build_model("lmr", SMALL).eval()


@pytest.mark.parametrize("window, overlap, frames", [(16, 0, 50), (16, 8, 50), (96, 32, 100), (16, 8, 9)])
def test_window_weights_cover_every_frame_once(script, model, window, overlap, frames):
    total = torch.zeros(frames)
    for start, weight in script.RestartedWindows(model, window, overlap).weights(frames):
        assert len(weight) <= window
        total[start:start + len(weight)] += weight
    torch.testing.assert_close(total, torch.ones(frames))


@torch.inference_mode()
def test_one_window_over_the_whole_track_is_the_network_itself(script, model):
    features = torch.randn(1, 40, model.config.feature_dim)
    whole, windowed = model(features), script.RestartedWindows(model, 64, 0)(features)
    torch.testing.assert_close(windowed.rotmat, whole.rotmat, atol=1e-5, rtol=0)
    torch.testing.assert_close(windowed.cam, whole.cam)


@torch.inference_mode()
def test_windows_restart_the_state_and_blend_into_rotations(script, model):
    """Without overlap, the second window equals the network run on its frames alone (a fresh
    state); with overlap, the shared frames lie between the two windows' outputs and stay rotations."""
    features = torch.randn(1, 32, model.config.feature_dim)
    restarted = script.RestartedWindows(model, 16, 0)(features)
    torch.testing.assert_close(restarted.cam[:, 16:], model(features[:, 16:]).cam)
    assert not torch.allclose(restarted.cam[:, 16:], model(features).cam[:, 16:])
    blended = script.RestartedWindows(model, 16, 8)(features)
    rot = blended.rotmat
    torch.testing.assert_close(rot @ rot.transpose(-1, -2), torch.eye(3).expand_as(rot), atol=1e-5, rtol=0)
    torch.testing.assert_close(torch.linalg.det(rot), torch.ones(rot.shape[:-2]), atol=1e-5, rtol=0)
    first, second = model(features[:, :16]).cam[:, 8:16], model(features[:, 8:24]).cam[:, :8]
    low, high = torch.minimum(first, second), torch.maximum(first, second)
    assert bool(((blended.cam[:, 8:16] >= low - 1e-6) & (blended.cam[:, 8:16] <= high + 1e-6)).all())
