"""``lmr-studio export RESULT.npz --format FMT -o PATH``: write a result in another file format."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from lmr_studio.errors import ExportError
from lmr_studio.export import DESCRIPTIONS, EXPORTERS, export_result, format_for_path
from lmr_studio.export.common import parse_frame_range
from lmr_studio.result import MotionResult


def add_arguments(parser: argparse.ArgumentParser) -> None:
    formats = "; ".join(f"{name}: {text}" for name, text in DESCRIPTIONS.items())
    parser.add_argument("result", type=Path, help="a result file (.npz) written by lmr-studio process or the GUI")
    parser.add_argument("-o", "--output", type=Path, required=True,
                        help="output file, or folder for obj/ply (one file per frame)")
    parser.add_argument("-f", "--format", choices=list(EXPORTERS),
                        help=f"output format (default: from the output's suffix). {formats}")
    parser.add_argument("--video", type=Path, help="source video for mp4 (default: the one recorded in the result)")
    parser.add_argument("--frames", metavar="A:B", help="video frames A (included) to B (excluded), e.g. 0:100, 50:, :200")
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--track", type=int, action="append", metavar="ID", help="export this track (repeatable); default: the main one")
    who.add_argument("--all-tracks", action="store_true", help="export every track")
    parser.add_argument("--no-colours", action="store_true", help="leave out the per-part colours")
    parser.add_argument("--keypoints", action="store_true", help="mp4: draw the BlazePose keypoints too")
    parser.add_argument("--force", action="store_true", help="overwrite an existing output")
    parser.add_argument("--smpl", type=Path, metavar="PATH", help="pose the SMPL body model from this .pkl/.npz file")


def run(args: argparse.Namespace) -> int:
    if args.output.resolve() == args.result.resolve():
        raise ExportError("The output would replace the result file being exported.", "Choose another -o path.")
    result = MotionResult.load(args.result)
    fmt = args.format or format_for_path(args.output)
    bar = tqdm(total=None, desc=f"export {fmt}", unit="step", file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        path = export_result(
            result, fmt, args.output, smpl_path=args.smpl, keypoints=args.keypoints,
            frames=parse_frame_range(args.frames) if args.frames else None,
            tracks=list(result.tracks) if args.all_tracks else args.track,
            colours=not args.no_colours, video=args.video, progress=progress, force=args.force)
    finally:
        bar.close()
    print(f"wrote {path}", file=sys.stderr)
    return 0
