"""SMPL backend: safe loading of user files, clear errors, and the LBS against smplx's."""

import os
import pickle
import zipfile

import numpy as np
import pytest
import torch

from lmr_studio.body import load_body_model
from lmr_studio.body.smpl_file import SMPL_ENV_VAR, RestrictedUnpickler, load_smpl_arrays
from lmr_studio.errors import MissingBodyModelError
from lmr_studio.parts import PARENTS
from tests.fixtures.body import synthetic_smpl_arrays, write_synthetic_smpl


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_restricted_unpickler_refuses_code(tmp_path, body_data_dir):
    marker = tmp_path / "pwned"
    evil = tmp_path / "SMPL_NEUTRAL.pkl"
    evil.write_bytes(pickle.dumps({"v_template": _Evil(marker)}, protocol=2))
    with open(evil, "rb") as fh, pytest.raises(pickle.UnpicklingError, match="system"):
        RestrictedUnpickler(fh).load()
    with pytest.raises(MissingBodyModelError, match="not a usable SMPL model file"):
        load_body_model("smpl", smpl_path=evil)
    assert not marker.exists()


def test_official_style_pickle_loads_without_chumpy(synthetic_smpl_file, body_data_dir, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "chumpy", None)  # importing chumpy would fail
    arrays = load_smpl_arrays(synthetic_smpl_file)
    expected = synthetic_smpl_arrays()
    np.testing.assert_allclose(arrays["shapedirs"], expected["shapedirs"], rtol=1e-6)
    np.testing.assert_allclose(arrays["J_regressor"], expected["J_regressor"], rtol=1e-6)
    assert len(list((body_data_dir / "smpl").glob("*.npz"))) == 1  # converted once, by file hash


def test_300_beta_file_keeps_the_first_ten(tmp_path, body_data_dir):
    path = write_synthetic_smpl(tmp_path / "SMPL_NEUTRAL.pkl", num_betas=300)
    body = load_body_model("smpl", smpl_path=path)
    assert body.shapedirs.shape[-1] == 10
    np.testing.assert_allclose(body.shapedirs.numpy(), synthetic_smpl_arrays(300)["shapedirs"][..., :10], rtol=1e-6)


def test_npz_file_folder_and_env_var(tmp_path, body_data_dir, monkeypatch):
    folder = tmp_path / "models" / "smpl"
    folder.mkdir(parents=True)
    np.savez(folder / "SMPL_NEUTRAL.npz", **synthetic_smpl_arrays())
    monkeypatch.setenv(SMPL_ENV_VAR, str(tmp_path / "models"))
    body = load_body_model("smpl")
    assert body.num_vertices == len(synthetic_smpl_arrays()["v_template"])


@pytest.mark.parametrize("case", ["none", "missing", "garbage", "zip", "no_weights", "bad_shape", "smplh_tree"])
def test_bad_smpl_files_raise_a_clear_error(case, tmp_path, body_data_dir, monkeypatch):
    monkeypatch.delenv(SMPL_ENV_VAR, raising=False)
    path = tmp_path / "SMPL_NEUTRAL.pkl"
    arrays = synthetic_smpl_arrays()
    if case == "garbage":
        path.write_bytes(b"\x00not a pickle at all")
    elif case == "zip":
        path = tmp_path / "SMPL_NEUTRAL.npz"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("readme.txt", "hello")
    elif case == "no_weights":
        del arrays["weights"]
        path.write_bytes(pickle.dumps(arrays, protocol=2))
    elif case == "bad_shape":
        arrays["posedirs"] = arrays["posedirs"][:, :, :100]
        path.write_bytes(pickle.dumps(arrays, protocol=2))
    elif case == "smplh_tree":
        arrays["kintree_table"] = arrays["kintree_table"][:, ::-1].copy()
        path.write_bytes(pickle.dumps(arrays, protocol=2))
    with pytest.raises(MissingBodyModelError) as info:
        load_body_model("smpl", smpl_path=None if case == "none" else path)
    assert "https://smpl.is.tue.mpg.de" in info.value.hint and "--smpl" in info.value.hint


def test_lbs_matches_smplx(smpl_body):
    lbs = pytest.importorskip("smplx.lbs").lbs
    torch.manual_seed(0)
    pose, betas = 0.5 * torch.randn(4, 24, 3), torch.randn(4, 10)
    b = smpl_body
    verts, joints = lbs(betas, pose.reshape(4, -1), b.v_template, b.shapedirs, b.posedirs.reshape(-1, 207).T,
                        b.j_regressor, torch.tensor(PARENTS), b.weights)
    out = smpl_body(pose, betas)
    torch.testing.assert_close(out.vertices, verts, atol=1e-5, rtol=0)
    torch.testing.assert_close(out.joints, joints, atol=1e-5, rtol=0)
