"""Make the screenshots of docs/gui.md with ``lmr-studio ... --screenshot``, at 1000x700 and 1600x1000.

The result shown is the bundled sample's ground-truth motion with BlazePose's keypoints of the
clip (so the figures do not depend on trained weights): ``sample.lmr.npz`` is written beside a
link to the sample video in a temporary folder. States: the start screen; the result with the
mesh, skeleton and keypoint overlays; the result after its video moved (Locate video).

    .venv/bin/python scripts/make_screenshots.py [--out docs/images]   (needs an X display or xvfb-run)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SIZES = ((1000, 700), (1600, 1000))
FRAME = 40


def sample_result(folder: Path) -> Path:
    """``folder/sample.lmr.npz``: the sample's true motion with the clip's BlazePose keypoints."""
    from lmr_studio.bench.gui import sample_truth_result
    from lmr_studio.resources import SAMPLE_VIDEO
    from lmr_studio.keypoint_error import keypoint_error
    from lmr_studio.perception.keypoints import video_keypoint_tracks
    from lmr_studio.video import VideoSource

    video = folder / "sample.mp4"
    shutil.copy(SAMPLE_VIDEO, video)
    result = sample_truth_result()
    with VideoSource(video) as source:
        tracks = None
        for _done, found in video_keypoint_tracks(source):
            tracks = found if found is not None else tracks
    keypoints = max(tracks.values(), key=len)
    track = result.main
    rows = np.searchsorted(keypoints.frame_ids, track.frame_ids).clip(0, len(keypoints) - 1)
    track.keypoints2d = np.where((keypoints.frame_ids[rows] == track.frame_ids)[:, None, None],
                                 keypoints.keypoints[rows], 0).astype(np.float32)
    track.keypoint_error = keypoint_error(track.joints2d, track.keypoints2d)
    result.video_path = str(video)
    return result.save(folder / "sample.lmr.npz")


def shoot(args: list[str], png: Path, scratch: Path) -> None:
    """One ``lmr-studio ... --screenshot`` run with fresh settings (no remembered layout; no
    ghost, which needs trained weights)."""
    config = Path(tempfile.mkdtemp(prefix="config-", dir=scratch))
    (config / "lmr-studio.ini").write_text("[General]\nghost=false\n")
    env = dict(os.environ, LMR_STUDIO_CONFIG_DIR=str(config))
    cmd = [sys.executable, "-m", "lmr_studio.cli", *args, "--screenshot", str(png)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    print(f"wrote {png}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        npz = sample_result(folder)
        moved = folder / "moved"
        moved.mkdir()
        shutil.copy(npz, moved / "sample.lmr.npz")                         # its video is not beside it
        from lmr_studio.result import MotionResult

        gone = MotionResult.load(moved / "sample.lmr.npz")
        gone.video_path = str(folder / "gone" / "sample.mp4")
        gone.save(moved / "sample.lmr.npz")
        for w, h in SIZES:
            size = ["--size", f"{w}x{h}"]
            shoot(size, args.out / f"gui-start-{w}x{h}.png", folder)
            for overlay in ("mesh", "skeleton", "keypoints"):
                shoot([str(npz), "--frame", str(FRAME), "--overlay", overlay, *size],
                      args.out / f"gui-{overlay}-{w}x{h}.png", folder)
            shoot([str(moved / "sample.lmr.npz"), "--frame", str(FRAME), *size],
                  args.out / f"gui-video-moved-{w}x{h}.png", folder)


if __name__ == "__main__":
    main()
