"""Several people in the window (issue 10): the people list, selection by click in the video and
the 3D view, hide/show, main-person-only, and the partial result after a processing error
(pytest-qt under Xvfb, fake video and processing)."""

import dataclasses

import numpy as np
import pytest

from lmr_studio.qtenv import use_pyside6_plugins

use_pyside6_plugins()

from PySide6.QtCore import QPoint, Qt  # noqa: E402

from lmr_studio.geometry.camera import default_focal, perspective_project  # noqa: E402
from lmr_studio.gui.main_window import MainWindow  # noqa: E402
from lmr_studio.gui.settings import app_settings  # noqa: E402
from lmr_studio.people import person_colour  # noqa: E402
from lmr_studio.pipeline import ProcessingError  # noqa: E402
from lmr_studio.scene.framing import box_centre  # noqa: E402
from lmr_studio.scene.people_scene import pick_person  # noqa: E402
from tests.gui_helpers import open_and_wait, show_window  # noqa: E402
from tests.fixtures.fakes import FakeVideo, fake_open_job, make_waving_result  # noqa: E402

pytestmark = pytest.mark.gui
SIZE = (240, 120)          # (w, h) pixels: room for three people side by side


def _placed(track, offset):
    """``track`` moved by ``offset`` (3,) metres in the camera frame, its 2D joints, keypoints and
    box projected again (as the pipeline's would be)."""
    transl = track.transl + offset
    focal = default_focal(*SIZE)
    joints2d = perspective_project(track.joints3d, transl, focal, SIZE).astype(np.float32)
    shift = joints2d - track.joints2d
    keypoints = track.keypoints2d.copy()
    keypoints[:, :24, :2] += shift
    keypoints[:, 24:, 2] = 0.0                               # the fake's unused landmarks: not seen
    boxes = track.bboxes + np.tile(shift.mean(1), 2)
    return dataclasses.replace(track, transl=transl, joints2d=joints2d, keypoints2d=keypoints, bboxes=boxes)


def crowd_result(num_people: int = 3, num_frames: int = 30):
    """``num_people`` waving people side by side 6 m from the camera, 1.5 m apart (ids 0..n-1,
    person 0 the main one); person 2, when present, only on frames 10..29."""
    base = make_waving_result(num_frames, SIZE)
    track = base.tracks[0]
    for tid in range(num_people):
        moved = _placed(track, np.array([1.5 * (tid - (num_people - 1) / 2), 0.0, 0.0], np.float32))
        base.tracks[tid] = moved.sliced(slice(10, None)) if tid == 2 else moved
    base.main_track = 0
    return base


def _window(qtbot, result, errors, job=None):
    return show_window(qtbot, lambda path: FakeVideo(result.num_frames, result.image_size),
                       job or fake_open_job(result), errors, (1100, 720))


def _close(qtbot, win):
    win.close()
    qtbot.waitUntil(lambda: not win.controller.busy, timeout=5000)


def _box_click_point(win, tid) -> QPoint:
    """Where person ``tid``'s box centre is drawn in the video pane (widget pixels)."""
    person = next(p for p in win.video_view._people if p.track_id == tid)
    x0, y0, x1, y1 = person.box
    origin, scale = win.video_view.image_rect().topLeft(), win.video_view._scale
    return QPoint(round(origin.x() + (x0 + x1) / 2 * scale), round(origin.y() + (y0 + y1) / 2 * scale))


def _three_people_at_frame_15(qtbot, tmp_path, errors: list):
    """A window showing a three-person result, playhead on frame 15 (everyone present)."""
    win = _window(qtbot, crowd_result(3), errors)
    open_and_wait(qtbot, win, tmp_path / "crowd.mp4")
    win.playback.seek(15)
    return win


def test_everyone_is_listed_drawn_and_placed_apart_in_3d(qtbot, tmp_path):
    errors = []
    win = _three_people_at_frame_15(qtbot, tmp_path, errors)
    rows = win.people_panel.list
    assert not errors and rows.count() == 3
    assert [rows.item(i).checkState() for i in range(3)] == [Qt.CheckState.Checked] * 3
    assert rows.item(2).text() == "person 2: frames 10-29, 67%"        # 20 of 30 frames
    assert win.people_panel.list.currentItem() is win.people_panel.row_of(0)
    assert sorted(p.track_id for p in win.video_view._people) == [0, 1, 2]
    # 3D: the others in their own colours, each where their own translation puts them
    actors = dict(win.mesh_view.people.actors)
    assert sorted(actors) == [1, 2]
    for tid in (1, 2):
        assert actors[tid].GetVisibility()
        np.testing.assert_allclose(actors[tid].prop.color.float_rgb, np.array(person_colour(tid)) / 255, atol=1e-3)
        shown = win.mesh_view.people.meshes[tid].points
        meshes = win.controller.session.meshes[tid]
        np.testing.assert_allclose(box_centre(shown), box_centre(meshes.vertices_at(meshes.row(15))), atol=1e-5)
    centres = [box_centre(m.vertices_at(m.row(15))) for m in win.controller.session.meshes.values()]
    assert np.all(np.diff([c[0] for c in centres]) > 1.0)     # side by side, not stacked at the origin
    win.playback.seek(5)                                     # person 2 not yet in the video
    assert not actors[2].GetVisibility() and win.mesh_view.people.actors[2] is actors[2]   # updated in place
    assert sorted(p.track_id for p in win.video_view._people) == [0, 1]
    _close(qtbot, win)


def test_click_a_person_in_the_video_or_3d_view_selects_them_and_views_follow(qtbot, tmp_path):
    errors = []
    win = _three_people_at_frame_15(qtbot, tmp_path, errors)
    qtbot.mouseClick(win.video_view, Qt.MouseButton.LeftButton, pos=_box_click_point(win, 2))
    assert win.controller.selected_track == 2
    assert win.people_panel.list.currentItem() is win.people_panel.row_of(2)
    present = win.timeline_bar.strip.present                 # the timeline marks person 2's frames
    assert not present[:10].any() and present[10:].all()
    win.playback.seek(20)
    # in 3D, person 1 (a solid mesh now) is picked where their box centre projects
    renderer = win.mesh_view.plotter.renderer
    renderer.SetWorldPoint(*box_centre(win.mesh_view.people.shown[1]), 1.0)
    renderer.WorldToDisplay()
    x, y, _ = renderer.GetDisplayPoint()
    assert win.mesh_view.pick(round(x), round(y)) == 1
    assert win.mesh_view.pick(0, 0) is None                  # the corner of the view: nobody
    win.people_panel.list.setCurrentItem(win.people_panel.row_of(1))   # the list selects too
    assert win.controller.selected_track == 1
    assert 1 not in win.mesh_view.people.shown and 2 in win.mesh_view.people.shown
    app_settings().setValue("export/people", -2)             # last export: the main person (not everyone)
    win.export()                                             # the export dialog offers the selected person
    assert win.export_dialog.track_combo.currentData() == 1
    win.export_dialog.reject()
    _close(qtbot, win)


def test_hide_a_person_and_main_person_only(qtbot, tmp_path):
    errors = []
    win = _three_people_at_frame_15(qtbot, tmp_path, errors)
    win.people_panel.row_of(1).setCheckState(Qt.CheckState.Unchecked)
    assert win.controller.visible_tracks == {0, 2}
    assert sorted(p.track_id for p in win.video_view._people) == [0, 2]
    assert not win.mesh_view.people.actors[1].GetVisibility()
    win.main_only_action.trigger()
    assert win.controller.visible_tracks == {0} and win.controller.selected_track == 0
    assert [p.track_id for p in win.video_view._people] == [0]
    assert not any(a.GetVisibility() for a in win.mesh_view.people.actors.values())
    win.main_only_action.trigger()
    assert win.controller.visible_tracks == {0, 1, 2}
    _close(qtbot, win)


def test_after_a_processing_error_the_window_opens_the_partial_result(qtbot, tmp_path):
    errors, asked = [], []
    result = crowd_result(2)
    saved = result.save(tmp_path / "clip.partial.lmr.npz")
    failing = fake_open_job(result, fail=ProcessingError("Tracking failed.", "Open the partial result.", saved))
    reading = fake_open_job(result)

    def job(video, options, cancel, result_path=None, **kwargs):      # processing fails, reading works
        return (reading if result_path else failing)(video, options, cancel, result_path=result_path, **kwargs)

    win = _window(qtbot, result, errors, job)
    win.confirm = lambda title, text: asked.append(text) or True
    win.open_path(tmp_path / "clip.mp4")
    qtbot.waitUntil(lambda: bool(errors), timeout=10000)
    assert isinstance(errors[0], ProcessingError) and str(saved) in asked[0]
    qtbot.waitUntil(lambda: win.controller.session is not None, timeout=10000)
    assert sorted(win.controller.result.tracks) == [0, 1]
    _close(qtbot, win)


def test_pick_person_off_screen():
    """pick_person on a plain off-screen plotter: the person under the click, nobody elsewhere."""
    import pyvista as pv

    plotter = pv.Plotter(off_screen=True, window_size=(400, 300))
    plotter.add_mesh(pv.Cube())
    left = np.asarray(pv.Cube(center=(-2, 0, 0)).points)
    right = np.asarray(pv.Cube(center=(2, 0, 0)).points)
    plotter.camera.position, plotter.camera.focal_point, plotter.camera.up = (0, 0, 10), (0, 0, 0), (0, 1, 0)
    plotter.render()
    people = {4: left, 7: right}
    # a pinhole with VTK's 30 degree vertical view: x = 2 m at 10 m is this many pixels off centre
    offset = 150 * 2 / (10 * np.tan(np.radians(plotter.camera.view_angle / 2)))
    assert pick_person(plotter, people, 200 + offset, 150) == 7
    assert pick_person(plotter, people, 200 - offset, 150) == 4
    assert pick_person(plotter, people, 200, 150) is None        # between them
    plotter.close()


def test_a_photo_opens_as_a_still(qtbot, tmp_path):
    """A .jpg through the real frame source: one frame, shown at the photo's size, with its person."""
    import cv2

    from lmr_studio.gui.session_controller import open_video_source

    photo = np.zeros((120, 160, 3), np.uint8)
    photo[20:100, 60:100] = (30, 200, 90)                     # RGB
    path = tmp_path / "photo of me é.jpg"
    cv2.imwrite(str(path), photo[..., ::-1])
    errors = []
    win = MainWindow(open_source=open_video_source, make_job=fake_open_job(make_waving_result(1)))
    win.report_error = lambda _parent, err: errors.append(err)
    qtbot.addWidget(win)
    win.show()
    open_and_wait(qtbot, win, path)
    assert not errors and win.playback.timeline.num_frames == 1
    shown = win.playback.frame(0)
    assert shown.shape == (120, 160, 3) and np.abs(shown[60, 80].astype(int) - (30, 200, 90)).max() < 12
    assert [p.track_id for p in win.video_view._people] == [0]
    _close(qtbot, win)


def test_people_actors_are_made_once_and_removed_with_their_body_model():
    import pyvista as pv

    from lmr_studio.scene.people_scene import PeopleActors

    plotter = pv.Plotter(off_screen=True, window_size=(200, 150))
    cube = pv.Cube().triangulate()
    faces = cube.regular_faces
    actors = PeopleActors(plotter, faces, cube.n_points)
    actors.set_frame({3: np.asarray(cube.points), 5: np.asarray(cube.points) + 2})
    first = dict(actors.actors)
    actors.set_frame({3: np.asarray(cube.points) + 1})            # 5 leaves: hidden, not removed
    assert actors.actors == first and not first[5].GetVisibility()
    np.testing.assert_allclose(actors.meshes[3].points, np.asarray(cube.points) + 1)
    before = len(plotter.renderer.actors)
    actors.remove()
    assert len(plotter.renderer.actors) == before - 2
    plotter.close()


def test_a_narrow_people_list_wraps_a_row_instead_of_cutting_it_off(qtbot):
    """The dock is often narrower than a row's text: the row grows to two lines, all inside the list."""
    from lmr_studio.gui.people_panel import PeoplePanel

    panel = PeoplePanel()
    qtbot.addWidget(panel)
    panel.resize(150, 300)
    panel.show()
    panel.show_people(crowd_result(3), 0, {0, 1, 2})
    rows = panel.list
    line = rows.fontMetrics().height()
    assert rows.fontMetrics().horizontalAdvance(rows.item(0).text()) > rows.viewport().width()  # too long for a line
    first = rows.visualItemRect(rows.item(0))
    assert first.height() >= 1.8 * line
    assert first.right() <= rows.viewport().width()
