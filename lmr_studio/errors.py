"""The one exception type for mistakes a user can cause, with a hint that says what to do.

The GUI shows ``str(error)`` in a dialog; the CLI prints it and exits with code 2.
"""

from __future__ import annotations


class LMRStudioError(Exception):
    """A user-facing error: ``message`` says what went wrong, ``hint`` what to do about it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class BadVideoError(LMRStudioError):
    """The file is missing, not a video, corrupt, or has no frames."""


class NoPersonError(LMRStudioError):
    """Nobody was detected where a person was needed."""


class MissingBodyModelError(LMRStudioError):
    """The SMPL model file is missing or malformed."""


class BadWeightsError(LMRStudioError):
    """A weights file is missing, corrupt, or does not match the network."""


class ExportError(LMRStudioError):
    """An export could not be written (bad path, disk full, nothing in range, file exists)."""
