"""The main window with fake video and processing (pytest-qt under Xvfb)."""

from pathlib import Path

import numpy as np
import pytest

from lmr_studio.qtenv import use_pyside6_plugins

use_pyside6_plugins()

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from lmr_studio.errors import BadVideoError, LMRStudioError  # noqa: E402
from lmr_studio.gui.main_window import MainWindow  # noqa: E402
from lmr_studio.gui.video_view import compose_frame  # noqa: E402
from lmr_studio.parts import PART_COLOURS  # noqa: E402
from tests.gui_helpers import show_window  # noqa: E402
from tests.fixtures.fakes import FakeVideo, fake_open_job, make_waving_result  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def errors():
    return []


def _window(qtbot, errors, job, video=None):
    video = video or FakeVideo(30)
    return show_window(qtbot, lambda path: video, job, errors)


def _shown_video(win) -> np.ndarray:
    """(H, W, 3) int RGB of the video pane's image, once the overlay being composed is shown."""
    win.video_view.grab()                        # paints, which takes the composed image
    img = win.video_view._image
    pixels = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())[:, :img.width() * 3]
    return pixels.reshape(img.height(), img.width(), 3).astype(int)


def _close(qtbot, win):
    win.close()
    qtbot.waitUntil(lambda: not win.controller.busy, timeout=5000)


def test_open_process_scrub_toggle_play(qtbot, errors, tmp_path):
    result = make_waving_result(30)
    video = FakeVideo(30)
    win = _window(qtbot, errors, fake_open_job(result), video)
    with qtbot.waitSignal(win.controller.session_ready, timeout=10000):
        win.open_path(tmp_path / "clip.mp4")
    qtbot.waitUntil(lambda: not win.controller.busy, timeout=5000)
    assert not errors and win.stack.currentIndex() == 1
    assert win.playback.timeline.num_frames == 30 and win.track_combo.count() == 1
    assert win.timeline_bar.strip.present.all()
    # scrub: the 3D mesh and the slider follow
    win.playback.seek(12)
    scene = win.mesh_view.scene
    np.testing.assert_allclose(scene.mesh.points, win.controller.session.meshes[0].vertices_at(12))
    assert win.timeline_bar.slider.value() == 12 and win.timeline_bar.frame_box.value() == 12
    assert video.reads > 0
    # toggle a part off in the panel: its vertices become transparent at once
    win.parts_panel.show_boxes[3].click()
    rgba = scene.mesh.point_data["rgba"]
    assert (rgba[scene.vertex_parts == 3, 3] == 0).all() and (rgba[scene.vertex_parts == 2, 3] == 255).all()
    assert not win.plot.speed_curves[3].isVisible()
    # solo the left leg: only its vertices stay opaque
    win.parts_panel.solo_buttons[4].click()
    assert set(np.unique(scene.mesh.point_data["rgba"][:, 3][scene.vertex_parts != 4])) == {0}
    # keyboard step and play/pause
    win.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    qtbot.keyClick(win.video_view, Qt.Key.Key_Right)
    assert win.playback.timeline.current == 13
    qtbot.keyClick(win.video_view, Qt.Key.Key_End)
    assert win.playback.timeline.current == 29
    qtbot.keyClick(win.video_view, Qt.Key.Key_Home)
    assert win.playback.timeline.current == 0
    win.playback.seek(13)
    win.playback.toggle_play()
    qtbot.waitUntil(lambda: win.playback.timeline.current > 15 or win.playback.timeline.current < 13, timeout=3000)
    win.playback.toggle_play()
    assert not win.playback.timeline.playing and not win.playback.timer.isActive()
    # the ghost button shows the baseline mesh
    win.mesh_view.ghost_button.click()
    assert scene.ghost_actor.GetVisibility()
    _close(qtbot, win)


def test_overlay_draws_part_colours_on_the_video(qtbot, errors, tmp_path):
    win = _window(qtbot, errors, fake_open_job(make_waving_result(30)))
    with qtbot.waitSignal(win.controller.session_ready, timeout=10000):
        win.open_path(tmp_path / "clip.mp4")
    win.set_overlay("mesh")
    win.playback.seek(5)
    red = np.abs(_shown_video(win) - PART_COLOURS[3]).sum(-1) < 150    # right arm, blended over the frame
    assert red.sum() > 5
    win.set_overlay("none")                       # the plain video frame, nothing drawn on it
    plain = _shown_video(win)
    assert not (np.abs(plain - PART_COLOURS[3]).sum(-1) < 150)[red].any()
    view = win.video_view
    np.testing.assert_array_equal(plain, compose_frame(view._frame, [], "mesh", view.parts, view._scale))
    # File > Export opens the (window-modal, non-blocking) export dialog on this result
    assert win.export_action.isEnabled()
    win.export_action.trigger()
    assert win.export_dialog.isVisible() and win.export_dialog.motion is win.controller.session.result
    win.export_dialog.reject()
    _close(qtbot, win)


def test_partial_results_fill_the_timeline_and_cancel_stops(qtbot, errors, tmp_path):
    win = _window(qtbot, errors, fake_open_job(make_waving_result(30), delay_s=0.3, steps=10))
    win.open_path(tmp_path / "clip.mp4")
    qtbot.waitUntil(lambda: win.controller.preview is not None and win.timeline_bar.strip.present.any(), timeout=5000)
    assert not win.timeline_bar.strip.present.all()
    with qtbot.waitSignal(win.controller.job_ended, timeout=5000) as blocker:
        win.cancel_button.click()
    assert blocker.args == [False]
    assert win.controller.session is None and not win.cancel_button.isVisible() and not errors
    _close(qtbot, win)


def test_bad_video_and_failed_processing_show_an_error(qtbot, errors, tmp_path):
    def bad_source(path):
        raise BadVideoError(f"{path} is not a video.", "Choose another file.")

    win = MainWindow(open_source=bad_source, make_job=fake_open_job(make_waving_result(10)))
    win.report_error = lambda _parent, err: errors.append(err)
    qtbot.addWidget(win)
    win.open_path(tmp_path / "notes.mp4")
    assert len(errors) == 1 and isinstance(errors[0], BadVideoError) and win.controller.job is None
    win.close()

    win = _window(qtbot, errors, fake_open_job(make_waving_result(10), fail=BadVideoError("broken", "hint")))
    with qtbot.waitSignal(win.controller.job_ended, timeout=5000) as blocker:
        win.open_path(tmp_path / "clip.mp4")
    assert blocker.args == [False] and isinstance(errors[-1], BadVideoError)
    _close(qtbot, win)


def test_layout_and_overlay_are_remembered(qtbot, errors):
    win = _window(qtbot, errors, fake_open_job(make_waving_result(10)))
    win.set_overlay("skeleton")
    win.top_split.setSizes([700, 300])
    sizes = win.top_split.sizes()
    win.close()
    again = _window(qtbot, errors, fake_open_job(make_waving_result(10)))
    assert again.video_view.mode == "skeleton" and again.overlay_combo.currentText() == "skeleton"
    assert again.top_split.sizes() == sizes
    again.close()


def test_drop_a_result_file_and_recent_files(qtbot, errors, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    from lmr_studio.gui.settings import recent_files

    npz = make_waving_result(10).save(tmp_path / "run.lmr.npz")
    seen = []

    def job(video, options, cancel, **kwargs):
        seen.append(kwargs.get("result_path"))
        yield from fake_open_job(make_waving_result(10))(video, options, cancel, **kwargs)

    win = _window(qtbot, errors, job)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(npz))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(win.controller.session_ready, timeout=10000):
        win.dropEvent(event)
    assert seen == [npz] and str(npz.resolve()) == recent_files()[0]
    assert win.start_screen.recent.count() >= 1
    _close(qtbot, win)


def test_preferences_are_saved_and_used(qtbot, tmp_path):
    from lmr_studio.gui.dialogs import PreferencesDialog, process_options, remember_focal_35mm
    from lmr_studio.gui.settings import app_settings

    dialog = PreferencesDialog()
    qtbot.addWidget(dialog)
    dialog.smpl_edit.setText(str(tmp_path / "SMPL_NEUTRAL.pkl"))
    dialog.device.setCurrentText("cpu")
    assert dialog.smooth.isChecked()  # smoothing is on until the user turns it off
    dialog.smooth.setChecked(False)
    assert dialog.focal.value() == dialog.focal.minimum() and "auto" in dialog.focal.text()
    dialog.focal.setValue(26)
    dialog.accept()
    try:
        options = process_options()
        assert options.body_model == "smpl" and options.smpl_path.endswith("SMPL_NEUTRAL.pkl")
        assert options.device == "cpu" and not options.smooth and options.assumed_focal_35mm == 26
        reopened = PreferencesDialog()
        qtbot.addWidget(reopened)
        assert reopened.focal.value() == 26
        reopened.focal.setValue(reopened.focal.minimum())  # back to auto
        reopened.accept()
        assert process_options().assumed_focal_35mm is None
        remember_focal_35mm(15)                             # lmr-studio --focal-35mm 15
        assert process_options().assumed_focal_35mm == 15
        with pytest.raises(LMRStudioError):
            remember_focal_35mm(0.5)
        assert process_options().assumed_focal_35mm == 15   # unchanged
    finally:
        for key in ("smpl_path", "device", "smooth", "focal_35mm"):
            app_settings().remove(key)
    assert process_options().body_model == "anny" and process_options().device is None and process_options().smooth


@pytest.mark.slow
def test_the_real_pipeline_on_the_sample_then_reload(qtbot, errors, tmp_path):
    """The bundled sample through the real pipeline, Anny and the shipped weights."""
    import shutil

    from lmr_studio.gui.start_screen import SAMPLE_VIDEO
    from lmr_studio.model.weights import weights_path

    if not SAMPLE_VIDEO.exists() or not weights_path("lmr").exists():
        pytest.skip("needs assets/sample/sample.mp4 and weights/lmr.pt")
    video = Path(shutil.copy(SAMPLE_VIDEO, tmp_path / "sample.mp4"))
    win = MainWindow()
    win.report_error = lambda _parent, err: errors.append(err)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.controller.session_ready, timeout=600_000):
        win.open_path(video)
    assert not errors and not win.controller.session.reloaded
    meshes = win.controller.session.meshes[win.controller.selected_track]
    assert meshes.vertices_at(0).shape == (win.controller.session.body.num_vertices, 3)
    assert win.timeline_bar.strip.present.mean() > 0.8
    qtbot.waitUntil(lambda: not win.controller.busy, timeout=10_000)
    with qtbot.waitSignal(win.controller.session_ready, timeout=300_000):
        win.open_path(video)
    assert win.controller.session.reloaded
    _close(qtbot, win)


def _street_result():
    """Two people far down a street (20 m and 12 m away, apart): the 3D view must find them."""
    import dataclasses

    result = make_waving_result(30)
    near = dataclasses.replace(result.tracks[0], transl=result.tracks[0].transl.copy())
    result.tracks[0].transl[:] = np.linspace([6.0, 0.0, -20.0], [3.0, 0.0, -18.0], 30).astype(np.float32)
    near.transl[:] = np.linspace([-2.0, 0.0, -12.0], [-1.0, 0.0, -11.0], 30).astype(np.float32)
    result.tracks[1] = near
    result.main_track = 0
    return result


def _centre_of(win, tid):
    v = win.controller.session.meshes[tid].vertices_at(win.playback.current)
    return (v.min(0) + v.max(0)) / 2


def test_the_3d_view_frames_the_selected_person_and_a_turn_unticks_the_preset(qtbot, errors, tmp_path):
    win = _window(qtbot, errors, fake_open_job(_street_result()))
    with qtbot.waitSignal(win.controller.session_ready, timeout=10000):
        win.open_path(tmp_path / "street.mp4")
    camera = win.mesh_view.plotter.camera
    assert win.controller.selected_track == 0 and win.mesh_view.preset_buttons["front"].isChecked()
    np.testing.assert_allclose(camera.focal_point, _centre_of(win, 0), atol=1e-4)     # no Follow needed
    assert np.linalg.norm(np.subtract(camera.position, camera.focal_point)) < 8.0
    win.track_combo.setCurrentIndex(win.track_combo.findData(1))                      # switch person
    np.testing.assert_allclose(camera.focal_point, _centre_of(win, 1), atol=1e-4)
    win.playback.seek(25)                                                              # seek: still on them
    np.testing.assert_allclose(camera.focal_point, _centre_of(win, 1), atol=1e-4)
    # a left-drag turns the view: no preset stays ticked, and a click on Front brings it back
    widget = win.mesh_view.plotter.interactor
    centre = widget.rect().center()
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=centre)
    for dx in range(10, 90, 10):
        qtbot.mouseMove(widget, centre + type(centre)(dx, 0))
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=centre + type(centre)(80, 0))
    assert not any(b.isChecked() for b in win.mesh_view.preset_buttons.values())
    win.mesh_view.preset_buttons["front"].click()
    assert win.mesh_view.preset_buttons["front"].isChecked() and win.mesh_view.scene.camera_preset == "front"
    _close(qtbot, win)


def test_3d_view_is_pyvistaqt_on_a_native_qwidget(qtbot):
    """The 3D view is pyvistaqt's QtInteractor on a plain QWidget (VTK's native child window), not
    a QOpenGLWidget, which would make Qt composite the whole window through OpenGL (docs/gui.md)."""
    from PySide6.QtOpenGLWidgets import QOpenGLWidget
    from pyvistaqt import QtInteractor

    from lmr_studio.gui.mesh_view import MeshView

    view = MeshView()
    qtbot.addWidget(view)
    assert isinstance(view.plotter, QtInteractor) and not isinstance(view.plotter, QOpenGLWidget)
    view.close_plotter()


def test_the_window_command_refuses_an_impossible_focal_length_before_opening(capsys):
    from lmr_studio.cli import main

    assert main(["--focal-35mm", "0.5"]) == 2
    err = capsys.readouterr().err
    assert "35 mm-equivalent focal length of 0.5 mm" in err and "Traceback" not in err
