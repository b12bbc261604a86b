"""The ``lmr-studio`` command: a thin front end over the package's plain functions.

``lmr-studio [VIDEO] [--frame N] [--screenshot PNG]`` opens the GUI; ``lmr-studio COMMAND ...``
runs a headless command. Each command lives in ``lmr_studio.commands.<name>`` and defines
``add_arguments(parser)`` and ``run(args) -> int``. User mistakes (:class:`LMRStudioError`) are
printed without a traceback and exit with code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from lmr_studio import __version__
from lmr_studio.errors import LMRStudioError

COMMANDS: dict[str, str] = {
    "process": "Recover meshes from a video and save a .npz result",
    "export": "Export a result to npz, pkl, obj, ply, glb, bvh, mp4 or csv",
    "train": "Train LMR and the baselines on generated data (reproduces weights/)",
    "eval": "Score LMR against the single-RNN and per-frame baselines",
    "bench": "Measure speed on this machine and print one JSON object",
    "datagen": "Render Anny doing generated motion and run BlazePose on it (real-detector training data)",
    "gui": "Open the LMR Studio window",
}


def _command_module(name: str):
    return importlib.import_module(f"lmr_studio.commands.{name}")


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    """Parser whose sub-commands are all listed; only the one named in ``argv`` loads its module."""
    parser = argparse.ArgumentParser(
        prog="lmr-studio",
        description="LMR Studio: video human-mesh recovery with local recurrent models.",
        epilog="With no command (or a video path), the GUI opens.",
    )
    parser.add_argument("--version", action="version", version=f"lmr-studio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, summary in COMMANDS.items():
        cmd = sub.add_parser(name, help=summary, description=summary)
        if argv and argv[0] == name:
            _command_module(name).add_arguments(cmd)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version"):
        argv = ["gui", *argv]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(_command_module(args.command).run(args) or 0)
    except LMRStudioError as err:
        print(f"lmr-studio: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lmr-studio: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
