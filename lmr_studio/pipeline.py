"""Video -> MotionResult: keypoints per person, LMR per track, body-model joints.

``iter_process`` is a generator (the GUI worker and the CLI progress bar both drive it): it
yields :class:`Progress` records, some carrying a partial :class:`MotionResult` so a timeline
can fill as it goes, and last the final :class:`MotionResult`. Setting ``cancel`` stops it
within a frame: the last item is then a ``Progress`` with stage ``"cancelled"`` whose
``partial`` holds what was computed, and no final result follows.

Stages (``Progress.stage``), in order: ``load`` (network and body model; the first Anny build
takes minutes), ``open`` (the video), ``keypoints`` (one unit per frame), ``lmr`` (one unit per
track); ``cancelled`` ends a cancelled run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import torch

from lmr_studio.errors import LMRStudioError, NoPersonError
from lmr_studio.geometry.camera import default_focal, perspective_project, weak_to_full_translation
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.perception.features import box_from_keypoints, box_to_corners, keypoint_features
from lmr_studio.perception.tracking import KeypointTrack, TrackerSettings, accept_track
from lmr_studio.result import MotionResult, Track
from lmr_studio.smoothing import one_euro, smooth_poses
from lmr_studio.video import VideoSource

#: Suffix of the result file the GUI looks for beside a video.
RESULT_SUFFIX = ".lmr.npz"


@dataclasses.dataclass
class ProcessOptions:
    """How to process a video.

    ``keypoints_path``: an OpenPose JSON folder or a COCO keypoint JSON to use instead of
    BlazePose; ``use_cache``: reuse keypoints found earlier in the same video (same content).
    """

    all_tracks: bool = False
    smooth: bool = False
    device: str | None = None
    body_model: str = "anny"
    smpl_path: str | None = None
    weights_dir: str | None = None
    keypoints_path: str | None = None
    use_cache: bool = True


@dataclasses.dataclass
class Progress:
    """One step of work: ``done`` of ``total`` units of ``stage``; ``partial`` is the result so far."""

    stage: str
    done: int
    total: int
    message: str = ""
    partial: MotionResult | None = None


def result_path_for(video_path: str | Path) -> Path:
    """Where the result of ``video_path`` is saved by default: ``clip.mp4`` -> ``clip.lmr.npz`` beside
    it, or, when that folder is read-only, :func:`cache_result_path_for`."""
    video_path = Path(video_path)
    if os.access(video_path.resolve().parent, os.W_OK):
        return video_path.with_name(video_path.stem + RESULT_SUFFIX)
    return cache_result_path_for(video_path)


def cache_result_path_for(video_path: str | Path) -> Path:
    """``<user cache>/results/clip-<path hash>.lmr.npz``: where a result goes when it cannot go
    beside the video or where it was asked for."""
    from lmr_studio.body.paths import cache_dir

    video_path = Path(video_path)
    tag = hashlib.sha1(str(video_path.resolve()).encode()).hexdigest()[:10]
    folder = cache_dir() / "results"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{video_path.stem}-{tag}{RESULT_SUFFIX}"


def nobody_found(name: str, frames: int) -> tuple[str, str]:
    """The message and hint when no person was found in ``frames`` frames of ``name`` (for the
    command line and the window alike)."""
    looked = "the photo" if frames == 1 else f"all {frames} frames"
    return (f"Nobody was found in {name} (looked at {looked}).",
            "Try footage where people are at least about 80 pixels tall, mostly in view and not too dark "
            "or blurred; or import 2D keypoints made by another tool (OpenPose or COCO JSON).")


def process_video(video_path: str | Path, options: ProcessOptions | None = None,
                  cancel: threading.Event | None = None,
                  on_progress: Callable[[Progress], None] | None = None) -> MotionResult:
    """Run :func:`iter_process` to the end and return its result; LMRStudioError when cancelled."""
    for item in iter_process(video_path, options, cancel):
        if isinstance(item, MotionResult):
            return item
        if on_progress is not None:
            on_progress(item)
    raise LMRStudioError("Processing was cancelled.", "Start it again to get a result.")


class Recoverer:
    """LMR + body model for keypoint tracks of one video (image ``size`` (w, h) px, ``fps``)."""

    def __init__(self, model, body, size: tuple[int, int], fps: float, device: str | None = None) -> None:
        self.model, self.body, self.size, self.fps, self.device = model, body, size, fps, device
        self.focal = default_focal(*size)
        self.seconds = {"lmr": 0.0, "body": 0.0}  # time spent in each stage, for benchmarks
        self._preview: dict[int, Track] = {}

    def recover(self, kt: KeypointTrack, smooth: bool = False) -> Track:
        """One keypoint track -> a :class:`Track` with poses, camera, joints3d and joints2d."""
        from lmr_studio.model import predict

        start = time.perf_counter()
        boxes = box_from_keypoints(kt.keypoints).astype(np.float32)
        with _torch_threads(1):
            pred = predict(self.model, keypoint_features(kt.keypoints, boxes), device=self.device)
        poses, betas, cam = pred.poses, pred.betas, pred.cam
        if smooth:
            times = kt.frame_ids / self.fps
            poses = smooth_poses(poses, times)
            cam = one_euro(cam, times).astype(np.float32)
            betas = np.repeat(betas.mean(0, keepdims=True), len(betas), 0)  # one body shape per person
        middle = time.perf_counter()
        with _torch_threads(1):
            joints3d = self.joints(poses, betas)
        self.seconds["lmr"] += middle - start
        self.seconds["body"] += time.perf_counter() - middle
        transl = weak_to_full_translation(cam, boxes, self.focal, self.size).astype(np.float32)
        joints2d = perspective_project(joints3d, transl, self.focal, self.size).astype(np.float32)
        return Track(poses=poses, betas=betas, cam=cam, frame_ids=kt.frame_ids.astype(np.int64),
                     bboxes=box_to_corners(boxes).astype(np.float32), keypoints2d=kt.keypoints.astype(np.float32),
                     joints3d=joints3d.astype(np.float32), joints2d=joints2d, transl=transl,
                     part_activity=pred.part_activity)

    def final(self, tid: int, kt: KeypointTrack, smooth: bool = False) -> Track:
        """:meth:`recover`, reusing the preview of track ``tid`` when it already covers ``kt`` unsmoothed."""
        done = self._preview.get(tid)
        if not smooth and done is not None and np.array_equal(done.frame_ids, kt.frame_ids):
            return done
        return self.recover(kt, smooth)

    def joints(self, poses: np.ndarray, betas: np.ndarray) -> np.ndarray:
        """Body-frame joints (F, 24, 3) metres by forward kinematics on the body model's rest joints
        (the same joints as the body model's forward, without skinning every vertex)."""
        shapes, row = np.unique(np.asarray(betas, np.float32), axis=0, return_inverse=True)  # one per person when smoothed
        with torch.inference_mode():
            rest = self.body.rest_joints(torch.as_tensor(shapes, device=self.body.device))[torch.as_tensor(row.reshape(-1))]
            rotmats = axis_angle_to_matrix(torch.as_tensor(poses, dtype=torch.float32, device=rest.device))
            return forward_kinematics(rotmats, rest)[0].cpu().numpy().astype(np.float32)

    def preview(self, tracks: dict[int, KeypointTrack]) -> dict[int, Track]:
        """Unsmoothed tracks for a partial result, recomputing only rows from the last full window.

        LMR runs batched windows from a fresh state, so rows of completed windows never change.
        """
        window = self.model.config.window
        out = {}
        for tid, kt in tracks.items():
            old = self._preview.get(tid)
            keep = 0 if old is None else min(len(old), len(kt)) // window * window
            new = self.recover(kt.rows(keep))
            out[tid] = new if keep == 0 else Track(**{
                f.name: np.concatenate([getattr(old, f.name)[:keep], getattr(new, f.name)])
                for f in dataclasses.fields(Track)})
        self._preview = out
        return out


@contextlib.contextmanager
def _torch_threads(count: int) -> Iterator[None]:
    """Run small torch work on ``count`` CPU threads: next to MediaPipe's own threads, torch's
    spinning OpenMP workers made LMR inference up to 20x slower on 2 cores (measured)."""
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def load_in_thread(load: Callable[[Callable[[int, int, str], None]], object],
                   cancel: threading.Event) -> Iterator[Progress | tuple[str, object]]:
    """Run ``load(progress)`` on a helper thread, yielding its progress; last yields ("done", value)."""
    messages: queue.Queue = queue.Queue()
    box: dict[str, object] = {}

    def work() -> None:
        try:
            box["value"] = load(lambda done, total, msg="": messages.put(Progress("load", done, total, msg)))
        except BaseException as exc:  # re-raised on the generator's thread
            box["error"] = exc
        messages.put(None)

    threading.Thread(target=work, name="lmr-load", daemon=True).start()
    while True:
        if cancel.is_set():
            return  # the helper thread finishes on its own; its result is dropped
        try:
            item = messages.get(timeout=0.2)
        except queue.Empty:
            continue
        if item is None:
            break
        yield item
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    yield "done", box["value"]


def _load_models(options: ProcessOptions, progress: Callable[[int, int, str], None]):
    from lmr_studio.body import load_body_model
    from lmr_studio.model import load_model

    progress(0, 2, "loading the LMR network")
    model = load_model("lmr", path=options.weights_dir, device=options.device)
    body = load_body_model(options.body_model, smpl_path=options.smpl_path, device="cpu", progress=progress)
    progress(2, 2, f"LMR {getattr(model, 'version', '')}, body model {body.name}")
    return model, body


def _keypoint_items(source: VideoSource, options: ProcessOptions, cancel: threading.Event):
    """(done, tracks|None) items from imported keypoints or from the tracker (cached)."""
    if options.keypoints_path:
        from lmr_studio.perception.keypoint_import import import_keypoints

        yield source.num_frames, import_keypoints(options.keypoints_path, source.num_frames)
        return
    from lmr_studio.perception.keypoints import video_keypoint_tracks

    yield from video_keypoint_tracks(source, options.all_tracks, options.use_cache, cancel)


def iter_process(video_path: str | Path, options: ProcessOptions | None = None,
                 cancel: threading.Event | None = None) -> Iterator[Progress | MotionResult]:
    """Process one video; see the module docstring for what is yielded."""
    options = options or ProcessOptions()
    cancel = cancel or threading.Event()
    VideoSource(video_path).close()  # a bad video or keypoints path fails before the models load
    if options.keypoints_path and not Path(options.keypoints_path).exists():
        raise LMRStudioError(f"{options.keypoints_path} does not exist.",
                             "Give an OpenPose output folder or a COCO keypoint .json file.")
    loaded = None
    for item in load_in_thread(lambda p: _load_models(options, p), cancel):
        if isinstance(item, Progress):
            yield item
        else:
            loaded = item[1]
    if loaded is None:
        yield Progress("cancelled", 0, 1, "cancelled while loading")
        return
    yield from iter_recover(video_path, options, *loaded, cancel=cancel)


def iter_recover(video_path: str | Path, options: ProcessOptions, model, body,
                 cancel: threading.Event | None = None,
                 recoverer: Recoverer | None = None) -> Iterator[Progress | MotionResult]:
    """:func:`iter_process` with the LMR ``model`` and ``body`` model already loaded (kept across videos).

    An unexpected exception in any stage saves the tracks recovered so far to
    :func:`partial_path_for` (beside the video) and ends as a :class:`ProcessingError` naming it.
    """
    video_path = Path(video_path)
    latest: list[MotionResult] = []  # the last partial result yielded, for the crash path
    try:
        for item in _recover_steps(video_path, options, model, body, cancel or threading.Event(), recoverer):
            if isinstance(item, MotionResult):
                latest[:] = [item]
            elif item.partial is not None:
                latest[:] = [item.partial]
            yield item
    except LMRStudioError:
        raise
    except Exception as exc:
        raise _crash_report(video_path, latest[0] if latest else None, exc) from exc


class ProcessingError(LMRStudioError):
    """A stage of processing failed unexpectedly; ``saved`` is the partial result file, if any."""

    def __init__(self, message: str, hint: str, saved: Path | None) -> None:
        super().__init__(message, hint)
        self.saved = saved


def partial_path_for(video_path: str | Path) -> Path:
    """Where a crashed run saves what it recovered: ``clip.mp4`` -> ``clip.partial.lmr.npz`` (beside
    the video, or in the user cache when that folder is read-only, like :func:`result_path_for`)."""
    final = result_path_for(video_path)
    return final.with_name(final.name[: -len(RESULT_SUFFIX)] + ".partial" + RESULT_SUFFIX)


def _crash_report(video_path: Path, partial: MotionResult | None, exc: Exception) -> ProcessingError:
    """Save ``partial`` (when it holds a track) and describe the crash ``exc`` for the user."""
    what = f"Processing {video_path.name} stopped on an internal error ({exc.__class__.__name__}: {exc})."
    report = "Please report this error with the video's size, length and number of people."
    if partial is None or not partial.tracks:
        return ProcessingError(what, "Nothing had been recovered yet. " + report, None)
    try:
        saved = partial.save(partial_path_for(video_path))
    except OSError as err:
        return ProcessingError(what, f"The {len(partial.tracks)} people recovered so far could not be saved "
                                     f"({err}). " + report, None)
    return ProcessingError(what, f"The {len(partial.tracks)} people recovered so far are saved in {saved}; "
                                 "open it as a result. " + report, saved)


def preview_tracks(recoverer: Recoverer, tracks: dict[int, KeypointTrack],
                    shown: dict[int, Track]) -> dict[int, Track]:
    """Preview tracks for ``tracks``: only tracks with new frames since ``shown`` go to
    :meth:`Recoverer.preview`; unchanged ones keep their preview, shortened ones are recovered anew.

    ``Recoverer.preview`` fails on a track whose length did not change since its last preview
    when that length is a multiple of the LMR window (an empty chunk reaches the body model), so
    it only ever sees tracks that grew.
    """
    grown = {tid: kt for tid, kt in tracks.items() if len(kt) and len(kt) > len(shown.get(tid, ()))}
    out = {tid: shown[tid] for tid, kt in tracks.items() if tid in shown and len(kt) == len(shown[tid])}
    out.update({tid: recoverer.recover(kt) for tid, kt in tracks.items()
                if tid in shown and 0 < len(kt) < len(shown[tid])})
    if grown:
        out.update(recoverer.preview(grown))
    return {tid: out[tid] for tid in sorted(out)}


def _recover_steps(video_path: Path, options: ProcessOptions, model, body, cancel: threading.Event,
                   recoverer: Recoverer | None) -> Iterator[Progress | MotionResult]:
    """The stages of :func:`iter_recover`, without its crash handling."""
    with VideoSource(video_path) as source:
        yield Progress("open", 1, 1, f"{source.size[0]}x{source.size[1]}, {source.num_frames} frames @ {source.fps:g} fps")
        recoverer = recoverer or Recoverer(model, body, source.size, source.fps, options.device)
        settings = TrackerSettings.for_fps(source.fps, source.num_frames)

        def result(tracks: dict[int, Track]) -> MotionResult:
            main = max(tracks, key=lambda t: len(tracks[t])) if tracks else None
            return MotionResult(tracks=tracks, fps=source.fps, image_size=source.size, num_frames=source.num_frames,
                                body_model=body.name, weights_version=str(getattr(model, "version", "")),
                                video_path=str(video_path.resolve()), main_track=main, frame_times=source.times)

        def kept(raw: dict[int, KeypointTrack]) -> dict[int, KeypointTrack]:
            good = {tid: t for tid, t in raw.items() if accept_track(t, settings)}
            if good and not options.all_tracks:
                main = max(good, key=lambda t: len(good[t]))
                good = {main: good[main]}
            return good

        raw: dict[int, KeypointTrack] = {}
        partial = result({})
        for done, tracks in _keypoint_items(source, options, cancel):
            if tracks is not None:
                raw = tracks
                partial = result(preview_tracks(recoverer, kept(raw), partial.tracks))
            if cancel.is_set():
                yield Progress("cancelled", done, source.num_frames, "cancelled", partial=partial)
                return
            people = f"{len(partial.tracks)} people" if raw else "looking for people"
            yield Progress("keypoints", done, source.num_frames, people,
                           partial=partial if tracks is not None else None)
    tracks = kept(raw)
    if not tracks:
        raise NoPersonError(*nobody_found(video_path.name, partial.num_frames))
    done_tracks: dict[int, Track] = {}
    for i, (tid, kt) in enumerate(sorted(tracks.items())):
        if cancel.is_set():
            yield Progress("cancelled", i, len(tracks), "cancelled", partial=result(done_tracks))
            return
        done_tracks[tid] = recoverer.final(tid, kt, smooth=options.smooth)
        so_far = {**partial.tracks, **done_tracks}  # previews stand in for tracks not yet final
        yield Progress("lmr", i + 1, len(tracks), f"track {tid}: {len(kt)} frames", partial=result(so_far))
    yield result(done_tracks)
