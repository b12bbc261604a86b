"""Random set-ups for render-and-detect clips: what a detector is sensitive to.

One :class:`ClipSetup` per clip: motion family, body, a :class:`~lmr_studio.training.render.Look`
(skin tone, clothing colours and cut), :class:`~lmr_studio.training.render.Lighting`, a
procedural background, and a :class:`~lmr_studio.training.render.Camera` (image size, focal,
height, pitch) with the person's distance and horizontal placement. Facing is the motion's own
heading, uniform over the full turn (backs to the camera included), plus its turns.
"""

from __future__ import annotations

import colorsys
import dataclasses

import numpy as np

from lmr_studio.training.render import LEGS, SLEEVES, Camera, Lighting, Look

#: Image sizes (width, height) px: landscape and portrait, 4:3 and 16:9.
IMAGE_SIZES = ((640, 480), (480, 640), (640, 360), (360, 640), (800, 450))
#: Skin tones (RGB 0..1) from light to dark; a sample interpolates two neighbours.
SKIN_TONES = np.array([(0.96, 0.82, 0.72), (0.92, 0.72, 0.58), (0.80, 0.58, 0.42), (0.64, 0.44, 0.30),
                       (0.46, 0.30, 0.20), (0.30, 0.19, 0.13)])
STANDING_HEIGHT = 1.7  # metres, to turn a person's image height into a distance
#: Camera height relative to the person's pelvis (m) and focal range (x the long side).
CAMERA_HEIGHT = (-0.6, 1.6)
FOCAL_RANGE = (0.7, 2.0)
PERSON_FRACTION = (0.3, 0.9)   # standing height / image height


@dataclasses.dataclass(frozen=True)
class ClipSetup:
    """Everything random about one clip except the motion itself (drawn from ``family``: a motion
    family, or a motion file's clip, see :mod:`~lmr_studio.training.realdet_motion`).

    distance: metres from the camera to the pelvis along the ground; offset_x: pelvis x at that
    distance (m, world frame); background_seed: seeds :func:`~lmr_studio.training.backgrounds.random_background`;
    blur_sigma: Gaussian blur of the whole frame (px, 0 = sharp); jpeg_quality: JPEG round trip
    of every frame (0 = none), standing in for video compression.
    """

    family: str
    body: int
    look: Look
    lighting: Lighting
    camera: Camera
    distance: float
    offset_x: float
    background_seed: int
    blur_sigma: float = 0.0
    jpeg_quality: int = 0


def _colour(rng: np.random.Generator) -> tuple[float, float, float]:
    """A clothing colour: any hue, often dark or muted, sometimes vivid or near white."""
    r, g, b = colorsys.hsv_to_rgb(rng.random(), rng.beta(1.2, 1.8), rng.uniform(0.08, 0.95))
    return (r, g, b)


def sample_look(rng: np.random.Generator) -> Look:
    """A random person: skin tone between two neighbouring anchors, clothes (5 % none)."""
    i = rng.integers(len(SKIN_TONES) - 1)
    skin = SKIN_TONES[i] + rng.random() * (SKIN_TONES[i + 1] - SKIN_TONES[i])
    skin = tuple(float(v) for v in np.clip(skin * rng.uniform(0.95, 1.05, 3), 0, 1))
    if rng.random() < 0.05:
        return Look(skin=skin)
    return Look(skin=skin, top=_colour(rng), bottom=_colour(rng), shoes=_colour(rng),
                sleeves=SLEEVES[rng.choice(3, p=[0.15, 0.4, 0.45])], legs=LEGS[int(rng.random() < 0.8)])


def _direction(rng: np.random.Generator, towards_camera: bool) -> tuple[float, float, float]:
    """A unit direction in the upper half (y >= -0.2), from the camera's side or from behind."""
    v = rng.normal(size=3)
    v[1] = abs(v[1]) - 0.2
    v[2] = abs(v[2]) if towards_camera else -abs(v[2])
    return tuple(float(x) for x in v / np.linalg.norm(v))


def sample_lighting(rng: np.random.Generator) -> Lighting:
    """Key light from the camera's side (85 %) or from behind (back-lit, 15 %), a fill light."""
    return Lighting(key_direction=_direction(rng, rng.random() < 0.85), key_intensity=rng.uniform(0.5, 1.1),
                    fill_direction=_direction(rng, True), fill_intensity=rng.uniform(0.0, 0.5),
                    ambient=rng.uniform(0.1, 0.45), specular=rng.uniform(0.0, 0.3))


def sample_camera(rng: np.random.Generator, pitch_range: tuple[float, float] | None = None) -> tuple[Camera, float, float]:
    """A camera, the person's distance (m, along the ground) and horizontal offset (m, world x at
    that distance).

    The person's standing height covers 30-90 % of the image height; the pelvis lands at 25-75 %
    of the image width. By default the camera stands 0.6 m below to 1.6 m above the pelvis and
    pitches towards it (+/- 4 deg). With ``pitch_range`` (deg, low to high) the camera looks down
    at the pelvis from a pitch drawn uniformly in that range (a camera on a balcony, a drone, a
    security camera), at the same range from the person.
    """
    width, height = IMAGE_SIZES[rng.integers(len(IMAGE_SIZES))]
    focal = rng.uniform(*FOCAL_RANGE) * max(width, height)
    distance = focal * STANDING_HEIGHT / (rng.uniform(*PERSON_FRACTION) * height)
    if pitch_range is None:
        cam_height = rng.uniform(*CAMERA_HEIGHT)
        pitch = float(np.degrees(np.arctan2(cam_height, distance)) + rng.normal(0, 4))
    else:
        pitch = float(rng.uniform(*pitch_range))
        cam_height = distance * np.sin(np.radians(pitch))
        distance *= np.cos(np.radians(pitch))
    offset_x = (rng.uniform(0.25, 0.75) - 0.5) * width / focal * distance
    return Camera((width, height), focal, cam_height, pitch), float(distance), float(offset_x)


def sample_setup(rng: np.random.Generator, families: tuple[str, ...], bodies: np.ndarray,
                 pitch_range: tuple[float, float] | None = None) -> ClipSetup:
    """One clip's set-up: a family and a body (uniform among ``bodies``), look, lighting, camera
    (``pitch_range``: see :func:`sample_camera`)."""
    family = families[rng.integers(len(families))]
    body = int(rng.choice(bodies))
    look, lighting = sample_look(rng), sample_lighting(rng)
    camera, distance, offset_x = sample_camera(rng, pitch_range)
    blur = float(rng.uniform(0.3, 1.3)) if rng.random() < 0.5 else 0.0
    quality = int(rng.integers(35, 95)) if rng.random() < 0.7 else 0
    return ClipSetup(family, body, look, lighting, camera, distance, offset_x, int(rng.integers(2**31)), blur, quality)
