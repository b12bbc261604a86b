"""scripts/probe_crop_depth.py: does the person crop carry limb depth beyond the landmarks?"""

from __future__ import annotations

import numpy as np
import pytest

from lmr_studio.perception.features import box_from_keypoints, keypoint_features, steady_world
from tests.script_loader import load_script


@pytest.fixture(scope="module")
def script():
    return load_script("probe_crop_depth")


def _pool(clips=6, frames=10, size=32, seed=0):
    """load_realdet-shaped arrays in which each joint's depth shows only in the crop's brightness:
    the keypoints and world landmarks are noise, the same distribution whatever the depth."""
    rng = np.random.default_rng(seed)
    lean = rng.uniform(-0.3, 0.3, (clips, frames))  # how far the whole body leans in depth, m
    pattern = np.random.default_rng(99).normal(0, 1, 24)  # each joint's share of it
    pattern[0] = 0.0
    joints = rng.normal(0, 0.3, (clips, frames, 24, 3))
    joints[..., 2] = lean[..., None] * pattern
    level = 128 + 300 * lean  # the crop's brightness says the lean
    crops = np.broadcast_to(level[..., None, None, None], (clips, frames, size, size, 3)).astype(np.uint8)
    keypoints = np.concatenate([rng.uniform(100, 300, (clips, frames, 33, 2)), np.ones((clips, frames, 33, 1))], -1)
    found = np.ones((clips, frames), bool)
    found[0, 3] = False
    return {"keypoints": keypoints.astype(np.float32), "world": rng.normal(0, 0.3, (clips, frames, 33, 3)).astype(
        np.float32), "found": found, "joints3d": joints.astype(np.float32), "crops": crops, "shard": np.arange(clips)}


def test_found_frames_are_what_the_pipeline_builds_and_the_depth_is_pelvis_relative(script):
    pool = _pool()
    frames = script.found_frames(pool, 16)
    assert len(frames["depth"]) == pool["found"].sum() and frames["crops"].shape[1:] == (16, 16, 3)
    ids = np.flatnonzero(pool["found"][0])
    kp = pool["keypoints"][0, ids]
    expected = keypoint_features(kp, box_from_keypoints(kp), steady_world(pool["world"][0, ids], ids))
    np.testing.assert_allclose(frames["features"][:len(ids)], expected, atol=1e-6)
    joints = pool["joints3d"][0, ids]
    np.testing.assert_allclose(frames["depth"][:len(ids)], joints[:, :, 2] - joints[:, :1, 2], atol=1e-6)
    assert (frames["depth"][:, 0] == 0).all() and (frames["clip"][:len(ids)] == 0).all()


def test_the_image_probe_reads_depth_that_only_the_crop_carries(script):
    train, test = script.found_frames(_pool(clips=40, seed=1), 16), script.found_frames(_pool(clips=8, seed=2), 16)
    errors = {}
    for use_image in (False, True):
        net = script.train_probe(script.DepthProbe(use_image, size=16, width=64), train, steps=60, seed=0,
                                 batch=32, lr=3e-3)
        errors[use_image] = script.limb_depth_mm(script.probe_predict(net, test), test["depth"])
    zero = script.limb_depth_mm(np.zeros_like(test["depth"]), test["depth"])
    assert errors[False] > 0.9 * zero       # the landmarks say nothing about this depth
    assert errors[True] < 0.8 * errors[False]  # the crop does


def test_on_the_network_the_probe_learns_a_correction_of_its_depths(script):
    """The network's depths are the truth plus a bias of 10 cm on every joint but the pelvis: the
    correcting probe removes most of it."""
    train, test = script.found_frames(_pool(clips=40, seed=1), 16), script.found_frames(_pool(clips=8, seed=2), 16)
    for frames in (train, test):
        frames["network"] = frames["depth"] + np.where(np.arange(24) == 0, 0.0, 0.1).astype(np.float32)
    net = script.train_probe(script.DepthProbe(False, size=16, width=64, on_network=True), train, steps=60, seed=0,
                             batch=32, lr=3e-3)
    assert script.limb_depth_mm(test["network"], test["depth"]) == pytest.approx(100.0, abs=0.01)
    assert script.limb_depth_mm(script.probe_predict(net, test), test["depth"]) < 50.0
