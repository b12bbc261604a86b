"""LMR on a CUDA GPU gives what it gives on the CPU: the shipped networks, a track streamed in
pieces, the whole pipeline on a worker thread (as the window's QThread runs it) and training.

Skipped where torch sees no GPU (CI). They need no display, BlazePose or Anny, so they also run on
a bare GPU machine: ``python -m pytest -m cuda --noconftest tests/test_cuda.py`` (conftest.py loads
the window's fixtures). Tolerances are in the units a user reads: degrees of joint rotation and
millimetres of joint position.
"""

from __future__ import annotations

import re
import threading

import numpy as np
import pytest
import torch
from scipy.spatial.transform import Rotation

from lmr_studio.model import load_model, predict, predict_stream
from lmr_studio.model.config import KINDS
from lmr_studio.pipeline import ProcessOptions, process_video
from lmr_studio.training.bodies import build_body_bank
from lmr_studio.training.dataset import make_clips
from lmr_studio.training.motion import TRAIN_FAMILIES
from lmr_studio.training.train import TrainConfig, train_model
from tests.fixtures.body import write_synthetic_smpl
from tests.fixtures.media import standing_keypoints, write_video
from tests.test_perception_import import write_openpose

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="torch sees no CUDA GPU")]

SMALL = {"encoder_dim": 32, "part_hidden": 16, "single_hidden": 32, "camera_hidden": 8, "shape_hidden": 16,
         "iterations": 2}


def rotation_gap_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angles (degrees) between axis-angle rotations ``a`` and ``b`` (..., 3)."""
    ra, rb = Rotation.from_rotvec(a.reshape(-1, 3)), Rotation.from_rotvec(b.reshape(-1, 3))
    return np.degrees((ra * rb.inv()).magnitude())


def features(frames: int, dim: int, seed: int = 0) -> np.ndarray:
    """(frames, dim) float32 standard-normal network inputs."""
    return np.random.default_rng(seed).normal(size=(frames, dim)).astype(np.float32)


@pytest.mark.parametrize("kind", KINDS)
def test_the_shipped_networks_give_the_cpus_output_on_the_gpu(kind, record_property):
    cpu, gpu = load_model(kind, device="cpu"), load_model(kind, device="cuda")
    x = features(600, cpu.config.feature_dim)
    on_cpu, on_gpu = predict(cpu, x), predict(gpu, x)
    gap = rotation_gap_deg(on_gpu.poses, on_cpu.poses).max()
    record_property("max_rotation_gap_deg", float(gap))
    assert gap < 0.5
    np.testing.assert_allclose(on_gpu.betas, on_cpu.betas, atol=1e-3)
    np.testing.assert_allclose(on_gpu.cam, on_cpu.cam, rtol=1e-3, atol=1e-3)


def test_a_track_streamed_in_pieces_on_the_gpu_equals_one_pass(record_property):
    """The recurrent state stays on the GPU between the pieces (the window's incremental preview)."""
    model = load_model("lmr", device="cuda")
    x = features(300, model.config.feature_dim, seed=1)
    whole = predict(model, x)
    state, pieces = None, []
    for start, stop in ((0, 7), (7, 100), (100, 101), (101, 300)):
        part, state = predict_stream(model, x[start:stop], state)
        pieces.append(part.poses)
    gap = rotation_gap_deg(np.concatenate(pieces), whole.poses).max()
    record_property("max_rotation_gap_deg", float(gap))
    assert gap < 0.05


def _walking_video(folder, frames: int = 40):
    """A 320x240 video and OpenPose keypoints of one standing person sliding right."""
    kp = standing_keypoints(frames, shift=0.5)
    kp[:, :, :2] = kp[:, :, :2] * 2.5 + [40.0, 20.0] * (kp[:, :, 2:] > 0)
    video = write_video(folder / "walk.avi", (np.full((240, 320, 3), 90, np.uint8) for _ in range(frames)), 25.0)
    return video, write_openpose(folder / "openpose", [[k] for k in kp])


def _process_on_a_worker_thread(video, options):
    """process_video on a thread of its own; its error, if any, is raised here."""
    box = {}

    def work():
        try:
            box["result"] = process_video(video, options)
        except Exception as exc:  # handed to the test's thread
            box["error"] = exc

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


def test_the_pipeline_on_a_worker_thread_gives_the_cpus_meshes_on_the_gpu(tmp_path, monkeypatch, record_property):
    """process_video with ``device="cuda"`` (the shipped LMR and the single-RNN ghost on the GPU,
    the body model and the smoothing on the CPU) against the same run on the CPU. Without the
    refinement toward the keypoints: no body fits these stick-figure keypoints exactly, and there
    the optimiser's path turns a 1e-6 change of the network's weights into up to 2.8 degrees
    (measured on the CPU alone), so it would compare optimiser paths, not devices; on the bundled
    sample's BlazePose keypoints the same change moves the refined pose by 0.0023 degrees."""
    monkeypatch.setenv("LMR_STUDIO_DATA_DIR", str(tmp_path / "data"))
    smpl = write_synthetic_smpl(tmp_path / "basicmodel_neutral_lbs_10_207_0_v1.1.0.pkl")
    video, keypoints = _walking_video(tmp_path)
    run = lambda device: _process_on_a_worker_thread(video, ProcessOptions(  # noqa: E731
        device=device, body_model="smpl", smpl_path=str(smpl), keypoints_path=str(keypoints), baseline=True,
        refine=False))
    on_cpu, on_gpu = run("cpu"), run("cuda")
    a, b = on_cpu.main, on_gpu.main
    assert len(a) == len(b) == 40
    gaps = {"max_rotation_gap_deg": rotation_gap_deg(b.poses, a.poses).max(),
            "max_joint_gap_mm": 1000 * np.abs(b.joints3d - a.joints3d).max(),
            "max_ghost_rotation_gap_deg": rotation_gap_deg(b.baseline_poses, a.baseline_poses).max()}
    for name, value in gaps.items():
        record_property(name, float(value))
    assert gaps["max_rotation_gap_deg"] < 0.05 and gaps["max_ghost_rotation_gap_deg"] < 0.05
    assert gaps["max_joint_gap_mm"] < 0.5


def _losses(bank, out, device, steps):
    """The logged total loss of a small LMR trained on ``device`` (every 10 steps), and the notes."""
    data = make_clips(bank, TRAIN_FAMILIES, 4, 16, seed=0)
    lines = []
    out.mkdir()
    notes = train_model("lmr", data, bank, TrainConfig(steps=steps, batch=4, lr=3e-3, chunk=8), out / "lmr.pt",
                        model_config=SMALL, log=lines.append, progress=False, device=device)
    return [float(re.search(r"total=([\d.]+)", line).group(1)) for line in lines], notes


def test_training_on_the_gpu_starts_where_the_cpu_does_and_learns(tmp_path, monkeypatch, record_property):
    from lmr_studio.body import load_body_model

    monkeypatch.setenv("LMR_STUDIO_DATA_DIR", str(tmp_path / "data"))
    smpl = write_synthetic_smpl(tmp_path / "basicmodel_neutral_lbs_10_207_0_v1.1.0.pkl")
    bank = build_body_bank(load_body_model("smpl", smpl_path=smpl), count=8, seed=0)
    cpu_losses, _ = _losses(bank, tmp_path / "cpu", "cpu", steps=1)
    gpu_losses, notes = _losses(bank, tmp_path / "gpu", "cuda", steps=100)
    record_property("first_loss_cpu", cpu_losses[0])
    record_property("losses_gpu", gpu_losses)
    assert gpu_losses[0] == pytest.approx(cpu_losses[0], rel=1e-3)  # same init, same batch
    assert min(gpu_losses[-2:]) < 0.6 * gpu_losses[0]
    assert notes["device"] == "cuda"
    model = load_model("lmr", tmp_path / "gpu", device="cpu")  # the written file loads on the CPU
    assert model.config.part_hidden == SMALL["part_hidden"]
