"""bvh: re-read with a small independent BVH parser; forward kinematics over the file's offsets
and channels reproduces the body model's joints."""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from lmr_studio.export import EXPORTERS
from lmr_studio.parts import JOINT_NAMES
from tests.fixtures.fakes import camera_joints


def read_bvh(path):
    """-> (names, parents, offsets (J, 3), channels per joint, frame_time, motion (N, C))."""
    tokens = path.read_text().split()
    assert tokens[0] == "HIERARCHY"
    names, parents, offsets, channels, stack = [], [], [], [], []
    i = 1
    while tokens[i] != "MOTION":
        t = tokens[i]
        if t in ("ROOT", "JOINT"):
            names.append(tokens[i + 1])
            parents.append(stack[-1] if stack else -1)
            i += 2
        elif t == "End":
            names.append(None)
            parents.append(stack[-1])
            channels.append([])
            i += 2
        elif t == "{":
            stack.append(len(names) - 1)
            i += 1
        elif t == "}":
            stack.pop()
            i += 1
        elif t == "OFFSET":
            offsets.append([float(x) for x in tokens[i + 1:i + 4]])
            i += 4
        elif t == "CHANNELS":
            n = int(tokens[i + 1])
            channels.append(tokens[i + 2:i + 2 + n])
            i += 2 + n
        else:
            raise AssertionError(f"unexpected token {t}")
    frames = int(tokens[i + 2])
    frame_time = float(tokens[i + 5])
    motion = np.array(tokens[i + 6:], dtype=float).reshape(frames, -1)
    return names, parents, np.array(offsets), channels, frame_time, motion


def bvh_positions(names, parents, offsets, channels, values) -> dict[str, np.ndarray]:
    """World position of each named joint for one motion line."""
    world_r, world_p, out, col = {}, {}, {}, 0
    for j, name in enumerate(names):
        local_r, local_p = np.eye(3), offsets[j].copy()
        for ch in channels[j]:
            v = values[col]
            col += 1
            if ch.endswith("position"):
                local_p[" XYZ".index(ch[0]) - 1] += v
            else:
                local_r = local_r @ Rotation.from_euler(ch[0].lower(), v, degrees=True).as_matrix()
        p = parents[j]
        world_p[j] = local_p if p < 0 else world_p[p] + world_r[p] @ local_p
        world_r[j] = local_r if p < 0 else world_r[p] @ local_r
        if name is not None:
            out[name] = world_p[j]
    return out


def test_bvh_round_trip(body, result, tmp_path):  # noqa: F811
    path = EXPORTERS["bvh"](result, body, tmp_path / "m.bvh", frames=(2, 10))
    names, parents, offsets, channels, frame_time, motion = read_bvh(path)
    assert sorted(n for n in names if n) == sorted(JOINT_NAMES) and names.count(None) == 5
    assert channels[0] == ["Xposition", "Yposition", "Zposition", "Zrotation", "Yrotation", "Xrotation"]
    assert abs(frame_time - 1 / result.fps) < 1e-7
    track = result.main
    assert len(motion) == 8                                   # frames 2..9, frame 5 held from 4
    joints = camera_joints(track)
    for line, frame in enumerate(range(2, 10)):
        row = track.row_of_frame(frame if frame != 5 else 4)
        got = bvh_positions(names, parents, offsets, channels, motion[line])
        np.testing.assert_allclose([got[n] for n in JOINT_NAMES], joints[row], atol=1e-3)   # 1 mm
