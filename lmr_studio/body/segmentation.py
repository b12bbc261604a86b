"""Per-vertex LMR part labels from skinning weights (same rule for every backend)."""

from __future__ import annotations

import numpy as np

from lmr_studio.parts import JOINT_PART, NUM_PARTS


def vertex_parts_from_weights(joint_weights: np.ndarray) -> np.ndarray:
    """(V, 24) skinning weights per SMPL joint -> (V,) uint8 part index 0..5.

    Each vertex goes to the part whose joints carry the most of its skinning weight.
    """
    part_of_joint = np.eye(NUM_PARTS, dtype=np.float32)[JOINT_PART]  # (24, 6)
    return np.argmax(joint_weights @ part_of_joint, axis=1).astype(np.uint8)
