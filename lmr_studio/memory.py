"""Resident memory of a process, read from Linux's ``/proc`` (for memory measurements and tests)."""

from __future__ import annotations

from pathlib import Path


def resident_memory(pid: int | str = "self") -> tuple[int, int] | None:
    """(current, peak) resident set size in bytes (``VmRSS``, ``VmHWM``) of process ``pid``, or None
    when it has ended or ``/proc`` is not there."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    sizes = {}
    for line in lines:
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            sizes[key] = int(value.split()[0]) * 1024  # reported in kB
    return (sizes["VmRSS"], sizes["VmHWM"]) if len(sizes) == 2 else None


def reset_peak() -> bool:
    """Start this process's peak resident size (``VmHWM``) again from its current size, so that a
    later :func:`resident_memory` reports the peak of what followed. False where Linux's
    ``/proc/self/clear_refs`` is not there or not writable."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True
