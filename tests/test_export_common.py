"""Tests of the export test fakes and of what every exporter shares: ranges, track choice,
overwrite refusal, disk full."""

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
from lmr_studio.geometry.camera import box_to_pixels, weak_perspective_project
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from tests.fixtures.fakes import make_random_result


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
    res = make_random_result(body, two_tracks=True)
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
