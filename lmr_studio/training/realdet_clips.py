"""Render-and-detect shards (:mod:`lmr_studio.training.realdet`) as a :class:`ClipSet`.

The network sees exactly what the video pipeline would give it: BlazePose's 2D keypoints in the
box made from them, and its world landmarks smoothed over the clip's frames as over a video's
track (:func:`~lmr_studio.perception.features.steady_world`). Only clips in which BlazePose found
the person on every frame are kept (a track with gaps would be a different sequence of frames);
the rest are counted so a report can say how many were dropped.

Splits: every :data:`HOLDOUT_EVERY`-th shard (by shard index) is the ``test`` split, never
trained on; the rest is ``train``. The bodies (bank train split) and motion families are the
same in both: the test split holds out clips, cameras, looks and BlazePose's errors on them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from lmr_studio.geometry.camera import pixels_to_box
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.perception.features import box_from_keypoints, keypoint_features, steady_world
from lmr_studio.training.dataset import ClipSet

#: Shards whose index is a multiple of this form the test split.
HOLDOUT_EVERY = 8
#: The split names :func:`realdet_split` takes.
SPLITS = ("test", "train", "all")


def realdet_split(data: dict[str, np.ndarray], split: str) -> dict[str, np.ndarray]:
    """The clips of :func:`load_realdet`'s arrays in ``split`` (train | test | all)."""
    if split == "all":
        return data
    test = data["shard"] % HOLDOUT_EVERY == 0
    keep = test if split == "test" else ~test
    return {k: v[keep] for k, v in data.items()}


def fully_detected(data: dict[str, np.ndarray]) -> np.ndarray:
    """(N,) bool: the clips of :func:`load_realdet`'s arrays whose every frame has a detection."""
    return data["found"].all(1)


def clips_from_realdet(data: dict[str, np.ndarray]) -> tuple[ClipSet, int]:
    """(clips whose every frame has a detection, number of clips dropped) from :func:`load_realdet`'s arrays."""
    keep = fully_detected(data)
    kp = data["keypoints"][keep].astype(np.float32)
    box = box_from_keypoints(kp).astype(np.float32)
    as_t = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))  # noqa: E731
    poses = as_t(data["poses"][keep])
    raw_world = data["world"][keep]
    frames = np.arange(kp.shape[1])
    world = np.array([steady_world(w, frames) for w in raw_world], np.float32).reshape(raw_world.shape)
    clips = ClipSet(features=as_t(keypoint_features(kp, box, world)),
                    rotmat=axis_angle_to_matrix(poses), poses=poses, betas=as_t(data["betas"][keep]),
                    joints3d=as_t(data["joints3d"][keep]),
                    joints2d=as_t(pixels_to_box(data["joints2d"][keep].astype(np.float32), box)),
                    keypoints=as_t(kp), families=[str(f) for f in data["family"][keep]])
    return clips, int((~keep).sum())


def load_realdet_clips(directories, split: str) -> tuple[ClipSet, int]:
    """The ``split`` clips of the shards in one folder or a list of folders (pools made with
    different options, e.g. ``--camera-pitch``; :func:`~lmr_studio.training.realdet.load_realdet`)
    as :func:`clips_from_realdet` gives them: (clips, number of clips with missed frames left out)."""
    return clips_from_realdet(load_realdet_split(directories, split))


def load_realdet_split(directories, split: str) -> dict[str, np.ndarray]:
    """The ``split`` arrays of the shards in one folder or a list of folders, concatenated (each
    pool keeps its own split: the split goes by shard index within the pool)."""
    from lmr_studio.training.realdet import load_realdet

    folders = [directories] if isinstance(directories, (str, Path)) else list(directories)
    pools = [realdet_split(load_realdet(folder), split) for folder in folders]
    return {k: np.concatenate([pool[k] for pool in pools]) for k in pools[0]}
