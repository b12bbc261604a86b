"""bvh: read back with bvhio (a maintained BVH library, pinned in the test extra); its forward
kinematics over the file's offsets and channels reproduces the body model's joints."""

from __future__ import annotations

import bvhio
import numpy as np

from lmr_studio.export import EXPORTERS
from lmr_studio.parts import JOINT_NAMES
from tests.fixtures.fakes import camera_joints


def test_bvh_round_trip(body, result, tmp_path):  # noqa: F811
    path = EXPORTERS["bvh"](result, body, tmp_path / "m.bvh", frames=(2, 10))
    container = bvhio.readAsBvh(str(path))
    assert container.Root.Name == JOINT_NAMES[0]
    assert container.Root.Channels == ["Xposition", "Yposition", "Zposition", "Zrotation", "Yrotation", "Xrotation"]
    assert abs(container.FrameTime - 1 / result.fps) < 1e-7
    assert container.FrameCount == 8                          # frames 2..9, frame 5 held from 4

    root = bvhio.readAsHierarchy(str(path))
    joints = {joint.Name: joint for joint, _index, _depth in root.layout()}
    assert sorted(joints) == sorted(JOINT_NAMES)             # bvhio keeps end sites out of the joints
    track = result.main
    expected = camera_joints(track)
    for line, frame in enumerate(range(2, 10)):
        root.loadPose(line)
        got = np.array([tuple(joints[name].PositionWorld) for name in JOINT_NAMES])
        row = track.row_of_frame(frame if frame != 5 else 4)
        np.testing.assert_allclose(got, expected[row], atol=1e-3)   # 1 mm
