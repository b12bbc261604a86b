"""Render-and-detect clips scored after the pipeline's 2D refinement, without rendering again.

A shard keeps what the pipeline would have had for each clip: BlazePose's keypoints (pixels) and
world landmarks and the image size. :func:`refined_predictions` runs every clip
through :class:`~lmr_studio.pipeline.Recoverer` exactly as a video's track (the network with one
state over the clip, then the refinement toward the keypoints and the world landmarks, with the
focal length the pipeline assumes for a video, not the clip's true one), so a
refinement setting can be measured on the held-out split of a large, varied pool (every camera
height, backs, clothes) instead of on the few videos of LAFAN1 that it is then checked on.
"""

from __future__ import annotations

import numpy as np

from lmr_studio.model.refine import RefineSettings
from lmr_studio.perception.tracking import KeypointTrack
from lmr_studio.pipeline import Recoverer
from lmr_studio.training.realdet_clips import fully_detected


def refined_predictions(model, body, data: dict[str, np.ndarray], refine: RefineSettings | None,
                        use_world: bool = True) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per fully detected clip of :func:`~lmr_studio.training.realdet.load_realdet`'s ``data``
    (the clips :func:`~lmr_studio.training.realdet_clips.clips_from_realdet` keeps, in its
    order): (poses (F, 24, 3), betas (F, 10)) after the network and, unless ``refine`` is None,
    the refinement. ``use_world`` False: as for imported keypoints, without world landmarks."""
    out = []
    for c in np.flatnonzero(fully_detected(data)):
        width, height = (int(v) for v in data["image_size"][c])
        recoverer = Recoverer(model, body, (width, height), refine=refine)  # the pipeline's focal guess
        keypoints = data["keypoints"][c].astype(np.float32)
        world = data["world"][c].astype(np.float32) if use_world else None
        track = recoverer.recover(KeypointTrack(np.arange(len(keypoints)), keypoints, world))
        out.append((track.poses, track.betas))
    return out
