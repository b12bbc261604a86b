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
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from lmr_studio.body import load_body_model
from lmr_studio.geometry.camera import default_focal, perspective_project
from lmr_studio.io.atomic import atomic_path
from lmr_studio.training.backgrounds import gradient_background
from lmr_studio.training.motion import generate_motion
from lmr_studio.training.render import Camera, Look, render_frames, write_video

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
    camera = Camera(SIZE, focal)
    images = render_frames(vertices + transl[:, None], body.faces, body.joint_weights.argmax(1), Look(skin=SKIN),
                           camera, background=gradient_background(SIZE, *BACKGROUND))
    joints2d = perspective_project(joints, transl, focal, SIZE).astype(np.float32)
    args.out.mkdir(parents=True, exist_ok=True)
    video = args.out / "sample.mp4"
    write_video(images, video, FPS)
    with atomic_path(args.out / "sample_truth.npz") as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, poses=poses, betas=betas, transl=transl, joints3d=joints.astype(np.float32),
                                joints2d=joints2d, fps=np.float32(FPS), focal=np.float32(focal),
                                image_size=np.array(SIZE), body_model=np.array(body.name))
    print(f"wrote {video} ({video.stat().st_size / 1e6:.2f} MB, {frames} frames) and sample_truth.npz")


if __name__ == "__main__":
    main()
