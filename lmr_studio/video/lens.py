"""The camera's focal length for a video or photo: what the user says, else what the file says
(a photo's EXIF, an iPhone video's metadata), else a guess (:func:`~lmr_studio.geometry.camera.default_focal`).

The pipeline projects the body with it. A wrong guess costs accuracy: LAFAN1 filmed with a
phone's wide lens (80 degrees across) scored MPJPE 77.2 mm with the guess against 72.4 with the
true focal length (docs/pipeline.md, "The camera's lens").
"""

from __future__ import annotations

import dataclasses
import io

from lmr_studio.errors import LMRStudioError
from lmr_studio.geometry.camera import default_focal, focal_from_35mm

#: EXIF tag FocalLengthIn35mmFilm (in the Exif sub-IFD 0x8769).
_EXIF_IFD, _FOCAL_35MM = 0x8769, 0xA405
#: The container metadata key in which iPhones state a video's lens (QuickTime, read by FFmpeg).
QUICKTIME_FOCAL_35MM = "com.apple.quicktime.camera.focal_length.35mm_equivalent"
#: 35 mm-equivalent focal lengths a camera can have, mm (a fisheye near 8, a long telephoto 1200).
FOCAL_35MM_RANGE = (4.0, 2000.0)


@dataclasses.dataclass(frozen=True)
class Focal:
    """A focal length in pixels of the full frame, and where it came from: ``"given"`` (the user,
    for this file, in pixels or as a 35 mm equivalent), ``"file"`` (a photo's EXIF or a video's
    metadata) or ``"assumed"`` (the user's usual lens, or the default guess)."""

    pixels: float
    source: str


def _plausible_35mm(value) -> float | None:
    """``value`` as a 35 mm-equivalent focal length (mm) when it is one, else None (0 means unknown in EXIF)."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    low, high = FOCAL_35MM_RANGE
    return value if low <= value <= high else None


def check_focal_35mm(focal_35mm: float) -> float:
    """``focal_35mm`` when it is a plausible 35 mm-equivalent focal length (mm), else LMRStudioError."""
    if _plausible_35mm(focal_35mm) is None:
        low, high = FOCAL_35MM_RANGE
        raise LMRStudioError(f"A 35 mm-equivalent focal length of {focal_35mm:g} mm is not one a camera has.",
                             f"Give a value from {low:g} to {high:g} mm: a phone's main camera is about 26 mm, "
                             "a wide action camera about 15 mm.")
    return focal_35mm


def photo_focal_35mm(data: bytes) -> float | None:
    """The 35 mm-equivalent focal length (mm) in the EXIF of a photo's file ``data``, or None when
    it has none."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return _plausible_35mm(image.getexif().get_ifd(_EXIF_IFD).get(_FOCAL_35MM))
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def video_focal_35mm(metadata: dict[str, str]) -> float | None:
    """The 35 mm-equivalent focal length (mm) a video's container ``metadata`` states (iPhones
    do), or None."""
    return _plausible_35mm(metadata.get(QUICKTIME_FOCAL_35MM))


def camera_focal(size: tuple[int, int], focal_px: float | None = None, focal_35mm: float | None = None,
                 file_focal_35mm: float | None = None, assumed_35mm: float | None = None) -> Focal:
    """The focal length for an image of ``size`` (width, height) px: ``focal_px`` or ``focal_35mm``
    (the user's, for this file), else ``file_focal_35mm`` (what the file states), else
    ``assumed_35mm`` (the user's usual lens, a preference), else the default guess."""
    if focal_px is not None:
        if not focal_px > 0:
            raise LMRStudioError(f"A focal length of {focal_px:g} px is not possible.",
                                 "Give a positive number of pixels.")
        return Focal(float(focal_px), "given")
    if focal_35mm is not None:
        return Focal(focal_from_35mm(check_focal_35mm(focal_35mm), *size), "given")
    if file_focal_35mm is not None:
        return Focal(focal_from_35mm(file_focal_35mm, *size), "file")
    if assumed_35mm is not None:
        return Focal(focal_from_35mm(check_focal_35mm(assumed_35mm), *size), "assumed")
    return Focal(default_focal(*size), "assumed")
