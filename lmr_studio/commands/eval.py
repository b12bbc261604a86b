"""``lmr-studio eval``: score LMR against the single-RNN and per-frame baselines.

The test set is synthetic and held out from training: other seeds, other motion families
(jumping jacks, boxing, kicks), other bodies. Metrics in millimetres (see
lmr_studio.training.metrics); ``--json`` prints one JSON object keyed by network.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path

import torch

from lmr_studio.model.config import KINDS
from lmr_studio.parts import PART_NAMES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="small test set (under a minute)")
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS), help="networks to score")
    parser.add_argument("--weights", type=Path, default=None, help="folder with <kind>.pt (default: weights/)")
    parser.add_argument("--motion", type=Path, default=None,
                        help="score on your own motion .npz instead (joints3d (F,24,3), fps, optional poses)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")


def _table(results: dict) -> str:
    lines = [f"{'network':<12}{'MPJPE':>9}{'PA-MPJPE':>10}{'PVE':>9}{'Accel':>9}   (mm, accel mm/frame^2)"]
    for kind, r in results.items():
        lines.append(f"{kind:<12}{r['mpjpe']:>9.1f}{r['pa_mpjpe']:>10.1f}{r['pve']:>9.1f}{r['accel']:>9.2f}")
    lines.append("")
    lines.append("per part MPJPE / accel:")
    for kind, r in results.items():
        cells = "  ".join(f"{p}={r['per_part'][p]['mpjpe']:.0f}/{r['per_part'][p]['accel']:.1f}" for p in PART_NAMES)
        lines.append(f"  {kind:<12}{cells}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from lmr_studio.body import load_body_model
    from lmr_studio.training.bodies import build_body_bank
    from lmr_studio.training.evaluate import evaluate

    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    if args.motion is not None:
        from lmr_studio.training.user_motion import clips_from_motion_file, load_motion_file

        load_motion_file(args.motion)  # a bad file fails before the body model loads
    with contextlib.redirect_stdout(sys.stderr):  # warp (under Anny) prints its banner to stdout
        body = load_body_model("anny")
        bank = build_body_bank(body)
        clips = None
        if args.motion is not None:
            clips = clips_from_motion_file(args.motion, body, bank)
        results = evaluate(body, bank, tuple(args.kinds), args.weights, quick=args.quick, clips=clips)
    if args.json:
        print(json.dumps(results))
    else:
        print(_table(results))
        print(f"\n({time.perf_counter() - t0:.0f} s)")
    return 0
