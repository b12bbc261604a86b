"""Training loop: the loss falls on a tiny set, runs resume exactly, eval reports every key."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pytest
import torch

from lmr_studio import cli
from lmr_studio.errors import LMRStudioError
from lmr_studio.model import build_model, load_model, save_weights
from lmr_studio.parts import PART_NAMES
from lmr_studio.training.bodies import build_body_bank
from lmr_studio.training.dataset import make_clips
from lmr_studio.training.evaluate import METRICS, evaluate, score_predictions
from lmr_studio.training.motion import TEST_FAMILIES, TRAIN_FAMILIES
from lmr_studio.training.train import TrainConfig, train_model

SMALL = {"encoder_dim": 32, "part_hidden": 16, "single_hidden": 32, "camera_hidden": 8, "shape_hidden": 16,
         "iterations": 2}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def bank(smpl_body):
    return build_body_bank(smpl_body, count=8, seed=0)


@pytest.fixture
def tiny(bank):
    return make_clips(bank, TRAIN_FAMILIES, 4, 16, seed=0)


def _losses(tmp_path, kind, tiny, bank, steps):
    lines = []
    train_model(kind, tiny, bank, TrainConfig(steps=steps, batch=4, lr=3e-3, chunk=8), tmp_path / f"{kind}.pt",
                model_config=SMALL, log=lines.append, progress=False)
    return [float(re.search(r"total=([\d.]+)", line).group(1)) for line in lines]


@pytest.mark.parametrize("kind", ["lmr", pytest.param("single_rnn", marks=pytest.mark.slow),
                                  pytest.param("per_frame", marks=pytest.mark.slow)])
def test_tiny_overfit_loss_falls(tmp_path, tiny, bank, kind):
    losses = _losses(tmp_path, kind, tiny, bank, steps=100)
    assert min(losses[-2:]) < 0.6 * losses[0]
    model = load_model(kind, tmp_path, device="cpu")  # the written file loads strictly
    assert model.config.part_hidden == SMALL["part_hidden"]


def _killed(step: int) -> None:
    """An ``on_checkpoint`` that stops the run as a kill would, right after a checkpoint."""
    raise KeyboardInterrupt(f"killed after the step-{step} checkpoint")


@pytest.mark.parametrize("ema", [0.0, 0.9])
def test_resume_continues_exactly(tmp_path, tiny, bank, ema):
    """A run killed right after its step-3 checkpoint and rerun ends with the same weights (and the
    same moving average of them)."""
    cfg = TrainConfig(steps=6, batch=4, checkpoint_every=3, chunk=8, ema=ema)
    straight = tmp_path / "a.pt"
    train_model("lmr", tiny, bank, cfg, straight, checkpoint=tmp_path / "a.ckpt", model_config=SMALL, progress=False)
    ckpt = tmp_path / "b.ckpt"
    with pytest.raises(KeyboardInterrupt):
        train_model("lmr", tiny, bank, cfg, tmp_path / "b.pt", checkpoint=ckpt, model_config=SMALL, progress=False,
                    on_checkpoint=_killed)
    state = torch.load(ckpt, weights_only=True)
    assert state["step"] == 3
    resumed = tmp_path / "b.pt"
    train_model("lmr", tiny, bank, cfg, resumed, checkpoint=ckpt, model_config=SMALL, progress=False)
    a, b = load_model("lmr", straight, "cpu"), load_model("lmr", resumed, "cpu")
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        torch.testing.assert_close(x, y, msg=name)


def test_ema_saves_the_moving_average_of_each_steps_weights(tmp_path, tiny, bank):
    """With ``ema=d`` the weights file holds a_1 = w_1, a_k = d a_(k-1) + (1 - d) w_k over the
    weights w_k after each step, read here from a checkpoint written every step."""
    decay = 0.8
    cfg = TrainConfig(steps=4, batch=4, checkpoint_every=1, chunk=8, lr=3e-3, ema=decay)
    ckpt, steps = tmp_path / "run.ckpt", []
    train_model("lmr", tiny, bank, cfg, tmp_path / "lmr.pt", checkpoint=ckpt, model_config=SMALL, progress=False,
                on_checkpoint=lambda step: steps.append(torch.load(ckpt, weights_only=True)["model"]))
    expected = {}
    for weights in steps:
        expected = {k: w.clone() if not expected else decay * expected[k] + (1 - decay) * w
                    for k, w in weights.items()}
    saved = load_model("lmr", tmp_path / "lmr.pt", "cpu").state_dict()
    for name, param in build_model("lmr", SMALL).named_parameters():
        torch.testing.assert_close(saved[name], expected[name], msg=name)
    assert not torch.equal(saved["encoder.net.0.weight"], steps[-1]["encoder.net.0.weight"])


def test_ema_refuses_to_resume_a_checkpoint_without_an_average(tmp_path, tiny, bank):
    ckpt = tmp_path / "run.ckpt"
    cfg = TrainConfig(steps=2, batch=4, checkpoint_every=1, chunk=8)
    with pytest.raises(KeyboardInterrupt):
        train_model("lmr", tiny, bank, cfg, tmp_path / "a.pt", checkpoint=ckpt, model_config=SMALL, progress=False,
                    on_checkpoint=_killed)
    with pytest.raises(LMRStudioError, match="--fresh"):
        train_model("lmr", tiny, bank, dataclasses.replace(cfg, ema=0.9), tmp_path / "b.pt", checkpoint=ckpt,
                    model_config=SMALL, progress=False)
    assert not (tmp_path / "b.pt").exists()


def test_evaluate_reports_all_metrics(tmp_path, smpl_body, bank):
    for kind in ("lmr", "single_rnn", "per_frame"):
        save_weights(build_model(kind, SMALL), tmp_path / f"{kind}.pt", version="test")
    clips = make_clips(bank, TEST_FAMILIES, 2, 12, seed=5, split="test")
    results = evaluate(smpl_body, bank, ("lmr", "single_rnn", "per_frame"), tmp_path, clips=clips)
    assert set(results) == {"lmr", "single_rnn", "per_frame"}
    for r in results.values():
        assert set(METRICS) <= set(r) and set(r["per_part"]) == set(PART_NAMES)
        assert all(np.isfinite(r[m]) and r[m] > 0 for m in METRICS)
        assert 0.0 <= r["depth_signs_pct"] <= 100.0
    json.dumps(results)


def test_scored_depth_signs_of_the_truth_and_of_its_mirror_image(smpl_body, bank):
    """The truth's own limb bones lean to its side of the image plane; the truth mirrored through
    that plane (each rotation's axis reflected: z -> -z) leans the other way almost everywhere."""
    clips = make_clips(bank, TEST_FAMILIES, 2, 12, seed=5, split="test")
    truth = [(clips.poses[i].numpy(), clips.betas[i].numpy()) for i in range(len(clips))]
    mirrored = [(poses * np.array([-1.0, -1.0, 1.0], np.float32), betas) for poses, betas in truth]
    results = score_predictions(smpl_body, clips, {"truth": truth, "mirrored": mirrored})
    assert results["truth"]["depth_signs_pct"] == 100.0 and results["truth"]["pa_mpjpe"] < 1e-3
    assert results["mirrored"]["depth_signs_pct"] < 10.0


def _weights(path):
    return load_model("lmr", path, "cpu").state_dict()


def test_a_realdet_share_of_one_trains_on_the_realdet_clips_alone(tmp_path, tiny, bank):
    """Steps drawn from the render-and-detect pool see exactly its clips: share 1 equals training on it."""
    other = make_clips(bank, TRAIN_FAMILIES, 4, 12, seed=3)
    cfg = TrainConfig(steps=3, batch=4, chunk=8)
    train_model("lmr", other, bank, cfg, tmp_path / "alone.pt", model_config=SMALL, progress=False)
    mixed = TrainConfig(steps=3, batch=4, chunk=8, realdet_share=1.0)
    train_model("lmr", tiny, bank, mixed, tmp_path / "mixed.pt", model_config=SMALL, progress=False, realdet=other)
    for (name, x), y in zip(_weights(tmp_path / "alone.pt").items(), _weights(tmp_path / "mixed.pt").values()):
        torch.testing.assert_close(x, y, msg=name)
    with pytest.raises(ValueError):
        train_model("lmr", tiny, bank, mixed, tmp_path / "none.pt", model_config=SMALL, progress=False)


def test_half_the_steps_draw_from_realdet_by_seed():
    from lmr_studio.training.train import _from_realdet

    cfg = TrainConfig(realdet_share=0.5)
    draws = [_from_realdet(cfg, step) for step in range(2000)]
    assert 0.45 < np.mean(draws) < 0.55 and draws == [_from_realdet(cfg, step) for step in range(2000)]


def test_init_starts_from_given_weights(tmp_path, tiny, bank):
    """Fine-tuning starts where the given weights are: zero steps write them back unchanged."""
    start = build_model("lmr", SMALL)
    save_weights(start, tmp_path / "start.pt", version="test")
    train_model("lmr", tiny, bank, TrainConfig(steps=0, batch=4, chunk=8), tmp_path / "out.pt",
                progress=False, init=tmp_path / "start.pt")
    for (name, x), y in zip(start.state_dict().items(), _weights(tmp_path / "out.pt").values()):
        torch.testing.assert_close(x, y, msg=name)
    from lmr_studio.model.weights import read_weights

    assert read_weights(tmp_path / "out.pt")["version"] == "test+s0-0steps"  # the recipe reads from the version


@pytest.mark.parametrize("option, value, message", [("--ema", "1.0", "--ema"), ("--ema", "-0.1", "--ema"),
                                                     ("--realdet-share", "2", "--realdet-share"),
                                                     ("--world-drop", "-1", "--world-drop"),
                                                     ("--part-hidden", "0", "--part-hidden"),
                                                     ("--stance-share", "-0.5", "--stance-share"),
                                                     ("--mocap-share", "1.5", "--mocap-share"),
                                                     ("--velocity-loss", "-1", "--velocity-loss"),
                                                     ("--joints3d-loss", "-1", "--joints3d-loss")])
def test_train_refuses_out_of_range_options_before_any_work(tmp_path, capsys, option, value, message):
    run_dir = tmp_path / "run"
    assert cli.main(["train", option, value, "--run-dir", str(run_dir), "--out", str(tmp_path / "w")]) == 2
    assert message in capsys.readouterr().err
    assert not run_dir.exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
@pytest.mark.parametrize("command", ["train", "process"])
def test_device_cuda_without_a_gpu_is_refused_before_any_work(tmp_path, capsys, command, tiny_video):
    run_dir = tmp_path / "run"
    args = {"train": ["train", "--run-dir", str(run_dir), "--out", str(tmp_path / "w")],
            "process": ["process", str(tiny_video), "-o", str(tmp_path / "out.npz")]}[command]
    assert cli.main(args + ["--device", "cuda"]) == 2
    assert "sees no CUDA GPU" in capsys.readouterr().err
    assert not run_dir.exists() and not (tmp_path / "out.npz").exists()


def test_part_hidden_cannot_resize_init_weights(tmp_path, capsys):
    run_dir = tmp_path / "run"
    args = ["train", "--part-hidden", "128", "--init", "weights", "--run-dir", str(run_dir), "--out", str(tmp_path / "w")]
    assert cli.main(args) == 2
    assert "--init" in capsys.readouterr().err
    assert not run_dir.exists()


@pytest.mark.parametrize("units", [64, 128])
def test_sized_single_rnn_has_as_many_pose_parameters_as_lmrs_six_part_grus(units):
    """The ablation at equal capacity: the single RNN's hidden size is the one whose pose GRU comes
    nearest LMR's six part GRUs, within half of what one more unit adds."""
    from lmr_studio.model.weights import pose_parameters, sized_config

    lmr = pose_parameters(build_model("lmr", sized_config("lmr", units)))
    single = sized_config("single_rnn", units)
    params = pose_parameters(build_model("single_rnn", single))
    step = pose_parameters(build_model("single_rnn", dataclasses.replace(single, single_hidden=single.single_hidden + 1)))
    assert abs(params - lmr) <= (step - params) / 2 + 1
    assert sized_config("lmr", units).part_hidden == units and sized_config("per_frame", units).part_hidden == units


def test_velocity_loss_is_the_l1_of_the_joints_steps(tmp_path, tiny, bank):
    """The velocity term against numpy on one batch: zero for a prediction that is the truth moved
    by a constant, the L1 of the step differences otherwise; off (no term) at weight 0."""
    from lmr_studio.model.losses import LossWeights, lmr_losses
    from lmr_studio.training.bodies import skeleton_from_betas

    torch.manual_seed(0)
    model = build_model("lmr", SMALL)
    b = tiny.batch(torch.arange(2))
    out = model(b.features)
    rest = skeleton_from_betas(torch.from_numpy(bank.skel_basis), out.betas)
    args = (b.rotmat, b.betas, b.joints3d, b.joints2d)
    assert "velocity" not in lmr_losses(out, rest, *args)
    pred = lmr_losses(out, rest, *args, LossWeights(velocity=2.0))
    from lmr_studio.model.losses import predicted_joints

    joints = predicted_joints(out.rotmat, rest).detach().numpy()
    truth = b.joints3d.numpy()
    rel_p, rel_t = joints - joints[:, :, :1], truth - truth[:, :, :1]
    expected = 2.0 * np.abs(np.diff(rel_p, axis=1) - np.diff(rel_t, axis=1)).sum(-1).mean()
    assert pred["velocity"].item() == pytest.approx(expected, rel=1e-5)
    shifted = lmr_losses(out, rest, b.rotmat, b.betas, torch.from_numpy(joints) + 0.3, b.joints2d,
                         LossWeights(velocity=2.0))
    assert shifted["velocity"].item() == pytest.approx(0.0, abs=1e-6)
    assert shifted["joints3d"].item() == pytest.approx(0.0, abs=1e-5)  # pelvis-aligned: a shift is no error


def test_the_joints3d_weight_scales_the_3d_joint_term_and_is_named_in_the_version(tmp_path, tiny, bank):
    """Same data, seed and one step: the logged 3D-joint term at weight 15 is three times the
    term at the default 5 (the first step's loss, before the weights differ), and a weight other
    than the default shows in the saved version string."""
    final = {}
    for weight in (5.0, 15.0):
        path = tmp_path / f"j{weight:g}" / "lmr.pt"
        path.parent.mkdir()
        notes = train_model("lmr", tiny, bank, TrainConfig(steps=1, batch=4, chunk=8, joints3d_loss=weight), path,
                            model_config=SMALL, progress=False)
        final[weight] = notes["final_loss"]["joints3d"]
        assert load_model("lmr", path.parent, device="cpu").version == (
            "lmr-s0-1steps" if weight == 5.0 else "lmr-s0-1steps-j3d15")
    assert final[15.0] == pytest.approx(3 * final[5.0], rel=1e-4)


def test_the_velocity_loss_makes_the_trained_network_move_more_like_the_truth(tmp_path, tiny, bank):
    """Same data, seed and steps, with and without the term: the steps' error, measured on the
    training clips, is lower with it (and the log names the term)."""
    from lmr_studio.model.losses import LossWeights, lmr_losses
    from lmr_studio.training.bodies import skeleton_from_betas

    step_error = {}
    for weight in (0.0, 5.0):
        lines = []
        path = tmp_path / f"v{weight:g}" / "lmr.pt"
        path.parent.mkdir()
        train_model("lmr", tiny, bank, TrainConfig(steps=100, batch=4, lr=3e-3, chunk=8, velocity_loss=weight),
                    path, model_config=SMALL, log=lines.append, progress=False)
        assert ("velocity=" in lines[-1]) == (weight > 0)
        model = load_model("lmr", path.parent, device="cpu")
        assert model.version == ("lmr-s0-100steps-vel5" if weight else "lmr-s0-100steps")  # the recipe shows
        b = tiny.batch(torch.arange(len(tiny)))
        with torch.no_grad():
            out = model(b.features)
            terms = lmr_losses(out, skeleton_from_betas(torch.from_numpy(bank.skel_basis), out.betas), b.rotmat,
                               b.betas, b.joints3d, b.joints2d, LossWeights(velocity=1.0))
        step_error[weight] = terms["velocity"].item()
    assert step_error[5.0] < 0.9 * step_error[0.0]
