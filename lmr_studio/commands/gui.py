"""``lmr-studio [VIDEO] [--frame N] [--screenshot PNG] [--size WxH] [--overlay MODE] [--smpl PATH]
[--focal-35mm MM]``: open the LMR Studio window."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", nargs="?", help="a video to process (or reload), or a saved .npz result")
    parser.add_argument("--frame", type=int, default=None, help="show this frame once the result is ready")
    parser.add_argument("--screenshot", metavar="PNG", help="save a screenshot of the window, then exit")
    parser.add_argument("--smpl", metavar="PATH", help="use this SMPL model file instead of Anny (remembered)")
    parser.add_argument("--focal-35mm", type=float, metavar="MM",
                        help="your camera's lens (35 mm-equivalent focal length) for the videos and photos "
                             "processed next that do not state theirs; 0 for auto (remembered, as in File > "
                             "Preferences)")
    parser.add_argument("--size", metavar="WxH", type=_size, default=None,
                        help="window size in pixels (default: the last one; 1500x900 with --screenshot)")
    parser.add_argument("--overlay", choices=("mesh", "skeleton", "keypoints", "none"), default=None,
                        help="what to draw on the video (default: the last choice)")


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 1600x1000") from None
    return width, height


def run(args: argparse.Namespace) -> int:
    from lmr_studio.gui.app import main
    from lmr_studio.gui.dialogs import remember_focal_35mm

    if args.focal_35mm is not None:
        remember_focal_35mm(args.focal_35mm or None)
    return main(args.video, args.frame, args.screenshot, args.smpl, args.size, args.overlay)
