"""Real-detector training data: Anny rendered doing generated motion, seen by the real BlazePose.

Per clip (see :mod:`realdet_setup` for what is random): a motion of the chosen family
(:func:`~lmr_studio.training.motion.generate_motion`) or, with ``RealDetConfig.motion``, a window of
a motion file (evaluation only, :mod:`realdet_motion`), its forward drift removed as if the camera
dollied along, posed on a bank body (train split), placed in front of a camera that stands at
some height and pitches towards the person, rendered off-screen over a procedural background,
and tracked by :class:`~lmr_studio.perception.tracking.PersonTracker` exactly as
:func:`~lmr_studio.perception.keypoints.video_keypoint_tracks` does (settings for the fps, one
person), keeping the longest track that passes :func:`accept_track`, as the pipeline does.

Shards: ``shard-NNNNN.npz``, ``clips`` clips of ``frames`` frames each, seeded by
``(seed, shard index)`` alone, so any worker makes the same shard and a rerun skips shards that
exist (writes are atomic). ``manifest.json`` records the options; a rerun with other options in
the same folder is refused. The format is documented in docs/model.md and :func:`load_realdet`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np
import torch
from scipy.spatial.transform import Rotation

from lmr_studio.errors import LMRStudioError
from lmr_studio.geometry.camera import perspective_project
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.io.atomic import atomic_path
from lmr_studio.perception.blazepose import crop_square
from lmr_studio.perception.features import box_from_keypoints
from lmr_studio.perception.tracking import PersonTracker, TrackerSettings, accept_track
from lmr_studio.training.backgrounds import random_background
from lmr_studio.training.bodies import BodyBank
from lmr_studio.training.dataset import body_indices
from lmr_studio.training.landmarks import pose_landmarks
from lmr_studio.training.motion import TRAIN_FAMILIES, MotionClip
from lmr_studio.training.realdet_motion import GeneratedMotions, MotionSource, fit_motion_files, mocap_motions
from lmr_studio.training.realdet_setup import ClipSetup, sample_setup
from lmr_studio.training.render import OffscreenRenderer
from lmr_studio.training.user_motion import motion_paths

#: Bump when what a shard holds or how it is made changes; it names the cache folder.
VERSION = 2
FPS = 30.0


@dataclasses.dataclass(frozen=True)
class RealDetConfig:
    """What a pool is made of; ``seed`` and the shard index fix every shard's content.

    ``motion``: None for the generated ``families``; else a motion file, ``lafan1`` or
    ``deepmimic``, as ``lmr-studio eval --motion`` takes it (``families`` unused): a pool for
    evaluation only, but for ``deepmimic`` and ``trainable`` pools (:func:`refuse_evaluation_pools`).
    ``trainable``: the motion's licence allows training (``datagen --trainable``); its motions
    come with their mirror images and the ones shorter than a clip are left out, as ``train --mocap``
    takes them (:func:`~lmr_studio.training.realdet_motion.mocap_motions`).
    """

    seed: int = 0
    clips: int = 8          # per shard
    frames: int = 64        # per clip
    families: tuple[str, ...] = TRAIN_FAMILIES
    version: int = VERSION
    #: Camera pitch range (deg) for cameras that look down from above; None: the default set-up
    #: (see :func:`~lmr_studio.training.realdet_setup.sample_camera`).
    camera_pitch: tuple[float, float] | None = None
    motion: str | None = None
    #: Share of the upright generated clips performed in a crouched stance (0: none).
    stance_share: float = 0.0
    trainable: bool = False
    #: Side (px) of the person crop kept per frame (0: none): the square box LMR's features are
    #: normalised to, as an image model would read it (:func:`person_crops`).
    crop_size: int = 0

    def manifest(self) -> dict:
        """The options as JSON; ``camera_pitch``, ``motion``, ``stance_share``, ``trainable`` and
        ``crop_size`` only when set, so older pools still resume."""
        manifest = {**dataclasses.asdict(self), "families": list(self.families), "fps": FPS}
        if not self.stance_share:
            del manifest["stance_share"]
        if self.camera_pitch is None:
            del manifest["camera_pitch"]
        else:
            manifest["camera_pitch"] = list(self.camera_pitch)
        if self.motion is None:
            del manifest["motion"]
        if not self.trainable:
            del manifest["trainable"]
        if not self.crop_size:
            del manifest["crop_size"]
        return manifest


def default_dir() -> Path:
    """``<user cache>/realdet/v<VERSION>`` (``~/.cache/lmr_studio/realdet/v2`` on Linux)."""
    from lmr_studio.body.paths import cache_dir
    return cache_dir() / "realdet" / f"v{VERSION}"


def shard_path(out: Path, index: int) -> Path:
    return Path(out) / f"shard-{index:05d}.npz"


@dataclasses.dataclass
class Clip:
    """One rendered and detected clip (numpy; F frames). Detector output is zero where not found."""

    keypoints: np.ndarray    # (F, 33, 3) BlazePose pixels + visibility
    world: np.ndarray        # (F, 33, 3) BlazePose world landmarks, metres (Detection.world frame)
    found: np.ndarray        # (F,) bool: the kept track has this frame
    poses: np.ndarray        # (F, 24, 3) axis-angle, camera frame (SMPL order)
    betas: np.ndarray        # (F, 10)
    joints3d: np.ndarray     # (F, 24, 3) body frame (camera-frame orientation), root at rest
    joints2d: np.ndarray     # (F, 24, 2) pixels
    landmarks2d: np.ndarray  # (F, 33, 2) pixels: where the 33 landmarks truly project
    landmarks3d: np.ndarray  # (F, 33, 3) metres, body frame like joints3d
    transl: np.ndarray       # (F, 3) metres: camera-frame point = body point + transl


def place_in_camera(poses_world: np.ndarray, transl_world: np.ndarray, setup: ClipSetup) -> tuple[np.ndarray, np.ndarray]:
    """World-frame motion (poses (F, 24, 3), root translation (F, 3), y up) -> camera-frame poses
    and the pelvis position (F, 3) in the camera frame. The drift is removed (mean and linear
    trend of x and z: the camera dollies along) and the pelvis is put ``setup.distance`` ahead,
    ``setup.offset_x`` to the side, at the world origin's height."""
    f = len(transl_world)
    t = np.arange(f)[:, None] - (f - 1) / 2
    drift = transl_world - transl_world.mean(0)
    trend = t * (t * drift).sum(0) / max(float((t * t).sum()), 1e-9)
    drift[:, [0, 2]] -= trend[:, [0, 2]]
    pelvis_world = drift + np.array([setup.offset_x, 0.0, -setup.distance])
    to_cam = Rotation.from_matrix(setup.camera.rotation().T)
    poses = poses_world.astype(np.float64).copy()
    poses[:, 0] = (to_cam * Rotation.from_rotvec(poses[:, 0])).as_rotvec()
    return poses, setup.camera.to_camera(pelvis_world)


def pose_clip(body, bank: BodyBank, setup: ClipSetup, motion: MotionClip) -> tuple[Clip, np.ndarray]:
    """The ground truth of one clip doing the world-frame ``motion`` and its camera-frame vertices
    (F, V, 3); detector fields empty."""
    frames = len(motion.poses)
    poses, pelvis = place_in_camera(motion.poses, motion.transl, setup)
    betas = np.broadcast_to(bank.betas[setup.body], (frames, 10)).astype(np.float32)
    vertices, joints = body.mesh_sequence(poses.astype(np.float32), betas)
    transl = pelvis - joints[:, 0]
    rest = torch.from_numpy(bank.rest_joints[setup.body]).double().expand(frames, -1, -1)
    _, glob = forward_kinematics(axis_angle_to_matrix(torch.from_numpy(poses)), rest)
    landmarks = pose_landmarks(joints.astype(np.float64), glob.numpy(),
                               np.broadcast_to(bank.offsets[setup.body], (frames, 33, 3)))
    cam = setup.camera
    clip = Clip(keypoints=np.zeros((frames, 33, 3), np.float32), world=np.zeros((frames, 33, 3), np.float32),
                found=np.zeros(frames, bool), poses=poses.astype(np.float32), betas=betas,
                joints3d=joints.astype(np.float32),
                joints2d=perspective_project(joints, transl, cam.focal, cam.size).astype(np.float32),
                landmarks2d=perspective_project(landmarks, transl, cam.focal, cam.size).astype(np.float32),
                landmarks3d=landmarks.astype(np.float32), transl=transl.astype(np.float32))
    return clip, vertices + transl[:, None].astype(np.float32)


def detect_frames(frames: Iterator[np.ndarray], clip: Clip, fps: float = FPS) -> None:
    """Run the pipeline's tracker over RGB ``frames`` (in order) and fill ``clip``'s detector
    fields from the longest track that passes the pipeline's track check."""
    settings = TrackerSettings.for_fps(fps)
    tracker = PersonTracker(settings, max_people=1)
    try:
        for i, frame in enumerate(frames):
            tracker.update(i, frame)
        tracks = tracker.tracks()
    finally:
        tracker.close()
    kept = [t for t in tracks.values() if accept_track(t, settings)]
    if not kept:
        return
    track = max(kept, key=len)
    clip.found[track.frame_ids] = True
    clip.keypoints[track.frame_ids] = track.keypoints
    clip.world[track.frame_ids] = track.world


def person_crops(frames: Sequence[np.ndarray], clip: Clip, size: int) -> np.ndarray:
    """(F, size, size, 3) uint8: each RGB frame cut to the square box of ``clip``'s detected
    keypoints (:func:`~lmr_studio.perception.features.box_from_keypoints`, the box LMR's features
    are normalised to) and resampled; black on the frames where nobody was found."""
    crops = np.zeros((len(frames), size, size, 3), np.uint8)
    boxes = box_from_keypoints(clip.keypoints)
    for i in np.flatnonzero(clip.found):
        crops[i] = crop_square(frames[i], boxes[i], size)
    return crops


def degrade(frame: np.ndarray, setup: ClipSetup) -> np.ndarray:
    """The clip's camera softness (Gaussian blur) and compression (JPEG round trip) on an RGB frame."""
    if setup.blur_sigma > 0:
        frame = cv2.GaussianBlur(frame, (0, 0), setup.blur_sigma)
    if setup.jpeg_quality:
        _, data = cv2.imencode(".jpg", cv2.cvtColor(frame, cv2.COLOR_RGB2BGR),
                               [cv2.IMWRITE_JPEG_QUALITY, setup.jpeg_quality])
        frame = cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return frame


def motion_source(config: RealDetConfig, body, bank: BodyBank) -> MotionSource:
    """The generated families, or ``config.motion`` fitted on ``body`` (:mod:`realdet_motion`)."""
    if config.motion is None:
        return GeneratedMotions(config.families, FPS, config.stance_share)
    if config.trainable:
        return mocap_motions([config.motion], body, bank, config.frames)
    return fit_motion_files(motion_paths(config.motion), body, bank, config.frames)


class ShardMaker:
    """Makes shards in one process: one body model, one bank, one motion source (default:
    :func:`motion_source`), one renderer per image size."""

    def __init__(self, body, bank: BodyBank, config: RealDetConfig, source: MotionSource | None = None) -> None:
        self.body, self.bank, self.config = body, bank, config
        self.source = source if source is not None else motion_source(config, body, bank)
        self.vertex_joints = body.joint_weights.argmax(1)
        self.bodies = body_indices(bank, "train")
        self._renderers: dict[tuple[int, int], OffscreenRenderer] = {}

    def _renderer(self, setup: ClipSetup) -> OffscreenRenderer:
        renderer = self._renderers.get(setup.camera.size)
        if renderer is None:
            renderer = OffscreenRenderer(self.body.faces, self.vertex_joints, setup.camera)
            self._renderers[setup.camera.size] = renderer
        renderer.set_camera(setup.camera)
        return renderer

    def make_clip(self, rng: np.random.Generator) -> tuple[ClipSetup, Clip, np.ndarray | None]:
        """One clip's set-up, its truth with the detector's fields, and its person crops
        (:func:`person_crops`; None unless ``config.crop_size``)."""
        setup = sample_setup(rng, self.source.names, self.bodies, self.config.camera_pitch)
        motion = self.source.clip(setup.family, self.config.frames, rng)
        clip, vertices = pose_clip(self.body, self.bank, setup, motion)
        renderer = self._renderer(setup)
        background = random_background(setup.camera.size, np.random.default_rng(setup.background_seed))
        renderer.set_scene([setup.look], setup.lighting, background)
        frames = (degrade(renderer.render([v]), setup) for v in vertices)
        if not self.config.crop_size:
            detect_frames(frames, clip)
            return setup, clip, None
        frames = list(frames)
        detect_frames(iter(frames), clip)
        return setup, clip, person_crops(frames, clip, self.config.crop_size)

    def make_shard(self, index: int) -> dict[str, np.ndarray]:
        """The arrays of shard ``index`` (see :func:`load_realdet`)."""
        rng = np.random.default_rng([self.config.seed, index])
        setups, clips, crops = zip(*(self.make_clip(rng) for _ in range(self.config.clips)))
        arrays = {f.name: np.stack([getattr(c, f.name) for c in clips]) for f in dataclasses.fields(Clip)}
        if self.config.crop_size:
            arrays["crops"] = np.stack(crops)
        arrays.update(
            image_size=np.array([s.camera.size for s in setups], np.int32),
            focal=np.array([s.camera.focal for s in setups], np.float32),
            camera_height=np.array([s.camera.height for s in setups], np.float32),
            camera_pitch=np.array([s.camera.pitch_deg for s in setups], np.float32),
            family=np.array([s.family for s in setups]),
            body=np.array([s.body for s in setups], np.int32),
            skin=np.array([s.look.skin for s in setups], np.float32),
            background_seed=np.array([s.background_seed for s in setups], np.int64),
            shard=np.full(len(setups), index, np.int32),
        )
        return arrays

    def write_shard(self, out: Path, index: int) -> dict:
        """Make shard ``index`` and write it atomically; returns timing stats."""
        start = time.perf_counter()
        arrays = self.make_shard(index)
        with atomic_path(shard_path(out, index)) as tmp:
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, **arrays)
        seconds = time.perf_counter() - start
        frames = arrays["found"].size
        return {"shard": index, "frames": frames, "seconds": seconds, "fps": frames / seconds,
                "found": float(arrays["found"].mean())}

    def close(self) -> None:
        for renderer in self._renderers.values():
            renderer.close()


def _check_manifest(out: Path, config: RealDetConfig) -> None:
    path = out / "manifest.json"
    wanted = config.manifest()
    if path.exists():
        have = json.loads(path.read_text())
        if have != wanted:
            raise LMRStudioError(f"{out} holds shards made with other options ({have}).",
                                 "Use the same options to resume, or choose another --out folder.")
        return
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(wanted, indent=1))


def refuse_evaluation_pools(directories) -> None:
    """LMRStudioError when a pool in ``directories`` renders a motion file (``datagen --motion``):
    those are for evaluation only (a file's licence may forbid training, as LAFAN1's CC BY-NC-ND
    does, and a motion trained on would no longer be held out). The exceptions: DeepMimic's clips
    (:mod:`~lmr_studio.training.deepmimic`, zlib licence), made to train on, and pools made with
    ``datagen --trainable``, whose maker stated that the motion's licence allows training."""
    from lmr_studio.training.deepmimic import DEEPMIMIC
    from lmr_studio.training.lafan1 import LAFAN1

    for directory in directories:
        path = Path(directory) / "manifest.json"
        manifest = json.loads(path.read_text()) if path.is_file() else {}
        motion = manifest.get("motion")
        if motion == LAFAN1 or (motion not in (None, DEEPMIMIC) and not manifest.get("trainable")):
            raise LMRStudioError(
                f"{directory} renders the motion {motion!r} (datagen --motion): such pools are for evaluation "
                "only, never for training (a motion file's licence may forbid it, as LAFAN1's CC BY-NC-ND does, "
                "and a motion trained on is no longer held out).",
                f"Leave {directory} out of --realdet and score it with `lmr-studio eval --realdet {directory}`; "
                "if the motion's licence allows training, make the pool with `lmr-studio datagen --trainable`.")


def pending_shards(out: Path, shards: int) -> list[int]:
    """Shard indices in ``range(shards)`` whose file does not exist yet."""
    return [i for i in range(shards) if not shard_path(out, i).exists()]


_WORKER: ShardMaker | None = None


def _init_worker(config: RealDetConfig, source: MotionSource | None) -> None:
    global _WORKER
    torch.set_num_threads(1)
    with contextlib.redirect_stdout(sys.stderr):  # warp (under Anny) prints its banner to stdout
        _WORKER = _default_maker(config, source)


def _worker_shard(args: tuple[Path, int]) -> dict:
    assert _WORKER is not None
    return _WORKER.write_shard(*args)


def _body_and_bank() -> tuple:
    """Anny and its body bank, as every shard maker uses them."""
    from lmr_studio.body import load_body_model
    from lmr_studio.training.bodies import build_body_bank
    body = load_body_model("anny")
    return body, build_body_bank(body)


def _default_maker(config: RealDetConfig, source: MotionSource | None = None) -> ShardMaker:
    return ShardMaker(*_body_and_bank(), config, source)


def generate(out: Path, shards: int, config: RealDetConfig, workers: int = 1,
             report: Callable[[dict], None] = lambda stats: None, maker: ShardMaker | None = None) -> list[dict]:
    """Make the missing shards of ``range(shards)`` in ``out`` with ``workers`` processes (or in
    this process with ``maker``, or when ``workers`` is 1); ``report`` gets each shard's stats."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _check_manifest(out, config)
    todo = pending_shards(out, shards)
    done: list[dict] = []
    if not todo:
        return done
    if maker is not None or workers <= 1:
        own = maker or _default_maker(config)
        try:
            for index in todo:
                done.append(own.write_shard(out, index))
                report(done[-1])
        finally:
            if maker is None:
                own.close()
        return done
    # a motion file is fitted once here, not once per worker (minutes each under load), and
    # every worker count then poses the same fit
    source = motion_source(config, *_body_and_bank()) if config.motion is not None else None
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(config, source)) as pool:
        for stats in pool.imap_unordered(_worker_shard, [(out, i) for i in todo]):
            done.append(stats)
            report(stats)
    return done


def load_realdet(directory: str | Path, crops: bool = False) -> dict[str, np.ndarray]:
    """All finished shards of ``directory``, concatenated over clips (N clips of F frames):

    keypoints (N, F, 33, 3) px + visibility, world (N, F, 33, 3) m, found (N, F) bool,
    poses (N, F, 24, 3), betas (N, F, 10), joints3d (N, F, 24, 3), joints2d (N, F, 24, 2) px,
    landmarks2d (N, F, 33, 2) px, landmarks3d (N, F, 33, 3), transl (N, F, 3),
    image_size (N, 2) (width, height), focal (N,), camera_height (N,) m, camera_pitch (N,) deg,
    family (N,) str, body (N,) bank index (``build_body_bank(anny)``, train split), skin (N, 3) RGB
    0..1, background_seed (N,), shard (N,); with ``crops`` and a pool made with ``datagen --crops
    S`` also crops (N, F, S, S, 3) uint8 RGB (:func:`person_crops`), else they stay on disk.
    """
    files = sorted(Path(directory).glob("shard-*.npz"))
    if not files:
        raise LMRStudioError(f"No realdet shards in {directory}.", "Run `lmr-studio datagen --out DIR` first.")
    parts = []
    for path in files:
        with np.load(path) as data:
            parts.append({k: data[k] for k in data.files if crops or k != "crops"})
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
