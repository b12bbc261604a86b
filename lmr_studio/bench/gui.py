"""GUI benchmark: time from a frame change to the updated window (video + overlay + 3D mesh).

The window shows the bundled sample clip with the Anny body. The motion shown is the clip's own
ground truth (assets/sample/sample_truth.npz), so the figure does not depend on trained weights:
drawing costs the same whatever model produced the poses. Needs an X display; without one the
benchmark re-runs itself under ``xvfb-run`` (Mesa software GL), or reports that none is available.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from lmr_studio.resources import SAMPLE_TRUTH, SAMPLE_VIDEO

WINDOW_SIZE = (1400, 880)
CROWD_PEOPLE = 6
CROWD_SPACING_M = 0.8       # the six people stand this far apart, side by side


def sample_truth_result():
    """The sample's ground-truth motion as a one-track MotionResult (boxes from its 2D joints)."""
    from lmr_studio.perception.features import box_to_corners
    from lmr_studio.result import MotionResult, Track

    d = np.load(SAMPLE_TRUTH)
    n = len(d["poses"])
    j2 = d["joints2d"]
    lo, hi = j2.min(1), j2.max(1)
    box = np.concatenate([(lo + hi) / 2, (hi - lo).max(1, keepdims=True) * 1.25], 1)
    track = Track(poses=d["poses"], betas=d["betas"], cam=np.zeros((n, 3), np.float32), frame_ids=np.arange(n),
                  bboxes=box_to_corners(box).astype(np.float32), keypoints2d=np.zeros((n, 33, 3), np.float32),
                  joints3d=d["joints3d"], joints2d=j2, transl=d["transl"])
    return MotionResult({0: track}, float(d["fps"]), tuple(int(x) for x in d["image_size"]), n,
                        body_model=str(d["body_model"]), video_path=str(SAMPLE_VIDEO), main_track=0)


def _crowd_result(people: int = CROWD_PEOPLE):
    """The sample's motion ``people`` times, side by side ``CROWD_SPACING_M`` apart in the one
    camera space, their 2D joints and boxes projected again (what the window draws for a crowd)."""
    import dataclasses

    from lmr_studio.geometry.camera import default_focal, perspective_project

    result = sample_truth_result()
    track, size = result.tracks[0], result.image_size
    focal = default_focal(*size)
    for k in range(people):
        transl = track.transl + np.array([(k - (people - 1) / 2) * CROWD_SPACING_M, 0, 0], np.float32)
        joints2d = perspective_project(track.joints3d, transl, focal, size).astype(np.float32)
        boxes = track.bboxes + np.tile((joints2d - track.joints2d).mean(1), 2)
        result.tracks[k] = dataclasses.replace(track, transl=transl, joints2d=joints2d, bboxes=boxes)
    result.main_track = (people - 1) // 2            # the selected person stands in the middle
    return result


def _open(app, win, npz: Path) -> None:
    """Open the result ``npz`` in ``win`` and wait (at most 10 minutes) until it is shown."""
    done: list[bool] = []
    win.controller.job_ended.connect(done.append)
    win.open_path(npz)
    deadline = time.perf_counter() + 600
    while not done and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.01)
    win.controller.job_ended.disconnect(done.append)
    if not done or not done[0] or win.controller.session is None:
        raise RuntimeError(f"the result {npz.name} did not load")


def _frame_ms(app, win, frames) -> np.ndarray:
    """Milliseconds from a seek to ``frame`` to the updated window, for each of ``frames``."""
    times = []
    for f in frames:
        t0 = time.perf_counter()
        win.playback.seek(int(f))
        app.processEvents()
        times.append((time.perf_counter() - t0) * 1e3)
    return np.array(times)


def _measure(quick: bool) -> dict:
    """Run in a process with a display: open the window, time frame changes."""
    from lmr_studio.gui.app import application
    from lmr_studio.gui.gui_gc import garbage_collected_on_gui_thread
    from lmr_studio.gui.main_window import MainWindow

    os.environ.setdefault("LMR_STUDIO_CONFIG_DIR", tempfile.mkdtemp(prefix="lmr-bench-config-"))
    app = application()
    from lmr_studio.gui.settings import app_settings

    app_settings().setValue("ghost", "false")   # the ghost is hidden while drawing; computing it is not timed
    # the window's garbage collection, as the app runs it (gui_gc.py)
    with garbage_collected_on_gui_thread(), tempfile.TemporaryDirectory() as tmp:
        npz = sample_truth_result().save(Path(tmp) / "sample.lmr.npz")
        win = MainWindow()
        win.report_error = lambda _parent, err: (_ for _ in ()).throw(err)
        win.resize(*WINDOW_SIZE)
        win.show()
        _open(app, win, npz)
        num = win.playback.timeline.num_frames
        _frame_ms(app, win, range(3))                        # warm-up: first renders compile shaders
        frames = {"step": list(range(num))[: 40 if quick else num],
                  "scrub": list(np.random.default_rng(0).integers(0, num, 20 if quick else 60))}
        cpu0 = time.process_time()
        times = {"step": _frame_ms(app, win, frames["step"])}
        step_cpu = (time.process_time() - cpu0) * 1e3 / len(times["step"])
        times["scrub"] = _frame_ms(app, win, frames["scrub"])
        refresh_ms, render_ms = [], []                     # where the time goes, on the same frames
        for f in frames["step"][:20]:
            t0 = time.perf_counter()
            win.playback.seek(int(f))
            t1 = time.perf_counter()
            win.mesh_view.plotter.render()
            refresh_ms.append((t1 - t0) * 1e3)
            render_ms.append((time.perf_counter() - t1) * 1e3)
            app.processEvents()
        vertices = win.controller.session.body.num_vertices
        from lmr_studio.bench.scrub import measure as measure_scrub
        from lmr_studio.body.paths import cache_dir

        scrub = measure_scrub(app, win, win.controller.session.result, cache_dir() / "bench", quick)
        _open(app, win, _crowd_result().save(Path(tmp) / "crowd.lmr.npz"))
        everyone = np.concatenate([m.vertices_at(0) for m in win.controller.session.meshes.values()])
        win.mesh_view.set_camera("front", everyone)          # all six in view (seeks keep the distance)
        _frame_ms(app, win, range(3))
        cpu0 = time.process_time()
        crowd = _frame_ms(app, win, frames["step"])
        crowd_cpu = (time.process_time() - cpu0) * 1e3 / len(crowd)
        shown = len(win.mesh_view.people.shown) + 1
        win.controller.set_main_only(True)                   # View > Main person only
        cpu0 = time.process_time()
        main_only = _frame_ms(app, win, frames["step"])
        main_only_cpu = (time.process_time() - cpu0) * 1e3 / len(main_only)
        crowd_load = os.getloadavg()[0]
        win.close()
    step, scrub_ms = np.array(times["step"]), np.array(times["scrub"])
    return {
        "gui_frame_ms_p50": round(float(np.percentile(step, 50)), 1),
        "gui_frame_ms_p95": round(float(np.percentile(step, 95)), 1),
        "gui_scrub_ms_p95": round(float(np.percentile(scrub_ms, 95)), 1),
        "gui_update_ms_p50": round(float(np.median(refresh_ms)), 1),     # seek(): decode, mesh update, 3D render
        "gui_render3d_ms_p50": round(float(np.median(render_ms)), 1),    # one VTK render of the 3D view
        "gui_load_average": round(os.getloadavg()[0], 1),
        "gui_frame_ms_p50_6_people": round(float(np.percentile(crowd, 50)), 1),
        "gui_frame_ms_p95_6_people": round(float(np.percentile(crowd, 95)), 1),
        "gui_cpu_ms_per_frame": round(step_cpu, 1),            # all threads (overlay, Mesa): load-independent
        "gui_cpu_ms_per_frame_6_people": round(crowd_cpu, 1),
        "gui_frame_ms_p95_6_people_main_only": round(float(np.percentile(main_only, 95)), 1),
        "gui_cpu_ms_per_frame_6_people_main_only": round(main_only_cpu, 1),
        "gui_6_people_setup": f"{shown} meshes in the 3D view, {CROWD_PEOPLE} overlaid on the video, "
                              f"{len(crowd)} consecutive frames, load average {crowd_load:.1f}",
        "gui_bench_setup": f"{WINDOW_SIZE[0]}x{WINDOW_SIZE[1]} window, {vertices}-vertex body, "
                           f"{len(step)} consecutive + {len(scrub_ms)} random frames, overlay {win.video_view.mode}",
        **scrub,
    }


def run(quick: bool) -> dict:
    """``gui_frame_ms_p50/p95`` (consecutive frames), ``gui_scrub_ms_p95`` (random seeks), and the
    split of a frame: ``gui_update_ms_p50`` (``seek()``: decode, mesh update and the 3D render, while
    the video overlay composes on its own thread) and ``gui_render3d_ms_p50`` (one more VTK render
    alone); ``gui_frame_ms_p50/p95_6_people``: the same frames with six people in the scene
    (``_crowd_result``), and ``..._6_people_main_only`` with *Main person only* on;
    ``gui_cpu_ms_per_frame*`` the CPU time of all threads per frame, which the machine's load
    does not move; ``gui_load_average`` tells how busy the machine was."""
    if not SAMPLE_VIDEO.exists() or not SAMPLE_TRUTH.exists():
        return {"gui_frame_ms_p50": None, "gui_frame_ms_p95": None, "gui_note": "the bundled sample is missing"}
    if os.environ.get("DISPLAY"):
        return _measure(quick)
    if shutil.which("xvfb-run") is None:
        return {"gui_frame_ms_p50": None, "gui_frame_ms_p95": None, "gui_note": "no display and no xvfb-run"}
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, "-m", "lmr_studio.bench.gui"]
    cmd += ["--quick"] if quick else []
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"gui_frame_ms_p50": None, "gui_frame_ms_p95": None,
                "gui_note": f"GUI benchmark failed under xvfb-run: {out.stderr.strip()[-300:]}"}
    figures = json.loads(lines[-1])
    figures["gui_display"] = "Xvfb (Mesa software GL)"
    return figures


if __name__ == "__main__":
    print(json.dumps(_measure("--quick" in sys.argv)))
