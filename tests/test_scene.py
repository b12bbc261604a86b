"""BodyScene and TrackMeshes on an off-screen pyvista plotter (no Qt)."""

import numpy as np
import pytest
import pyvista as pv

from lmr_studio.geometry.camera import default_focal, perspective_project
from lmr_studio.parts import PART_COLOURS
from lmr_studio.playback import PartVisibility
from lmr_studio.scene.body_scene import BodyScene, part_rgba
from lmr_studio.scene.sequence import build_track_meshes
from tests.fixtures.fakes import FakeBody, make_waving_result


@pytest.fixture
def scene():
    plotter = pv.Plotter(off_screen=True, window_size=(240, 240))
    body = FakeBody()
    result = make_waving_result(20)
    meshes = build_track_meshes(result, 0, body, ghost_poses=np.zeros_like(result.main.poses))
    sc = BodyScene(plotter, body.faces, body.vertex_parts)
    sc.set_ground(meshes.ground_sample())
    sc.set_frame(meshes.vertices_at(0))
    sc.set_camera("front")
    yield sc, meshes
    plotter.close()


def _body_pixels(plotter):
    plotter.render()
    return plotter.screenshot(return_img=True)


def test_set_frame_updates_points_in_place_and_keeps_one_actor(scene):
    sc, meshes = scene
    mesh_id = id(sc.mesh)
    before = _body_pixels(sc.plotter)
    actors = len(sc.plotter.renderer.actors)
    for row in range(1, 10):
        sc.set_frame(meshes.vertices_at(row), meshes.ghost_at(row))
        sc.render()
    after = _body_pixels(sc.plotter)
    assert len(sc.plotter.renderer.actors) == actors and id(sc.mesh) == mesh_id
    np.testing.assert_allclose(sc.mesh.points, meshes.vertices_at(9))
    assert np.abs(after.astype(int) - before).sum() > 0          # the picture changed
    assert sc.ghost_actor.GetVisibility()
    sc.set_frame(None)
    assert not sc.body_actor.GetVisibility() and not sc.ghost_actor.GetVisibility()


def test_hiding_a_part_zeroes_its_alpha_and_removes_its_colour(scene):
    sc, _ = scene
    red = PART_COLOURS[3]                                         # right arm
    def red_pixels():
        img = _body_pixels(sc.plotter).astype(int)
        return int((np.abs(img - red).sum(-1) < 60).sum())
    shown = red_pixels()
    state = PartVisibility()
    state.visible[3] = False
    sc.set_parts(state)
    rgba = sc.mesh.point_data["rgba"]
    assert (rgba[sc.vertex_parts == 3, 3] == 0).all() and (rgba[sc.vertex_parts != 3, 3] == 255).all()
    assert shown > 20 and red_pixels() < shown / 4


def test_part_rgba_highlight_dims_others():
    state = PartVisibility()
    state.highlighted[1] = True
    state.visible[2] = False
    rgba = part_rgba(np.array([0, 1, 2]), state)
    assert list(rgba[:, 3]) == [255, 255, 0]
    np.testing.assert_array_equal(rgba[1, :3], PART_COLOURS[1])
    assert np.abs(rgba[0, :3].astype(int) - PART_COLOURS[0]).sum() > 30       # the torso is faded


def test_camera_presets_and_follow(scene):
    sc, meshes = scene
    sc.set_camera("side")
    pos = np.array(sc.plotter.camera.position) - np.array(sc.plotter.camera.focal_point)
    assert abs(pos[0]) > abs(pos[2])
    sc.set_camera("follow")
    sc.set_frame(meshes.vertices_at(19))
    v = meshes.vertices_at(19)
    np.testing.assert_allclose(sc.plotter.camera.focal_point, (v.min(0) + v.max(0)) / 2, atol=1e-5)
    with pytest.raises(ValueError):
        sc.set_camera("top")


def test_track_meshes_rows_and_projection():
    result = make_waving_result(10, frames=np.array([2, 3, 4, 7, 8, 9, 10, 11, 12, 13]))
    meshes = build_track_meshes(result, 0, FakeBody())
    assert meshes.row(7) == 3 and meshes.row(5) is None and meshes.row(99) is None
    assert len(meshes) == 10 and meshes.vertices_at(9).shape == (FakeBody.num_vertices, 3)
    uv = perspective_project(meshes.vertices_at(0), np.zeros(3), default_focal(160, 120), (160, 120))
    box = result.main.bboxes[0]
    inside = (uv[:, 0] > box[0]) & (uv[:, 0] < box[2]) & (uv[:, 1] > box[1]) & (uv[:, 1] < box[3])
    assert inside.mean() > 0.9


def _in_view(camera, points) -> bool:
    """Whether every point lies inside the camera's vertical field of view cone (square pane)."""
    axis = np.asarray(camera.focal_point) - np.asarray(camera.position)
    axis /= np.linalg.norm(axis)
    rays = np.asarray(points) - np.asarray(camera.position)
    cos = rays @ axis / np.linalg.norm(rays, axis=1)
    return bool((np.degrees(np.arccos(np.clip(cos, -1, 1))) < camera.view_angle / 2).all())


def test_front_frames_a_person_far_down_the_street_and_seeks_keep_them_in_view():
    """A person 20 m away and 6 m to the side (street footage): the default view shows them
    whole, centred, without pressing Follow; after a seek to where they walked, still in view."""
    plotter = pv.Plotter(off_screen=True, window_size=(240, 240))
    body = FakeBody()
    result = make_waving_result(20)
    result.main.transl[:] = np.linspace([6.0, 0.0, -20.0], [2.0, 0.0, -12.0], 20).astype(np.float32)
    meshes = build_track_meshes(result, 0, body)
    sc = BodyScene(plotter, body.faces, body.vertex_parts)
    sc.set_ground(meshes.ground_sample())
    sc.set_camera("front", meshes.vertices_at(0))
    v0 = meshes.vertices_at(0)
    np.testing.assert_allclose(plotter.camera.focal_point, (v0.min(0) + v0.max(0)) / 2, atol=1e-5)
    assert _in_view(plotter.camera, v0)
    distance = np.linalg.norm(np.subtract(plotter.camera.position, plotter.camera.focal_point))
    assert distance < 6.0                                   # fitted to the person, not to the whole street
    sc.set_frame(meshes.vertices_at(19))
    sc.frame_person(meshes.vertices_at(19))
    assert _in_view(plotter.camera, meshes.vertices_at(19)) and sc.camera_preset == "front"
    plotter.close()


def test_a_turn_by_hand_leaves_the_preset_and_later_seeks_keep_the_turn(scene):
    sc, meshes = scene
    assert not sc.turned_by_hand()                          # untouched: still the front view
    sc.plotter.camera.zoom(1.5)
    assert not sc.turned_by_hand()                          # a zoom is not a turn
    sc.plotter.camera.azimuth = 40.0
    assert sc.turned_by_hand() and sc.camera_preset == "custom"
    offset = np.subtract(sc.plotter.camera.position, sc.plotter.camera.focal_point)
    sc.frame_person(meshes.vertices_at(10))
    np.testing.assert_allclose(np.subtract(sc.plotter.camera.position, sc.plotter.camera.focal_point), offset,
                               atol=1e-6)
    sc.set_camera("front")
    assert sc.camera_preset == "front" and not sc.turned_by_hand()


def test_the_ground_grid_is_coarse_enough_not_to_shimmer():
    from lmr_studio.scene.framing import GRID_LINES, ground_plane

    street = np.array([[-3.0, -0.9, -40.0], [8.0, 0.9, -5.0]])
    centre, size, step = ground_plane(street)
    assert size / step <= GRID_LINES and size >= 35.0 + 3.0 and step in (2.0, 5.0)
    np.testing.assert_allclose(centre, [2.5, -0.9, -22.5])
    room = np.array([[-0.3, -0.9, -3.2], [0.3, 0.9, -2.8]])
    assert ground_plane(room)[2] == 0.25
