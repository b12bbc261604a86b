"""``lmr-studio bench``: speed figures on this machine, as one JSON object."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import platform
import sys

import torch

from lmr_studio.bench import BENCH_MODULES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (noisier figures)")
    parser.add_argument("--only", choices=BENCH_MODULES, action="append", help="run only these groups")


def run(args: argparse.Namespace) -> int:
    figures: dict[str, object] = {
        "machine": {"python": platform.python_version(), "torch": torch.__version__,
                    "cpu_threads": torch.get_num_threads(), "cuda": torch.cuda.is_available()},
    }
    for name in args.only or BENCH_MODULES:
        if not args.json:
            print(f"running {name} benchmarks ...", file=sys.stderr)
        with contextlib.redirect_stdout(sys.stderr):  # warp (under Anny) prints its banner to stdout
            figures.update(importlib.import_module(f"lmr_studio.bench.{name}").run(quick=args.quick))
    print(json.dumps(figures, indent=None if args.json else 2))
    return 0
