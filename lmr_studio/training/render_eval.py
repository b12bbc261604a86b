"""End-to-end evaluation: a motion fitted on the body, rendered from several cameras, run through
the real video pipeline (BlazePose -> network -> body), scored against the truth.

Per clip and :class:`~lmr_studio.training.eval_cameras.EvalCamera`: the fitted motion is filmed
(:func:`~lmr_studio.training.eval_cameras.film`), rendered to a video by an injected ``render``
function (default :func:`anny_renderer`: :mod:`lmr_studio.training.render`, skin and clothes,
a room behind), then every network kind runs through :func:`lmr_studio.pipeline.iter_recover`
(keypoints once per video, from the pipeline's own cache, for all kinds). The main track's poses
and betas are scored with :mod:`~lmr_studio.training.metrics` against the camera-frame truth on
the frames where the person was found; acceleration only over three consecutive found frames.
With ``stills``, every ``stills``-th frame of each video is instead processed as a photo (a PNG
beside the video, one frame for the pipeline) and scored on its own (no acceleration).

On videos the 12 limb joints BlazePose marks (shoulders, elbows, wrists, hips, knees, ankles) are
also scored alone (:func:`limb_errors`: PA-MPJPE with the alignment fitted on those 12), for every
network and for BlazePose's own 3D (its world landmarks, :func:`detector_world`, from the
pipeline's keypoint cache read once per video), on the frames that have world landmarks: how the
recovered limbs compare with the 3D evidence the network reads. The trunk's direction is scored
too (:func:`~lmr_studio.training.metrics.trunk_errors`: its angle to the truth's and the bias of
its pitch toward the camera, degrees): the body's tilt, which MPJPE counts and PA-MPJPE does not.
And MPJPE's offsets are split along the camera's axes (:func:`~lmr_studio.training.metrics.axis_errors`,
mm): across the image (x, y) and in depth (z), the one a single view leaves open. Within that
depth, the limb bones' signs (:func:`~lmr_studio.training.metrics.depth_sign_agreement`: whether a
thigh, shin, upper arm or forearm leans toward the camera or away from it as the truth's does, in
% of the bones scored; for every network and for BlazePose's world landmarks) and PA-MPJPE with the
truth's signs given to the recovered bones (:func:`~lmr_studio.training.metrics.with_true_depth_signs`):
how much of the error is the front-or-behind choice a single view leaves to the network.

Videos live in ``<user cache>/eval/render/<clip>-<key>/`` (``key`` hashes the fitted motion, the
cameras and :data:`RENDER_VERSION`), so a second run renders nothing again; the command keeps the
fit itself too (:mod:`~lmr_studio.training.fit_cache`), so every run sees the same one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from lmr_studio.errors import NoPersonError
from lmr_studio.keypoint_error import MARKED_JOINTS, MARKED_LANDMARKS
from lmr_studio.parts import JOINT_PART
from lmr_studio.perception.features import WORLD_AXES
from lmr_studio.result import MotionResult, Track
from lmr_studio.training.eval_cameras import CAMERAS, EvalCamera, camera_vertices, film
from lmr_studio.training.evaluate import ErrorSums
from lmr_studio.training.metrics import (accel_errors, axis_errors, depth_sign_agreement, joint_errors,
                                         pa_joint_errors, trunk_errors, vertex_errors, with_true_depth_signs)
from lmr_studio.training.user_motion import FittedMotion

#: ``render(frames_vertices, faces, camera, path) -> path``: camera-frame vertices (V, 3) per
#: frame (an iterable), the mesh's triangles (T, 3), the camera, the video file to write.
Render = Callable[[Iterable[np.ndarray], np.ndarray, EvalCamera, Path], Path]
#: Bumped when rendering changes, so cached videos are not reused.
RENDER_VERSION = 2
#: The name of BlazePose's own 3D among the sources :func:`limb_errors` scores.
DETECTOR_3D = "blazepose_world"


def anny_renderer(body) -> Render:
    """The default ``render``: :class:`~lmr_studio.training.render.OffscreenRenderer` with a
    clothed look (t-shirt, trousers, shoes), default lights and a room background of its own per
    camera (seeded by the camera's name)."""
    from lmr_studio.training.backgrounds import room_background
    from lmr_studio.training.render import Camera, Look, OffscreenRenderer, write_video

    look = Look(skin=(0.87, 0.68, 0.55), top=(0.25, 0.45, 0.7), bottom=(0.22, 0.22, 0.28), sleeves="short")
    vertex_joints = np.asarray(body.joint_weights).argmax(1)

    def render(frames: Iterable[np.ndarray], faces: np.ndarray, camera: EvalCamera, path: Path) -> Path:
        with OffscreenRenderer(faces, vertex_joints, Camera(camera.size, camera.focal)) as renderer:
            rng = np.random.default_rng(zlib.crc32(camera.name.encode()))
            renderer.set_scene([look], background=room_background(camera.size, rng))
            write_video((renderer.render([v]) for v in frames), path, fps=30.0)
        return path

    return render


@dataclasses.dataclass
class Clip:
    """One motion to evaluate: a ``name`` and its fit on the body."""

    name: str
    motion: FittedMotion


def clip_folder(root: Path, clip: Clip, cameras: Sequence[EvalCamera]) -> Path:
    """``root / <name>-<key>``: key = hash of the fitted motion, the cameras and :data:`RENDER_VERSION`."""
    h = hashlib.sha1()
    for a in (clip.motion.poses, clip.motion.betas, clip.motion.transl):
        h.update(np.ascontiguousarray(a).tobytes())
    h.update(repr((cameras, RENDER_VERSION)).encode())
    folder = root / f"{clip.name}-{h.hexdigest()[:12]}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def limb_errors(joints: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """(F, 12) errors (mm) of the 12 limb joints BlazePose marks after a Procrustes alignment
    fitted on those 12 alone; ``joints`` (F, 24, 3) SMPL joints or (F, 33, 3) BlazePose world
    landmarks (in our axes), ``truth`` (F, 24, 3) SMPL joints, metres."""
    marked = MARKED_LANDMARKS if joints.shape[1] == 33 else MARKED_JOINTS
    return pa_joint_errors(joints[:, marked], truth[:, MARKED_JOINTS])


def detector_world(tracks: dict | None, frame_ids: np.ndarray) -> np.ndarray:
    """BlazePose's world landmarks (F, 33, 3) metres, hip-centred, in our axes, at ``frame_ids``
    (F,), from a video's keypoint ``tracks`` ({id: KeypointTrack}, as the pipeline's keypoint
    cache holds them; None: none cached); NaN on frames they have none for."""
    out = np.full((len(frame_ids), 33, 3), np.nan, np.float32)
    row = {int(f): i for i, f in enumerate(frame_ids)}
    for kt in (tracks or {}).values():
        if kt.world is None:
            continue
        for f, world in zip(kt.frame_ids, kt.world):
            if int(f) in row:
                out[row[int(f)]] = world * WORLD_AXES
    return out


def detector_joints(world: np.ndarray) -> np.ndarray:
    """(F, 24, 3) SMPL-order joints from BlazePose's world landmarks (F, 33, 3) in our axes: the
    12 it marks (:data:`~lmr_studio.keypoint_error.MARKED_JOINTS`), NaN elsewhere."""
    out = np.full((len(world), 24, 3), np.nan, np.float32)
    out[:, MARKED_JOINTS] = world[:, MARKED_LANDMARKS]
    return out


def score_track(sums: Sequence[ErrorSums], body, truth_poses: np.ndarray, truth_betas: np.ndarray,
                frame_ids: np.ndarray, poses: np.ndarray, betas: np.ndarray, batch: int = 256
                ) -> tuple[np.ndarray, np.ndarray]:
    """Add one track's errors on its frames ``frame_ids`` (F,) to each of ``sums``; predictions
    (F, 24, 3), (F, 10), truth over the whole video (N, 24, 3), (N, 10). Returns the predicted
    and the true joints (F, 24, 3) metres, about the pelvis's own origin."""

    def add(metric: str, errors: np.ndarray, labels: np.ndarray) -> None:
        for s in sums:
            s.add(metric, errors, labels)

    vparts = np.asarray(body.vertex_parts).astype(np.int64)
    pred_j, gt_j = [], []
    for start in range(0, len(frame_ids), batch):
        rows = slice(start, start + batch)
        ids = frame_ids[rows]
        pv, pj = body.mesh_sequence(poses[rows], betas[rows])
        gv, gj = body.mesh_sequence(truth_poses[ids], truth_betas[ids])
        add("pve", vertex_errors(pv, gv, pj[:, 0], gj[:, 0]), vparts)
        pred_j.append(pj)
        gt_j.append(gj)
    pj, gj = np.concatenate(pred_j), np.concatenate(gt_j)
    add("mpjpe", joint_errors(pj, gj), JOINT_PART)
    add("pa_mpjpe", pa_joint_errors(pj, gj), JOINT_PART)
    consecutive = frame_ids[2:] - frame_ids[:-2] == 2
    if consecutive.any():
        add("accel", accel_errors(pj, gj)[consecutive], JOINT_PART)
    return pj, gj


def run_pipeline(video: Path, model, body, refine: bool = True, smooth: bool = False,
                 focal: float | None = None) -> Track | None:
    """The main track the real pipeline finds in ``video`` with the loaded network ``model`` (and
    the 2D refinement when ``refine``; smoothed over time as by ``process --smooth`` when
    ``smooth``; told the camera's ``focal`` length in px, as by ``process --focal``, else guessing
    it), or None."""
    from lmr_studio.pipeline import ProcessOptions, iter_recover

    options = ProcessOptions(use_cache=True, refine=refine, smooth=smooth, focal_px=focal)
    try:
        for item in iter_recover(video, options, model, body):
            if isinstance(item, MotionResult):
                return item.main
    except NoPersonError:
        return None
    return None


@dataclasses.dataclass
class _Tally:
    """Running error sums per network (overall and per camera), person-found counts per camera, and
    the time spent rendering, in first pipeline passes (with BlazePose) and in later passes."""

    kinds: Sequence[str]
    cameras: Sequence[str]

    def __post_init__(self) -> None:
        self.total = {kind: ErrorSums() for kind in self.kinds}
        self.per_cam = {cam: {kind: ErrorSums() for kind in self.kinds} for cam in self.cameras}
        self.found = {cam: [0, 0] for cam in self.cameras}
        # [sum, count] per source (kinds and DETECTOR_3D), overall and per camera, of: the limb
        # joints' errors (mm), the limb bones' depth-sign agreement (0/1), and the PA-MPJPE (mm) with
        # the truth's depth signs (kinds only)
        sources = {"limbs": (*self.kinds, DETECTOR_3D), "depth_signs": (*self.kinds, DETECTOR_3D),
                   "true_signs": tuple(self.kinds)}
        self.means = {name: {key: {src: [0.0, 0] for src in srcs} for key in ("all", *self.cameras)}
                      for name, srcs in sources.items()}
        # trunk sums [angle deg, pitch difference deg, frames] per network, overall and per camera
        self.trunk = {key: {kind: [0.0, 0.0, 0] for kind in self.kinds} for key in ("all", *self.cameras)}
        # root-aligned offset sums along the camera's axes [mm (3,), joint count] per network, overall and per camera
        self.axes = {key: {kind: [np.zeros(3), 0] for kind in self.kinds} for key in ("all", *self.cameras)}
        self.seconds = {"render": [0.0, 0], "detect": [0.0, 0], "network": [0.0, 0]}  # [seconds, frames]

    def timed(self, stage: str, seconds: float, frames: int) -> None:
        self.seconds[stage][0] += seconds
        self.seconds[stage][1] += frames

    def add_mean(self, name: str, cam: str, source: str, values: np.ndarray) -> None:
        """Add the finite ``values`` (any shape; NaN: not scored) to the mean ``name`` of ``source``."""
        finite = values[np.isfinite(values)]
        for key in ("all", cam):
            self.means[name][key][source][0] += float(finite.sum())
            self.means[name][key][source][1] += finite.size

    def mean_result(self, name: str, key: str, scale: float = 1.0) -> dict:
        """{source: mean x ``scale``} of the mean ``name`` for ``key`` ("all" or a camera); None
        where nothing was scored."""
        return {src: round(scale * s / n, 2) if n else None for src, (s, n) in self.means[name][key].items()}

    def add_trunk(self, cam: str, kind: str, angle: np.ndarray, pitch: np.ndarray) -> None:
        for key in ("all", cam):
            sums = self.trunk[key][kind]
            sums[0] += float(angle.sum())
            sums[1] += float(pitch.sum())
            sums[2] += angle.size

    def trunk_result(self, key: str) -> dict:
        """{kind: {"angle_deg", "pitch_bias_deg"}} (means; None where nothing was scored)."""
        return {kind: {"angle_deg": round(a / n, 2) if n else None, "pitch_bias_deg": round(p / n, 2) if n else None}
                for kind, (a, p, n) in self.trunk[key].items()}

    def add_axes(self, cam: str, kind: str, errors: np.ndarray) -> None:
        """Add :func:`axis_errors` (F, J, 3) mm of one video."""
        for key in ("all", cam):
            sums = self.axes[key][kind]
            sums[0] = sums[0] + errors.reshape(-1, 3).sum(0)
            sums[1] += errors.size // 3

    def axes_result(self, key: str) -> dict:
        """{kind: {"x", "y", "z"}}: mean offsets (mm) along the camera's axes (z: depth); None where nothing was scored."""
        return {kind: {axis: round(float(v) / n, 2) if n else None for axis, v in zip("xyz", sums)}
                for kind, (sums, n) in self.axes[key].items()}

    def _limb_results(self, key: str) -> dict:
        return {"limbs_pa_mpjpe": self.mean_result("limbs", key),
                "depth_signs_pct": self.mean_result("depth_signs", key, 100.0),
                "pa_mpjpe_true_signs": self.mean_result("true_signs", key)}

    def result(self, frames: int) -> dict:
        out = {kind: s.result() for kind, s in self.total.items()}
        out["per_camera"] = {cam: {**{kind: s.result() for kind, s in sums.items()},
                                   "found": round(self.found[cam][0] / max(self.found[cam][1], 1), 3),
                                   **self._limb_results(cam), "trunk": self.trunk_result(cam),
                                   "axes_mm": self.axes_result(cam)}
                             for cam, sums in self.per_cam.items()}
        out.update(self._limb_results("all"))
        out["trunk"] = self.trunk_result("all")
        out["axes_mm"] = self.axes_result("all")
        out["frames"] = frames
        out["timing"] = {f"{stage}_s_per_frame": round(sec / n, 4) if n else None
                         for stage, (sec, n) in self.seconds.items()}
        return out


def _score_stills(tally: _Tally, label: str, video: Path, cam: str, filmed, models: dict, body,
                  log: Callable[[str], None], refine: bool, every: int, focal: float | None) -> None:
    """Every ``every``-th frame of ``video`` processed as a photo by every network; adds the scores to ``tally``."""
    import cv2

    from lmr_studio.video import VideoSource

    stills = video.parent / f"{video.stem}-stills"
    stills.mkdir(exist_ok=True)
    with VideoSource(video) as source:
        picked = range(0, source.num_frames, every)
        photos = [stills / f"{i:05d}.png" for i in picked]
        for i, photo in zip(picked, photos):
            if not photo.is_file():
                cv2.imwrite(str(photo), cv2.cvtColor(source.read(i), cv2.COLOR_RGB2BGR))
    for k, (kind, model) in enumerate(models.items()):
        this_camera = ErrorSums()
        for i, photo in zip(picked, photos):
            track = run_pipeline(photo, model, body, refine, focal=focal)
            if k == 0:
                tally.found[cam][0] += track is not None
                tally.found[cam][1] += 1
            if track is None:
                continue
            score_track((tally.total[kind], tally.per_cam[cam][kind], this_camera), body, filmed.poses[i:i + 1],
                        filmed.betas[i:i + 1], np.zeros(1, np.int64), track.poses, track.betas)
        r = this_camera.result()
        log(f"{label} {kind} ({len(photos)} photos): MPJPE {r['mpjpe']:.1f} PA-MPJPE {r['pa_mpjpe']:.1f}")


def _score_video(tally: _Tally, label: str, video: Path, cam: str, filmed, models: dict, body,
                 log: Callable[[str], None], refine: bool, smooth: bool, focal: float | None) -> None:
    """Run every network's pipeline on one rendered video and add its scores to ``tally``."""
    from lmr_studio.perception.keypoint_cache import cache_file, load_tracks

    frames = len(filmed.poses)
    fresh = not cache_file(video, False).exists()  # the first pass runs BlazePose
    keypoints = None  # the cached keypoint tracks, read once after the first pass
    for i, (kind, model) in enumerate(models.items()):
        start = time.perf_counter()
        track = run_pipeline(video, model, body, refine, smooth, focal)
        tally.timed("detect" if fresh and i == 0 else "network", time.perf_counter() - start, frames)
        if i == 0:
            tally.found[cam][0] += 0 if track is None else len(track.frame_ids)
            tally.found[cam][1] += frames
        if track is None:
            log(f"{label} {kind}: nobody found")
            continue
        this_video = ErrorSums()
        joints, truth = score_track((tally.total[kind], tally.per_cam[cam][kind], this_video), body, filmed.poses,
                                    filmed.betas, track.frame_ids, track.poses, track.betas)
        tally.add_trunk(cam, kind, *trunk_errors(joints, truth))
        tally.add_axes(cam, kind, axis_errors(joints, truth))
        tally.add_mean("true_signs", cam, kind, pa_joint_errors(with_true_depth_signs(joints, truth), truth))
        keypoints = keypoints or load_tracks(cache_file(video, False))
        world = detector_world(keypoints, track.frame_ids)
        has = np.isfinite(world).all((1, 2))  # the frames both are scored on
        if has.any():
            tally.add_mean("limbs", cam, kind, limb_errors(joints[has], truth[has]))
            tally.add_mean("depth_signs", cam, kind, depth_sign_agreement(joints[has], truth[has]))
            if i == 0:
                tally.add_mean("limbs", cam, DETECTOR_3D, limb_errors(world[has], truth[has]))
                tally.add_mean("depth_signs", cam, DETECTOR_3D,
                               depth_sign_agreement(detector_joints(world[has]), truth[has]))
        r = this_video.result()
        log(f"{label} {kind}: MPJPE {r['mpjpe']:.1f} PA-MPJPE {r['pa_mpjpe']:.1f} accel {r['accel']:.1f} "
            f"({len(track.frame_ids)}/{frames} frames)")


def evaluate_rendered(clips: Sequence[Clip], body, kinds: Sequence[str], weights_dir=None,
                      cameras: Sequence[EvalCamera] = CAMERAS, render: Render | None = None,
                      root: Path | None = None, log: Callable[[str], None] = lambda s: None,
                      refine: bool = True, stills: int | None = None, smooth: bool = False,
                      known_focal: bool = False) -> dict:
    """Score ``kinds`` end to end on ``clips`` seen by ``cameras``. Returns ``{kind: metrics,
    "per_camera": {camera: {kind: metrics, "found": fraction, "limbs_pa_mpjpe", "depth_signs_pct",
    "pa_mpjpe_true_signs", "trunk", "axes_mm"}}, "limbs_pa_mpjpe": {source: mm}, "depth_signs_pct":
    {source: %}, "pa_mpjpe_true_signs": {kind: mm}, "trunk": {kind: {"angle_deg", "pitch_bias_deg"}},
    "axes_mm": {kind: {"x", "y", "z"}} (mm, videos only; None where nothing was scored), "frames":
    frames per camera,
    "timing": {"render_s_per_frame", "detect_s_per_frame", "network_s_per_frame"}}`` with metrics
    as :meth:`ErrorSums.result` (mm, accel mm/frame^2). Timing: rendering; the first pipeline pass
    over a video (BlazePose + network + body); later passes (keypoints from the cache); None
    where nothing of the kind ran (e.g. every video was already rendered). ``refine``: the
    pipeline's 2D refinement after the network (its default) or the raw network output.
    ``smooth``: the videos' tracks smoothed over time (``process --smooth``). ``stills``: score
    every ``stills``-th frame processed as a photo instead of the videos. ``known_focal``: the
    pipeline is told each camera's focal length (a user who knows their lens) instead of guessing."""
    from lmr_studio.body.paths import cache_dir
    from lmr_studio.model import load_model

    render = render or anny_renderer(body)
    root = root or cache_dir() / "eval" / "render"
    models = {kind: load_model(kind, weights_dir, device="cpu") for kind in kinds}
    tally = _Tally(kinds, [cam.name for cam in cameras])
    for clip in clips:
        folder = clip_folder(root, clip, cameras)
        m = clip.motion
        for cam in cameras:
            filmed = film(cam, m.poses, m.betas, m.transl, body, m.fps)
            video = folder / f"{cam.name}.mp4"
            if not video.is_file():
                start = time.perf_counter()
                render(camera_vertices(filmed, m.poses, m.transl, body), body.faces, cam, video)
                tally.timed("render", time.perf_counter() - start, len(m.poses))
                log(f"{clip.name} {cam.name}: rendered {len(m.poses)} frames")
            focal = cam.focal if known_focal else None
            if stills:
                _score_stills(tally, f"{clip.name} {cam.name}", video, cam.name, filmed, models, body, log, refine,
                              stills, focal)
            else:
                _score_video(tally, f"{clip.name} {cam.name}", video, cam.name, filmed, models, body, log, refine,
                             smooth, focal)
    return tally.result(int(sum(len(c.motion.poses) for c in clips)))
