"""Controls a new user expects (pytest-qt under Xvfb): keys, the frame box, loop, part toggles
that cannot blank every pane, tooltips, an export dialog that remembers, Reprocess that asks,
a moved video that can be located, keypoints from a menu item."""

from __future__ import annotations

import numpy as np
import pytest

from lmr_studio.qtenv import use_pyside6_plugins

use_pyside6_plugins()

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import (QAbstractButton, QAbstractSpinBox, QApplication, QComboBox, QLineEdit,  # noqa: E402
                               QSlider)

from lmr_studio.errors import LMRStudioError  # noqa: E402
from tests.gui_helpers import open_and_wait, show_window  # noqa: E402
from tests.fixtures.fakes import FakeBody, FakeVideo, fake_open_job, make_random_result, make_waving_result  # noqa: E402

pytestmark = pytest.mark.gui


class Recorder:
    """A make_job that records each call's video, options and keywords, then runs ``fake``."""

    def __init__(self, fake) -> None:
        self.fake, self.calls = fake, []

    def __call__(self, video, options, cancel, **kwargs):
        self.calls.append((video, options, kwargs))
        return self.fake(video, options, cancel, **kwargs)


def _window(qtbot, job, video=None):
    errors: list = []
    win = show_window(qtbot, lambda path: video or FakeVideo(60, fps=10.0), job, errors)
    win.errors = errors
    return win


def _close(win):
    win.close()


def test_keys_frame_box_and_loop(qtbot, tmp_path):
    win = _window(qtbot, fake_open_job(make_waving_result(60, fps=10.0)))
    open_and_wait(qtbot, win, tmp_path / "clip.mp4")
    play = win.playback
    win.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    target = win.video_view
    for key, frame in ((Qt.Key.Key_PageDown, 10), (Qt.Key.Key_Period, 11), (Qt.Key.Key_Comma, 10),
                       (Qt.Key.Key_PageUp, 0), (Qt.Key.Key_End, 59), (Qt.Key.Key_Home, 0)):
        qtbot.keyClick(target, key)
        assert play.current == frame, key
    qtbot.keyClick(target, Qt.Key.Key_L)
    assert play.timeline.playing and play.timeline.direction == 1
    qtbot.keyClick(target, Qt.Key.Key_L)
    assert play.timeline.speed == 2.0
    qtbot.keyClick(target, Qt.Key.Key_K)
    assert not play.timeline.playing
    qtbot.keyClick(target, Qt.Key.Key_J)
    assert play.timeline.playing and play.timeline.direction == -1
    qtbot.keyClick(target, Qt.Key.Key_K)
    # the frame box: type a number, Enter goes there
    box = win.timeline_bar.frame_box
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "42")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert play.current == 42 and win.timeline_bar.slider.value() == 42
    # loop off from the timeline button: the menu item follows, playback stops at the end
    win.timeline_bar.loop_button.click()
    assert not play.timeline.loop and not win.loop_action.isChecked()
    play.seek(58)
    play.toggle_play()                                # Space: forwards
    qtbot.waitUntil(lambda: not play.timeline.playing, timeout=3000)
    assert play.current == 59
    # Ctrl+E: export
    qtbot.keyClick(target, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert win.export_dialog is not None and win.export_dialog.isVisible()
    win.export_dialog.reject()
    _close(win)


def test_parts_cannot_blank_every_pane_and_show_all_resets(qtbot, tmp_path):
    win = _window(qtbot, fake_open_job(make_waving_result(30)))
    open_and_wait(qtbot, win, tmp_path / "clip.mp4")
    panel, scene = win.parts_panel, win.mesh_view.scene
    panel.solo_buttons[1].click()                     # solo the head
    panel.show_boxes[1].click()                       # then untick it
    assert not panel.solo_buttons[1].isChecked() and not any(panel.state.soloed)
    alpha = scene.mesh.point_data["rgba"][:, 3]
    assert (alpha[scene.vertex_parts != 1] == 255).all() and (alpha[scene.vertex_parts == 1] == 0).all()
    panel.show_boxes[3].click()
    panel.highlight_buttons[2].click()
    panel.reset_button.click()                        # Show all
    assert all(b.isChecked() for b in panel.show_boxes)
    assert not any(b.isChecked() for b in panel.highlight_buttons + panel.solo_buttons)
    assert (scene.mesh.point_data["rgba"][:, 3] == 255).all()
    _close(win)


def _controls(widget):
    kinds = (QAbstractButton, QComboBox, QAbstractSpinBox, QSlider, QLineEdit)
    for kind in kinds:
        for child in widget.findChildren(kind):
            if child.isVisibleTo(widget) and not isinstance(child.parent(), (QComboBox, QAbstractSpinBox)):
                yield child


def _tip(control) -> str:
    action = getattr(control, "defaultAction", lambda: None)()
    return control.toolTip() or (action.toolTip() if action is not None else "")


def test_every_control_has_a_tooltip(qtbot, tmp_path):
    win = _window(qtbot, fake_open_job(make_waving_result(30)))
    open_and_wait(qtbot, win, tmp_path / "clip.mp4")
    missing = [f"{type(c).__name__} {getattr(c, 'text', lambda: '')()!r}" for c in _controls(win) if not _tip(c)]
    assert not missing
    win.export_action.trigger()
    missing = [f"{type(c).__name__} {getattr(c, 'text', lambda: '')()!r}" for c in _controls(win.export_dialog)
               if not _tip(c)]
    assert not missing
    win.export_dialog.reject()
    _close(win)


def test_the_export_dialog_remembers_and_disables_what_does_not_apply(qtbot, tmp_path):
    from lmr_studio.gui.export_dialog import _ALL

    result = make_random_result(FakeBody(), two_tracks=True)
    win = _window(qtbot, fake_open_job(result), FakeVideo(12))
    open_and_wait(qtbot, win, tmp_path / "walk.mp4")
    win.export_action.trigger()
    dialog = win.export_dialog
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("npz"))
    everyone = dialog.track_combo.findData(_ALL)
    assert not dialog.colours_check.isEnabled() and not dialog.keypoints_check.isEnabled()
    assert not dialog.track_combo.model().item(everyone).isEnabled()      # npz holds one person
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("glb"))
    assert dialog.colours_check.isEnabled() and dialog.track_combo.model().item(everyone).isEnabled()
    (tmp_path / "out").mkdir()
    dialog.path_edit.setText(str(tmp_path / "out" / "mine.glb"))
    dialog.colours_check.setChecked(False)
    dialog.track_combo.setCurrentIndex(everyone)
    dialog.first_spin.setValue(2)
    dialog.last_spin.setValue(6)
    with qtbot.waitSignal(dialog.finished, timeout=20000):
        dialog.export_button.click()
    assert (tmp_path / "out" / "mine.glb").exists()
    win.export_action.trigger()                                          # opens again: as left
    again = win.export_dialog
    assert again is not dialog and again.fmt == "glb" and not again.colours_check.isChecked()
    assert again.track_combo.currentData() == _ALL
    assert (again.first_spin.value(), again.last_spin.value()) == (2, 6)
    assert again.path_edit.text() == str(tmp_path / "out" / "walk_lmr.glb")
    again.format_combo.setCurrentIndex(again.format_combo.findData("mp4"))
    assert again.colours_check.isChecked() and again.keypoints_check.isEnabled()   # mp4's own choice
    assert again.path_edit.text().endswith("walk_lmr.mp4")
    again.reject()
    _close(win)


def test_reprocess_asks_before_replacing_the_result(qtbot, tmp_path):
    job = Recorder(fake_open_job(make_waving_result(20)))
    win = _window(qtbot, job)
    open_and_wait(qtbot, win, tmp_path / "clip.mp4")
    asked = []
    win.confirm = lambda title, text: asked.append(text) or False
    win.reprocess_action.trigger()
    assert len(asked) == 1 and len(job.calls) == 1 and win.controller.session is not None
    win.confirm = lambda title, text: True
    with qtbot.waitSignal(win.controller.session_ready, timeout=10000):
        win.reprocess_action.trigger()
    assert len(job.calls) == 2 and job.calls[1][2]["reprocess"]
    _close(win)


def test_a_moved_video_can_be_located_from_the_window(qtbot, tmp_path):
    result = make_waving_result(20)
    result.video_path = str(tmp_path / "gone" / "clip.mp4")
    npz = result.save(tmp_path / "clip.lmr.npz")
    win = _window(qtbot, fake_open_job(result))
    open_and_wait(qtbot, win, npz)
    assert win.locate_action.isEnabled() and "Locate video" in win.video_view._caption
    win.ask_open_path = lambda title, filters: str(tmp_path / "found.mp4")
    win.locate_action.trigger()
    assert win.controller.video is not None and not win.locate_action.isEnabled()
    assert win.video_view._caption == "" and win.controller.session.result is result
    frame = win.playback.frame(3)
    assert frame.shape == (120, 160, 3) and frame.max() == 230        # the video's frame, not a blank
    _close(win)


def test_keypoints_from_a_menu_item_and_hints_in_the_windows_words(qtbot, tmp_path):
    job = Recorder(fake_open_job(make_waving_result(20)))
    win = _window(qtbot, job)
    open_and_wait(qtbot, win, tmp_path / "clip.mp4")
    openpose = tmp_path / "openpose"
    openpose.mkdir()
    win.confirm = lambda title, text: True
    win.ask_open_path = lambda title, filters: str(openpose / "clip_000000000000_keypoints.json")
    with qtbot.waitSignal(win.controller.session_ready, timeout=10000):
        win.keypoints_action.trigger()
    video, options, kwargs = job.calls[-1]
    assert options.keypoints_path == str(openpose) and kwargs["reprocess"] and video == tmp_path / "clip.mp4"
    error = LMRStudioError("Nobody was found.", "use --keypoints", "File > Process with keypoints…")
    assert error.window_hint == "File > Process with keypoints…" and "--keypoints" in str(error)
    assert LMRStudioError("m", "hint").window_hint == "hint"
    _close(win)
