"""SMPL backend: safe loading of user files, clear errors, smplx posing the checked arrays (never
the file), checked against a reference skinning and against the Anny body on the same poses."""

import os
import pickle
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from lmr_studio.body import load_body_model
from lmr_studio.body.smpl_file import SMPL_ENV_VAR, RestrictedUnpickler, load_smpl_arrays
from lmr_studio.errors import MissingBodyModelError
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.parts import PARENTS
from tests.fixtures.body import synthetic_smpl_arrays, write_synthetic_smpl
from tests.reference_lbs import smpl_lbs


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
    assert body.layer.shapedirs.shape[-1] == 10
    np.testing.assert_allclose(body.layer.shapedirs.numpy(), synthetic_smpl_arrays(300)["shapedirs"][..., :10],
                               rtol=1e-6)


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


def test_smplx_posing_matches_the_reference_skinning(smpl_body):
    """The app's SMPL path (smplx on the checked arrays) against SMPL written from the paper."""
    torch.manual_seed(0)
    pose, betas = 0.5 * torch.randn(4, 24, 3), torch.randn(4, 10)
    layer = smpl_body.layer
    verts, joints = smpl_lbs(axis_angle_to_matrix(pose), betas, layer.v_template, layer.shapedirs,
                             layer.posedirs.T.reshape(-1, 3, 207), layer.J_regressor, layer.lbs_weights)
    out = smpl_body(pose, betas)
    torch.testing.assert_close(out.vertices, verts, atol=1e-5, rtol=0)
    torch.testing.assert_close(out.joints, joints, atol=1e-5, rtol=0)
    np.testing.assert_array_equal(layer.parents.numpy(), PARENTS)


_opened_by_smplx: list[str] = []


def _record_opens_from_smplx(event: str, args: tuple) -> None:
    """Audit hook: note every file smplx's own code opens (any smplx frame on the stack)."""
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        frame = sys._getframe(1)
        while frame is not None:
            if "/smplx/" in frame.f_code.co_filename.replace("\\", "/"):
                _opened_by_smplx.append(os.fsdecode(args[0]))
                return
            frame = frame.f_back


def test_smplx_never_opens_the_users_file(synthetic_smpl_file, body_data_dir):
    """The official-style file cannot be unpickled whole (it names chumpy, which is not
    installed), yet the SMPL body loads, and Python's audit log shows smplx opening no file."""
    with open(synthetic_smpl_file, "rb") as fh, pytest.raises(ModuleNotFoundError, match="chumpy"):
        pickle.load(fh, encoding="latin1")
    sys.addaudithook(_record_opens_from_smplx)        # stays installed; only records
    _opened_by_smplx.clear()
    body = load_body_model("smpl", smpl_path=synthetic_smpl_file)
    body(torch.zeros(1, 24, 3), torch.zeros(1, 10))
    assert type(body.layer).__module__.startswith("smplx")
    assert not [p for p in _opened_by_smplx if Path(p).name == synthetic_smpl_file.name], _opened_by_smplx


def _bone_directions(joints: torch.Tensor) -> torch.Tensor:
    """(B, 24, 3) joints -> (B, 23, 3) unit vectors from each joint's parent to it."""
    bones = joints[:, 1:] - joints[:, list(PARENTS[1:])]
    return bones / bones.norm(dim=-1, keepdim=True)


def test_smpl_and_anny_turn_every_bone_alike(smpl_body, anny_body):
    """Both bodies apply the same joint rotations: the angle between a bone in SMPL and the same
    bone in Anny (their rest skeletons differ a little) is the same in every pose as at rest."""
    torch.manual_seed(1)
    pose = torch.cat([torch.zeros(1, 24, 3), 0.4 * torch.randn(5, 24, 3)])
    betas = torch.zeros(6, 10)
    smpl, anny = (_bone_directions(b(pose, betas).joints) for b in (smpl_body, anny_body))
    cosine = (smpl * anny).sum(-1).clamp(-1, 1)
    angle = torch.rad2deg(torch.arccos(cosine))                  # (6 poses, 23 bones), degrees
    torch.testing.assert_close(angle[1:], angle[:1].expand(5, -1), atol=1.0, rtol=0)
