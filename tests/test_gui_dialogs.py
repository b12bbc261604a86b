"""The error dialog says what went wrong and what to do; one that no test answers fails the test
(tests/fixtures/qt_safety.py) instead of waiting for a click for ever."""

import pytest

from lmr_studio.qtenv import use_pyside6_plugins

use_pyside6_plugins()

from lmr_studio.errors import BadVideoError  # noqa: E402
from lmr_studio.gui.dialogs import show_error  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.mark.timeout(30)
def test_an_unanswered_error_dialog_is_closed_and_its_text_kept(qtbot, message_boxes):
    show_error(None, BadVideoError("clip.mp4 is not a video.", "Pass a video file."), "Open failed")
    assert message_boxes.take() == ["Open failed: clip.mp4 is not a video. (Pass a video file.)"]


@pytest.mark.timeout(30)
def test_an_unexpected_error_names_the_bug_and_its_type(qtbot, message_boxes):
    show_error(None, ValueError("x must be positive"))
    [shown] = message_boxes.take()
    assert shown.startswith("LMR Studio: Something went wrong: ValueError: x must be positive")
    assert "This is a bug in LMR Studio" in shown
