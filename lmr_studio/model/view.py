"""From a person crop's view to the camera's.

The network and BlazePose read a crop around the person, and a crop of someone off the image
centre looks like a centred person seen along the camera's axis: the body orientation the network
gives and BlazePose's world landmarks are relative to the ray through the person, not to the
camera. :func:`~lmr_studio.geometry.camera.ray_rotation` of the person's position turns them into
the camera frame; the pipeline applies it before the refinement (CLIFF, Li et al. 2022, feeds the
crop's place to the network instead; here the network keeps its inputs and its output is turned).
With the person 15 degrees off the centre, LAFAN1's front view scored MPJPE 76.1 mm without the
turn and 69.2 with it; centred views are unchanged (docs/model.md, "The person off the image
centre")."""

from __future__ import annotations

import numpy as np
import torch

from lmr_studio.geometry.rotations import axis_angle_to_matrix, matrix_to_axis_angle
from lmr_studio.perception.features import WORLD_AXES


def turn_root(poses: np.ndarray, view: np.ndarray) -> np.ndarray:
    """(F, 24, 3) axis-angle ``poses`` with their root orientation (joint 0) turned by the (F, 3, 3)
    rotations ``view``; the other joints are relative to their parents and stay."""
    root = axis_angle_to_matrix(torch.as_tensor(poses[:, 0], dtype=torch.float64))
    turned = np.array(poses, np.float32, copy=True)
    turned[:, 0] = matrix_to_axis_angle(torch.as_tensor(view, dtype=torch.float64) @ root).numpy()
    return turned


def turn_world(world: np.ndarray, view: np.ndarray) -> np.ndarray:
    """(F, 33, 3) BlazePose world landmarks (its axes; NaN rows stay NaN) turned by the (F, 3, 3)
    camera-frame rotations ``view``, still in BlazePose's axes."""
    camera_axes = np.asarray(world, np.float64) * WORLD_AXES
    return (np.einsum("fij,flj->fli", view, camera_axes) * WORLD_AXES).astype(np.float32)
