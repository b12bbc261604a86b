"""Scrubbing benchmark (run inside the GUI benchmark's window process): how many updates a second
the window shows while the slider is dragged over a long-GOP 1080p H.264 video.

The video (20 s, 30 fps, 1920x1080, a keyframe every 10 s, a textured pan so that P-frames carry
data) is written once with PyAV into the user cache. The motion drawn over it is the bundled
sample's ground truth repeated, with the Anny body, so the overlay costs what a real result's does.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import numpy as np

SECONDS, FPS, SIZE, GOP_S = 20, 30, (1920, 1080), 10


def long_gop_video(folder: Path) -> Path:
    """The benchmark video in ``folder`` (written on first use, ~10 s)."""
    import av

    path = folder / f"scrub_{SIZE[1]}p_gop{GOP_S}s_{SECONDS}s.mp4"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    w, h = SIZE
    blocks = np.random.default_rng(0).integers(40, 200, (h // 8, w // 8 + 64))
    texture = np.kron(blocks, np.ones((8, 8))).astype(np.uint8)
    chroma = np.full((h // 2, w), 128, np.uint8)
    tmp = path.with_suffix(".tmp.mp4")
    with av.open(str(tmp), "w") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"preset": "ultrafast", "g": str(GOP_S * FPS), "keyint_min": str(GOP_S * FPS),
                          "sc_threshold": "0"}
        for i in range(SECONDS * FPS):
            shift = (i * 4) % 512
            luma = np.ascontiguousarray(texture[:, shift:shift + w])
            luma[400:600, (i * 13) % (w - 200):(i * 13) % (w - 200) + 200] = 235
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.concatenate([luma, chroma]), format="yuv420p")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    tmp.replace(path)
    return path


def scrub_result(truth, video: Path):
    """A one-track MotionResult over the whole benchmark video: ``truth`` (the sample's result)
    repeated to its length, in a 1920x1080 image."""
    from lmr_studio.result import MotionResult

    n = SECONDS * FPS
    rows = np.arange(n) % len(truth.main)
    track = truth.main.sliced(rows)
    track.frame_ids = np.arange(n)
    track.keypoint_error = None
    return MotionResult({0: track}, float(FPS), SIZE, n, body_model=truth.body_model, video_path=str(video),
                        main_track=0)


def _cpu_s() -> float:
    """CPU seconds this process has used (all its threads, Mesa's render threads included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _drag(app, win, positions) -> tuple[list[float], float]:
    """Milliseconds per slider move of a drag over ``positions``, each until the window has
    painted, and the CPU milliseconds per move (the work, whatever the machine's load)."""
    slider = win.timeline_bar.slider
    slider.setSliderDown(True)
    times, cpu0 = [], _cpu_s()
    for value in positions:
        t0 = time.perf_counter()
        slider.setValue(int(value))
        app.processEvents()
        win.video_view.repaint()
        times.append((time.perf_counter() - t0) * 1e3)
    cpu_ms = (_cpu_s() - cpu0) * 1e3 / len(positions)
    slider.setSliderDown(False)
    app.processEvents()
    return times, cpu_ms


def measure(app, win, truth, folder: Path, quick: bool) -> dict:
    """Open the benchmark video's result in ``win``, let the thumbnails decode, drag the slider
    with thumbnails and with exact frames; returns the ``scrub_*`` figures."""
    video = long_gop_video(folder)
    npz = scrub_result(truth, video).save(folder / "scrub.lmr.npz")
    done: list[bool] = []
    win.controller.job_ended.connect(done.append)
    win.open_path(npz)
    t0 = time.perf_counter()
    while not done and time.perf_counter() - t0 < 600:
        app.processEvents()
        time.sleep(0.01)
    thumbs = win.playback.scrub_frames
    t1 = time.perf_counter()
    thumbs.done.wait(300)
    build_s = time.perf_counter() - t1 + (t1 - t0)          # from opening (the thread starts then)
    n = SECONDS * FPS
    sweep = np.concatenate([np.linspace(0, n - 1, 40 if quick else 90),
                            np.linspace(n - 1, n // 3, 20 if quick else 45)])
    sweep = np.round(sweep + np.random.default_rng(1).normal(0, 3, len(sweep))).clip(0, n - 1)
    _drag(app, win, sweep[:5])                               # warm-up
    cheap, cheap_cpu = _drag(app, win, sweep)
    t2 = time.perf_counter()
    win.playback.seek(int(sweep[-1]))                        # the drag stops: the exact frame
    app.processEvents()
    release_ms = (time.perf_counter() - t2) * 1e3
    win.playback.scrub_frames = None                         # the same drag with exact frames (before)
    exact, exact_cpu = _drag(app, win, sweep[: len(sweep) // 3])
    win.playback.scrub_frames = thumbs
    return {
        "scrub_updates_per_s": round(1e3 / float(np.mean(cheap)), 1),
        "scrub_update_ms_p95": round(float(np.percentile(cheap, 95)), 1),
        "scrub_cpu_ms_per_update": round(cheap_cpu, 1),
        "scrub_exact_updates_per_s": round(1e3 / float(np.mean(exact)), 1),
        "scrub_exact_cpu_ms_per_update": round(exact_cpu, 1),
        "scrub_release_ms": round(release_ms, 1),
        "scrub_thumbnails_s": round(build_s, 1),
        "scrub_thumbnails": len(thumbs),
        "scrub_bench_setup": f"{SIZE[0]}x{SIZE[1]} H.264, {SECONDS} s at {FPS} fps, keyframe every {GOP_S} s; "
                             f"drag of {len(cheap)} moves, Anny mesh overlay",
    }
