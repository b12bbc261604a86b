"""Opening a video or result for viewing (scene.session, no Qt) and `lmr-studio RESULT --screenshot`."""

import os
import subprocess
import sys
import threading

import cv2
import numpy as np
import pytest

from lmr_studio.pipeline import ProcessOptions, Progress, result_path_for
from lmr_studio.scene.session import Session, iter_open
from tests.fixtures.fakes import FakeBody, make_waving_result


def _stick(_options, progress=None):
    if progress is not None:
        progress(1, 1, "stick body ready")
    return FakeBody()


def test_processes_once_then_reloads_the_saved_result(tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"")                       # the fake processing never reads it
    calls = []

    def process(path, options, cancel, load):
        calls.append(path)
        yield Progress("keypoints", 1, 1, "")
        yield make_waving_result(12)

    items = list(iter_open(video, ProcessOptions(), load_body=_stick, process=process, ghost=False))
    session = items[-1]
    assert isinstance(session, Session) and not session.reloaded and calls == [video]
    assert any(isinstance(i, Progress) and i.message == "stick body ready" for i in items)
    assert result_path_for(video).exists() and len(session.meshes[0]) == 12
    again = list(iter_open(video, ProcessOptions(), load_body=_stick, process=process, ghost=False))[-1]
    assert again.reloaded and calls == [video]
    np.testing.assert_allclose(again.meshes[0].vertices_at(11), session.meshes[0].vertices_at(11))
    list(iter_open(video, ProcessOptions(), load_body=_stick, process=process, ghost=False, reprocess=True))
    assert len(calls) == 2


def test_the_body_the_pipeline_loaded_poses_the_meshes(tmp_path):
    """One body model per session: processing loads it once, the meshes reuse it."""
    video = tmp_path / "clip.mp4"
    body = FakeBody()
    loads = []

    def process(path, options, cancel, load):
        network, pipeline_body = load(options, lambda *a: None)
        assert pipeline_body is body
        yield make_waving_result(8)

    def load_body(options, progress=None):
        loads.append(options)
        return FakeBody()

    session = list(iter_open(video, ProcessOptions(), load_body=load_body, process=process, ghost=False,
                             load=lambda options, progress: ("network", body)))[-1]
    assert session.body is body and not loads
    assert len(session.meshes[0]) == 8 and session.meshes[0].vertices_at(7).shape == (FakeBody.num_vertices, 3)


def test_cancel_yields_no_session_and_saves_nothing(tmp_path):
    video = tmp_path / "clip.mp4"
    cancel = threading.Event()

    def process(path, options, cancel, load):
        yield Progress("keypoints", 1, 2, "")
        cancel.set()
        yield Progress("cancelled", 1, 2, "cancelled")

    items = list(iter_open(video, ProcessOptions(), cancel, load_body=_stick, process=process))
    assert not any(isinstance(i, Session) for i in items) and not result_path_for(video).exists()


@pytest.mark.slow
def test_screenshot_command_on_a_saved_smpl_result(tmp_path, synthetic_smpl_file):
    """The real command line in a subprocess, on this test's X display (pytest-xvfb)."""
    result = make_waving_result(8)
    result.body_model = "smpl"
    npz = result.save(tmp_path / "run.lmr.npz")
    png = tmp_path / "shot.png"
    env = dict(os.environ, LMR_STUDIO_CONFIG_DIR=str(tmp_path / "config"))
    cmd = [sys.executable, "-m", "lmr_studio.cli", str(npz), "--frame", "4", "--screenshot", str(png),
           "--smpl", str(synthetic_smpl_file)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    image = cv2.imread(str(png))
    assert image.shape[1] >= 1000 and image.shape[0] >= 600
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 200          # a real picture, not a blank window


@pytest.mark.slow
def test_screenshot_command_fails_cleanly_on_a_bad_result(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_text("not a result")
    env = dict(os.environ, LMR_STUDIO_CONFIG_DIR=str(tmp_path / "config"))
    out = subprocess.run([sys.executable, "-m", "lmr_studio.cli", str(bad), "--screenshot", str(tmp_path / "x.png")],
                         capture_output=True, text=True, env=env, timeout=240)
    assert out.returncode == 2 and "not a readable result file" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "x.png").exists()
