"""The shared contracts: parts, cameras, rotations, kinematics, features, results, atomic writes, CLI."""

import errno
import subprocess
import sys

import numpy as np
import pytest
import torch

from lmr_studio import cli, parts
from lmr_studio.errors import ExportError, LMRStudioError
from lmr_studio.geometry import camera, rotations
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.io.atomic import atomic_path
from lmr_studio.perception import features
from lmr_studio.result import MotionResult, Track


def test_parts_cover_every_joint_once():
    joints = sorted(j for js in parts.PART_JOINTS for j in js)
    assert joints == list(range(24))
    assert parts.JOINT_PART[18] == parts.PART_NAMES.index("left_arm")  # left elbow
    assert parts.JOINT_PART[5] == parts.PART_NAMES.index("right_leg")  # right knee
    assert parts.PART_COLOURS.shape == (6, 3) and len({tuple(c) for c in parts.PART_COLOURS}) == 6
    assert parts.part_colour_hex(0) == "#a0a0a0" and parts.part_colour_hex(3) == "#0072b2"


def test_rotation_round_trips():
    aa = torch.randn(50, 3)
    back = rotations.rot6d_to_axis_angle(rotations.axis_angle_to_rot6d(aa))
    assert torch.allclose(rotations.axis_angle_to_matrix(back), rotations.axis_angle_to_matrix(aa), atol=1e-5)


def test_forward_kinematics_bends_child_about_parent():
    rest = torch.zeros(1, 24, 3)
    rest[0, 18] = torch.tensor([0.5, 0.0, 0.0])   # left elbow 0.5 m along +x from ... the collar chain
    rest[0, 20] = torch.tensor([0.75, 0.0, 0.0])  # left wrist 0.25 m further out
    rot = torch.eye(3).repeat(1, 24, 1, 1)
    rot[0, 18] = rotations.axis_angle_to_matrix(torch.tensor([0.0, 0.0, np.pi / 2]))
    joints, glob = forward_kinematics(rot, rest)
    assert torch.allclose(joints[0, 20], torch.tensor([0.5, 0.25, 0.0]), atol=1e-6)
    assert torch.allclose(glob[0, 20], rot[0, 18], atol=1e-6)


def test_weak_and_full_cameras_agree_at_the_root():
    rng = np.random.default_rng(0)
    cam = np.array([0.9, 0.05, -0.1])
    box = np.array([400.0, 260.0, 300.0])
    size, focal = (640, 480), camera.default_focal(640, 480)
    root = np.zeros((1, 3))
    weak_px = camera.box_to_pixels(camera.weak_perspective_project(root, cam), box)
    transl = camera.weak_to_full_translation(cam, box, focal, size)
    full_px = camera.perspective_project(root, transl, focal, size)
    assert np.allclose(weak_px, full_px, atol=1e-6)
    assert transl[2] < 0
    pts = rng.normal(size=(5, 2)) * 50 + 300
    assert np.allclose(camera.box_to_pixels(camera.pixels_to_box(pts, box), box), pts)
    # the same function on torch tensors
    t = camera.weak_to_full_translation(torch.tensor(cam), torch.tensor(box), focal, size)
    assert np.allclose(t.numpy(), transl)


def test_person_up_is_image_up():
    head_above_root = np.array([[0.0, 0.0, 0.0], [0.0, 0.5, 0.0]])
    xy = camera.weak_perspective_project(head_above_root, np.array([1.0, 0.0, 0.0]))
    assert xy[1, 1] < xy[0, 1]  # image y grows downwards


def test_keypoint_features_are_box_normalised():
    kp = np.zeros((2, 33, 3))
    kp[..., 0] = np.linspace(100, 200, 33)
    kp[..., 1] = np.linspace(50, 250, 33)
    kp[..., 2] = 1.0
    kp[1, 5, 2] = 0.1  # a guess behind the body: kept, with its low visibility
    kp[1, 6, 2] = 0.0  # a point the source does not have: zeroed
    box = features.box_from_keypoints(kp)
    assert np.allclose(box[0], [150, 150, 250])
    f = features.keypoint_features(kp, box)
    assert f.shape == (2, features.FEATURE_DIM) and f.dtype == np.float32
    assert np.abs(f[0, :99].reshape(33, 3)[:, :2]).max() <= 1.0
    landmarks = f[1, :99].reshape(33, 3)
    assert np.allclose(landmarks[5], f[0, :99].reshape(33, 3)[5] * [1, 1, 0.1])
    assert np.all(landmarks[6] == 0.0)
    assert not f[:, -1].any() and not f[:, 99:].any()  # 2D only: world block and flag are zero
    corners = features.box_to_corners(box[0])
    assert np.allclose(camera.corners_to_box(corners), box[0])


def test_world_landmarks_enter_the_features_in_our_axes():
    """BlazePose's world frame is y down, z away; the features use y up, z towards the viewer."""
    kp = np.ones((1, 33, 3))
    world = np.zeros((1, 33, 3))
    world[0, 0] = [0.1, -0.6, -0.2]  # the nose: above the hips, nearer the camera than them
    f = features.keypoint_features(kp, features.box_from_keypoints(kp), world)
    assert f[0, -1] == 1.0
    nose = f[0, 99:99 + 99].reshape(33, 3)[0]
    assert np.allclose(nose, [0.1, 0.6, 0.2])
    stripped = features.without_world(f)
    assert not stripped[:, 99:].any() and np.array_equal(stripped[:, :99], f[:, :99])


def _track(n=5, start=3):
    rng = np.random.default_rng(1)
    return Track(poses=rng.normal(size=(n, 24, 3)).astype(np.float32), betas=np.zeros((n, 10), np.float32),
                 cam=np.ones((n, 3), np.float32), frame_ids=np.arange(start, start + n),
                 bboxes=np.ones((n, 4), np.float32), keypoints2d=np.ones((n, 33, 3), np.float32),
                 joints3d=np.ones((n, 24, 3), np.float32), joints2d=np.ones((n, 24, 2), np.float32),
                 part_activity=rng.random((n, 6)).astype(np.float32))


def test_result_round_trip(tmp_path):
    res = MotionResult(tracks={0: _track(), 4: _track(3, 10)}, fps=25.0, image_size=(640, 480), num_frames=20,
                       weights_version="abc", video_path="clip.mp4", main_track=4)
    path = res.save(tmp_path / "r.npz")
    back = MotionResult.load(path)
    assert back.tracks.keys() == {0, 4} and back.main_track == 4 and back.image_size == (640, 480)
    assert np.array_equal(back.tracks[0].poses, res.tracks[0].poses)
    assert back.tracks[0].transl is None and back.tracks[0].part_activity is not None
    assert back.main is back.tracks[4]
    assert back.tracks[0].row_of_frame(4) == 1 and back.tracks[0].row_of_frame(99) is None
    assert len(back.tracks[0].sliced(slice(1, 3))) == 2


def test_a_result_file_from_before_the_focal_length_was_saved_loads_with_the_default(tmp_path):
    res = MotionResult(tracks={0: _track()}, fps=25.0, image_size=(640, 480), num_frames=20, focal=480.0,
                       focal_source="file")
    with np.load(res.save(tmp_path / "new.npz")) as data:
        old = {k: data[k] for k in data.files if k not in ("meta/focal", "meta/focal_source")}
    np.savez(tmp_path / "old.npz", **old)
    new = MotionResult.load(tmp_path / "new.npz")
    assert (new.focal, new.focal_source) == (480.0, "file")
    back = MotionResult.load(tmp_path / "old.npz")
    assert back.focal == camera.default_focal(640, 480) and back.focal_source == "assumed"


def test_result_load_rejects_other_files(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_text("not a zip")
    with pytest.raises(LMRStudioError, match="not a readable result"):
        MotionResult.load(bad)
    with pytest.raises(LMRStudioError, match="does not exist"):
        MotionResult.load(tmp_path / "missing.npz")


def test_atomic_write_leaves_nothing_on_disk_full(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(ExportError, match="disk is full"):
        with atomic_path(target) as tmp:
            tmp.write_text("partial")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]
    with pytest.raises(ExportError, match="already exists"):
        with atomic_path(target, overwrite=False):
            pass


def test_cli_help_and_version(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert "lmr-studio" in capsys.readouterr().out


def test_models_and_pipeline_do_not_import_qt():
    code = ("import sys, lmr_studio.result, lmr_studio.geometry.camera, lmr_studio.perception.features\n"
            "import importlib\n"
            "for m in ('lmr_studio.model', 'lmr_studio.body', 'lmr_studio.pipeline', 'lmr_studio.export'):\n"
            "    try: importlib.import_module(m)\n"
            "    except ModuleNotFoundError as e:\n"
            "        if not e.name.startswith('lmr_studio'): raise\n"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'vtkmodules.qt', 'superqt'))]\n"
            "assert not bad, bad\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
