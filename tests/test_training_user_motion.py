"""``eval --motion``: reading a user's motion file, fitting the body to positions, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lmr_studio.errors import LMRStudioError
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.perception.features import FEATURE_DIM
from lmr_studio.training.bodies import build_body_bank
from lmr_studio.training.metrics import accel_errors
from lmr_studio.training.motion import generate_motion
from lmr_studio.training.user_motion import clips_from_motion_file, fit_poses, load_motion_file, motion_paths


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _joints(bank, body_index, frames=40):
    clip = generate_motion("kicks", frames, np.random.default_rng(0))
    rest = torch.from_numpy(bank.rest_joints[body_index]).expand(frames, -1, -1)
    joints, _ = forward_kinematics(axis_angle_to_matrix(torch.from_numpy(clip.poses)), rest)
    return joints.numpy() + clip.transl[:, None], clip.poses


def test_ik_recovers_positions(smpl_body):
    bank = build_body_bank(smpl_body, count=8)
    joints, _ = _joints(bank, 3)
    poses = fit_poses(joints, bank.rest_joints[3], steps=300)
    rest = torch.from_numpy(bank.rest_joints[3]).expand(len(poses), -1, -1)
    fitted, _ = forward_kinematics(axis_angle_to_matrix(torch.from_numpy(poses)), rest)
    fitted = fitted.numpy()
    err = np.linalg.norm((fitted - fitted[:, :1]) - (joints - joints[:, :1]), axis=-1).mean()
    assert err < 0.01  # under 1 cm


def test_ik_adds_no_jitter_to_smooth_motion(smpl_body):
    """Each frame's fit must settle: smooth motion fitted keeps its smoothness (at a constant Adam
    step the fitted joints hopped around the truth by several mm/frame^2, LAFAN1's about 7)."""
    bank = build_body_bank(smpl_body, count=8)
    clip = generate_motion("walk", 60, np.random.default_rng(1))
    truth = forward_kinematics(axis_angle_to_matrix(torch.from_numpy(clip.poses)),
                               torch.from_numpy(bank.rest_joints[3]).expand(60, -1, -1))[0].numpy()
    other = bank.rest_joints[5]  # another skeleton: the fit cannot be exact
    poses = fit_poses(truth, other)
    fitted = forward_kinematics(axis_angle_to_matrix(torch.from_numpy(poses)),
                                torch.from_numpy(other).expand(60, -1, -1))[0].numpy()
    truth_accel = accel_errors(np.repeat(truth[:1], 60, 0), truth).mean()  # the motion's own, mm/frame^2
    added = accel_errors(fitted, truth).mean()
    assert added < 0.25 * truth_accel, (added, truth_accel)


def test_motion_file_to_eval_clips(tmp_path, smpl_body):
    bank = build_body_bank(smpl_body, count=8)
    joints, poses = _joints(bank, 2)
    np.savez(tmp_path / "m.npz", joints3d=joints, fps=np.array(60.0))
    clips = clips_from_motion_file(tmp_path / "m.npz", smpl_body, bank)
    assert clips.features.shape == (4, 20, FEATURE_DIM)  # 40 frames at 60 fps -> 20 at 30 fps, 4 cameras
    np.savez(tmp_path / "p.npz", joints3d=joints, poses=poses, fps=np.array(30.0))
    assert clips_from_motion_file(tmp_path / "p.npz", smpl_body, bank).poses.shape == (4, 40, 24, 3)


def test_bad_motion_files(tmp_path):
    with pytest.raises(LMRStudioError, match="does not exist"):
        load_motion_file(tmp_path / "none.npz")
    np.savez(tmp_path / "a.npz", joints3d=np.zeros((10, 17, 3)), fps=np.array(30.0))
    with pytest.raises(LMRStudioError, match=r"\(F, 24, 3\)"):
        load_motion_file(tmp_path / "a.npz")
    np.savez(tmp_path / "b.npz", joints3d=np.zeros((10, 24, 3)))
    with pytest.raises(LMRStudioError, match="fps"):
        load_motion_file(tmp_path / "b.npz")
    (tmp_path / "c.npz").write_text("hello")
    with pytest.raises(LMRStudioError, match="readable"):
        load_motion_file(tmp_path / "c.npz")


def test_a_folder_of_motion_files_gives_every_file_inside_by_its_relative_name(tmp_path):
    (tmp_path / "s1").mkdir()
    for name in ("s1/walk.npz", "s1/run.npz", "jump.npz"):
        np.savez(tmp_path / name, joints3d=np.zeros((10, 24, 3)), fps=np.array(30.0))
    (tmp_path / "notes.txt").write_text("not a motion")
    assert motion_paths(str(tmp_path)) == {"jump": tmp_path / "jump.npz", "s1/run": tmp_path / "s1/run.npz",
                                           "s1/walk": tmp_path / "s1/walk.npz"}
    np.savez(tmp_path / "s1/bad.npz", joints3d=np.zeros((10, 17, 3)), fps=np.array(30.0))
    with pytest.raises(LMRStudioError, match="bad.npz"):  # every file checked, the bad one named
        motion_paths(str(tmp_path))
    (tmp_path / "empty").mkdir()
    with pytest.raises(LMRStudioError, match="holds no .npz or .bvh"):
        motion_paths(str(tmp_path / "empty"))
