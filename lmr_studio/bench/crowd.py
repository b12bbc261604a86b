"""A generated street crowd with ground truth, for tracking tests and the multi-person benchmark.

Eight Anny people (80-140 px tall at 768x576) walk across a lawn seen from a camera 4 m up,
tilted 12 degrees down, like a street camera: they cross in front of each other (the nearer one
hides the farther one for a few frames), enter and leave at the sides, one walks in place.
Rendered with :mod:`lmr_studio.training.render` over a two-tone ground; seeded, so the truth is
the same on every run.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from lmr_studio.geometry.camera import default_focal, perspective_project

SIZE = (768, 576)
FPS = 10.0
SEED = 11
#: (depth m, walking direction +1 right / -1 left / 0 in place, x at frame 0 m, speed m/s) per person.
PEOPLE = (
    (11.5, +1, -6.6, 1.4),
    (13.0, -1, +6.2, 1.3),
    (15.0, +1, -6.0, 1.2),
    (16.0, -1, +4.5, 1.1),
    (18.0, +1, -3.5, 0.9),
    (12.5, -1, +8.8, 1.5),
    (17.0, 0, +1.0, 0.0),
    (19.5, -1, +2.0, 1.0),
)


@dataclasses.dataclass
class Crowd:
    """Truth of a crowd clip: per person P and frame F, ``joints2d`` (P, F, 24, 2) px, ``joints3d``
    (P, F, 24, 3) m in the camera frame, ``boxes`` (P, F, 4) px (vertex extent), ``present``
    (P, F) bool (at least half the body inside the image and at most 60 % hidden by nearer
    people), ``heights`` (P, F) px."""

    joints2d: np.ndarray
    joints3d: np.ndarray
    boxes: np.ndarray
    present: np.ndarray
    heights: np.ndarray

    def save(self, path: Path) -> None:
        """Write the truth atomically to ``path`` (.npz)."""
        from lmr_studio.io.atomic import atomic_path

        with atomic_path(path) as tmp:
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, **dataclasses.asdict(self))

    @classmethod
    def load(cls, path: Path) -> "Crowd":
        with np.load(path) as data:
            return cls(**{f.name: data[f.name] for f in dataclasses.fields(cls)})


def _camera():
    from lmr_studio.training.render import Camera

    return Camera(SIZE, default_focal(*SIZE), height=4.0, pitch_deg=12.0)


def _world_motion(body, frames: int, rng: np.random.Generator):
    """World-frame vertices (P, F, V, 3) and joints (P, F, 24, 3) of :data:`PEOPLE` walking."""
    from lmr_studio.training.motion import generate_motion

    vertices, joints = [], []
    t = np.arange(frames) / FPS
    for depth, direction, x0, speed in PEOPLE:
        clip = generate_motion("walk", frames, rng, FPS, own_posture=False)  # the crowd of crowd-v1
        poses = clip.poses.copy()
        yaw = 90.0 * direction if direction else rng.uniform(-30, 30)
        poses[:, 0] = Rotation.from_euler("y", np.full((frames, 1), yaw), degrees=True).as_rotvec()
        if not direction:
            poses[:, 1:] *= 0.4  # walking in place: small steps
        betas = np.repeat(rng.normal(0, 0.7, (1, 10)).astype(np.float32), frames, 0)
        verts, jts = body.mesh_sequence(poses.astype(np.float32), betas)
        feet = verts[:, :, 1].min(1)  # stand on the ground (y = 0)
        offset = np.stack([x0 + direction * speed * t, -feet, np.full(frames, -depth)], -1)[:, None]  # (F, 1, 3)
        vertices.append(verts + offset)
        joints.append(jts + offset)
    return np.stack(vertices), np.stack(joints)


def _present(boxes: np.ndarray, depths: np.ndarray) -> np.ndarray:
    """(P, F) people at least half in the image and at most 60 % hidden behind nearer boxes."""
    width, height = SIZE
    people, frames = boxes.shape[:2]
    out = np.zeros((people, frames), bool)
    for f in range(frames):
        for p in range(people):
            x0, y0, x1, y1 = boxes[p, f]
            area = max((x1 - x0) * (y1 - y0), 1.0)
            inside = max(0, min(x1, width) - max(x0, 0)) * max(0, min(y1, height) - max(y0, 0))
            if inside < 0.5 * area:
                continue
            mask = np.zeros((int(y1 - y0) + 1, int(x1 - x0) + 1), bool)
            for q in np.flatnonzero(depths[:, f] < depths[p, f]):
                a0, b0, a1, b1 = boxes[q, f] - (x0, y0, x0, y0)
                mask[max(int(b0), 0):max(int(b1), 0), max(int(a0), 0):max(int(a1), 0)] = True
            out[p, f] = mask.mean() <= 0.6
    return out


def make_crowd(path: Path, frames: int = 120) -> Crowd:
    """Render the crowd clip to ``path`` (.mp4, H.264 through PyAV) and return its truth."""
    from lmr_studio.body import load_body_model
    from lmr_studio.training.backgrounds import gradient_background
    from lmr_studio.training.render import Look, render_frames, write_video

    rng = np.random.default_rng(SEED)
    body = load_body_model("anny")
    camera = _camera()
    world_vertices, world_joints = _world_motion(body, frames, rng)
    vertices = camera.to_camera(world_vertices).astype(np.float32)
    joints3d = camera.to_camera(world_joints).astype(np.float32)
    zero = np.zeros(3, np.float32)
    joints2d = perspective_project(joints3d, zero, camera.focal, SIZE).astype(np.float32)
    corners = []
    for person in vertices:
        uv = perspective_project(person[:, ::20], zero, camera.focal, SIZE)  # every 20th vertex is plenty
        corners.append(np.concatenate([uv.min(1), uv.max(1)], -1))
    boxes = np.stack(corners).astype(np.float32)
    looks = [Look(skin=tuple(rng.uniform(0.45, 0.95) * np.array([1.0, 0.8, 0.68])), top=tuple(rng.uniform(0.05, 0.95, 3)),
                  bottom=tuple(rng.uniform(0.05, 0.6, 3)), sleeves=str(rng.choice(["short", "long"])))
             for _ in PEOPLE]
    background = gradient_background(SIZE, (0.55, 0.62, 0.50), (0.30, 0.42, 0.25))
    write_video(render_frames(list(vertices), body.faces, body.joint_weights.argmax(1), looks, camera,
                              background=background), path, FPS)
    heights = (boxes[..., 3] - boxes[..., 1]).astype(np.float32)
    return Crowd(joints2d, joints3d, boxes, _present(boxes, -joints3d[:, :, 0, 2]), heights)
