"""Measure PyAV (lmr_studio.video.VideoSource) against OpenCV's capture on what real footage needs:
exact random access and seek time on a long-GOP 1080p H.264 clip, frame times of a variable
frame rate clip, and phone rotation. Generates its clips in a temporary folder; prints JSON.

    python scripts/compare_decoders.py [--frames 600] [--seeks 30]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lmr_studio.video import VideoSource  # noqa: E402
from tests.fixtures.media import marker_frame, marker_index, set_mp4_rotation, write_h264  # noqa: E402


def textured_frames(count: int, size: tuple[int, int]):
    """Frames with a moving random texture (so decoding costs what real video costs) and the
    index bar of :func:`marker_frame`."""
    w, h = size
    texture = np.random.default_rng(0).integers(0, 255, (h, w + count, 3), np.uint8)
    texture = cv2.GaussianBlur(texture, (0, 0), 3)
    for i in range(count):
        frame = marker_frame(size, i)
        frame[: h - 8] = texture[: h - 8, i:i + w]
        yield frame


class OpenCVReader:
    """Random access the way OpenCV offers it: CAP_PROP_POS_FRAMES, then read."""

    def __init__(self, path: Path) -> None:
        self.cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
        self.next = 0

    def read(self, index: int) -> np.ndarray:
        if index != self.next:
            self.cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, bgr = self.cap.read()
        self.next = index + 1
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def seek_figures(reader, indices) -> dict:
    start = time.perf_counter()
    exact = sum(marker_index(reader.read(i)) == i for i in indices)
    return {"seek_ms": round(1000 * (time.perf_counter() - start) / len(indices), 1),
            "exact_seeks": f"{exact}/{len(indices)}"}


def sequential_fps(read, count: int) -> float:
    start = time.perf_counter()
    for i in range(count):
        read(i)
    return round(count / (time.perf_counter() - start), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=600)
    parser.add_argument("--seeks", type=int, default=30)
    args = parser.parse_args()
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        clip = write_h264(tmp / "long_gop_1080p.mp4", textured_frames(args.frames, (1920, 1080)), fps=30.0, gop=250)
        indices = np.random.default_rng(1).integers(0, args.frames, args.seeks).tolist()
        with VideoSource(clip) as source:
            out["pyav"] = {"open_s": None, **seek_figures(source, indices)}
        start = time.perf_counter()
        VideoSource(clip).close()
        out["pyav"]["open_s"] = round(time.perf_counter() - start, 3)
        out["opencv"] = seek_figures(OpenCVReader(clip), indices)
        steps = list(range(300, 400, 5))  # scrubbing forward five frames at a time
        with VideoSource(clip) as source:
            out["pyav"]["forward_step_ms"] = seek_figures(source, steps)["seek_ms"]
        out["opencv"]["forward_step_ms"] = seek_figures(OpenCVReader(clip), steps)["seek_ms"]
        with VideoSource(clip) as source:
            out["pyav"]["sequential_fps"] = sequential_fps(lambda i: source._read(i, cache=False), 150)
        cv = OpenCVReader(clip)
        out["opencv"]["sequential_fps"] = sequential_fps(cv.read, 150)

        gaps = np.where(np.arange(90) % 3 == 0, 0.1, 1 / 30)  # variable frame rate: 10 and 30 fps mixed
        truth = np.concatenate([[0.0], np.cumsum(gaps[:-1])])
        vfr = write_h264(tmp / "vfr.mp4", (marker_frame((320, 240), i) for i in range(90)), truth, fps=30.0)
        with VideoSource(vfr) as source:
            out["pyav"]["vfr_time_error_ms"] = round(1000 * float(np.abs(source.times - truth).max()), 2)
        cap = cv2.VideoCapture(str(vfr), cv2.CAP_FFMPEG)
        fps = cap.get(cv2.CAP_PROP_FPS)
        msec = []
        while cap.read()[0]:
            msec.append(cap.get(cv2.CAP_PROP_POS_MSEC) / 1000)
        out["opencv"]["vfr_time_error_ms"] = round(1000 * float(np.abs(np.asarray(msec) - truth[:len(msec)]).max()), 2)
        out["opencv"]["vfr_index_over_fps_error_ms"] = round(1000 * float(np.abs(np.arange(90) / fps - truth).max()), 2)

        upright = marker_frame((240, 320))
        rotated = set_mp4_rotation(write_h264(tmp / "phone.mp4", [np.ascontiguousarray(np.rot90(upright))] * 5), 90)
        with VideoSource(rotated) as source:
            out["pyav"]["rotation_upright"] = bool(np.abs(source.read(0).astype(int) - upright).mean() < 5)
        ok, bgr = cv2.VideoCapture(str(rotated), cv2.CAP_FFMPEG).read()
        out["opencv"]["rotation_upright"] = bool(bgr.shape[:2] == upright.shape[:2]
                                                 and np.abs(bgr[..., ::-1].astype(int) - upright).mean() < 5)
    out["clip"] = f"{args.frames} frames 1920x1080 H.264, keyframe every 250, {args.seeks} random reads"
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
