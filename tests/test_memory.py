"""Memory stays bounded on a long video: no per-frame growth beyond the result arrays.

The 30-minute 720p figures of the README come from ``scripts/measure_memory.py``; this checks
the same property on a 25-second clip, in this process.
"""

import cv2
import numpy as np
import pytest
import torch

from lmr_studio.memory import reset_peak, resident_memory
from lmr_studio.model import build_model
from lmr_studio.pipeline import ProcessOptions, Progress, iter_process
from lmr_studio.result import MotionResult
from lmr_studio.video import VideoSource
from tests.fixtures.media import SAMPLE_DIR

LOOPS = 5  # the 125-frame sample, five times: 625 frames of 640x480


def looped_sample(path, loops: int):
    """Write the bundled sample ``loops`` times over into ``path`` (MJPG), one frame in memory at a time."""
    writer = None
    for _ in range(loops):
        with VideoSource(SAMPLE_DIR / "sample.mp4") as source:
            for frame in source:
                if writer is None:
                    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), source.fps,
                                             (frame.shape[1], frame.shape[0]))
                writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


@pytest.mark.slow
def test_memory_does_not_grow_with_the_frames(smpl_body, tmp_path):
    """Resident memory from a quarter of the clip to its end grows far less than one kept frame per
    frame would make it grow (0.9 MB a frame here); the result itself holds ~1.3 kB a frame."""
    if resident_memory() is None:
        pytest.skip("no /proc to read resident memory from")
    clip = looped_sample(tmp_path / "long.avi", LOOPS)
    torch.manual_seed(0)
    models = build_model("lmr"), smpl_body
    rss, result = {}, None
    options = ProcessOptions(use_cache=False, keypoint_cache_dir=str(tmp_path / "cache"))
    for item in iter_process(clip, options, load=lambda _options, _progress: models):
        if isinstance(item, Progress) and item.stage == "keypoints":
            rss[item.done] = resident_memory()[0]
        elif isinstance(item, MotionResult):
            result = item
    frames = result.num_frames
    later = [size for done, size in rss.items() if done >= frames // 4]
    growth = max(later) - later[0]
    kept = sum(np.asarray(v).nbytes for t in result.tracks.values() for v in vars(t).values() if v is not None)
    frame_bytes = 640 * 480 * 3
    print(f"{frames} frames: resident memory grew {growth / 2**20:.1f} MB over the last three quarters; "
          f"result {kept / frames:.0f} bytes a frame")
    assert frames == 125 * LOOPS and result.tracks
    assert growth < 0.15 * frame_bytes * (frames - frames // 4)


def test_reset_peak_forgets_an_earlier_peak():
    """After a 64 MB block is freed, the peak counts again from the memory held now (how
    ``scripts/measure_memory.py`` gets the exact peak of each phase of the window)."""
    if resident_memory() is None or not reset_peak():
        pytest.skip("no /proc/self/clear_refs to restart the peak from")
    block = np.ones(64 * 2**20 // 8)                 # every page written: resident
    peak_with_block = resident_memory()[1]
    del block
    assert reset_peak()
    current, peak = resident_memory()
    assert current <= peak < peak_with_block - 32 * 2**20
