"""Values computed in one place: the main track, the translation, vertex normals, the mesh painter,
the frame-to-row lookup and torch's thread count."""

from __future__ import annotations

import threading

import numpy as np
import torch

from lmr_studio.export.common import select_tracks
from lmr_studio.geometry.camera import (box_to_pixels, corners_to_box, default_focal, perspective_project,
                                        weak_perspective_project)
from lmr_studio.geometry.normals import vertex_normals
from lmr_studio.parts import PART_COLOURS
from lmr_studio.result import MotionResult, row_of_frame
from lmr_studio.scene.mesh_paint import paint_mesh, paint_silhouette
from lmr_studio.torch_threads import use_inference_threads
from tests.fixtures.fakes import FakeBody, make_random_result


def test_main_id_is_the_set_track_else_the_longest(tmp_path):
    result = make_random_result(FakeBody(), two_tracks=True)          # track 1: 11 frames, track 4: 6
    assert result.main_id == 1 and result.main is result.tracks[1]
    assert list(select_tracks(result, None, None)) == [1]
    result.main_track = 4
    assert result.main_id == 4 and list(select_tracks(result, None, None)) == [4]
    assert MotionResult.load(result.save(tmp_path / "r.npz")).main_id == 4
    result.main_track = 99                                              # not a track: the longest
    assert result.main_id == 1


def test_translation_without_transl_puts_the_root_in_the_box():
    """The weak-perspective fallback: the body's root projects where the weak camera puts it."""
    track = make_random_result(FakeBody()).tracks[1]
    stored = track.translation((160, 120), default_focal(160, 120))
    track.transl = None
    derived = track.translation((160, 120), default_focal(160, 120))
    assert derived.shape == stored.shape and derived.dtype == np.float32
    box = corners_to_box(track.bboxes)
    root = perspective_project(np.zeros((len(track), 1, 3), np.float32), derived, default_focal(160, 120), (160, 120))
    weak = box_to_pixels(weak_perspective_project(np.zeros((len(track), 1, 3)), track.cam), box)
    np.testing.assert_allclose(root, weak, atol=1e-3)


def test_row_of_frame():
    ids = np.array([2, 3, 7])
    assert [row_of_frame(ids, f) for f in (2, 3, 4, 7, 8, 0)] == [0, 1, None, 2, None, None]


def test_vertex_normals_of_an_octahedron_point_away_from_its_centre():
    body = FakeBody()
    verts = body.template[:6] - body.template[:6].mean(0)
    normals = vertex_normals(verts, body.faces[:8])
    np.testing.assert_allclose(normals, verts / np.linalg.norm(verts, axis=1, keepdims=True), atol=1e-6)


def test_the_painter_draws_the_nearer_part_on_top_and_only_shown_parts():
    """Two overlapping squares facing the camera: the nearer (red, right arm) covers the farther
    (blue, left arm); with the right arm hidden, the blue one shows through."""
    frame = np.zeros((100, 100, 3), np.uint8)
    square = np.array([(-1, -1, 0), (1, -1, 0), (1, 1, 0), (-1, 1, 0)], float)   # facing the camera
    verts = np.concatenate([square * 0.2 + (0, 0, -3), square * 0.4 + (0, 0, -4)])  # near, far
    faces = np.array([(0, 1, 2), (0, 2, 3), (4, 5, 6), (4, 6, 7)])
    parts = np.array([3, 3, 2, 2])
    out = paint_mesh(frame, verts, faces, parts, focal=100.0, strength=1.0)
    np.testing.assert_array_equal(out[50, 50], PART_COLOURS[3])
    np.testing.assert_array_equal(out[50, 42], PART_COLOURS[2])        # only the far square reaches here
    hidden = paint_mesh(frame, verts, faces, parts, focal=100.0, opacity=[1, 1, 1, 0, 1, 1], strength=1.0)
    np.testing.assert_array_equal(hidden[50, 50], PART_COLOURS[2])
    grey = paint_mesh(frame, verts, faces, parts, focal=100.0, colours=False, strength=0.5)
    assert grey[50, 50].tolist() == [100, 100, 100] and out[5, 5].tolist() == [0, 0, 0]
    assert (frame == 0).all()                                            # a new image, the input untouched


def test_torch_threads_are_set_once_per_process():
    first = use_inference_threads()
    seen = []
    worker = threading.Thread(target=lambda: seen.append(use_inference_threads(4)))
    worker.start()
    worker.join()
    assert seen == [first] and torch.get_num_threads() == first


def test_silhouette_covers_the_projected_body_in_one_colour():
    """The cheap painter for people who are not selected: every part's hull filled in one colour,
    nothing outside the projected extent, the frame untouched elsewhere."""
    from lmr_studio.geometry.camera import perspective_project

    rng = np.random.default_rng(0)
    verts = np.concatenate([rng.uniform([-0.3, -0.9, -4.1], [0.3, 0.9, -3.9], (400, 3))])
    parts = np.repeat(np.arange(6), 400 // 6 + 1)[:400]
    frame = np.zeros((480, 640, 3), np.uint8)
    out = paint_silhouette(frame, verts, parts, 600.0, (10, 200, 30), strength=1.0)
    px = perspective_project(verts, np.zeros(3), 600.0, (640, 480))
    x0, y0 = np.floor(px.min(0)).astype(int)
    x1, y1 = np.ceil(px.max(0)).astype(int)
    painted = out.any(-1)
    assert (out[painted] == (10, 200, 30)).all()                 # one colour
    assert painted[y0:y1 + 1, x0:x1 + 1].mean() > 0.5            # the body's extent is mostly covered
    assert not painted[:y0 - 1].any() and not painted[y1 + 2:].any() and not painted[:, :x0 - 1].any()
    assert not frame.any()                                       # a new image: the input is untouched
