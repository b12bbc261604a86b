"""Build Anny once and keep only a small float32 export of it in the user cache.

The first ``anny.Anny()`` builds its model data from the MakeHuman assets in the wheel (about
90 s on 2 cores, 1.8 GB RAM) and leaves a 790 MB cache. We build it once with anny's cache
pointed at a temporary folder, export the built model to one float32 safetensors file
(about 27 MB) and delete the rest. Later loads read that file in well under a second.
Never call :func:`ensure_anny_model` on a GUI thread: run it on a worker.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import torch

from lmr_studio.body.paths import cache_dir
from lmr_studio.io.atomic import atomic_path

#: Anny's own rig; the SMPL retarget in ``anny_retarget.py`` is written for its bone names.
ANNY_RIG = "anny"
#: Rough first-build duration on 2 cores, only used to estimate build progress.
EXPECTED_BUILD_S = 90.0

#: ``progress(done, total, message)``; always called on the thread that called ensure_anny_model.
ProgressFn = Callable[[int, int, str], None]
_BUILD_LOCK = threading.Lock()  # one build per process; a second caller waits for the first


def anny_model_path() -> Path:
    """The exported model file (it may not exist yet), named by the installed Anny's version (read
    here, not at import, so that the SMPL backend works where Anny is not installed)."""
    return cache_dir() / f"anny-{importlib.metadata.version('anny')}-{ANNY_RIG}-float32.safetensors"


def anny_model_ready() -> bool:
    """True when the exported model is in the cache (loading is then fast)."""
    return anny_model_path().is_file()


def _build_and_export(target: Path) -> None:
    """Build Anny in a throw-away anny cache and export it to ``target`` (float32)."""
    import anny
    import anny.paths

    previous = anny.paths.get_anny_cache_path()
    with tempfile.TemporaryDirectory(prefix="anny-build-") as tmp:
        anny.paths.set_anny_cache_path(tmp)
        try:
            model = anny.Anny(rig=ANNY_RIG).to(torch.float32)
            data = model.to_model_data()
            with atomic_path(target) as part:
                data.save_safetensors(part)
        finally:
            anny.paths.set_anny_cache_path(previous)
            shutil.rmtree(tmp, ignore_errors=True)


def ensure_anny_model(progress: ProgressFn | None = None) -> Path:
    """Make sure the exported Anny model is in the cache; build it on first use.

    Returns its path. ``progress(done, total, message)`` gets percentages; during the build they
    are a time-based estimate (anny reports no progress of its own), capped at 95 until done.
    """
    target = anny_model_path()
    with _BUILD_LOCK:
        if not target.is_file():
            _build_with_progress(target, progress)
    if progress:
        progress(100, 100, "Anny body model ready")
    return target


def _build_with_progress(target: Path, progress: ProgressFn | None) -> None:
    """Run :func:`_build_and_export` on a helper thread, reporting estimated progress here."""
    errors: list[BaseException] = []

    def work() -> None:
        try:
            _build_and_export(target)
        except BaseException as exc:  # re-raised on the caller's thread below
            errors.append(exc)

    worker = threading.Thread(target=work, name="anny-build", daemon=True)
    start = time.monotonic()
    worker.start()
    message = "Building the Anny body model (first run only, about 1.5 min)"
    while worker.is_alive():
        if progress:
            estimate = int(100 * (time.monotonic() - start) / EXPECTED_BUILD_S)
            progress(min(estimate, 95), 100, message)
        worker.join(timeout=0.5)
    if errors:
        raise errors[0]
