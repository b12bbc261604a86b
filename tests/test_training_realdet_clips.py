"""Render-and-detect shards as evaluation clips: what the network sees is what the pipeline gives it."""

from __future__ import annotations

import numpy as np
import pytest

from lmr_studio.geometry.camera import default_focal
from lmr_studio.perception.features import FEATURE_DIM, box_from_keypoints, keypoint_features, steady_world
from lmr_studio.training.realdet_clips import HOLDOUT_EVERY, clips_from_realdet, load_realdet_clips, realdet_split


def _shards(clips: int = 2, frames: int = 5) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    keypoints = np.concatenate([rng.uniform(100, 300, (clips, frames, 33, 2)), np.ones((clips, frames, 33, 1))], -1)
    joints2d = rng.uniform(100, 300, (clips, frames, 24, 2))
    found = np.ones((clips, frames), bool)
    found[1, 3] = False  # BlazePose missed the person once in the second clip
    return {"keypoints": keypoints.astype(np.float32), "world": rng.normal(0, 0.3, (clips, frames, 33, 3)),
            "found": found, "poses": rng.normal(0, 0.2, (clips, frames, 24, 3)), "betas": np.zeros((clips, frames, 10)),
            "joints3d": rng.normal(0, 0.5, (clips, frames, 24, 3)), "joints2d": joints2d,
            "family": np.array(["walk", "crawl"] * clips)[:clips], "shard": np.zeros(clips, np.int64),
            "image_size": np.tile([640, 480], (clips, 1))}


def test_only_fully_detected_clips_are_kept_with_pipeline_features():
    data = _shards()
    clips, dropped = clips_from_realdet(data)
    assert len(clips) == 1 and dropped == 1 and clips.families == ["walk"]
    assert clips.features.shape == (1, 5, FEATURE_DIM)
    box = box_from_keypoints(data["keypoints"][0])
    world = steady_world(data["world"][0], np.arange(5))  # smoothed over the clip, as a video's track
    assert not np.allclose(world, data["world"][0])
    np.testing.assert_allclose(clips.features[0].numpy(), keypoint_features(data["keypoints"][0], box, world), atol=1e-6)
    # the true joints are box-normalised in the box the keypoints make: the box centre maps to 0
    centre = np.broadcast_to(box[:, None, :2], (5, 24, 2))
    shifted = dict(data, joints2d=np.stack([centre, centre]))
    assert np.abs(clips_from_realdet(shifted)[0].joints2d.numpy()).max() < 1e-5


def test_eval_scores_realdet_shards_with_and_without_world(tmp_path, capsys):
    """`lmr-studio eval --realdet DIR [--no-world | --refine]` scores the shipped network on the shards."""
    import json

    from lmr_studio.cli import main

    np.savez(tmp_path / "shard-00000.npz", **_shards())
    scores = {}
    for extra in ([], ["--no-world"], ["--refine"]):
        assert main(["eval", "--realdet", str(tmp_path), "--kinds", "lmr", "--json", *extra]) == 0
        scores[" ".join(extra)] = json.loads(capsys.readouterr().out)["lmr"]
    assert all(np.isfinite(s[m]) for s in scores.values() for m in ("mpjpe", "pa_mpjpe", "pve"))
    assert scores["--no-world"]["mpjpe"] != scores[""]["mpjpe"]  # the world landmarks change what the network says
    assert scores["--refine"]["mpjpe"] != scores[""]["mpjpe"]    # so does the refinement
    assert main(["eval", "--realdet", str(tmp_path / "none")]) == 2


def test_the_test_split_is_every_eighth_shard_and_disjoint_from_train():
    data = dict(_shards(clips=4), shard=np.array([0, 1, HOLDOUT_EVERY, HOLDOUT_EVERY + 3]))
    test, train = realdet_split(data, "test"), realdet_split(data, "train")
    assert test["shard"].tolist() == [0, HOLDOUT_EVERY] and train["shard"].tolist() == [1, HOLDOUT_EVERY + 3]
    np.testing.assert_array_equal(np.concatenate([test["keypoints"], train["keypoints"]])[[0, 2, 1, 3]],
                                  data["keypoints"])
    assert realdet_split(data, "all") is data


def test_eval_over_several_weight_folders_reports_mean_and_std(tmp_path, capsys):
    """`eval --weights A B` scores each folder (a training seed each) and gives mean ± sample std."""
    import json

    from lmr_studio.cli import main
    from lmr_studio.model import build_model, save_weights
    from lmr_studio.model.weights import WEIGHTS_DIR

    np.savez(tmp_path / "shard-00000.npz", **_shards())
    other = tmp_path / "other"
    other.mkdir()
    save_weights(build_model("lmr", {"part_hidden": 8, "encoder_dim": 16}), other / "lmr.pt", version="test")
    assert main(["eval", "--realdet", str(tmp_path), "--kinds", "lmr", "--json", "--weights",
                 str(WEIGHTS_DIR), str(other)]) == 0
    out = json.loads(capsys.readouterr().out)
    values = [run["lmr"]["pa_mpjpe"] for run in out["runs"]]
    assert values[0] != values[1]
    mean, std = out["mean_std"]["lmr"]["pa_mpjpe"]
    assert mean == pytest.approx(np.mean(values), abs=0.01) and std == pytest.approx(np.std(values, ddof=1), abs=0.01)


def test_several_pools_load_as_one_each_with_its_own_split(tmp_path):
    """A default pool and a high-camera pool: each pool's every eighth shard stays held out."""
    for name, shards in (("low", (0, 1)), ("high", (0, 2))):
        (tmp_path / name).mkdir()
        for index in shards:
            np.savez(tmp_path / name / f"shard-{index:05d}.npz", **dict(_shards(), shard=np.full(2, index)))
    train, dropped = load_realdet_clips([tmp_path / "low", tmp_path / "high"], "train")
    test, _ = load_realdet_clips([tmp_path / "low", tmp_path / "high"], "test")
    alone, _ = load_realdet_clips(tmp_path / "low", "train")
    assert (len(train), dropped, len(test), len(alone)) == (2, 2, 2, 1)
    np.testing.assert_array_equal(train.features[0].numpy(), alone.features[0].numpy())


def test_refined_predictions_without_refinement_are_the_networks_own(anny_body):
    """Each fully detected clip runs through the pipeline's Recoverer: with the refinement off
    that is the network over the whole clip, frame for frame, its body turned from the crop's view
    toward where the person stands in the image (model/view.py)."""
    from scipy.spatial.transform import Rotation

    from lmr_studio.model import load_model, predict
    from lmr_studio.model.refine import RefineSettings
    from lmr_studio.training.realdet_refined import refined_predictions

    data = _shards()
    model = load_model("lmr")
    clips, _ = clips_from_realdet(data)
    raw = refined_predictions(model, anny_body, data, None)
    assert len(raw) == len(clips) == 1
    expected = predict(model, clips.features[0].numpy())
    np.testing.assert_allclose(raw[0][0][:, 1:], expected.poses[:, 1:], atol=1e-5)
    np.testing.assert_allclose(raw[0][1], expected.betas, atol=1e-5)
    turn = (Rotation.from_rotvec(raw[0][0][:, 0]) * Rotation.from_rotvec(expected.poses[:, 0]).inv()).magnitude()
    box = box_from_keypoints(data["keypoints"][0].astype(np.float32))  # the person ~125 px from the centre
    ray = np.arctan(np.linalg.norm(box[:, :2] - [320, 240], axis=-1) / default_focal(640, 480))
    np.testing.assert_allclose(np.degrees(turn), np.degrees(ray), atol=3.0)  # the pelvis sits near the box centre
    refined = refined_predictions(model, anny_body, data, RefineSettings(iterations=5))
    assert refined[0][0].shape == raw[0][0].shape and not np.allclose(refined[0][0], raw[0][0])


def test_eval_refine_needs_realdet_shards(capsys):
    from lmr_studio.cli import main

    assert main(["eval", "--refine"]) == 2
    assert "--realdet" in capsys.readouterr().err
