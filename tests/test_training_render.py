"""Off-screen renderer: silhouettes land where perspective_project puts the vertices; looks,
several people, backgrounds and the video writer."""

import cv2
import numpy as np
import pytest
import pyvista as pv

from lmr_studio.geometry.camera import perspective_project
from lmr_studio.training.backgrounds import random_background
from lmr_studio.training.render import Camera, Look, OffscreenRenderer, render_frames, write_video

SIZE = (320, 240)


def _box(centre, half=(0.2, 0.5, 0.1)):
    """A triangulated box: (8, 3) vertices, (12, 3) faces."""
    lo, hi = np.subtract(centre, half), np.add(centre, half)
    box = pv.Box(bounds=(lo[0], hi[0], lo[1], hi[1], lo[2], hi[2])).triangulate()
    return np.asarray(box.points, np.float64), np.asarray(box.regular_faces)


def _hull_mask(uv):
    """Filled convex hull of (N, 2) pixel points, as a boolean image of SIZE."""
    mask = np.zeros(SIZE[::-1], np.uint8)
    hull = cv2.convexHull((uv * 16).round().astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 1, lineType=cv2.LINE_8, shift=4)
    return mask.astype(bool)


def _iou(a, b):
    return (a & b).sum() / (a | b).sum()


@pytest.mark.parametrize("height, pitch", [(0.0, 0.0), (1.6, 15.0), (0.3, -8.0)])
def test_silhouette_matches_perspective_projection(height, pitch):
    camera = Camera(SIZE, focal=280.0, height=height, pitch_deg=pitch)
    world, faces = _box((0.4, 0.9, -3.0))
    verts = camera.to_camera(world)
    with OffscreenRenderer(faces, np.zeros(len(verts), int), camera) as renderer:
        renderer.set_scene([Look()])
        silhouette = renderer.render_rgba([verts])[..., 3] > 127
    uv = perspective_project(verts, np.zeros(3), camera.focal, SIZE)
    assert _iou(silhouette, _hull_mask(uv)) > 0.95
    ys, xs = np.nonzero(silhouette)
    expected = np.clip([uv[:, 0].min(), uv[:, 0].max(), uv[:, 1].min(), uv[:, 1].max()],
                       0, [SIZE[0], SIZE[0], SIZE[1], SIZE[1]])
    np.testing.assert_allclose([xs.min(), xs.max() + 1, ys.min(), ys.max() + 1], expected, atol=1.0)


def test_camera_pose_is_a_rigid_change_of_frame():
    camera = Camera(SIZE, 300.0, height=1.5, pitch_deg=20.0)
    rot = camera.rotation()
    np.testing.assert_allclose(rot @ rot.T, np.eye(3), atol=1e-12)
    # the camera looks down: a point straight ahead on its axis is below the camera in the world
    ahead = camera.rotation() @ np.array([0.0, 0.0, -1.0])
    assert ahead[1] == pytest.approx(-np.sin(np.radians(20.0)))
    np.testing.assert_allclose(camera.to_camera(np.array([0.0, 1.5, 0.0])), 0.0, atol=1e-12)
    # a world point on the viewing axis projects to the image centre
    on_axis = np.array([0.0, 1.5, 0.0]) + 3.0 * ahead
    uv = perspective_project(camera.to_camera(on_axis)[None], np.zeros(3), camera.focal, SIZE)[0]
    np.testing.assert_allclose(uv, np.array(SIZE) / 2, atol=1e-9)


def test_several_people_each_where_projected_and_hidden_when_absent():
    camera = Camera(SIZE, 280.0)
    left, faces = _box((-0.6, 0.0, -3.0))
    right, _ = _box((0.6, 0.0, -3.0))
    with OffscreenRenderer(faces, np.zeros(len(left), int), camera, max_people=3) as renderer:
        renderer.set_scene([Look(), Look()])
        both = renderer.render_rgba([left, right])[..., 3] > 127
        only_right = renderer.render_rgba([None, right])[..., 3] > 127
    hulls = [_hull_mask(perspective_project(v, np.zeros(3), camera.focal, SIZE)) for v in (left, right)]
    assert _iou(both, hulls[0] | hulls[1]) > 0.95
    assert _iou(only_right, hulls[1]) > 0.95


def test_render_frames_composites_people_over_the_background(tmp_path):
    camera = Camera(SIZE, 280.0)
    box, faces = _box((0.0, 0.0, -4.0))
    background = random_background(SIZE, np.random.default_rng(3))
    frames = list(render_frames(np.stack([box, box + [0.3, 0, 0]]), faces, np.zeros(len(box), int),
                                Look(skin=(1.0, 0.0, 0.0)), camera, background=background))
    assert len(frames) == 2 and frames[0].shape == (SIZE[1], SIZE[0], 3) and frames[0].dtype == np.uint8
    inside = _hull_mask(perspective_project(box, np.zeros(3), camera.focal, SIZE))
    outside = ~cv2.dilate(inside.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    np.testing.assert_array_equal(frames[0][outside], background[outside])
    person = frames[0][cv2.erode(inside.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)]
    assert (person[:, 0].astype(int) - person[:, 1:].max(1) > 30).mean() > 0.95  # lit red skin
    assert write_video(frames, tmp_path / "clip.mp4", 25.0) == 2
    cap = cv2.VideoCapture(str(tmp_path / "clip.mp4"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 2
    cap.release()


def test_look_dresses_regions_by_their_joints():
    joints = np.arange(24)
    skin, top, bottom, shoes = (0.9, 0.7, 0.6), (0.0, 0.0, 1.0), (0.0, 1.0, 0.0), (1.0, 0.0, 0.0)
    def colours(**kw):
        return {j: tuple(c) for j, c in zip(joints, Look(skin, top, bottom, shoes, **kw).vertex_colours(joints))}
    as_u8 = lambda c: tuple(round(v * 255) for v in c)
    long_ = colours(sleeves="long", legs="long")
    assert long_[9] == long_[18] == as_u8(top)           # chest, elbow (forearm) covered
    assert long_[20] == long_[15] == as_u8(skin)          # wrist, head bare
    assert long_[4] == long_[1] == as_u8(bottom) and long_[10] == as_u8(shoes)
    short = colours(sleeves="short", legs="short")
    assert short[16] == as_u8(top) and short[18] == as_u8(skin) and short[4] == as_u8(skin)
    assert colours(sleeves="none")[16] == as_u8(skin)
    bare = {tuple(c) for c in Look(skin).vertex_colours(joints)}
    assert bare == {as_u8(skin)}
