"""Render a body model coloured by the six LMR parts (docs/images/anny_parts.png).

Run ``python -m lmr_studio.body.parts_image [OUT.png] [--body anny|smpl]``: front view of the
zero pose beside a posed view. Uses pyvista off screen (no window, no Qt).
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from lmr_studio.body import BodyModel, load_body_model
from lmr_studio.parts import JOINT_NAMES, PART_COLOURS

#: A posed view that exercises every part (axis-angle radians, SMPL joints).
DEMO_POSE = {
    "pelvis": (0.0, 0.35, 0.0), "left_hip": (-0.9, 0.0, 0.1), "left_knee": (1.1, 0.0, 0.0),
    "right_hip": (0.3, 0.0, -0.1), "left_elbow": (0.0, 1.3, 0.0), "right_shoulder": (0.0, 0.0, 1.0),
    "right_elbow": (0.0, -0.6, 0.0), "head": (0.0, 0.5, 0.0), "spine2": (0.2, 0.0, 0.0),
}


def _mesh(body: BodyModel, pose: torch.Tensor):
    import pyvista as pv

    vertices = body(pose[None], torch.zeros(1, 10)).vertices[0].detach().cpu().numpy()
    faces = np.hstack([np.full((len(body.faces), 1), 3), body.faces]).ravel()
    mesh = pv.PolyData(vertices, faces)
    mesh.point_data["rgb"] = PART_COLOURS[body.vertex_parts]
    return mesh


def render_parts_image(body: BodyModel, path: str, size: tuple[int, int] = (1200, 800)) -> None:
    """Write a PNG: zero pose (left) and :data:`DEMO_POSE` (right), front view, camera at +z."""
    import pyvista as pv

    posed = torch.zeros(24, 3)
    for name, aa in DEMO_POSE.items():
        posed[JOINT_NAMES.index(name)] = torch.tensor(aa)
    plotter = pv.Plotter(off_screen=True, shape=(1, 2), window_size=size, border=False)
    for column, pose in enumerate((torch.zeros(24, 3), posed)):
        plotter.subplot(0, column)
        plotter.set_background("white")
        plotter.add_mesh(_mesh(body, pose), scalars="rgb", rgb=True, smooth_shading=True)
        plotter.camera_position = [(0.0, -0.1, 4.8), (0.0, -0.1, 0.0), (0.0, 1.0, 0.0)]
        plotter.add_text(("zero pose" if column == 0 else "posed") + f" ({body.name})", font_size=10, color="black")
    plotter.screenshot(path)
    plotter.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="docs/images/anny_parts.png")
    parser.add_argument("--body", default="anny", choices=("anny", "smpl"))
    parser.add_argument("--smpl", default=None, help="SMPL model file (for --body smpl)")
    args = parser.parse_args()
    render_parts_image(load_body_model(args.body, smpl_path=args.smpl), args.out)


if __name__ == "__main__":
    main()
