"""Peak memory of a long 720p video in the command line and in the window (issue 10, item 4).

    python scripts/measure_memory.py [--minutes 30] [--fps 5] [--clip /tmp/long720.mp4] [--window [--play]] [--json]

Makes the clip first when it does not exist: the bundled sample (640x480, one person doing
jumping jacks) scaled to 960x720, centred on a 1280x720 frame and looped to ``--minutes`` at
``--fps`` (H.264 through PyAV). Then runs ``lmr-studio process CLIP --no-cache``, or, with
``--window``, the window under ``xvfb-run`` (this script again, as ``--drive-window``: it opens
the clip, which processes it, shows frame 0, saves a screenshot and exits; settings in a
temporary folder). With ``--play`` the window then plays the whole clip once (loop off, at
``--play-fps`` video frames per second of wall time, through the window's own playback clock),
drags the timeline slider from the first frame to the last and back, and seeks to 60 random
frames: every part of the clip is visited, as a user playing and scrubbing it would. Meanwhile
the process's resident memory is read (``/proc/PID/status``) every second; printed are the peak,
the resident memory at 10 / 25 / 50 / 75 / 90 % of the run (flat when memory is bounded), the
result's bytes per frame and the run time, and for the window the same per phase
(``processing``, ``shown``: frame 0 after processing, ``playback``: play and scrub), each phase's
peak exact (the window restarts the kernel's peak counter, ``VmHWM``, as a phase begins). Nothing
is written into the checkout; the result file goes to a temporary folder.
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
from lmr_studio.memory import reset_peak, resident_memory  # noqa: E402

SAMPLE = ROOT / "assets" / "sample" / "sample.mp4"
SIZE = (1280, 720)
DRIVE = "--drive-window"        # the window's own process: this script run under xvfb-run
PHASE = "@lmr-phase"            # a line the window prints as a phase begins: PHASE name monotonic-seconds
PLAYED = "@lmr-played"          # its last line with --play: PLAYED json (what playback visited)
SEEKS = 60


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
    """Whether process ``pid`` is Python running ``-m lmr_studio.cli`` or this script's window
    (not xvfb-run, whose arguments name them too)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    app = b"lmr_studio.cli" in args or DRIVE.encode() in args
    return b"python" in Path(args[0].decode(errors="replace")).name.encode() and app


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


def measure(command: list[str], log: Path, every: float = 1.0) -> list[tuple[float, int, int]]:
    """Run ``command`` (its output to ``log``); the (monotonic seconds, resident bytes, peak bytes
    since the process last reset it) of its app process every ``every`` seconds, each sample also
    written to ``log`` + ``.rss.csv`` as it is taken."""
    with open(log, "w") as out, open(str(log) + ".rss.csv", "w") as trace:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        samples, pid = [], None
        while proc.poll() is None:
            pid = pid or _app_pid(proc.pid)
            sizes = resident_memory(pid) if pid else None
            if sizes is not None:
                samples.append((time.monotonic(), *sizes))
                trace.write(f"{samples[-1][0]:.1f},{sizes[0]},{sizes[1]}\n")
                trace.flush()
            time.sleep(every)
    if proc.returncode != 0 or not samples:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{log.read_text()[-2000:]}")
    return samples


def figures(samples: list[tuple[float, int, int]]) -> dict:
    """Peak, resident memory at 10 / 25 / 50 / 75 / 90 % of ``samples`` (MiB) and their span (s)."""
    rss = [s[1] for s in samples]
    at = {f"rss_at_{q}pct_mib": round(rss[min(len(rss) - 1, len(rss) * q // 100)] / 2**20, 1)
          for q in (10, 25, 50, 75, 90)}
    peak = max(max(s[1], s[2]) for s in samples)
    return {"peak_rss_mib": round(peak / 2**20, 1), **at, "seconds": round(samples[-1][0] - samples[0][0])}


def phases(samples: list[tuple[float, int, int]], log: Path) -> dict:
    """:func:`figures` of each phase the window's ``log`` marks (from its mark to the next)."""
    marks = [line.split()[1:3] for line in log.read_text().splitlines() if line.startswith(PHASE)]
    starts = [(name, float(t)) for name, t in marks] + [("", float("inf"))]
    out = {}
    for (name, begin), (_, end) in zip(starts, starts[1:]):
        inside = [s for s in samples if begin <= s[0] < end]
        if inside:
            out[name] = figures(inside)
    return out


def result_bytes_per_frame(path: Path) -> float:
    """Bytes the result's arrays hold per video frame."""
    from lmr_studio.result import MotionResult

    result = MotionResult.load(path)
    total = sum(np.asarray(v).nbytes for track in result.tracks.values()
                for v in vars(track).values() if v is not None)
    return total / result.num_frames


def _phase(name: str) -> None:
    """Mark the start of a phase for :func:`phases` and restart the peak counter."""
    reset_peak()
    print(f"{PHASE} {name} {time.monotonic():.3f}", flush=True)


def _play_through(app, win, frames_per_s: float) -> int:
    """Play the whole clip once from frame 0 (loop off) on the window's playback clock at
    ``frames_per_s`` video frames per second of wall time; returns how many frames were shown
    (fewer than all when drawing falls behind the clock, which then skips frames)."""
    shown: set[int] = set()
    playback = win.playback
    playback.frame_changed.connect(shown.add)
    playback.set_loop(False)
    playback.seek(0)
    playback.set_speed(frames_per_s / playback.timeline.fps)
    playback.play()
    while playback.timeline.playing:
        app.processEvents()
        time.sleep(0.005)
    playback.frame_changed.disconnect(shown.add)
    return len(shown)


def _scrub_through(app, win, moves: int = 200) -> None:
    """Drag the timeline slider from the first frame to the last and back in ``moves`` steps each
    way, then seek to ``SEEKS`` random frames (each shown exactly)."""
    num = win.playback.timeline.num_frames
    slider = win.timeline_bar.slider
    slider.setSliderDown(True)
    for value in np.concatenate([np.linspace(0, num - 1, moves), np.linspace(num - 1, 0, moves)]).round():
        slider.setValue(int(value))
        app.processEvents()
    slider.setSliderDown(False)                      # released: the exact frame
    app.processEvents()
    for frame in np.random.default_rng(0).integers(0, num, SEEKS):
        win.playback.seek(int(frame))
        app.processEvents()


def drive_window(video: Path, screenshot: Path, play: bool, play_fps: float) -> int:
    """The window's process (under a display): open ``video`` (processing it), show frame 0,
    with ``play`` play and scrub through the whole clip, save ``screenshot``; 0, or 2 when
    processing failed. Prints a :data:`PHASE` line as each phase begins."""
    from lmr_studio.gui.app import application, save_screenshot
    from lmr_studio.gui.main_window import MainWindow

    app = application()
    win = MainWindow()
    errors: list[BaseException] = []
    win.report_error = lambda _parent, error: errors.append(error)
    win.resize(1500, 900)
    win.show()
    ended: list[bool] = []
    win.controller.job_ended.connect(ended.append)
    _phase("processing")
    win.open_path(video)
    while not ended and not errors:
        app.processEvents()
        time.sleep(0.01)
    if errors or not ended[0] or win.controller.session is None:
        print(f"processing failed: {errors[0] if errors else 'no result'}", flush=True)
        win.close()
        return 2
    _phase("shown")
    win.playback.seek(0)
    for _ in range(200):                             # two seconds on frame 0, as a user would look
        app.processEvents()
        time.sleep(0.01)
    if play:
        _phase("playback")
        t0 = time.monotonic()
        shown = _play_through(app, win, play_fps)
        play_s = time.monotonic() - t0
        _scrub_through(app, win)
        print(f"{PLAYED} " + json.dumps({"frames_played": shown, "play_seconds": round(play_s),
                                         "scrub": f"slider dragged over every frame and back, {SEEKS} random seeks"}),
              flush=True)
    save_screenshot(win, screenshot)
    win.close()
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--fps", type=float, default=5.0)
    parser.add_argument("--clip", type=Path, default=Path(tempfile.gettempdir()) / "lmr-long720.mp4")
    parser.add_argument("--window", action="store_true", help="measure the window instead of the command line")
    parser.add_argument("--play", action="store_true", help="with --window: then play and scrub the whole clip")
    parser.add_argument("--play-fps", type=float, default=10.0,
                        help="video frames a second of wall time while playing (default 10)")
    parser.add_argument("--log", type=Path, default=Path(tempfile.gettempdir()) / "lmr-measure-memory.log",
                        help="where the run's own output goes")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(DRIVE, type=Path, metavar="VIDEO", help=argparse.SUPPRESS)
    parser.add_argument("--screenshot", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive_window:
        raise SystemExit(drive_window(args.drive_window, args.screenshot, args.play, args.play_fps))
    if not args.clip.exists():
        print(f"making {args.clip} ...", file=sys.stderr)
        make_clip(args.clip, args.minutes, args.fps)
    from lmr_studio.video import VideoSource

    with VideoSource(args.clip) as source:
        clip = {"clip": str(args.clip), "frames": source.num_frames, "fps": source.fps,
                "size": f"{source.size[0]}x{source.size[1]}", "minutes": round(source.num_frames / source.fps / 60, 2)}
    work = Path(tempfile.mkdtemp())
    env_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(ROOT) + (os.pathsep + env_path if env_path else "")
    try:
        if args.window:
            os.environ["LMR_STUDIO_CONFIG_DIR"] = str(work / "config")     # the user's settings untouched
            video = work / args.clip.name  # a copy-free link, so no earlier result beside the clip is reused
            video.symlink_to(args.clip)
            command = [sys.executable, str(Path(__file__).resolve()), DRIVE, str(video),
                       "--screenshot", str(work / "window.png"), "--play-fps", str(args.play_fps)]
            samples = measure(["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", *command,
                               *(["--play"] if args.play else [])], args.log)
            out = {**figures(samples), "phases": phases(samples, args.log)}
            played = [line for line in args.log.read_text().splitlines() if line.startswith(PLAYED)]
            out.update(json.loads(played[-1].split(" ", 1)[1]) if played else {})
            result = work / (video.stem + ".lmr.npz")
        else:
            result = work / "result.npz"
            out = figures(measure([sys.executable, "-m", "lmr_studio.cli", "process", str(args.clip), "-o",
                                   str(result), "--no-cache"], args.log))
        out["result_bytes_per_frame"] = round(result_bytes_per_frame(result)) if result.exists() else None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = {"where": "window" if args.window else "cli", **clip, **out}
    print(json.dumps(out) if args.json else json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
