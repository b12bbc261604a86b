"""Render the bundled sample clip: the Anny body doing jumping jacks, with its ground truth.

Writes ``assets/sample/sample.mp4`` (640x480, 25 fps, 5 s) and ``assets/sample/sample_truth.npz``
(``poses`` (F, 24, 3) axis-angle, ``betas`` (F, 10), ``transl`` (F, 3) m, ``joints3d`` (F, 24, 3)
m in the body frame, ``joints2d`` (F, 24, 2) px, ``fps``, ``focal`` px, ``image_size`` (w, h)).
The camera follows ``lmr_studio.geometry.camera``: at the origin, looking down -z, y up, focal
``default_focal``. The motion is the project's own generator (``lmr_studio.training.motion``,
the held-out "jumping_jacks" family), turned to face the camera. Seeded: reruns give the same
truth file (the video's bytes may differ with the OpenGL driver).

    .venv/bin/python scripts/make_sample.py [--out assets/sample] [--seconds 5]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import cv2
import numpy as np
import pyvista as pv
from scipy.spatial.transform import Rotation

from lmr_studio.body import load_body_model
from lmr_studio.geometry.camera import default_focal, perspective_project
from lmr_studio.io.atomic import atomic_path
from lmr_studio.geometry.normals import vertex_normals
from lmr_studio.training.motion import generate_motion

SIZE = (640, 480)
FPS = 25.0
SEED = 7
SKIN = (0.93, 0.74, 0.62)
BACKGROUND = ((0.80, 0.84, 0.88), (0.42, 0.46, 0.52))  # top, bottom
DISTANCE = 4.2  # metres from the camera to the pelvis


def make_motion(frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Poses (F, 24, 3) and translations (F, 3) in the camera frame, facing the camera."""
    rng = np.random.default_rng(SEED)
    clip = generate_motion("jumping_jacks", frames, rng, FPS)
    t = np.arange(frames) / FPS
    yaw = 30.0 * np.sin(2 * np.pi * t / (frames / FPS))  # turn slowly left and right of the camera
    poses = clip.poses.copy()
    poses[:, 0] = Rotation.from_euler("y", yaw[:, None], degrees=True).as_rotvec()
    transl = np.zeros((frames, 3), np.float32)
    transl[:, 0] = 0.35 * np.sin(2 * np.pi * t / (frames / FPS) * 0.5)
    transl[:, 1] = clip.transl[:, 1] - clip.transl[:, 1].mean() - 0.05
    transl[:, 2] = -DISTANCE
    return poses.astype(np.float32), transl


def render(vertices: np.ndarray, faces: np.ndarray, focal: float) -> list[np.ndarray]:
    """RGB frames (H, W, 3) uint8 of the posed meshes (F, V, 3), camera frame."""
    plotter = pv.Plotter(off_screen=True, window_size=SIZE, lighting="light_kit")
    plotter.set_background(BACKGROUND[1], top=BACKGROUND[0])
    mesh = pv.PolyData.from_regular_faces(vertices[0].copy(), faces)
    mesh.point_data["Normals"] = vertex_normals(vertices[0], faces)
    mesh.point_data.active_normals_name = "Normals"
    plotter.add_mesh(mesh, color=SKIN, smooth_shading=True, specular=0.15, diffuse=0.9, ambient=0.2)
    cam = plotter.camera
    cam.position, cam.focal_point, cam.up = (0, 0, 0), (0, 0, -1), (0, 1, 0)
    cam.view_angle = float(np.degrees(2 * np.arctan(SIZE[1] / 2 / focal)))
    cam.clipping_range = (0.1, 50)
    frames = []
    for verts in vertices:
        mesh.points[:] = verts
        mesh.point_data["Normals"][:] = vertex_normals(verts, faces)
        plotter.render()
        frames.append(np.asarray(plotter.screenshot(return_img=True))[..., :3].copy())
    plotter.close()
    return frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "assets" / "sample")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    frames = round(args.seconds * FPS)
    body = load_body_model("anny")
    poses, transl = make_motion(frames)
    betas = np.zeros((frames, 10), np.float32)
    vertices, joints = body.mesh_sequence(poses, betas)
    focal = default_focal(*SIZE)
    images = render(vertices + transl[:, None], body.faces, focal)
    joints2d = perspective_project(joints, transl, focal, SIZE).astype(np.float32)
    args.out.mkdir(parents=True, exist_ok=True)
    video = args.out / "sample.mp4"
    with atomic_path(video) as tmp:
        tmp_mp4 = tmp.with_suffix(".mp4")
        writer = cv2.VideoWriter(str(tmp_mp4), cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE)
        for img in images:
            writer.write(cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
        writer.release()
        os.replace(tmp_mp4, tmp)
    with atomic_path(args.out / "sample_truth.npz") as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, poses=poses, betas=betas, transl=transl, joints3d=joints.astype(np.float32),
                                joints2d=joints2d, fps=np.float32(FPS), focal=np.float32(focal),
                                image_size=np.array(SIZE), body_model=np.array(body.name))
    print(f"wrote {video} ({video.stat().st_size / 1e6:.2f} MB, {frames} frames) and sample_truth.npz")


if __name__ == "__main__":
    main()
