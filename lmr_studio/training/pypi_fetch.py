"""Fetch one distribution file from PyPI with ``pip download``: how the LAFAN1 clips (evaluation)
and DeepMimic's clips (training) reach the user cache; PyPI is the only network access either needs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from lmr_studio.errors import LMRStudioError


def pip_download(requirement: str, into: Path, pattern: str, options: Sequence[str], index_url: str | None,
                 purpose: str, hint: str, timeout_s: float) -> Path:
    """``pip download --no-deps [options] requirement`` into ``into`` (from ``index_url``, default
    pip's: PyPI) -> the downloaded file matching ``pattern``; LMRStudioError naming ``purpose`` with
    ``hint`` when pip cannot get it within ``timeout_s`` seconds."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", *options, "--quiet", "--disable-pip-version-check",
           "--retries", "1", "--timeout", "30", "-d", str(into), requirement]
    if index_url is not None:
        cmd += ["--index-url", index_url]
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        run = None
    found = sorted(into.glob(pattern))
    if run is None or run.returncode != 0 or not found:
        detail = "timed out" if run is None else (run.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise LMRStudioError(f"Could not download {requirement} from PyPI to get {purpose} ({detail}).", hint)
    return found[0]
