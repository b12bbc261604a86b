"""The 33 BlazePose landmarks placed on a body model, rigidly attached to SMPL joints.

How: landmarks that BlazePose puts at joint centres (shoulders, elbows, wrists, hips, knees,
ankles) are the SMPL joints themselves. Every other landmark is one mesh vertex, chosen once on
the mean body (betas = 0, zero pose) by a geometric rule among the vertices of its part, and
attached to one SMPL joint: its rest offset from that joint is rotated with the joint's global
rotation. So a posed landmark is ``J_j + G_j (v_rest - J_j_rest)``, exact for rigidly skinned
vertices and cheap (no meshing per frame).

Vertex rules (body frame: x subject's left, y up, z forward; heights below the top of the head):
nose = most forward head vertex 13-17 cm below the top, on the midline; eyes inner/centre/outer
= most forward head vertex near x = 1.5 / 3.2 / 4.8 cm, 10-12.5 cm below the top; ears = most
lateral head vertex 10-14 cm below the top; mouth corners = most forward head vertex near
x = 2.5 cm, 16.5-19.5 cm below the top; hand knuckles = arm vertex nearest to the hand joint
shifted 4 cm outwards and +/-3 cm forward (thumb 5 cm forward); heels = most backward leg vertex
below the ankle; foot index = most forward leg vertex.
"""

from __future__ import annotations

import numpy as np

from lmr_studio.parts import PART_JOINTS

#: BlazePose landmark -> SMPL joint it sits on (joint-centre landmarks).
JOINT_CENTRE = {11: 16, 12: 17, 13: 18, 14: 19, 15: 20, 16: 21, 23: 1, 24: 2, 25: 4, 26: 5, 27: 7, 28: 8}
#: BlazePose landmark -> SMPL joint a chosen vertex is attached to.
VERTEX_ATTACH = {**{i: 15 for i in range(11)}, 17: 20, 18: 21, 19: 20, 20: 21, 21: 20, 22: 21,
                 29: 7, 30: 8, 31: 10, 32: 11}
#: SMPL joint each of the 33 landmarks moves with.
LANDMARK_JOINT = np.array([JOINT_CENTRE.get(i, VERTEX_ATTACH.get(i, -1)) for i in range(33)])


def _part_of(joint: int) -> int:
    return next(p for p, joints in enumerate(PART_JOINTS) if joint in joints)


def choose_vertices(vertices: np.ndarray, joints: np.ndarray, vertex_parts: np.ndarray) -> dict[int, int]:
    """Vertex index of each non-joint landmark on one rest body (see the module docstring).

    vertices (V, 3) and joints (24, 3) in metres, zero pose; vertex_parts (V,) part of each vertex.
    """
    v = vertices
    head = np.flatnonzero(vertex_parts == _part_of(15))
    top = v[head, 1].max()
    below = top - v[:, 1]
    zc = v[head, 2].mean()

    def best(candidates: np.ndarray, mask: np.ndarray, score: np.ndarray) -> int:
        idx = candidates[mask[candidates]]
        if len(idx) == 0:  # coarse meshes: fall back to the whole candidate set
            idx = candidates
        return int(idx[np.argmax(score[idx])])

    def face(x: float, lo: float, hi: float, tol: float = 0.012) -> int:
        mask = (below >= lo) & (below <= hi) & (np.abs(v[:, 0] - x) < tol)
        return best(head, mask, v[:, 2] - 2.0 * np.abs(v[:, 0] - x))

    out = {0: face(0.0, 0.13, 0.17)}
    for side, s in ((0, 1.0), (1, -1.0)):  # 1-3 left eye inner/centre/outer, 4-6 right
        for k, x in enumerate((0.015, 0.032, 0.048)):
            out[1 + 3 * side + k] = face(s * x, 0.10, 0.125)
        ear = (below >= 0.10) & (below <= 0.14) & (np.abs(v[:, 2] - zc) < 0.04)
        out[7 + side] = best(head, ear, s * v[:, 0])
        out[9 + side] = face(s * 0.025, 0.165, 0.195)
    for side, s in ((0, 1.0), (1, -1.0)):
        hand = joints[22 + side]
        arm = np.flatnonzero(vertex_parts == _part_of(20 + side))
        for landmark, dz in ((17 + side, -0.03), (19 + side, 0.03), (21 + side, 0.05)):
            target = hand + np.array([s * (0.04 if landmark < 21 else 0.0), 0.0, dz])
            out[landmark] = int(arm[np.argmin(np.linalg.norm(v[arm] - target, axis=1))])
        leg = np.flatnonzero(vertex_parts == _part_of(7 + side))
        ankle = joints[7 + side]
        low = v[:, 1] < ankle[1]
        out[29 + side] = best(leg, low, -v[:, 2] - 2.0 * np.abs(v[:, 0] - ankle[0]))
        out[31 + side] = best(leg, low, v[:, 2] - 2.0 * np.abs(v[:, 0] - ankle[0]))
    return out


def landmark_offsets(vertices: np.ndarray, joints: np.ndarray, chosen: dict[int, int]) -> np.ndarray:
    """(N, 33, 3) rest offsets of each landmark from its joint, for N rest bodies (N, V, 3), (N, 24, 3)."""
    offsets = np.zeros((len(joints), 33, 3), dtype=np.float32)
    for landmark, vid in chosen.items():
        offsets[:, landmark] = vertices[:, vid] - joints[:, VERTEX_ATTACH[landmark]]
    return offsets


def pose_landmarks(joints: np.ndarray, glob_rot: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Posed landmarks (..., 33, 3) from posed joints (..., 24, 3), global rotations (..., 24, 3, 3)
    and rest offsets (..., 33, 3)."""
    rot = glob_rot[..., LANDMARK_JOINT, :, :]
    return joints[..., LANDMARK_JOINT, :] + np.einsum("...ij,...j->...i", rot, offsets)
