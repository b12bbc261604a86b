"""``lmr-studio export``: formats end to end through the CLI, and user mistakes as exit code 2."""

from __future__ import annotations

import numpy as np
import pytest

from lmr_studio.cli import main
from tests.fixtures.fakes import camera_joints, make_random_result


@pytest.fixture
def saved(body, tmp_path):  # noqa: F811
    res = make_random_result(body, two_tracks=True)
    return res, res.save(tmp_path / "r.npz")


def test_cli_exports_by_suffix(saved, synthetic_smpl_file, tmp_path, capsys):
    res, path = saved
    out = tmp_path / "joints.csv"
    code = main(["export", str(path), "-o", str(out), "--smpl", str(synthetic_smpl_file),
                 "--all-tracks", "--frames", "2:6"])
    assert code == 0, capsys.readouterr().err
    rows = np.genfromtxt(out, delimiter=",", names=True, dtype=None, encoding=None)
    assert sorted(set(rows["track"])) == [1, 4] and set(rows["frame"]) == {2, 3, 4, 5}
    first = rows[(rows["track"] == 4) & (rows["frame"] == 3)]
    xyz = np.stack([first["x"], first["y"], first["z"]], 1)
    np.testing.assert_allclose(xyz, camera_joints(res.tracks[4])[0], atol=2e-6)


def test_cli_npz_needs_no_body_and_refuses_overwrite(saved, tmp_path, capsys):
    _, path = saved
    out = tmp_path / "amass.npz"
    assert main(["export", str(path), "--format", "npz", "-o", str(out)]) == 0
    assert main(["export", str(path), "--format", "npz", "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["export", str(path), "--format", "npz", "-o", str(out), "--force"]) == 0
    assert main(["export", str(path), "-o", str(path), "--force"]) == 2
    assert "would replace the result" in capsys.readouterr().err


@pytest.mark.parametrize("extra, message", [
    (["-o", "x.txt"], "Cannot tell the export format"),
    (["-o", "x.csv", "--frames", "ten"], "not a frame range"),
    (["-o", "x.csv", "--track", "7"], "no track 7"),
    (["-o", "x.bvh", "--all-tracks"], "holds one person"),
    (["-o", "x.mp4"], "source video"),
])
def test_cli_user_mistakes(saved, synthetic_smpl_file, tmp_path, monkeypatch, capsys, extra, message):
    _, path = saved
    monkeypatch.chdir(tmp_path)
    assert main(["export", str(path), "--smpl", str(synthetic_smpl_file), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.glob("x.*")) and not list(tmp_path.glob(".x.*"))
