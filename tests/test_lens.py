"""The camera's focal length: 35 mm equivalents, a photo's EXIF, the user's value, and the order
in which they count (:mod:`lmr_studio.video.lens`)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from lmr_studio.errors import LMRStudioError
from lmr_studio.geometry.camera import default_focal, focal_from_35mm
from lmr_studio.video import VideoSource
from lmr_studio.video.lens import QUICKTIME_FOCAL_35MM, Focal, camera_focal, photo_focal_35mm


def _diagonal_angle(diagonal: float, focal: float) -> float:
    return np.degrees(2 * np.arctan(diagonal / 2 / focal))


@pytest.mark.parametrize("size", [(640, 480), (1920, 1080), (1080, 1920), (3000, 2000)])
@pytest.mark.parametrize("mm", [15.0, 26.0, 50.0])
def test_a_35mm_equivalent_gives_the_film_frames_angle_of_view_across_the_diagonal(size, mm):
    film = _diagonal_angle(np.hypot(36, 24), mm)           # 26 mm: about 79.5 degrees
    assert _diagonal_angle(np.hypot(*size), focal_from_35mm(mm, *size)) == pytest.approx(film)
    if size == (3000, 2000):                                # the film's own 3:2 shape: 36 mm <-> 3000 px
        assert focal_from_35mm(mm, *size) == pytest.approx(mm / 36 * 3000)


def test_what_the_user_says_counts_first_then_the_photo_then_the_guess():
    size = (640, 480)
    assert camera_focal(size) == Focal(default_focal(*size), "assumed")
    exif = camera_focal(size, file_focal_35mm=26.0)
    assert exif.source == "file" and exif.pixels == pytest.approx(focal_from_35mm(26.0, *size))
    given = camera_focal(size, focal_35mm=15.0, file_focal_35mm=26.0)
    assert given.source == "given" and given.pixels == pytest.approx(focal_from_35mm(15.0, *size))
    assert camera_focal(size, focal_px=500.0, file_focal_35mm=26.0).pixels == 500.0
    # the user's usual lens counts where the file states none
    assert camera_focal(size, file_focal_35mm=26.0, assumed_35mm=15.0).source == "file"
    usual = camera_focal(size, assumed_35mm=15.0)
    assert usual.source == "assumed" and usual.pixels == pytest.approx(focal_from_35mm(15.0, *size))


@pytest.mark.parametrize("kwargs", [dict(focal_px=0.0), dict(focal_px=-3.0), dict(focal_35mm=0.5),
                                    dict(focal_35mm=5000.0), dict(assumed_35mm=1.0)])
def test_impossible_focal_lengths_are_refused_with_a_hint(kwargs):
    with pytest.raises(LMRStudioError) as err:
        camera_focal((640, 480), **kwargs)
    assert err.value.hint


def _photo(path, focal_35mm=None):
    exif = Image.Exif()
    if focal_35mm is not None:
        exif.get_ifd(0x8769)[0xA405] = focal_35mm           # FocalLengthIn35mmFilm
    Image.new("RGB", (64, 48), (90, 120, 150)).save(path, exif=exif)
    return path


def test_a_photos_exif_focal_length_is_read(tmp_path):
    assert photo_focal_35mm(_photo(tmp_path / "phone.jpg", 26).read_bytes()) == 26.0
    assert photo_focal_35mm(_photo(tmp_path / "unknown.jpg", 0).read_bytes()) is None   # 0: "unknown" in EXIF
    assert photo_focal_35mm(_photo(tmp_path / "plain.jpg").read_bytes()) is None
    assert photo_focal_35mm(b"not a photo") is None
    with VideoSource(tmp_path / "phone.jpg") as source:
        assert source.focal_35mm == 26.0


def _video_with_metadata(path, metadata: dict[str, str]):
    """A 5-frame QuickTime video whose container holds ``metadata``, as an iPhone's does."""
    import av

    with av.open(str(path), "w", options={"movflags": "use_metadata_tags"}) as container:
        container.metadata.update(metadata)
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(5):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")))
        container.mux(stream.encode())
    return path


def test_an_iphone_videos_focal_length_is_read_from_its_metadata(tmp_path):
    with VideoSource(_video_with_metadata(tmp_path / "iphone.mov", {QUICKTIME_FOCAL_35MM: "26"})) as video:
        assert video.focal_35mm == 26.0 and not video.is_image
    with VideoSource(_video_with_metadata(tmp_path / "other.mov", {"title": "no lens"})) as video:
        assert video.focal_35mm is None
