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

from lmr_studio.ahead import iterate_ahead
from lmr_studio.errors import BadWeightsError, LMRStudioError, NoPersonError
from lmr_studio.geometry.camera import default_focal, perspective_project, ray_rotation, weak_to_full_translation
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.model.predict import StreamState
from lmr_studio.model.refine import RefineSettings, refine_to_keypoints
from lmr_studio.model.view import turn_root, turn_world
from lmr_studio.perception import blazepose
from lmr_studio.perception.features import (NUM_KEYPOINTS, WORLD_RADIUS, WORLD_SMOOTHING, box_from_keypoints,
                                           box_to_corners, keypoint_features, steady_world)
from lmr_studio.perception.tracking import KeypointTrack, TrackerSettings, accept_track
from lmr_studio.result import MotionResult, Track
from lmr_studio.smoothing import smooth_over_frames, smooth_poses
from lmr_studio.torch_threads import use_inference_threads
from lmr_studio.video import VideoSource
from lmr_studio.video.lens import camera_focal

#: Seconds of video between partial results: each one runs LMR, the body model and the 2D
#: refinement on the frames tracked since the last (the refinement costs mostly per call).
PREVIEW_SECONDS = 3.0
#: Suffix of the result file the GUI looks for beside a video.
RESULT_SUFFIX = ".lmr.npz"
#: ``load(options, progress) -> (LMR network, body model)``, as :func:`load_models`.
ModelLoader = Callable[["ProcessOptions", Callable[[int, int, str], None]], tuple]


@dataclasses.dataclass
class ProcessOptions:
    """How to process a video.

    ``keypoints_path``: an OpenPose JSON folder or a COCO keypoint JSON to use instead of
    BlazePose; ``use_cache``: reuse keypoints found earlier in the same video (same content),
    kept in ``keypoint_cache_dir`` (default: ``<user cache>/keypoints``); ``refine``: pull each
    frame's pose and translation toward the 2D keypoints after LMR; ``baseline``: also run the
    single-RNN baseline on the same inputs (the window's ghost); ``smooth``: once the video has
    ended, recover each track again with one body shape and smooth it over time (a zero-lag
    Gaussian, :mod:`~lmr_studio.smoothing`; previews stay unsmoothed). On by default since
    2026-12-04: on real motion capture rendered end to end it lowered the acceleration error by
    about a third and the position errors a little (docs/model.md, "The evaluation's truth jittered").
    ``focal_px`` (pixels of the full frame) or ``focal_35mm`` (its 35 mm equivalent, mm): the
    camera's focal length when the user knows it; otherwise what the file states (a photo's EXIF,
    an iPhone video's metadata), else ``assumed_focal_35mm`` (the user's usual lens, mm), else a
    guess (:mod:`lmr_studio.video.lens`).
    """

    all_tracks: bool = False
    smooth: bool = True
    device: str | None = None
    body_model: str = "anny"
    smpl_path: str | None = None
    weights_dir: str | None = None
    keypoints_path: str | None = None
    use_cache: bool = True
    refine: bool = True
    baseline: bool = False
    keypoint_cache_dir: str | None = None
    focal_px: float | None = None
    focal_35mm: float | None = None
    assumed_focal_35mm: float | None = None


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
                  on_progress: Callable[[Progress], None] | None = None,
                  load: ModelLoader | None = None) -> MotionResult:
    """Run :func:`iter_process` to the end and return its result; LMRStudioError when cancelled."""
    for item in iter_process(video_path, options, cancel, load):
        if isinstance(item, MotionResult):
            return item
        if on_progress is not None:
            on_progress(item)
    raise LMRStudioError("Processing was cancelled.", "Start it again to get a result.")


@dataclasses.dataclass
class _Stream:
    """A track's inference so far: its frames, the networks' states after them, and the rows."""

    frame_ids: np.ndarray
    states: tuple[StreamState, StreamState]  # LMR's, and the baseline's when one is run
    track: Track


@dataclasses.dataclass
class _NetworkRows:
    """The network's output for the frames of ``kt`` (its world landmarks smoothed): boxes (F, 3)
    (cx, cy, side) px, poses (F, 24, 3), betas (F, 10), cam (F, 3), part activity, the baseline's
    poses (or None) and the networks' states after these frames."""

    kt: KeypointTrack
    boxes: np.ndarray
    poses: np.ndarray
    betas: np.ndarray
    cam: np.ndarray
    part_activity: np.ndarray
    baseline: np.ndarray | None
    states: tuple[StreamState, StreamState]


class Recoverer:
    """LMR + body model for keypoint tracks of one video (image ``size`` (w, h) px).

    Each track runs through the network with one recurrent state from its first frame to its
    last, reading BlazePose's world landmarks smoothed over time
    (:func:`~lmr_studio.perception.features.steady_world`, ``world_smoothing`` frames; 0: as
    they are). :meth:`preview` continues every track from where its last call stopped and holds
    back the frames within :data:`WORLD_RADIUS` of the last frame looked at, whose smoothing
    needs frames not yet seen, so the rows already shown never change; :meth:`final` adds what
    is left, and equals the one-pass result of the network. The network's body and the world
    landmarks are turned from the crop's view to the camera's (:mod:`lmr_studio.model.view`).
    ``refine`` pulls each frame's pose and
    translation toward the 2D keypoints and, where the track has them, BlazePose's world
    landmarks (:mod:`lmr_studio.model.refine`; None: the network's output as it is).
    ``baseline``: a second network (the single-RNN ablation) run on the same inputs with its own
    carried state; its raw poses go to ``Track.baseline_poses`` for the window's ghost.
    """

    def __init__(self, model, body, size: tuple[int, int], device: str | None = None,
                 refine: RefineSettings | None = RefineSettings(), baseline=None,
                 world_smoothing: float = WORLD_SMOOTHING, focal: float | None = None) -> None:
        self.model, self.body, self.size, self.device = model, body, size, device
        self.refine, self.baseline, self.world_smoothing = refine, baseline, world_smoothing
        self.focal = default_focal(*size) if focal is None else float(focal)  # px
        self.seconds = {"lmr": 0.0, "body": 0.0}  # network; body model + 2D refinement (s), for benchmarks
        self._streams: dict[int, _Stream] = {}

    def recover(self, kt: KeypointTrack, smooth: bool = False) -> Track:
        """One whole keypoint track -> a :class:`Track` with poses, camera, joints3d and joints2d."""
        return self._tracks([self._network(kt, 0, len(kt), (StreamState(), StreamState()), smooth)], smooth)[0]

    def final(self, tid: int, kt: KeypointTrack, smooth: bool = False) -> Track:
        """:meth:`recover`, continuing the preview of track ``tid`` when ``kt`` extends it unsmoothed."""
        if (smooth and len(kt) > 1) or len(kt) == 0:  # one frame: smoothing changes nothing
            return self.recover(kt, smooth)
        return self._advance({tid: kt}, None, hold_back=False)[tid]

    def rest_joints(self, betas: np.ndarray) -> torch.Tensor:
        """(F, 24, 3) rest-pose joints of the body model for per-frame ``betas`` (F, 10), metres."""
        shapes, row = np.unique(np.asarray(betas, np.float32), axis=0, return_inverse=True)  # one per person when smoothed
        with torch.inference_mode():
            rest = self.body.rest_joints(torch.as_tensor(shapes, device=self.body.device))
            return rest[torch.as_tensor(row.reshape(-1))].cpu().clone()

    def joints(self, poses: np.ndarray, rest: torch.Tensor) -> np.ndarray:
        """Body-frame joints (F, 24, 3) metres by forward kinematics on the ``rest`` joints (F, 24, 3)
        (the same joints as the body model's forward, without skinning every vertex)."""
        with torch.inference_mode():
            rotmats = axis_angle_to_matrix(torch.as_tensor(poses, dtype=torch.float32))
            return forward_kinematics(rotmats, rest)[0].numpy().astype(np.float32)

    def preview(self, tracks: dict[int, KeypointTrack], last_frame: int | None = None,
                ended: bool = False) -> dict[int, Track]:
        """Unsmoothed tracks for a partial result, running only the frames added since the last call.

        ``last_frame``: the last video frame the tracks were looked for in (None: each track's
        own last frame); rows within :data:`WORLD_RADIUS` frames of it wait for the next call,
        unless the video has ``ended`` (no frame follows: nothing waits). A
        track whose earlier frames changed (the tracker revised them) starts again from its
        first frame; a track with nothing to show yet is left out. The new frames of all tracks
        go through the body model and the 2D refinement together (one batch: its cost is mostly
        per call).
        """
        return self._advance(tracks, last_frame, hold_back=not ended)

    def _ready(self, kt: KeypointTrack, last_frame: int | None, hold_back: bool) -> int:
        """How many rows of ``kt`` can be run: all, or (``hold_back``) those whose smoothed world
        landmarks no frame after ``last_frame`` (None: the track's last) can change."""
        if not hold_back or kt.world is None or not self.world_smoothing or len(kt) == 0:
            return len(kt)
        end = kt.frame_ids[-1] if last_frame is None else last_frame
        return int(np.searchsorted(kt.frame_ids, end - WORLD_RADIUS, side="right"))

    def _advance(self, tracks: dict[int, KeypointTrack], last_frame: int | None,
                 hold_back: bool) -> dict[int, Track]:
        """:meth:`preview` (``hold_back``) or, for the whole of each track, :meth:`final`."""
        out, todo = {}, []
        for tid, kt in tracks.items():
            ready = self._ready(kt, last_frame, hold_back)
            if ready == 0:
                continue
            old = self._streams.get(tid)
            done = 0 if old is None else len(old.frame_ids)
            if old is not None and (done > ready or not np.array_equal(old.frame_ids, kt.frame_ids[:done])):
                old, done = None, 0
            if old is not None and done == ready:
                out[tid] = old.track
                continue
            todo.append((tid, kt, ready, old, self._network(kt, done, ready, old.states if old is not None
                                                            else (StreamState(), StreamState()), False)))
        for (tid, kt, ready, old, net), new in zip(todo, self._tracks([t[4] for t in todo], False)):
            track = new if old is None else Track(**{
                f.name: None if getattr(new, f.name) is None else np.concatenate([getattr(old.track, f.name),
                                                                                   getattr(new, f.name)])
                for f in dataclasses.fields(Track)})
            self._streams[tid] = _Stream(kt.frame_ids[:ready].copy(), net.states, track)
            out[tid] = track
        return {tid: out[tid] for tid in tracks if tid in out}

    def _steady(self, kt: KeypointTrack, start: int, stop: int) -> KeypointTrack:
        """Rows ``start:stop`` of ``kt``, their world landmarks smoothed over the track's frames."""
        rows = kt.rows(start, stop)
        if kt.world is None or not self.world_smoothing:
            return rows
        lo, hi = max(0, start - WORLD_RADIUS), min(len(kt), stop + WORLD_RADIUS)
        world = steady_world(kt.world[lo:hi], kt.frame_ids[lo:hi], self.world_smoothing)
        return KeypointTrack(rows.frame_ids, rows.keypoints, world[start - lo:stop - lo])

    def _network(self, track: KeypointTrack, start: int, stop: int, streams: tuple[StreamState, StreamState],
                 smooth: bool) -> _NetworkRows:
        """LMR (and the baseline) from ``streams`` over the rows ``start:stop`` of ``track``."""
        from lmr_studio.model import predict_stream

        use_inference_threads()
        clock = time.perf_counter()
        kt = self._steady(track, start, stop)
        boxes = box_from_keypoints(kt.keypoints).astype(np.float32)
        features = keypoint_features(kt.keypoints, boxes, kt.world)
        pred, stream = predict_stream(self.model, features, streams[0], device=self.device)
        baseline, baseline_stream = None, streams[1]
        if self.baseline is not None:
            ghost, baseline_stream = predict_stream(self.baseline, features, streams[1], device=self.device)
            baseline = ghost.poses
        betas, cam = pred.betas, pred.cam
        if smooth:
            betas = np.repeat(betas.mean(0, keepdims=True), len(betas), 0)  # one body shape per person
            cam = smooth_over_frames(cam, kt.frame_ids)
        self.seconds["lmr"] += time.perf_counter() - clock
        return _NetworkRows(kt, boxes, pred.poses, betas, cam, pred.part_activity, baseline, (stream, baseline_stream))

    def _tracks(self, rows: list[_NetworkRows], smooth: bool) -> list[Track]:
        """The body model and cameras for the network's ``rows`` of several tracks, refined as one batch."""
        if not rows:
            return []
        start = time.perf_counter()
        keypoints = np.concatenate([r.kt.keypoints for r in rows])
        boxes, poses, betas, cam = (np.concatenate([getattr(r, name) for r in rows])
                                    for name in ("boxes", "poses", "betas", "cam"))
        rest = self.rest_joints(betas)
        transl = weak_to_full_translation(cam, boxes, self.focal, self.size).astype(np.float32)
        view = ray_rotation(transl + rest[:, 0].numpy())  # the crops' view -> the camera's (model/view.py)
        poses = turn_root(poses, view)
        if self.refine is not None:
            follows = np.concatenate([np.r_[False, np.diff(r.kt.frame_ids) == 1] for r in rows])
            world = None if all(r.kt.world is None for r in rows) else turn_world(np.concatenate(  # NaN: no landmarks
                [np.full((len(r.kt), NUM_KEYPOINTS, 3), np.nan, np.float32) if r.kt.world is None else r.kt.world
                 for r in rows]), view)
            refined = refine_to_keypoints(poses, transl, rest, keypoints, boxes[:, 2], self.focal, self.size,
                                          self.refine, follows, world)
            poses, transl = refined.poses, refined.transl
        ends = np.cumsum([len(r.poses) for r in rows])[:-1].tolist()
        out = []
        pieces = zip(rows, np.split(poses, ends), np.split(transl, ends), torch.tensor_split(rest, ends),
                     np.split(view, ends))
        for r, pose, move, shape, turn in pieces:
            if smooth:
                pose, move = smooth_poses(pose, r.kt.frame_ids), smooth_over_frames(move, r.kt.frame_ids)
            joints3d = self.joints(pose, shape)
            joints2d = perspective_project(joints3d, move, self.focal, self.size).astype(np.float32)
            out.append(Track(poses=pose, betas=r.betas, cam=r.cam, frame_ids=r.kt.frame_ids.astype(np.int64),
                             bboxes=box_to_corners(r.boxes).astype(np.float32),
                             keypoints2d=r.kt.keypoints.astype(np.float32), joints3d=joints3d, joints2d=joints2d,
                             transl=move, part_activity=r.part_activity,
                             world_input=np.full(len(r.kt), r.kt.world is not None),
                             baseline_poses=None if r.baseline is None else turn_root(r.baseline, turn)))
        self.seconds["body"] += time.perf_counter() - start
        return out


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


def _baseline(options: ProcessOptions):
    """The single-RNN baseline for the ghost, or None when its weights are missing (no ghost then)."""
    from lmr_studio.model import load_model

    try:
        return load_model("single_rnn", path=options.weights_dir, device=options.device)
    except BadWeightsError:
        return None


def load_models(options: ProcessOptions, progress: Callable[[int, int, str], None]):
    """The LMR network and the body model that ``options`` ask for (and BlazePose's module, unless
    keypoints are imported); ``progress(done, total, message)``."""
    from lmr_studio.body import load_body_model
    from lmr_studio.model import load_model

    progress(0, 2, "loading the LMR network")
    model = load_model("lmr", path=options.weights_dir, device=options.device)
    if options.keypoints_path is None:
        blazepose.preload()
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

    yield from video_keypoint_tracks(source, options.all_tracks, options.use_cache, cancel, options.keypoint_cache_dir)


def iter_process(video_path: str | Path, options: ProcessOptions | None = None,
                 cancel: threading.Event | None = None,
                 load: ModelLoader | None = None) -> Iterator[Progress | MotionResult]:
    """Process one video; see the module docstring for what is yielded. ``load`` (default
    :func:`load_models`) loads the network and body model, on a worker thread."""
    options = options or ProcessOptions()
    load = load or load_models
    cancel = cancel or threading.Event()
    with VideoSource(video_path) as source:  # a bad video, focal length or keypoints path fails first
        camera_focal(source.size, options.focal_px, options.focal_35mm, assumed_35mm=options.assumed_focal_35mm)
    if options.keypoints_path and not Path(options.keypoints_path).exists():
        raise LMRStudioError(f"{options.keypoints_path} does not exist.",
                             "Give an OpenPose output folder or a COCO keypoint .json file.")
    loaded = None
    for item in load_in_thread(lambda p: load(options, p), cancel):
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


def _recover_steps(video_path: Path, options: ProcessOptions, model, body, cancel: threading.Event,
                   recoverer: Recoverer | None) -> Iterator[Progress | MotionResult]:
    """The stages of :func:`iter_recover`, without its crash handling."""
    with VideoSource(video_path) as source:
        yield Progress("open", 1, 1, f"{source.size[0]}x{source.size[1]}, {source.num_frames} frames @ {source.fps:g} fps")
        lens = camera_focal(source.size, options.focal_px, options.focal_35mm, source.focal_35mm,
                            options.assumed_focal_35mm)
        recoverer = recoverer or Recoverer(model, body, source.size, options.device,
                                           RefineSettings.for_input(source.is_image) if options.refine else None,
                                           _baseline(options) if options.baseline else None, focal=lens.pixels)
        focal_source = lens.source if recoverer.focal == lens.pixels else "given"  # an injected recoverer's own
        settings = TrackerSettings.for_fps(source.fps, source.num_frames)

        def result(tracks: dict[int, Track]) -> MotionResult:
            res = MotionResult(tracks=tracks, fps=source.fps, image_size=source.size, num_frames=source.num_frames,
                               body_model=body.name, weights_version=str(getattr(model, "version", "")),
                               video_path=str(video_path.resolve()), frame_times=source.times,
                               focal=recoverer.focal, focal_source=focal_source)
            res.main_track = res.main_id if tracks else None            # saved, so a reload keeps it
            return res

        def kept(raw: dict[int, KeypointTrack]) -> dict[int, KeypointTrack]:
            good = {tid: t for tid, t in raw.items() if accept_track(t, settings)}
            if good and not options.all_tracks:
                main = max(good, key=lambda t: len(good[t]))
                good = {main: good[main]}
            return good

        raw: dict[int, KeypointTrack] = {}
        partial = result({})
        # the tracker runs on its own thread, up to about a second of frames (one snapshot of every
        # track, which grows with the video) ahead of the previews' LMR and refinement
        previewed, preview_every = 0, max(1, round(PREVIEW_SECONDS * source.fps))
        for done, tracks in iterate_ahead(_keypoint_items(source, options, cancel), depth=max(2, round(source.fps))):
            if tracks is not None:
                raw = tracks
            fresh = tracks is not None and (done - previewed >= preview_every or done == source.num_frames)
            if fresh:
                ended = done == source.num_frames
                partial, previewed = result(recoverer.preview(kept(raw), last_frame=done - 1, ended=ended)), done
            if cancel.is_set():
                yield Progress("cancelled", done, source.num_frames, "cancelled", partial=partial)
                return
            people = f"{len(partial.tracks)} people" if raw else "looking for people"
            yield Progress("keypoints", done, source.num_frames, people, partial=partial if fresh else None)
    tracks = kept(raw)
    if not tracks:
        message, hint = nobody_found(video_path.name, partial.num_frames)
        raise NoPersonError(message, hint, hint.replace("import 2D keypoints made by another tool (OpenPose or COCO "
                                                        "JSON)", "use File > Process with keypoints… to import 2D "
                                                        "keypoints made by OpenPose or as COCO JSON"))
    done_tracks: dict[int, Track] = {}
    for i, (tid, kt) in enumerate(sorted(tracks.items())):
        if cancel.is_set():
            yield Progress("cancelled", i, len(tracks), "cancelled", partial=result(done_tracks))
            return
        done_tracks[tid] = recoverer.final(tid, kt, smooth=options.smooth)
        so_far = {**partial.tracks, **done_tracks}  # previews stand in for tracks not yet final
        yield Progress("lmr", i + 1, len(tracks), f"track {tid}: {len(kt)} frames", partial=result(so_far))
    yield result(done_tracks)
