"""Small fakes shared by the GUI, scene and playback tests (this module holds no tests).

``StickBody`` follows the BodyModel contract with a cube at each of the 24 joints, so tests
need neither Anny nor an SMPL file; ``make_result`` builds a MotionResult of a waving person;
``FakeVideo`` follows the VideoSource contract with generated frames.
"""

from __future__ import annotations

import numpy as np
import torch

from lmr_studio.geometry.camera import default_focal, perspective_project
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.parts import JOINT_PART, NUM_JOINTS, NUM_PARTS
from lmr_studio.perception.features import box_to_corners
from lmr_studio.result import MotionResult, Track

#: A rough SMPL-like rest skeleton (metres, y up, the person's left on +x).
REST_JOINTS = np.array([
    [0, 0, 0], [0.07, -0.09, 0], [-0.07, -0.09, 0], [0, 0.11, 0], [0.1, -0.47, 0], [-0.1, -0.47, 0],
    [0, 0.24, 0], [0.1, -0.87, 0], [-0.1, -0.87, 0], [0, 0.3, 0], [0.11, -0.93, 0.1], [-0.11, -0.93, 0.1],
    [0, 0.51, 0], [0.08, 0.41, 0], [-0.08, 0.41, 0], [0, 0.6, 0], [0.17, 0.44, 0], [-0.17, 0.44, 0],
    [0.43, 0.42, 0], [-0.43, 0.42, 0], [0.68, 0.42, 0], [-0.68, 0.42, 0], [0.76, 0.41, 0], [-0.76, 0.41, 0],
], dtype=np.float32)

_CUBE = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], dtype=np.float32) * 0.04
_CUBE_FACES = np.array([[0, 1, 3], [0, 3, 2], [4, 6, 7], [4, 7, 5], [0, 4, 5], [0, 5, 1],
                        [2, 3, 7], [2, 7, 6], [0, 2, 6], [0, 6, 4], [1, 5, 7], [1, 7, 3]], dtype=np.int64)


class StickBody:
    """A BodyModel stand-in: 24 cubes (8 vertices each) that follow the posed joints."""

    name = "stick"
    faces = np.concatenate([_CUBE_FACES + 8 * j for j in range(NUM_JOINTS)])
    vertex_parts = np.repeat(JOINT_PART, 8).astype(np.uint8)
    joint_weights = np.repeat(np.eye(NUM_JOINTS, dtype=np.float32), 8, axis=0)
    num_vertices = 8 * NUM_JOINTS

    def mesh_sequence(self, poses, betas, transl=None):
        """(F, 24, 3) axis-angle -> vertices (F, 192, 3), joints (F, 24, 3), float32 metres."""
        rot = axis_angle_to_matrix(torch.as_tensor(np.asarray(poses, np.float32)))
        rest = torch.from_numpy(REST_JOINTS).expand(len(rot), -1, -1)
        joints, _ = forward_kinematics(rot, rest)
        joints = joints.numpy()
        if transl is not None:
            joints = joints + np.asarray(transl, np.float32)[:, None]
        verts = (joints[:, :, None, :] + _CUBE).reshape(len(joints), -1, 3)
        return verts.astype(np.float32), joints.astype(np.float32)


def waving_poses(num_frames: int) -> np.ndarray:
    """(F, 24, 3) axis-angle: the right arm waves, the left arm is still."""
    poses = np.zeros((num_frames, NUM_JOINTS, 3), np.float32)
    poses[:, 17, 2] = -1.0 + 0.8 * np.sin(np.arange(num_frames) / 3.0)
    return poses


def make_result(num_frames: int = 30, size=(160, 120), fps: float = 25.0, frames=None) -> MotionResult:
    """A one-track MotionResult whose arrays are consistent with ``StickBody`` and the camera."""
    frame_ids = np.arange(num_frames) if frames is None else np.asarray(frames)
    n = len(frame_ids)
    poses = waving_poses(n)
    betas = np.zeros((n, 10), np.float32)
    transl = np.tile(np.array([0.0, 0.0, -6.0], np.float32), (n, 1))
    transl[:, 0] = np.linspace(-0.5, 0.5, n)
    _, joints = StickBody().mesh_sequence(poses, betas)
    focal = default_focal(*size)
    joints2d = perspective_project(joints, transl, focal, size).astype(np.float32)
    lo, hi = joints2d.min(1), joints2d.max(1)
    centre, side = (lo + hi) / 2, (hi - lo).max(1) * 1.2
    bboxes = box_to_corners(np.concatenate([centre, side[:, None]], 1)).astype(np.float32)
    kp = np.zeros((n, 33, 3), np.float32)
    kp[:, :24, :2] = joints2d
    kp[:, :, 2] = 0.9
    track = Track(poses=poses, betas=betas, cam=np.tile([[1.0, 0, 0]], (n, 1)).astype(np.float32),
                  frame_ids=frame_ids.astype(np.int64), bboxes=bboxes, keypoints2d=kp, joints3d=joints,
                  joints2d=joints2d, transl=transl,
                  part_activity=np.abs(np.sin(np.arange(n)[:, None] / 4 + np.arange(NUM_PARTS))).astype(np.float32))
    total = int(frame_ids.max()) + 1 if frames is not None else num_frames
    return MotionResult(tracks={0: track}, fps=fps, image_size=size, num_frames=total, body_model="stick")


class FakeVideo:
    """A VideoSource stand-in: frame i is a grey level ramp with a moving bright square."""

    def __init__(self, num_frames: int = 30, size=(160, 120), fps: float = 25.0) -> None:
        self.num_frames, self.size, self.fps = num_frames, size, fps
        self.reads = 0

    def read(self, i: int) -> np.ndarray:
        self.reads += 1
        w, h = self.size
        img = np.full((h, w, 3), 40, np.uint8)
        x = int(i * (w - 20) / max(1, self.num_frames - 1))
        img[10:30, x:x + 20] = 230
        return img

    def __iter__(self):
        return (self.read(i) for i in range(self.num_frames))

    def close(self) -> None:
        pass


def fake_open_job(result: MotionResult, *, delay_s: float = 0.0, fail: Exception | None = None, steps: int = 3):
    """A stand-in for ``scene.session.iter_open``: yields Progress with growing partial results,
    then a Session on ``StickBody`` (or raises ``fail``); honours the cancel event."""
    import time

    from lmr_studio.pipeline import Progress
    from lmr_studio.scene.sequence import build_track_meshes
    from lmr_studio.scene.session import Session

    def job(video, options, cancel, **kwargs):
        track = result.main
        for k in range(1, steps + 1):
            if cancel.is_set():
                yield Progress("cancelled", k, steps, "cancelled")
                return
            time.sleep(delay_s)
            rows = slice(0, len(track) * k // steps)
            partial = MotionResult({0: track.sliced(rows)}, result.fps, result.image_size, result.num_frames)
            yield Progress("keypoints", k, steps, "tracking", partial=partial)
        if fail is not None:
            raise fail
        body = StickBody()
        meshes = {tid: build_track_meshes(result, tid, body, ghost_poses=np.zeros_like(t.poses))
                  for tid, t in result.tracks.items()}
        yield Session(result, body, meshes, video_path=video)

    return job
