"""Peak memory of a long 720p video in the command line and in the window (issue 10, item 4).

    python scripts/measure_memory.py [--minutes 30] [--fps 5] [--clip /tmp/long720.mp4] [--window] [--json]

Makes the clip first when it does not exist: the bundled sample (640x480, one person doing
jumping jacks) scaled to 960x720, centred on a 1280x720 frame and looped to ``--minutes`` at
``--fps`` (H.264 through PyAV). Then runs ``lmr-studio process CLIP --no-cache`` (or, with
``--window``, the window: ``lmr-studio CLIP --frame 0 --screenshot PNG`` under ``xvfb-run``,
which processes the clip and exits), reads the process's resident memory (``/proc/PID/status``)
every second and prints the peak, the resident memory at 10 / 25 / 50 / 75 / 90 % of the run (flat
when memory is bounded), the result's bytes per frame and the run time. Nothing is written into
the checkout; the result file goes to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from lmr_studio.memory import resident_memory  # noqa: E402

SAMPLE = ROOT / "assets" / "sample" / "sample.mp4"
SIZE = (1280, 720)


def make_clip(path: Path, minutes: float, fps: float) -> int:
    """Write the looped, upscaled sample to ``path``; returns its frame count."""
    import av
    import cv2

    from lmr_studio.io.atomic import atomic_path
    from lmr_studio.video import VideoSource

    with VideoSource(SAMPLE) as source:
        loop = list(source)
    height = SIZE[1]
    width = round(loop[0].shape[1] * height / loop[0].shape[0])
    left = (SIZE[0] - width) // 2
    frames = []
    for image in loop:
        canvas = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
        canvas[:, left:left + width] = cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)
        frames.append(canvas)
    count = round(minutes * 60 * fps)
    with atomic_path(path) as tmp:
        with av.open(str(tmp), "w", format="mp4") as container:
            stream = container.add_stream("libx264", rate=round(fps))
            stream.width, stream.height, stream.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
            stream.options = {"crf": "26", "preset": "veryfast"}
            for i in range(count):
                frame = av.VideoFrame.from_ndarray(frames[i % len(frames)], format="rgb24")
                container.mux(stream.encode(frame))
            container.mux(stream.encode(None))
    return count


def _is_app(pid: int) -> bool:
    """Whether process ``pid`` is Python running ``-m lmr_studio.cli`` (not xvfb-run, whose arguments name it too)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"python" in Path(args[0].decode(errors="replace")).name.encode() and b"lmr_studio.cli" in args


def _app_pid(root: int) -> int | None:
    """``root`` or its descendant that is the app (xvfb-run starts the window as a child)."""
    if _is_app(root):
        return root
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    todo = [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            if _is_app(child):
                return child
            todo.append(child)
    return None


def measure(command: list[str], log: Path, every: float = 1.0) -> dict:
    """Run ``command`` (its output to ``log``); resident memory of its lmr_studio.cli process over time,
    each sample also written to ``log`` + ``.rss.csv`` as it is taken (seconds, bytes)."""
    start = time.monotonic()
    with open(log, "w") as out, open(str(log) + ".rss.csv", "w") as trace:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        samples, peak, pid = [], 0, None
        while proc.poll() is None:
            pid = pid or _app_pid(proc.pid)
            sizes = resident_memory(pid) if pid else None
            if sizes is not None:
                samples.append((time.monotonic() - start, sizes[0]))
                peak = max(peak, sizes[1])
                trace.write(f"{samples[-1][0]:.1f},{sizes[0]}\n")
                trace.flush()
            time.sleep(every)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{log.read_text()[-2000:]}")
    rss = np.array([s[1] for s in samples], np.float64)
    at = {f"rss_at_{q}pct_mib": round(float(rss[min(len(rss) - 1, len(rss) * q // 100)]) / 2**20, 1)
          for q in (10, 25, 50, 75, 90)}
    return {"peak_rss_mib": round(max(peak, rss.max()) / 2**20, 1), **at, "seconds": round(time.monotonic() - start)}


def result_bytes_per_frame(path: Path) -> float:
    """Bytes the result's arrays hold per video frame."""
    from lmr_studio.result import MotionResult

    result = MotionResult.load(path)
    total = sum(np.asarray(v).nbytes for track in result.tracks.values()
                for v in vars(track).values() if v is not None)
    return total / result.num_frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--fps", type=float, default=5.0)
    parser.add_argument("--clip", type=Path, default=Path(tempfile.gettempdir()) / "lmr-long720.mp4")
    parser.add_argument("--window", action="store_true", help="measure the window instead of the command line")
    parser.add_argument("--log", type=Path, default=Path(tempfile.gettempdir()) / "lmr-measure-memory.log",
                        help="where the run's own output goes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.clip.exists():
        print(f"making {args.clip} ...", file=sys.stderr)
        make_clip(args.clip, args.minutes, args.fps)
    from lmr_studio.video import VideoSource

    with VideoSource(args.clip) as source:
        clip = {"clip": str(args.clip), "frames": source.num_frames, "fps": source.fps,
                "size": f"{source.size[0]}x{source.size[1]}", "minutes": round(source.num_frames / source.fps / 60, 2)}
    work = Path(tempfile.mkdtemp())
    cli = [sys.executable, "-m", "lmr_studio.cli"]
    env_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(ROOT) + (os.pathsep + env_path if env_path else "")
    try:
        if args.window:
            video = work / args.clip.name  # a copy-free link, so no earlier result beside the clip is reused
            video.symlink_to(args.clip)
            figures = measure(["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", *cli, str(video), "--frame", "0",
                               "--screenshot", str(work / "window.png")], args.log)
            result = work / (video.stem + ".lmr.npz")
        else:
            result = work / "result.npz"
            figures = measure([*cli, "process", str(args.clip), "-o", str(result), "--no-cache"], args.log)
        figures["result_bytes_per_frame"] = round(result_bytes_per_frame(result)) if result.exists() else None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = {"where": "window" if args.window else "cli", **clip, **figures}
    print(json.dumps(out) if args.json else json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
