"""``lmr-studio [VIDEO] [--frame N] [--screenshot PNG] [--smpl PATH]``: open the LMR Studio window."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", nargs="?", help="a video to process (or reload), or a saved .npz result")
    parser.add_argument("--frame", type=int, default=None, help="show this frame once the result is ready")
    parser.add_argument("--screenshot", metavar="PNG", help="save a screenshot of the window, then exit")
    parser.add_argument("--smpl", metavar="PATH", help="use this SMPL model file instead of Anny (remembered)")


def run(args: argparse.Namespace) -> int:
    from lmr_studio.gui.app import main

    return main(args.video, args.frame, args.screenshot, args.smpl)
