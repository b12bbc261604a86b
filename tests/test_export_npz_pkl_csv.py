"""Round trips of the parameter and table formats: npz (AMASS-like), pkl (VIBE-like), csv."""

from __future__ import annotations

import csv
import pickle

import numpy as np
import pytest
import torch

from lmr_studio.errors import ExportError
from lmr_studio.export import EXPORTERS
from lmr_studio.export.pkl import FLIP
from lmr_studio.geometry.camera import box_to_pixels, corners_to_box, weak_perspective_project
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.parts import JOINT_NAMES
from tests.fixtures.fakes import camera_joints, make_random_result


def test_npz_round_trip(body, result, tmp_path):  # noqa: F811
    path = EXPORTERS["npz"](result, body, tmp_path / "m.npz", frames=(2, 9))
    track = result.main.sliced(slice(2, 8))                   # frames 2,3,4,6,7,8
    with np.load(path) as data:
        np.testing.assert_allclose(data["poses"].reshape(-1, 24, 3), track.poses)
        np.testing.assert_allclose(data["trans"], track.transl)
        np.testing.assert_allclose(data["betas"], track.betas[0], atol=1e-6)
        assert data["frame_ids"].tolist() == [2, 3, 4, 6, 7, 8]
        assert float(data["mocap_framerate"]) == result.fps
        assert str(data["gender"]) == "neutral" and data["cam"].shape == (6, 3)


def test_npz_refuses_several_tracks(body, tmp_path):  # noqa: F811
    res = make_random_result(body, two_tracks=True)
    with pytest.raises(ExportError, match="holds one person"):
        EXPORTERS["npz"](res, body, tmp_path / "m.npz", tracks=[1, 4])
    assert not (tmp_path / "m.npz").exists()


def test_pkl_is_vibe_like(body, tmp_path):  # noqa: F811
    res = make_random_result(body, two_tracks=True)
    path = EXPORTERS["pkl"](res, body, tmp_path / "vibe.pkl", tracks=[1, 4])
    with open(path, "rb") as fh:
        out = pickle.load(fh)
    assert sorted(out) == [1, 4]
    for tid, track in res.tracks.items():
        got = out[tid]
        n = len(track)
        assert got["pose"].shape == (n, 72) and got["verts"].shape == (n, body.num_vertices, 3)
        assert got["frame_ids"].tolist() == track.frame_ids.tolist()
        # Body joints 1.. agree with ours; the root turned by VIBE's half turn about x.
        np.testing.assert_allclose(got["pose"].reshape(n, 24, 3)[:, 1:], track.poses[:, 1:])
        root = axis_angle_to_matrix(torch.as_tensor(got["pose"][:, :3]).double()).numpy()
        ours = axis_angle_to_matrix(torch.as_tensor(track.poses[:, 0]).double()).numpy()
        np.testing.assert_allclose(root, FLIP @ ours, atol=1e-5)
        pelvis = track.joints3d[:, :1]
        np.testing.assert_allclose(got["joints3d"], (track.joints3d - pelvis) @ FLIP + pelvis, atol=1e-5)
        # VIBE's orig_cam on VIBE's joints lands where our box camera puts our joints.
        sx, sy, tx, ty = got["orig_cam"].T[..., None]
        width, height = res.image_size
        u = (sx * (got["joints3d"][..., 0] + tx) + 1) * width / 2
        v = (sy * (got["joints3d"][..., 1] + ty) + 1) * height / 2
        expected = box_to_pixels(weak_perspective_project(track.joints3d, track.cam),
                                 corners_to_box(track.bboxes.astype(np.float64)))
        np.testing.assert_allclose(np.stack([u, v], -1), expected, atol=1e-2)
        assert got["bboxes"].shape == (n, 4) and got["joints2d"].shape == (n, 33, 3)


def test_csv_round_trip(body, tmp_path):  # noqa: F811
    res = make_random_result(body, two_tracks=True)
    path = EXPORTERS["csv"](res, body, tmp_path / "j.csv", tracks=[4, 1], frames=(0, 7))
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["frame", "time_s", "track", "joint", "x", "y", "z"]
    for tid in (1, 4):
        track = res.tracks[tid]
        keep = track.frame_ids < 7
        mine = [r for r in rows if int(r["track"]) == tid]
        assert len(mine) == 24 * keep.sum()
        assert [r["joint"] for r in mine[:24]] == list(JOINT_NAMES)
        xyz = np.array([[float(r[c]) for c in "xyz"] for r in mine]).reshape(-1, 24, 3)
        np.testing.assert_allclose(xyz, camera_joints(track)[keep], atol=2e-6)
        frames = np.array([int(r["frame"]) for r in mine[::24]])
        assert frames.tolist() == track.frame_ids[keep].tolist()
        assert float(mine[24]["time_s"]) == pytest.approx(frames[1] / res.fps)
