"""Atomic writes: write to a temporary file in the destination folder, then rename over it."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from lmr_studio.errors import ExportError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_error(target: Path, exc: OSError) -> ExportError:
    """The ExportError (with a hint) for an OSError raised while writing ``target``:
    disk full, no permission, or anything else."""
    if exc.errno == errno.ENOSPC:
        return ExportError(f"The disk is full: could not write {target}.", "Free some space and try again.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ExportError(f"No permission to write {target}.", "Choose a folder you can write to.")
    return ExportError(f"Could not write {target}: {exc.strerror or exc}.")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it to ``path``.

    On any failure the temporary file is removed and ``path`` is left as it was. Disk-full and
    permission errors become :class:`ExportError` with a hint.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise ExportError(f"{target} already exists.", "Choose another name or pass --force to overwrite.")
    if not target.parent.is_dir():
        raise ExportError(f"The folder {target.parent} does not exist.", "Create it or choose another path.")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part" + target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a finished file gets the usual mode
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise write_error(target, exc) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
