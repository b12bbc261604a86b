"""``lmr-studio eval --motion PATH``: score the networks on a user's own motion.

File: a ``.npz`` with ``joints3d`` (F, 24, 3) metres, SMPL joint order, y up; ``fps`` (scalar);
optionally ``poses`` (F, 24, 3) axis-angle SMPL pose (joint 0 = global orientation) and ``betas``
(10,) or (F, 10). Or a ``.bvh`` (y up) whose joints are named like SMPL or like Mixamo / LAFAN1
(see :mod:`~lmr_studio.training.bvh_smpl`): its joint positions are used. Where only positions
are given, the body is fitted to them (:func:`fit_motion`): first the shape
(betas) whose skeleton matches the mean bone lengths, then per-frame joint rotations by inverse
kinematics (gradient descent on the joint positions through forward kinematics, with small
pose and smoothness priors). The motion, resampled to 30 fps, is then seen through the
evaluation cameras and detector errors of the synthetic test set (4 cameras) and scored.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import torch

from lmr_studio.errors import LMRStudioError
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix, matrix_to_axis_angle, matrix_to_rot6d, rot6d_to_matrix
from lmr_studio.parts import PARENTS
from lmr_studio.training.bodies import ACTIVE_BETAS, BodyBank, build_body_bank, skeleton_from_betas
from lmr_studio.training.dataset import ClipSet, stack_samples
from lmr_studio.training.evaluate import TEST_SEED
from lmr_studio.training.motion import MotionClip
from lmr_studio.training.synth import synthesize

TARGET_FPS = 30.0
CAMERAS = 4
HINT = ("Save an .npz with joints3d (F, 24, 3) in metres, SMPL joint order, y up, and fps; "
        "optionally poses (F, 24, 3) axis-angle and betas (10,); or give a .bvh. See docs/model.md.")


def _read_bvh_motion(path: str | os.PathLike) -> dict[str, np.ndarray]:
    from lmr_studio.training.bvh import read_bvh
    from lmr_studio.training.bvh_smpl import smpl_joint_positions

    motion = read_bvh(path)
    return {"joints3d": smpl_joint_positions(motion, str(path)), "fps": np.array(motion.fps)}


def load_motion_file(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read and check a motion file (.npz or .bvh); raises LMRStudioError with a hint."""
    if Path(path).suffix.lower() == ".bvh":
        d = _read_bvh_motion(path)
    else:
        d = _read_npz(path)
    return _checked(path, d)


def motion_paths(motion: str) -> dict[str, Path]:
    """{clip name: file} of a ``--motion`` argument: ``lafan1`` (the two LAFAN1 clips, fetched into
    the user cache by :func:`~lmr_studio.training.lafan1.lafan1_clips`), ``deepmimic`` (DeepMimic's
    clips and their mirror images, :func:`~lmr_studio.training.deepmimic.deepmimic_clips`), one
    .npz / .bvh file or a folder of them (every .npz and .bvh inside, at any depth), each checked
    with :func:`load_motion_file` (LMRStudioError with a hint)."""
    from lmr_studio.training.deepmimic import DEEPMIMIC, deepmimic_clips
    from lmr_studio.training.lafan1 import LAFAN1, lafan1_clips

    if motion == LAFAN1:
        return lafan1_clips()
    if motion == DEEPMIMIC:
        return deepmimic_clips()
    path = Path(motion)
    if not path.is_dir():
        load_motion_file(path)
        return {path.stem: path}
    files = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".npz", ".bvh") and p.is_file())
    if not files:
        raise LMRStudioError(f"{path} holds no .npz or .bvh motion file.", HINT)
    for file in files:
        load_motion_file(file)
    return {str(file.relative_to(path).with_suffix("")): file for file in files}


def resampled_frames(d: dict[str, np.ndarray]) -> int:
    """Frames of a checked motion (:func:`load_motion_file`) once resampled to :data:`TARGET_FPS`."""
    return len(_resample(np.zeros((len(d["joints3d"]), 1)), float(d["fps"])))


def _read_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            d = {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise LMRStudioError(f"{path} does not exist.", HINT) from None
    except Exception as exc:
        raise LMRStudioError(f"{path} is not a readable .npz file ({exc.__class__.__name__}).", HINT) from None
    return d


def _checked(path: str | os.PathLike, d: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    if "joints3d" not in d or "fps" not in d:
        raise LMRStudioError(f"{path} lacks {'joints3d' if 'joints3d' not in d else 'fps'}.", HINT)
    j = np.asarray(d["joints3d"], dtype=np.float64)
    if j.ndim != 3 or j.shape[1:] != (24, 3) or len(j) < 8 or not np.isfinite(j).all():
        raise LMRStudioError(f"{path}: joints3d must be finite (F, 24, 3) with F >= 8, got {j.shape}.", HINT)
    if "poses" in d and np.shape(d["poses"]) != j.shape:
        raise LMRStudioError(f"{path}: poses must be (F, 24, 3) like joints3d, got {np.shape(d['poses'])}.", HINT)
    fps = float(d["fps"])
    if not 1 <= fps <= 1000:
        raise LMRStudioError(f"{path}: fps {fps} is not plausible.", HINT)
    return d


def _resample(x: np.ndarray, fps: float) -> np.ndarray:
    """(F, ...) sampled at ``fps`` -> linearly resampled at 30 fps."""
    if abs(fps - TARGET_FPS) < 0.5:
        return x
    t = np.arange(len(x)) / fps
    new_t = np.arange(0, t[-1] + 1e-9, 1 / TARGET_FPS)
    flat = x.reshape(len(x), -1)
    return np.stack([np.interp(new_t, t, flat[:, k]) for k in range(flat.shape[1])], 1).reshape(-1, *x.shape[1:])


def fit_betas(joints: np.ndarray, bank: BodyBank, steps: int = 200) -> np.ndarray:
    """(10,) betas whose skeleton's bone lengths best match the mean bone lengths of ``joints``."""
    target = torch.from_numpy(np.linalg.norm(joints[:, 1:] - joints[:, list(PARENTS[1:])], axis=-1).mean(0))
    basis = torch.from_numpy(bank.skel_basis)
    betas = torch.zeros(10, requires_grad=True)
    opt = torch.optim.Adam([betas], lr=0.05)
    for _ in range(steps):
        skel = skeleton_from_betas(basis, betas)
        lengths = (skel[1:] - skel[list(PARENTS[1:])]).norm(dim=-1)
        loss = ((lengths - target.float()) ** 2).sum() + 1e-4 * (betas ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            betas[ACTIVE_BETAS:] = 0
            betas.clamp_(-2.5, 2.5)
    return betas.detach().numpy().astype(np.float32)


#: The inverse kinematics' first Adam step size (6D rotation units).
IK_LR = 0.03


def fit_poses(joints: np.ndarray, rest: np.ndarray, steps: int = 600) -> np.ndarray:
    """Inverse kinematics: (F, 24, 3) positions on a (24, 3) rest skeleton -> (F, 24, 3) axis-angle.

    Adam's step is annealed (cosine, to 1 % of :data:`IK_LR`): at a constant rate each frame's
    solution kept hopping around its optimum independently of its neighbours, which added about
    7 mm/frame^2 of acceleration to smooth motion capture (LAFAN1, docs/model.md)."""
    f = len(joints)
    target = torch.from_numpy(joints - joints[:, :1]).float()
    rest_t = torch.from_numpy(rest).float().expand(f, -1, -1)
    x = torch.tensor([1.0, 0, 0, 1.0, 0, 0]).repeat(f, 24, 1)
    x[:, 0] = matrix_to_rot6d(torch.from_numpy(_root_rotations(joints, rest)).float())
    x.requires_grad_(True)
    opt = torch.optim.Adam([x], lr=IK_LR)
    annealing = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps, eta_min=0.01 * IK_LR)
    for _ in range(steps):
        rot = rot6d_to_matrix(x)
        posed, _ = forward_kinematics(rot, rest_t)
        err = ((posed - posed[:, :1]) - target).norm(dim=-1).mean()
        prior = 1e-3 * (rot[:, 1:] - torch.eye(3)).square().sum((-1, -2)).mean()
        smooth = 1e-2 * (rot[1:] - rot[:-1]).square().sum((-1, -2)).mean() if f > 1 else 0.0
        opt.zero_grad()
        (err + prior + smooth).backward()
        opt.step()
        annealing.step()
    return matrix_to_axis_angle(rot6d_to_matrix(x.detach())).numpy().astype(np.float32)


def _root_rotations(joints: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """(F, 3, 3) rotations taking the rest hips and spine (joints 1, 2, 3 about the pelvis) onto the
    observed ones (Kabsch): a start for IK that avoids the wrong-facing local minimum."""
    a = rest[[1, 2, 3]] - rest[0]
    b = joints[:, [1, 2, 3]] - joints[:, :1]
    u, _, vt = np.linalg.svd(np.einsum("ki,fkj->fij", a, b))
    d = np.sign(np.linalg.det(np.einsum("fij,fjk->fik", u, vt)))
    u[:, :, -1] *= d[:, None]
    return np.einsum("fij,fjk->fik", u, vt).transpose(0, 2, 1)


@dataclasses.dataclass
class FittedMotion:
    """A motion on the body model, in the world (y up), at :data:`TARGET_FPS`: ``poses`` (F, 24, 3)
    axis-angle (joint 0 = orientation in the world), ``betas`` (10,), ``transl`` (F, 3) metres
    added to the posed body, and ``fit_error_mm``: the mean distance of the fitted joints to the
    given ones after aligning the pelvis (0 when poses were given)."""

    poses: np.ndarray
    betas: np.ndarray
    transl: np.ndarray
    fit_error_mm: float = 0.0

    @property
    def fps(self) -> float:
        return TARGET_FPS


def fit_motion(d: dict[str, np.ndarray], body, bank: BodyBank, frames: int | None = None) -> FittedMotion:
    """A checked motion (see :func:`load_motion_file`), resampled to 30 fps and cut to its first
    ``frames`` frames, fitted on ``body`` (shape from ``bank``'s skeleton regressor)."""
    fps = float(d["fps"])
    joints = _resample(np.asarray(d["joints3d"], dtype=np.float64), fps)[:frames]
    if "betas" in d:
        betas = np.asarray(d["betas"], dtype=np.float32).reshape(-1, 10)[0]
    else:
        betas = fit_betas(joints, bank)
    one = build_body_bank(body, betas=betas[None])
    if "poses" in d:
        from scipy.spatial.transform import Rotation, Slerp  # resample rotations properly

        poses = np.asarray(d["poses"], dtype=np.float64)
        if abs(fps - TARGET_FPS) >= 0.5:
            t = np.arange(len(poses)) / fps
            new_t = np.arange(len(joints)) / TARGET_FPS
            poses = np.stack([Slerp(t, Rotation.from_rotvec(poses[:, j]))(new_t).as_rotvec() for j in range(24)], 1)
        poses = poses.astype(np.float32)[:frames]
        error = 0.0
    else:
        poses = fit_poses(joints, one.rest_joints[1])
        error = _fit_error_mm(poses, one.rest_joints[1], joints)
    transl = (joints[:, 0] - one.rest_joints[1, 0]).astype(np.float32)
    return FittedMotion(poses, betas, transl, error)


def _fit_error_mm(poses: np.ndarray, rest: np.ndarray, joints: np.ndarray) -> float:
    """Mean joint distance (mm) between FK of ``poses`` on ``rest`` and ``joints``, pelvis aligned."""
    rest_t = torch.from_numpy(rest).float().expand(len(poses), -1, -1)
    posed = forward_kinematics(axis_angle_to_matrix(torch.from_numpy(poses)), rest_t)[0].numpy()
    return float(1000 * np.linalg.norm((posed - posed[:, :1]) - (joints - joints[:, :1]), axis=-1).mean())


def clips_from_motion_file(path: str | os.PathLike, body, bank: BodyBank) -> ClipSet:
    """The user's motion as an evaluation :class:`ClipSet` (one clip per evaluation camera)."""
    motion = fit_motion(load_motion_file(path), body, bank)
    clip = MotionClip(motion.poses, motion.transl, TARGET_FPS, "user")
    one = build_body_bank(body, betas=motion.betas[None])
    rng = np.random.default_rng(TEST_SEED)
    return stack_samples([synthesize(clip, one, 1, rng) for _ in range(CAMERAS)], ["user"] * CAMERAS)
