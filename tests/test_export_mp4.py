"""mp4: the annotated video has one frame per video frame of the range, at the source fps, and
shows the mesh where (and only where) the person was recovered."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from lmr_studio.errors import ExportError
from lmr_studio.export import EXPORTERS
from tests.fixtures.media import TINY_FPS, TINY_FRAMES, TINY_SIZE, tiny_frame
from tests.fixtures.fakes import make_random_result


def read_all(path):
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS)
    frames = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    return fps, frames


def test_mp4_frames_and_overlay(body, tiny_video, tmp_path):  # noqa: F811
    res = make_random_result(body, num_frames=TINY_FRAMES, image_size=TINY_SIZE, fps=TINY_FPS,
                      video_path=str(tiny_video))
    done = []
    path = EXPORTERS["mp4"](res, body, tmp_path / "a.mp4", frames=(3, 15),
                            progress=lambda d, t: done.append((d, t)))
    fps, frames = read_all(path)
    assert len(frames) == 12 and fps == pytest.approx(TINY_FPS)
    assert done[-1] == (12, 12)
    diff = [np.abs(f.astype(int) - tiny_frame(3 + i).astype(int)).max(-1) for i, f in enumerate(frames)]
    assert (diff[5 - 3] < 30).all()                          # frame 5: nobody recovered, frame as is
    for i in (0, 1, 3, 11):
        assert (diff[i] > 60).sum() > 15                     # the mesh covers part of the frame


def test_mp4_needs_its_video(body, tmp_path):  # noqa: F811
    res = make_random_result(body)
    with pytest.raises(ExportError, match="source video"):
        EXPORTERS["mp4"](res, body, tmp_path / "a.mp4")
    assert not list(tmp_path.glob("*a.mp4*"))
