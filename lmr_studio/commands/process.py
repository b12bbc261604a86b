"""``lmr-studio process VIDEO -o OUT.npz``: recover meshes from a video, headless."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from tqdm import tqdm

from lmr_studio.errors import ExportError, LMRStudioError
from lmr_studio.pipeline import ProcessOptions, Progress, cache_result_path_for, iter_process, result_path_for
from lmr_studio.result import MotionResult


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", type=Path, help="the video file to process")
    parser.add_argument("-o", "--output", type=Path, help="result file (.npz); default: VIDEO's name + .lmr.npz beside it")
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--main-only", action="store_true", help="recover only the main person (the longest track): faster")
    who.add_argument("--all-tracks", action="store_true", help="recover every person found (the default)")
    parser.add_argument("--smooth", action=argparse.BooleanOptionalAction, default=ProcessOptions.smooth,
                        help="smooth poses, camera and translation over time (zero-lag, over each finished track; "
                             "default: on)")
    parser.add_argument("--device", choices=("cpu", "cuda"), help="where LMR runs (default: cuda when available)")
    parser.add_argument("--smpl", type=Path, metavar="PATH", help="use the SMPL body model from this .pkl/.npz file")
    parser.add_argument("--keypoints", type=Path, metavar="PATH",
                        help="OpenPose JSON folder or COCO keypoint JSON to use instead of BlazePose")
    parser.add_argument("--weights", type=Path, metavar="DIR", help="folder holding lmr.pt (default: the shipped weights)")
    parser.add_argument("--no-cache", action="store_true", help="detect keypoints again even if cached for this video")
    parser.add_argument("--no-refine", action="store_true",
                        help="keep LMR's raw pose and camera (no per-frame pull toward the 2D keypoints)")
    lens = parser.add_mutually_exclusive_group()
    lens.add_argument("--focal", type=float, metavar="PX",
                      help="the camera's focal length in pixels of the full frame (default: what the file states, else "
                           "a guess of 1.2 x the long side, about 55 degrees across)")
    lens.add_argument("--focal-35mm", type=float, metavar="MM",
                      help="the camera's focal length as its 35 mm equivalent, as phones state it (a phone's main "
                           "camera is about 26 mm, a wide action camera about 15)")


def run(args: argparse.Namespace) -> int:
    from lmr_studio.model.weights import require_device

    require_device(args.device)
    output = args.output or result_path_for(args.video)
    if output.suffix != ".npz":
        raise LMRStudioError(f"The output {output} must end in .npz.", "Pass -o NAME.npz.")
    if not output.parent.is_dir():
        raise LMRStudioError(f"The folder {output.parent} does not exist.", "Create it or choose another -o path.")
    if not os.access(output.parent, os.W_OK):
        raise LMRStudioError(f"The folder {output.parent} is read-only.", "Choose another -o path, for example in your home folder.")
    options = ProcessOptions(all_tracks=not args.main_only, smooth=args.smooth, device=args.device,
                             body_model="smpl" if args.smpl else "anny",
                             smpl_path=str(args.smpl) if args.smpl else None,
                             weights_dir=str(args.weights) if args.weights else None,
                             keypoints_path=str(args.keypoints) if args.keypoints else None,
                             use_cache=not args.no_cache, refine=not args.no_refine,
                             focal_px=args.focal, focal_35mm=args.focal_35mm)
    start = time.perf_counter()
    opened = start
    result = None
    bar: tqdm | None = None
    stage = ""
    try:
        for item in iter_process(args.video, options):
            if isinstance(item, MotionResult):
                result = item
                break
            if item.stage == "open":
                opened = time.perf_counter()
            bar, stage = _show(item, bar, stage)
    finally:
        if bar is not None:
            bar.close()
    if result is None:
        return 1
    seconds = time.perf_counter() - opened
    save_or_rescue(result, output, args.video)
    tracks = ", ".join(f"#{tid}: {len(t)} frames" for tid, t in result.tracks.items())
    print(f"{result.num_frames} frames, {len(result.tracks)} track(s) ({tracks}); "
          f"{result.num_frames / seconds:.1f} frames/s ({seconds:.1f} s, plus {opened - start:.1f} s loading models); "
          f"focal length {result.focal:.0f} px ({result.focal_source})\n"
          f"saved {output}", file=sys.stderr)
    return 0


def save_or_rescue(result: MotionResult, output: Path, video: Path) -> Path:
    """Save ``result`` to ``output``; when that fails (read-only or full disk), save it in the user
    cache instead and raise an LMRStudioError that names both, so no work is lost."""
    try:
        return result.save(output)
    except ExportError as err:  # what atomic writes raise for OSErrors
        rescue = result.save(cache_result_path_for(video))
        raise LMRStudioError(err.message,
                             f"The result was saved in {rescue} instead; copy it from there or run again "
                             "with another -o path.") from None


def _show(item: Progress, bar: tqdm | None, stage: str) -> tuple[tqdm, str]:
    """Advance the progress bar, starting a new one for each stage."""
    if bar is None or item.stage != stage:
        if bar is not None:
            bar.close()
        bar = tqdm(total=item.total, desc=item.stage, unit="frame" if item.stage == "keypoints" else "step",
                   file=sys.stderr, dynamic_ncols=True, leave=False)
    bar.total = item.total
    bar.n = item.done
    if item.message:
        bar.set_postfix_str(item.message, refresh=False)
    bar.refresh()
    return bar, item.stage
