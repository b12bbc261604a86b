"""Helpers shared by the export tests (a small exact-LBS body, a MotionResult built from it), and
the tests of what every exporter shares: ranges, track choice, overwrite refusal, disk full."""

from __future__ import annotations

import builtins
import errno
import os

import cv2
import numpy as np
import pytest
import torch

from lmr_studio.errors import ExportError
from lmr_studio.export import EXPORTERS
from lmr_studio.export.common import parse_frame_range, select_tracks
from lmr_studio.geometry.camera import (
    box_to_pixels, default_focal, perspective_project, weak_perspective_project, weak_to_full_translation,
)
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.parts import JOINT_PART, NUM_JOINTS, PARENTS
from lmr_studio.perception.features import box_to_corners
from lmr_studio.result import MotionResult, Track
from tests.fixtures.body import REST_JOINTS

# An octahedron around each joint, outward-facing counter-clockwise triangles.
_OCTA = np.array([(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)], np.float64)
_OCTA_FACES = np.array([(0, 2, 4), (2, 1, 4), (1, 3, 4), (3, 0, 4), (2, 0, 5), (1, 2, 5), (3, 1, 5), (0, 3, 5)])


class FakeBody:
    """A tiny body model with the BodyModel interface and exact linear blend skinning (no pose
    correctives), so skinning in a glb reproduces it exactly: 6 vertices around each joint, each
    skinned 0.7 to its joint and 0.3 to the parent. betas[:, 0] scales the skeleton."""

    name = "fake"

    def __init__(self) -> None:
        verts, faces, weights = [], [], []
        for j in range(NUM_JOINTS):
            verts.append(REST_JOINTS[j] + 0.03 * _OCTA)
            faces.append(_OCTA_FACES + 6 * j)
            w = np.zeros(NUM_JOINTS)
            w[j] += 0.7 if j else 1.0
            if j:
                w[PARENTS[j]] += 0.3
            weights.append(np.tile(w, (6, 1)))
        self.template = np.concatenate(verts)
        self.faces = np.concatenate(faces).astype(np.int64)
        self.joint_weights = np.concatenate(weights).astype(np.float32)
        self.vertex_parts = JOINT_PART[np.repeat(np.arange(NUM_JOINTS), 6)].astype(np.uint8)
        self.num_vertices = len(self.template)

    def _scale(self, betas: torch.Tensor) -> torch.Tensor:
        return (1.0 + 0.1 * betas[:, :1, None]).double()                 # (B, 1, 1)

    def rest_joints(self, betas) -> torch.Tensor:
        betas = torch.as_tensor(betas, dtype=torch.float32)
        return (torch.as_tensor(REST_JOINTS)[None] * self._scale(betas)).float()

    def mesh_sequence(self, poses, betas, transl=None):
        betas = torch.as_tensor(np.asarray(betas, np.float32))
        scale = self._scale(betas)
        rest = torch.as_tensor(REST_JOINTS)[None] * scale
        template = torch.as_tensor(self.template)[None] * scale
        rot = axis_angle_to_matrix(torch.as_tensor(np.asarray(poses), dtype=torch.float64))
        joints, glob = forward_kinematics(rot, rest)
        shift = joints - (glob @ rest[..., None])[..., 0]                 # (B, 24, 3)
        w = torch.as_tensor(self.joint_weights, dtype=torch.float64)
        per_joint = torch.einsum("bjik,bvk->bvji", glob, template) + shift[:, None]
        verts = torch.einsum("vj,bvji->bvi", w, per_joint)
        if transl is not None:
            t = torch.as_tensor(np.asarray(transl), dtype=torch.float64)[:, None]
            verts, joints = verts + t, joints + t
        return verts.float().numpy(), joints.float().numpy()


def make_track(body, frame_ids, image_size, seed: int = 0, centre_x: float = 0.5) -> Track:
    """A track over ``frame_ids`` with small random poses, constant betas and the person's box at
    ``centre_x`` of the image width; joints3d/joints2d come from ``body`` like the pipeline's."""
    rng = np.random.default_rng(seed)
    n = len(frame_ids)
    width, height = image_size
    poses = rng.normal(0, 0.25, (n, NUM_JOINTS, 3)).astype(np.float32)
    betas = np.tile(rng.normal(0, 0.5, (1, 10)), (n, 1)).astype(np.float32)
    side = 0.8 * height
    box = np.tile([centre_x * width, 0.5 * height, side], (n, 1)) + rng.normal(0, 1, (n, 3))
    cam = np.stack([np.full(n, 0.9), rng.normal(0, 0.05, n), rng.normal(0.1, 0.05, n)], 1).astype(np.float32)
    transl = weak_to_full_translation(cam.astype(np.float64), box, default_focal(*image_size), image_size)
    _, joints = body.mesh_sequence(poses, betas, None)
    joints2d = perspective_project(joints, transl.astype(np.float32), default_focal(*image_size), image_size)
    kp_xy = box_to_pixels(rng.uniform(-0.6, 0.6, (n, 33, 2)), box)
    keypoints = np.concatenate([kp_xy, rng.uniform(0.3, 1.0, (n, 33, 1))], -1).astype(np.float32)
    return Track(poses=poses, betas=betas, cam=cam, frame_ids=np.asarray(frame_ids, np.int64),
                 bboxes=box_to_corners(box).astype(np.float32), keypoints2d=keypoints, joints3d=joints,
                 joints2d=joints2d.astype(np.float32), transl=transl.astype(np.float32))


def make_result(body, num_frames: int = 12, image_size=(160, 120), fps: float = 10.0,
                two_tracks: bool = False, video_path: str = "") -> MotionResult:
    """Track 1 on every frame but one (a gap at frame 5); with ``two_tracks``, track 4 on 3..8."""
    frames = [f for f in range(num_frames) if f != 5]
    tracks = {1: make_track(body, frames, image_size, seed=1, centre_x=0.4)}
    if two_tracks:
        tracks[4] = make_track(body, list(range(3, 9)), image_size, seed=4, centre_x=0.7)
    return MotionResult(tracks=tracks, fps=fps, image_size=image_size, num_frames=num_frames,
                        body_model="smpl", weights_version="test", video_path=video_path)


def camera_joints(track: Track) -> np.ndarray:
    """(F, 24, 3) the track's joints in the camera frame (joints3d + transl), what exports hold."""
    return track.joints3d + track.transl[:, None]


@pytest.fixture
def body(smpl_body):
    """The SMPL backend on the synthetic SMPL file (engineer A's fast fixture)."""
    return smpl_body


@pytest.fixture
def fake_body():
    return FakeBody()


@pytest.fixture
def result(body):
    return make_result(body)


def test_fake_body_matches_its_own_kinematics(fake_body):
    """rest_joints + forward_kinematics reproduce mesh_sequence's joints (the body contract)."""
    poses = np.random.default_rng(0).normal(0, 0.4, (3, 24, 3)).astype(np.float32)
    betas = np.full((3, 10), 0.5, np.float32)
    _, joints = fake_body.mesh_sequence(poses, betas)
    fk, _ = forward_kinematics(axis_angle_to_matrix(torch.as_tensor(poses)), fake_body.rest_joints(betas))
    np.testing.assert_allclose(joints, fk.numpy(), atol=1e-5)


def test_test_track_projects_like_the_weak_camera(result):
    """The helper's transl makes the root land where the weak-perspective camera puts it."""
    t = result.main
    box = np.stack([(t.bboxes[:, 0] + t.bboxes[:, 2]) / 2, (t.bboxes[:, 1] + t.bboxes[:, 3]) / 2,
                    t.bboxes[:, 2] - t.bboxes[:, 0]], 1)
    weak = box_to_pixels(weak_perspective_project(t.joints3d[:, :1], t.cam), box)
    np.testing.assert_allclose(t.joints2d[:, :1], weak, atol=0.5)


@pytest.mark.parametrize("text, expected", [("3:9", (3, 9)), ("4:", (4, None)), (":7", (None, 7)), ("5", (5, 6))])
def test_parse_frame_range(text, expected):
    assert parse_frame_range(text) == expected


def test_parse_frame_range_rejects_nonsense():
    with pytest.raises(ExportError, match="not a frame range"):
        parse_frame_range("a:b")


def test_select_tracks_cuts_to_range_and_defaults_to_main(body):
    res = make_result(body, two_tracks=True)
    chosen = select_tracks(res, (4, 8), None)
    assert list(chosen) == [1]
    assert chosen[1].frame_ids.tolist() == [4, 6, 7]
    assert sorted(select_tracks(res, None, [1, 4])) == [1, 4]
    with pytest.raises(ExportError, match="no track 9"):
        select_tracks(res, None, [9])
    with pytest.raises(ExportError, match="No recovered frames"):
        select_tracks(res, (5, 6), None)
    with pytest.raises(ExportError, match="empty"):
        select_tracks(res, (8, 3), None)


def _target(tmp_path, fmt):
    return tmp_path / ("out" if fmt in ("obj", "ply") else f"out.{fmt}")


def _video_for(result, tmp_path):
    from tests.fixtures.media import write_video

    w, h = result.image_size
    return write_video(tmp_path / "src.avi", (np.full((h, w, 3), 40 * (i % 5), np.uint8)
                                              for i in range(result.num_frames)), result.fps)


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_refuses_to_overwrite_without_force(fmt, body, result, tmp_path):
    target = _target(tmp_path, fmt)
    if fmt in ("obj", "ply"):
        target.mkdir()
        (target / "keep.txt").write_text("mine")
    else:
        target.write_text("mine")
    video = _video_for(result, tmp_path)
    with pytest.raises(ExportError, match="already exists"):
        EXPORTERS[fmt](result, body, target, video=video)
    assert (target / "keep.txt" if target.is_dir() else target).read_text() == "mine"
    EXPORTERS[fmt](result, body, target, video=video, force=True)
    assert not (target / "keep.txt").exists() if target.is_dir() else target.read_bytes() != b"mine"
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name or ".old" in p.name]


class _FullDisk:
    """A file object that takes ``room`` bytes and then fails with ENOSPC, like a full disk."""

    def __init__(self, fh, room: int = 200) -> None:
        self._fh, self._room = fh, room

    def write(self, data):
        if len(data) > self._room:
            self._fh.write(data[: self._room])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(data)
        return self._fh.write(data)

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()


@pytest.fixture
def full_disk(monkeypatch):
    """Make every write into an export's temporary path (file or folder) fail with ENOSPC, both
    Python writes and OpenCV's video writer."""
    real_open = builtins.open

    def open_(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        return _FullDisk(fh) if ".part" in str(file) and ("w" in mode or "a" in mode) else fh

    real_writer = cv2.VideoWriter

    class Writer:
        def __init__(self, *args):
            self._w, self._frames = real_writer(*args), 0

        def write(self, image):
            self._frames += 1
            if self._frames > 2:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            self._w.write(image)

        def __getattr__(self, name):
            return getattr(self._w, name)

    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(cv2, "VideoWriter", Writer)


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_disk_full_leaves_no_file(fmt, body, result, tmp_path, request):
    video = _video_for(result, tmp_path)
    before = sorted(tmp_path.iterdir())
    request.getfixturevalue("full_disk")
    target = _target(tmp_path, fmt)
    with pytest.raises(ExportError, match="disk is full"):
        EXPORTERS[fmt](result, body, target, video=video)
    assert sorted(tmp_path.iterdir()) == before
