"""The 24 SMPL joints and the six LMR body parts over them (pure data, no heavy imports).

Every 24-joint array in LMR Studio is in SMPL joint order, whatever the body model.
Each part is driven by its own recurrent model in LMR; the root part runs first and the
other five are conditioned on its updated pose.
"""

from __future__ import annotations

import numpy as np

JOINT_NAMES: tuple[str, ...] = (
    "pelvis", "left_hip", "right_hip", "spine1", "left_knee", "right_knee",
    "spine2", "left_ankle", "right_ankle", "spine3", "left_foot", "right_foot",
    "neck", "left_collar", "right_collar", "head", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hand", "right_hand",
)
NUM_JOINTS = len(JOINT_NAMES)

#: Parent of each joint in the SMPL kinematic tree (-1 for the pelvis).
PARENTS: tuple[int, ...] = (
    -1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21,
)

#: Part names in the fixed order used everywhere (index 0..5).
PART_NAMES: tuple[str, ...] = ("root", "head", "left_arm", "right_arm", "left_leg", "right_leg")
PART_LABELS: tuple[str, ...] = ("Root / torso", "Head", "Left arm", "Right arm", "Left leg", "Right leg")
NUM_PARTS = len(PART_NAMES)
ROOT_PART = 0

#: SMPL joint indices driven by each part's recurrent model (4+2+5+5+4+4 = 24).
PART_JOINTS: tuple[tuple[int, ...], ...] = (
    (0, 3, 6, 9),            # root / torso: pelvis, spine1, spine2, spine3
    (12, 15),                # head: neck, head
    (13, 16, 18, 20, 22),    # left arm: collar, shoulder, elbow, wrist, hand
    (14, 17, 19, 21, 23),    # right arm
    (1, 4, 7, 10),           # left leg: hip, knee, ankle, foot
    (2, 5, 8, 11),           # right leg
)

#: One colour per part, sRGB 0..255, used by the viewport, overlays, plots and exports. From the
#: Okabe-Ito colour-blind-safe set: arms blue, legs orange (the axis every colour vision keeps),
#: the left side lighter than the right (CIE L* 70 vs 46 for the arms, 71 vs 54 for the legs),
#: the head the lightest. Under simulated protanopia, deuteranopia and tritanopia (Machado 2009)
#: every pair stays at least 17 CIELAB units apart (the previous palette: 1.2 under tritanopia).
PART_COLOURS: np.ndarray = np.array(
    [
        (160, 160, 160),  # root / torso: grey
        (240, 228, 66),   # head: yellow
        (86, 180, 233),   # left arm: sky blue (light)
        (0, 114, 178),    # right arm: blue (dark)
        (230, 159, 0),    # left leg: orange (light)
        (213, 94, 0),     # right leg: vermillion (dark)
    ],
    dtype=np.uint8,
)
#: Parts on the subject's right: drawn dashed in line plots, so left and right differ by more
#: than colour.
RIGHT_PARTS: frozenset[int] = frozenset({3, 5})


def joint_parts() -> np.ndarray:
    """Part index of each SMPL joint, shape (24,), values 0..5."""
    out = np.empty(NUM_JOINTS, dtype=np.int64)
    for part, joints in enumerate(PART_JOINTS):
        out[list(joints)] = part
    return out


JOINT_PART: np.ndarray = joint_parts()


def part_colour_hex(part: int) -> str:
    """'#rrggbb' for a part index."""
    r, g, b = (int(c) for c in PART_COLOURS[part])
    return f"#{r:02x}{g:02x}{b:02x}"


def face_parts(faces: np.ndarray, vertex_parts: np.ndarray) -> np.ndarray:
    """(T,) part of each triangle of a mesh: the part of its first vertex. faces: (T, 3);
    vertex_parts: (V,) part of each vertex."""
    return np.asarray(vertex_parts)[np.asarray(faces)[:, 0]]
