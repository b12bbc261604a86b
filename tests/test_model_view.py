"""From a crop's view to the camera's: the ray rotation, and why the pipeline turns by it."""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from lmr_studio.geometry.camera import perspective_project, ray_rotation
from lmr_studio.model.view import turn_root, turn_world

FOCAL, SIZE = 768.0, (640, 480)


def test_ray_rotation_is_the_smallest_turn_from_the_axis_onto_the_ray():
    points = np.random.default_rng(0).normal(size=(50, 3)) * [1.5, 1.0, 0.5] + [0.0, 0.0, -6.0]
    expected = [Rotation.align_vectors([p / np.linalg.norm(p)], [[0.0, 0.0, -1.0]])[0].as_matrix() for p in points]
    np.testing.assert_allclose(ray_rotation(points), expected, atol=1e-12)
    np.testing.assert_allclose(ray_rotation(np.array([0.0, 0.0, -3.0])), np.eye(3), atol=1e-12)


def _crop(points_camera: np.ndarray) -> np.ndarray:
    """The points' projections as a crop sees them: about their mean, in units of their spread."""
    uv = perspective_project(points_camera, np.zeros(3), FOCAL, SIZE)
    uv = uv - uv.mean(0)
    return uv / np.sqrt((uv ** 2).sum(-1).mean())


def test_a_person_off_the_centre_looks_like_the_centred_person_turned_toward_the_ray():
    """The premise of model/view.py: what a crop shows of a body 15 degrees off the axis is what a
    centred crop shows of that body turned back by the ray rotation, up to the perspective's small
    stretch; left unturned it differs by much more."""
    rng = np.random.default_rng(1)
    body = rng.normal(size=(40, 3)) * [0.25, 0.5, 0.15]  # a person-sized cloud around the pelvis, metres
    pose = Rotation.from_rotvec([0.1, 2.0, -0.05]).as_matrix()
    centred_root = np.array([0.0, 0.0, -6.0])
    off_root = 6.0 * np.array([np.sin(np.radians(15)), 0.0, -np.cos(np.radians(15))])
    centred = _crop(body @ pose.T + centred_root)
    view = ray_rotation(off_root)
    turned = _crop(body @ (view @ pose).T + off_root)
    unturned = _crop(body @ pose.T + off_root)
    turned_error = np.linalg.norm(turned - centred, axis=-1).mean()
    unturned_error = np.linalg.norm(unturned - centred, axis=-1).mean()
    assert turned_error < 0.02  # of the crop's spread: the perspective's stretch of a crop 15 degrees out
    assert unturned_error > 5 * turned_error


def test_turn_root_turns_only_the_root_and_turn_world_round_trips():
    rng = np.random.default_rng(2)
    poses = rng.normal(0, 0.4, (6, 24, 3)).astype(np.float32)
    view = Rotation.from_rotvec(rng.normal(0, 0.3, (6, 3))).as_matrix()
    turned = turn_root(poses, view)
    np.testing.assert_array_equal(turned[:, 1:], poses[:, 1:])
    expected = (Rotation.from_matrix(view) * Rotation.from_rotvec(poses[:, 0])).as_matrix()
    np.testing.assert_allclose(Rotation.from_rotvec(turned[:, 0]).as_matrix(), expected, atol=1e-5)
    world = rng.normal(0, 0.5, (6, 33, 3)).astype(np.float32)
    world[3] = np.nan  # a frame without landmarks
    back = turn_world(turn_world(world, view), view.transpose(0, 2, 1))
    np.testing.assert_allclose(back, world, atol=1e-5)
    assert np.isnan(back[3]).all()
    lengths = np.linalg.norm(np.diff(world, axis=1), axis=-1)
    np.testing.assert_allclose(np.linalg.norm(np.diff(turn_world(world, view), axis=1), axis=-1), lengths, atol=1e-5)
