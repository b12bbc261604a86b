"""Pipeline speed on the bundled sample: end-to-end frames/s and milliseconds per frame per stage.

End to end = decode + person tracking + BlazePose keypoints + LMR + body-model joints, the
same generator the CLI and GUI drive (``iter_recover``), with the keypoint cache off and the
network, the body model and BlazePose already loaded (their load time is reported apart). When no trained
weights exist yet, a random-init LMR of the same size stands in (``pipeline_weights`` says so).
"""

from __future__ import annotations

import time
from pathlib import Path

from lmr_studio.pipeline import ProcessOptions, Recoverer, iter_recover
from lmr_studio.resources import SAMPLE_VIDEO
from lmr_studio.result import MotionResult
from lmr_studio.video import VideoSource


def _load(device: str | None):
    from lmr_studio.body import load_body_model
    from lmr_studio.errors import BadWeightsError
    from lmr_studio.model import build_model, load_model
    from lmr_studio.perception import blazepose

    blazepose.preload()
    try:
        model = load_model("lmr", device=device)
        weights = str(model.version)
    except BadWeightsError:
        model = build_model("lmr").to(device or "cpu").eval()
        weights = "random-init (no weights/lmr.pt)"
    return model, load_body_model("anny"), weights


def run(quick: bool = False, video: Path = SAMPLE_VIDEO, device: str | None = None) -> dict:
    """Figures: ``pipeline_fps``, ``pipeline_stages`` (ms/frame), CPU time per frame, load time, and
    what was run. On a shared machine the wall-clock figures include time other processes took.
    ``quick`` changes nothing: the 5 s sample is already one short pass."""
    start = time.perf_counter()
    model, body, weights = _load(device)
    load_s = time.perf_counter() - start
    with VideoSource(video) as source:
        start = time.perf_counter()
        for _ in source:
            pass
        decode_ms = 1000 * (time.perf_counter() - start) / source.num_frames
        recoverer = Recoverer(model, body, source.size, device)
    options = ProcessOptions(use_cache=False)
    start, cpu_start = time.perf_counter(), time.process_time()
    result = None
    for item in iter_recover(video, options, model, body, recoverer=recoverer):
        if isinstance(item, MotionResult):
            result = item
    total, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    frames = result.num_frames
    lmr_ms, body_ms = (1000 * recoverer.seconds[k] / frames for k in ("lmr", "body"))
    stages = {"decode": decode_ms, "detect_keypoints": 1000 * total / frames - decode_ms - lmr_ms - body_ms,
              "lmr": lmr_ms, "body_model": body_ms}
    return {
        "pipeline_fps": round(frames / total, 2),
        "pipeline_stages": {k: round(v, 2) for k, v in stages.items()},
        "pipeline_cpu_ms_per_frame": round(1000 * cpu / frames, 1),  # all threads; > wall time when parallel
        "pipeline_load_s": round(load_s, 2),
        "pipeline_video": f"{video.name} {result.image_size[0]}x{result.image_size[1]}, {frames} frames",
        "pipeline_frames_with_person": len(result.main),
        "pipeline_weights": weights,
    }
