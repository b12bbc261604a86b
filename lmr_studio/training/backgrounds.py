"""Procedural background images (no third-party pictures): gradients, noise textures, rooms.

Every function returns an (H, W, 3) uint8 RGB image of ``size`` = (width, height) pixels.
"""

from __future__ import annotations

import cv2
import numpy as np

Colour = tuple[float, float, float]   # RGB in 0..1


def gradient_background(size: tuple[int, int], top: Colour, bottom: Colour) -> np.ndarray:
    """A vertical gradient from ``top`` to ``bottom``."""
    width, height = size
    t = np.linspace(0.0, 1.0, height)[:, None, None]
    rows = (1 - t) * np.asarray(top) + t * np.asarray(bottom)
    return np.broadcast_to((rows * 255).round().astype(np.uint8), (height, width, 3)).copy()


def noise_background(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Smooth multi-scale colour noise (foliage, crowds, clutter out of focus)."""
    width, height = size
    image = np.zeros((height, width, 3), np.float32)
    for cells in (4, 16, 64):
        coarse = rng.random((max(2, cells * height // width), cells, 3)).astype(np.float32)
        image += cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC) / 3
    base = rng.random(3)
    image = base * 0.5 + (image - 0.5) * rng.uniform(0.4, 1.2) + 0.25
    return (np.clip(image, 0, 1) * 255).astype(np.uint8)


def room_background(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A wall over a floor meeting at a random horizon, with random rectangles (doors, windows,
    furniture, posters), a little texture and a vignette."""
    width, height = size
    wall, floor = rng.random(3) * 0.8 + 0.1, rng.random(3) * 0.6 + 0.1
    horizon = rng.uniform(0.35, 0.8)
    image = gradient_background(size, tuple(wall), tuple(wall * rng.uniform(0.6, 1.0))).astype(np.float32) / 255
    floor_rows = int(horizon * height)
    image[floor_rows:] = gradient_background((width, height - floor_rows), tuple(floor * 0.8),
                                             tuple(floor)).astype(np.float32) / 255
    for _ in range(int(rng.integers(2, 12))):
        w, h = rng.uniform(0.03, 0.4) * width, rng.uniform(0.05, 0.6) * height
        x0, y0 = rng.uniform(-0.1, 1.0) * width, rng.uniform(0.0, horizon) * height
        colour = rng.random(3)
        cv2.rectangle(image, (int(x0), int(y0)), (int(x0 + w), int(y0 + h)), colour.tolist(), -1)
        if rng.random() < 0.5:  # a frame around it
            cv2.rectangle(image, (int(x0), int(y0)), (int(x0 + w), int(y0 + h)),
                          (colour * 0.5).tolist(), int(rng.integers(1, 6)))
    image += rng.normal(0, rng.uniform(0.0, 0.04), image.shape).astype(np.float32)
    yy, xx = np.mgrid[0:height, 0:width]
    r2 = ((xx - width / 2) / width) ** 2 + ((yy - height / 2) / height) ** 2
    image *= (1 - rng.uniform(0.0, 0.8) * r2)[..., None]
    return (np.clip(image, 0, 1) * 255).astype(np.uint8)


def random_background(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """One of the kinds above, chosen at random (rooms 50 %, noise 30 %, gradients 20 %), blurred
    a little at random (depth of field)."""
    kind = rng.random()
    if kind < 0.5:
        image = room_background(size, rng)
    elif kind < 0.8:
        image = noise_background(size, rng)
    else:
        image = gradient_background(size, tuple(rng.random(3)), tuple(rng.random(3)))
    sigma = rng.uniform(0, 2.5)
    return cv2.GaussianBlur(image, (0, 0), sigma) if sigma > 0.5 else image
