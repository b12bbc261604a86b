"""The one exception type for mistakes a user can cause, with a hint that says what to do.

The CLI prints ``str(error)`` and exits with code 2; the GUI shows the message and
``window_hint`` (the same advice in the window's words: a menu item, not a command-line flag).
"""

from __future__ import annotations


class LMRStudioError(Exception):
    """A user-facing error: ``message`` says what went wrong, ``hint`` what to do about it on the
    command line, ``gui_hint`` in the window when that differs."""

    def __init__(self, message: str, hint: str = "", gui_hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.gui_hint = gui_hint

    @property
    def window_hint(self) -> str:
        """What to do, said for the window."""
        return self.gui_hint or self.hint

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
