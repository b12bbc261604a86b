"""Pipeline speed against the number of people, on the generated crowd clip (lmr_studio.bench.crowd).

``pipeline_fps_6_people``: end-to-end frames/s (decode + tracking + BlazePose + LMR + body joints,
``iter_recover`` with every person, keypoint cache off, models preloaded) over the first 90
frames of the crowd clip, where 6.4 people are in view per frame on average (measured truth).
``tracking_ms_by_people``: tracker milliseconds per frame grouped by how many people it followed
in that frame. The clip is rendered once (about 2 minutes) and kept in the user cache.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from lmr_studio.bench.crowd import Crowd, make_crowd
from lmr_studio.bench.pipeline import _load
from lmr_studio.pipeline import ProcessOptions, Recoverer, iter_recover
from lmr_studio.result import MotionResult
from lmr_studio.video import VideoSource

CLIP_FRAMES = 90
CLIP_VERSION = 1  # bump when lmr_studio.bench.crowd changes what it renders


def crowd_clip() -> tuple[Path, Crowd]:
    """The benchmark's crowd clip and its truth, rendered on first use into the user cache."""
    from lmr_studio.body.paths import cache_dir

    folder = cache_dir() / "bench"
    folder.mkdir(exist_ok=True)
    clip, truth = folder / f"crowd-v{CLIP_VERSION}.mp4", folder / f"crowd-v{CLIP_VERSION}-truth.npz"
    if not (clip.exists() and truth.exists()):
        make_crowd(clip, CLIP_FRAMES).save(truth)
    return clip, Crowd.load(truth)


def tracking_by_people(clip: Path) -> dict[int, float]:
    """Median tracker ms per frame, by the number of people followed in that frame."""
    from lmr_studio.perception.tracking import PersonTracker, TrackerSettings

    times: dict[int, list[float]] = {}
    with VideoSource(clip) as source:
        tracker = PersonTracker(TrackerSettings.for_fps(source.fps, source.num_frames), max_people=None)
        try:
            for i, frame in enumerate(source):
                start = time.perf_counter()
                tracker.update(i, frame)
                followed = sum(1 for t in tracker.tracks().values() if t.frame_ids[-1] == i)
                times.setdefault(followed, []).append(1000 * (time.perf_counter() - start))
        finally:
            tracker.close()
    return {k: round(float(np.median(v)), 1) for k, v in sorted(times.items())}


def run(quick: bool = False, device: str | None = None) -> dict:
    """Figures (see the module docstring); ``quick`` skips the per-people-count breakdown."""
    clip, truth = crowd_clip()
    model, body, _ = _load(device)
    with VideoSource(clip) as source:
        recoverer = Recoverer(model, body, source.size, device)
        size = source.size
    start, cpu_start = time.perf_counter(), time.process_time()
    result = None
    for item in iter_recover(clip, ProcessOptions(all_tracks=True, use_cache=False), model, body, recoverer=recoverer):
        if isinstance(item, MotionResult):
            result = item
    total, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    per_frame = np.bincount(np.concatenate([t.frame_ids for t in result.tracks.values()]), minlength=result.num_frames)
    figures = {
        "pipeline_fps_6_people": round(result.num_frames / total, 2),
        "pipeline_6_people_cpu_ms_per_frame": round(1000 * cpu / result.num_frames, 1),
        "pipeline_6_people_video": f"generated crowd {size[0]}x{size[1]}, {result.num_frames} frames, "
                                   f"{truth.present.sum(0).mean():.1f} people in view per frame, "
                                   f"{per_frame.mean():.1f} with a mesh",
    }
    if not quick:
        figures["tracking_ms_by_people"] = tracking_by_people(clip)
    return figures
