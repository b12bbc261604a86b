"""DeepMimic's motion-capture clips: real human motion that LMR Studio may train on.

Fifteen humanoid clips (walk, run, jump, kick, spin kick, punch, two dances, crawl, roll, spin,
cartwheel, backflip, getting up from lying face down and face up) and five of a walker (a walk,
two turns each way), about 42 s in all. DeepMimic (Peng et al. 2018) retargeted them from the CMU
and SFU motion-capture databases to its humanoid; the ``pybullet`` wheel redistributes them in
``pybullet_data/data/motions`` under the zlib licence (any use, commercial included), so unlike
LAFAN1 they may be trained on. :func:`deepmimic_clips` fetches ``pybullet==3.2.7``'s Linux wheel
with ``pip download`` into ``<user cache>/motion/deepmimic`` (PyPI is the only network access),
reads just the motion files after checking their SHA-256, and writes each clip, and its mirror
image, as an ``.npz`` that ``--motion`` reads: ``joints3d`` (F, 24, 3) metres, SMPL order, y up,
and ``fps``.

File format (JSON): ``{"Loop": "wrap" | "none", "Frames": [[duration s, root position (3), root
quaternion (w, x, y, z), chest, neck, right hip (4 each), right knee (1: radians about z), right
ankle, right shoulder (4 each), right elbow (1), left hip (4), left knee (1), left ankle, left
shoulder (4 each), left elbow (1)], ...]}``: 44 numbers per frame, metres, y up; the character
faces +x and its right is +z. Joint offsets: ``pybullet_data/humanoid/humanoid.urdf``, whose
model is four times the motions' scale (:data:`OFFSETS`).

A looping clip is repeated to :data:`LOOP_SECONDS`, each cycle moved on by the yaw and ground
shift from its first frame to its last; the others hold their first and last pose for
:data:`HOLD_FRAMES` frames (a person standing before and after), so that every clip fills a
64-frame training window.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from lmr_studio.body.paths import cache_dir
from lmr_studio.errors import LMRStudioError
from lmr_studio.io.atomic import atomic_path
from lmr_studio.training.bvh_smpl import complete_smpl_joints
from lmr_studio.training.pypi_fetch import pip_download

#: The name ``--motion`` (``lmr-studio datagen``, ``lmr-studio eval``) takes for these clips.
DEEPMIMIC = "deepmimic"
WHEEL = "pybullet==3.2.7"
_MOTIONS = "pybullet_data/data/motions/"
#: Clip name -> (member of the wheel, SHA-256 of the file).
CLIPS: dict[str, tuple[str, str]] = {
    "backflip": ("humanoid3d_backflip.txt", "ffc5e117f69364e239eeedc86d6a30ab854500a375a1c137a405f1b7652905e6"),
    "cartwheel": ("humanoid3d_cartwheel.txt", "17453459a40ec4ea08346072748ae3c7c384b49e619753e9779637fa8a9f7c49"),
    "crawl": ("humanoid3d_crawl.txt", "104a3b675131a43e7a214e24c0ed631c6a0d814b85c8b66b71ce63b23a5731ae"),
    "dance_a": ("humanoid3d_dance_a.txt", "15ef3731f594edc9ed078170f1075815cc164acaca9e35a46db12a31ac64b717"),
    "dance_b": ("humanoid3d_dance_b.txt", "b5a9d7a3f2304f6242776d7ff6d19d1f6bcb98d78d68622761c3843b614a92b5"),
    "getup_facedown": ("humanoid3d_getup_facedown.txt",
                       "1bd1a96e9175f65eb66e10f225473b4467bd70c68e283f4006b2ab090e337c0b"),
    "getup_faceup": ("humanoid3d_getup_faceup.txt", "5936c32d51dad9b0cd5e61df681079d160436cdce845c312f200d7a347c4040d"),
    "jump": ("humanoid3d_jump.txt", "a433557e94b193d8a95530572a0e32f387eb6d9996987b4216efb65444c3c641"),
    "kick": ("humanoid3d_kick.txt", "177cfb399466309ba7f4a8a987c3b6f6edde1cbe8b2d476e53dc6061ec5d4bac"),
    "punch": ("humanoid3d_punch.txt", "1ab4b654cecdb4ff3b2a4bf4086e50397bef28435bb59ab3aedd6a6bdc926fde"),
    "roll": ("humanoid3d_roll.txt", "50d75c2243b2859f8dcae4ad8fa14b59054dd9ee529b4fb52ec14470cd982c55"),
    "run": ("humanoid3d_run.txt", "2cbe488023b243e5769299158ce7c78875ec4b701a2ffe6c0beeaf83d16ca87b"),
    "spin": ("humanoid3d_spin.txt", "9614f10b92e7a8b123990ad5bcfafc65aa4d8fa8ac7f10ade3c3591122d34425"),
    "spinkick": ("humanoid3d_spinkick.txt", "60ec9c200d96e0cd71693061f24db0bd8da9eb295daf487f6f60f8dfb324075a"),
    "walk": ("humanoid3d_walk.txt", "32d082c3599bc40aac50b1afa196ff1e2cf3842bb40f0541ab088845f6328a41"),
    "walker_walk": ("walker/0walk_forward.txt", "a8790c45361077ff07d99c3f00a1fa73b78ff3ec77d083188f13eac75dcc0a58"),
    "walker_turn_left0": ("walker/turn_left0.txt", "5120bb55a4eb3ecfa75bcffcd472ad0b5be01647536f707896b9a9af655d6fce"),
    "walker_turn_left1": ("walker/turn_left1.txt", "e78540dcccfad969ff1304182de293714c1db163096ee37a02dbf34930e0c3d0"),
    "walker_turn_right0": ("walker/turn_right0.txt", "c1fa371a7d7d625970ad7fec0bb2d7ba59205acb74f8fac15f46799ae3a80ce3"),
    "walker_turn_right1": ("walker/turn_right1.txt", "3a655a1e9334cef592b5b7bef4fd7a52e46fcacc8c7c807cfa1bee8249e6350d"),
}
#: Seconds a looping clip is repeated to.
LOOP_SECONDS = 8.0
#: Frames (at the clip's own rate) a clip that does not loop holds its first and last pose.
HOLD_FRAMES = 30
#: Joint offsets from the parent joint in the parent's frame, metres (humanoid.urdf / 4), and
#: points on a joint's body: the SMPL toe in the ankle's frame, the SMPL head joint in the neck's.
OFFSETS = {
    "chest": (0.0, 0.236151, 0.0), "neck": (0.0, 0.223894, 0.0),
    "right_hip": (0.0, 0.0, 0.084887), "left_hip": (0.0, 0.0, -0.084887),
    "knee": (0.0, -0.421546, 0.0), "ankle": (0.0, -0.40987, 0.0),
    "right_shoulder": (-0.02405, 0.2435, 0.18311), "left_shoulder": (-0.02405, 0.2435, -0.18311),
    "elbow": (0.0, -0.274788, 0.0), "wrist": (0.0, -0.258947, 0.0),
    "toe": (0.12, -0.045, 0.0), "head": (0.0, 0.1, 0.0),
}
#: SMPL joint -> its mirror image's (left and right swapped).
SMPL_MIRROR = (0, 2, 1, 3, 5, 4, 6, 8, 7, 9, 11, 10, 12, 14, 13, 15, 17, 16, 19, 18, 21, 20, 23, 22)
_VALUES = 44


def deepmimic_folder() -> Path:
    """``<user cache>/motion/deepmimic`` (created)."""
    folder = cache_dir() / "motion" / DEEPMIMIC
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def parse_deepmimic(text: str, source: str = "DeepMimic motion") -> tuple[np.ndarray, bool]:
    """(F, 44) frames and whether the clip loops; LMRStudioError when ``text`` is not such a file."""
    try:
        data = json.loads(text)
        frames = np.asarray(data["Frames"], dtype=np.float64)
        loop = data.get("Loop", "none") == "wrap"
    except (ValueError, KeyError, TypeError):
        raise LMRStudioError(f"{source} is not a DeepMimic motion file.",
                             "Expected JSON with a list of frames under 'Frames'.") from None
    if frames.ndim != 2 or frames.shape[1] != _VALUES or len(frames) < 2 or not np.isfinite(frames).all():
        raise LMRStudioError(f"{source}: expected at least 2 frames of {_VALUES} numbers, got {frames.shape}.",
                             "Only DeepMimic's humanoid3d format is read.")
    if (frames[:-1, 0] <= 0).any():  # the last frame ends the clip: 0 s
        raise LMRStudioError(f"{source}: a frame lasts 0 s or less.", "Each frame starts with its duration.")
    return frames, loop


def _rot(q_wxyz: np.ndarray) -> Rotation:
    return Rotation.from_quat(q_wxyz[..., [1, 2, 3, 0]])


def deepmimic_joints(frames: np.ndarray) -> np.ndarray:
    """(F, 44) DeepMimic frames -> (F, 24, 3) SMPL joint positions, metres, y up."""
    off = {k: np.asarray(v) for k, v in OFFSETS.items()}
    root_p = frames[:, 1:4]
    root = _rot(frames[:, 4:8])
    chest = root * _rot(frames[:, 8:12])
    neck = chest * _rot(frames[:, 12:16])
    out = np.zeros((len(frames), 24, 3))
    out[:, 0] = root_p
    out[:, 6] = chest_p = root_p + root.apply(off["chest"])
    out[:, 12] = neck_p = chest_p + chest.apply(off["neck"])
    out[:, 15] = neck_p + neck.apply(off["head"])
    out[:, 3] = (root_p + chest_p) / 2
    out[:, 9] = chest_p + 0.25 * (neck_p - chest_p)
    # (hip, knee, ankle, foot, shoulder, elbow, wrist) SMPL joints and the columns of hip, knee,
    # ankle, shoulder, elbow in the frame, per side
    sides = {"right": ((2, 5, 8, 11, 17, 19, 21), (16, 20, 21, 25, 29)),
             "left": ((1, 4, 7, 10, 16, 18, 20), (30, 34, 35, 39, 43))}
    for side, ((hip, knee, ankle, foot, shoulder, elbow, wrist), (c_hip, c_knee, c_ankle, c_sh, c_el)) in sides.items():
        thigh = root * _rot(frames[:, c_hip:c_hip + 4])
        shin = thigh * Rotation.from_rotvec(frames[:, c_knee, None] * [0.0, 0.0, 1.0])
        foot_r = shin * _rot(frames[:, c_ankle:c_ankle + 4])
        out[:, hip] = root_p + root.apply(off[f"{side}_hip"])
        out[:, knee] = out[:, hip] + thigh.apply(off["knee"])
        out[:, ankle] = out[:, knee] + shin.apply(off["ankle"])
        out[:, foot] = out[:, ankle] + foot_r.apply(off["toe"])
        upper = chest * _rot(frames[:, c_sh:c_sh + 4])
        fore = upper * Rotation.from_rotvec(frames[:, c_el, None] * [0.0, 0.0, 1.0])
        out[:, shoulder] = chest_p + chest.apply(off[f"{side}_shoulder"])
        out[:, elbow] = out[:, shoulder] + upper.apply(off["elbow"])
        out[:, wrist] = out[:, elbow] + fore.apply(off["wrist"])
    placed = set(range(24)) - {13, 14, 22, 23}
    return complete_smpl_joints(out, placed)


def looped(joints: np.ndarray, cycles: int) -> np.ndarray:
    """(F, 24, 3) one cycle of a looping motion (its last frame the first's pose, moved on) ->
    ``cycles`` cycles, (cycles (F - 1) + 1, 24, 3): each cycle turned about y and shifted on the
    ground by the pelvis's heading change and shift from the cycle's first frame to its last."""
    def ground_pose(frame: np.ndarray) -> tuple[float, np.ndarray]:
        across = frame[2] - frame[1]  # left hip -> right hip
        return float(np.arctan2(across[0], across[2])), frame[0] * [1.0, 0.0, 1.0]

    yaw0, at0 = ground_pose(joints[0])
    yaw_per_cycle = ground_pose(joints[-1])[0] - yaw0
    out = [joints]
    for k in range(1, cycles):
        # cycle k starts where cycle k - 1 ended, turned k times: x -> turn (x - at0) + at_end
        at_end = out[-1][-1, 0] * [1.0, 0.0, 1.0]
        turn = Rotation.from_rotvec([0.0, k * yaw_per_cycle, 0.0])
        out.append(turn.apply((joints[1:] - at0).reshape(-1, 3)).reshape(joints[1:].shape) + at_end)
    return np.concatenate(out)


def held(joints: np.ndarray, frames: int) -> np.ndarray:
    """(F, 24, 3) -> (F + 2 ``frames``, 24, 3): the first and last pose held ``frames`` frames."""
    return np.concatenate([np.repeat(joints[:1], frames, 0), joints, np.repeat(joints[-1:], frames, 0)])


def mirrored(joints: np.ndarray) -> np.ndarray:
    """(F, 24, 3) -> the mirror image (z negated, left and right swapped; the clips' right is +z)."""
    return joints[:, list(SMPL_MIRROR)] * [1.0, 1.0, -1.0]


def clip_joints(text: str, source: str = "DeepMimic motion") -> tuple[np.ndarray, float]:
    """A DeepMimic file's text -> (F, 24, 3) SMPL joints as :func:`deepmimic_clips` writes them
    (looped to :data:`LOOP_SECONDS` or held :data:`HOLD_FRAMES`), and their frames per second."""
    frames, loop = parse_deepmimic(text, source)
    fps = 1.0 / float(np.median(frames[:-1, 0]))
    joints = deepmimic_joints(frames)
    if loop:
        joints = looped(joints, max(1, int(np.ceil(LOOP_SECONDS * fps / (len(joints) - 1)))))
    else:
        joints = held(joints, HOLD_FRAMES)
    return joints, fps


def _download_wheel(into: Path, index_url: str | None) -> Path:
    """``pip download`` pybullet's Linux wheel for CPython 3.11 (the same file on any machine)."""
    return pip_download(WHEEL, into, "pybullet-*.whl", ["--only-binary", ":all:", "--platform", "manylinux2014_x86_64",
                                                        "--python-version", "3.11", "--implementation", "cp"],
                        index_url, "DeepMimic's clips",
                        "Connect to the internet (only PyPI is needed) and run the command again.", timeout_s=1200)


def deepmimic_clips(index_url: str | None = None,
                    clips: dict[str, tuple[str, str]] = CLIPS) -> dict[str, Path]:
    """{clip name: its .npz in the user cache} for every clip of ``clips`` (name -> (member of the
    wheel's motions folder, SHA-256)) and its mirror image (``<name>_mirror``), fetching the wheel
    (from ``index_url``, default PyPI) and converting when needed."""
    folder = deepmimic_folder()
    paths = {f"{name}{tail}": folder / f"{name}{tail}.npz" for name in clips for tail in ("", "_mirror")}
    if all(p.is_file() for p in paths.values()):
        return paths
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        with zipfile.ZipFile(_download_wheel(Path(tmp), index_url)) as wheel:
            texts = {name: wheel.read(_MOTIONS + member) for name, (member, _) in clips.items()}
    for name, data in texts.items():
        if hashlib.sha256(data).hexdigest() != clips[name][1]:
            raise LMRStudioError(f"{WHEEL} on PyPI holds a different {clips[name][0]} than expected.",
                                 "Report this; train without DeepMimic's clips meanwhile.")
    for name, data in texts.items():
        joints, fps = clip_joints(data.decode(), clips[name][0])
        for tail, j in (("", joints), ("_mirror", mirrored(joints))):
            with atomic_path(paths[name + tail], overwrite=True) as out:
                with open(out, "wb") as f:
                    np.savez(f, joints3d=j.astype(np.float32), fps=np.array(fps))
    return paths
