"""The part palette is colour-blind safe: every pair of parts stays apart under simulated
protanopia, deuteranopia and tritanopia, and left/right differ in lightness, not only hue."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lmr_studio.parts import PART_COLOURS, PART_NAMES, RIGHT_PARTS

#: Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    "normal": np.eye(3),
}
MIN_DELTA_E = 15.0          # CIE76 units: clearly different swatches side by side
MIN_LIGHTNESS_STEP = 15.0   # L* between a left part and its right twin


def _linear(srgb: np.ndarray) -> np.ndarray:
    c = np.asarray(srgb, np.float64) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = linear_rgb @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], -1)


@pytest.mark.parametrize("vision", list(CVD))
def test_every_pair_of_parts_stays_apart(vision):
    lab = _lab(np.clip(_linear(PART_COLOURS) @ np.asarray(CVD[vision]).T, 0, 1))
    for a, b in itertools.combinations(range(len(PART_NAMES)), 2):
        assert np.linalg.norm(lab[a] - lab[b]) >= MIN_DELTA_E, (vision, PART_NAMES[a], PART_NAMES[b])


def test_left_and_right_differ_in_lightness():
    lightness = _lab(_linear(PART_COLOURS))[:, 0]
    for right in RIGHT_PARTS:
        left = PART_NAMES.index(PART_NAMES[right].replace("right", "left"))
        assert lightness[left] - lightness[right] >= MIN_LIGHTNESS_STEP
