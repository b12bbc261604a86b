"""VideoSource: frame count, frame times, size, random access to frame N and in-order decoding.

Videos are read with PyAV (FFmpeg): frame times come from the container (variable frame rate
works), phone videos come out upright (display-matrix rotation applied), and a seek goes to the
keyframe before the frame and decodes forward to it, so random access is exact. Photos
(``.jpg``, ``.png``, ``.webp``, ...) are one-frame sources. See docs/pipeline.md for why PyAV
and not OpenCV's capture (measured).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from lmr_studio.errors import BadVideoError
from lmr_studio.video.cache import FrameCache
from lmr_studio.video.lens import photo_focal_35mm, video_focal_35mm

DEFAULT_FPS = 30.0
CACHE_BYTES = 256 * 2**20  # the frame cache never holds more than this
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"})
_HINT = "Choose a video file that FFmpeg can play (for example .mp4, .avi, .mov, .mkv) or a photo (.jpg, .png, .webp)."


def is_image_path(path: str | os.PathLike) -> bool:
    """Whether ``path`` names a photo (by its suffix), which is read as a one-frame source."""
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


class VideoSource:
    """A video file (PyAV) or a photo (one frame).

    ``read(i)`` returns frame ``i`` as (H, W, 3) uint8 RGB (read-only array), upright; reading the
    frame after the last one read decodes on, anything else seeks. Iterating yields every frame in
    order without keeping them. ``num_frames`` counts the frames in the container's index (a
    truncated file reports the frames it still holds); ``times`` (num_frames,) are the frames'
    presentation times in seconds from the first frame; ``fps`` is their average rate.
    Raises :class:`BadVideoError` for a missing, unreadable, audio-only or empty file.
    Thread-safe; use as a context manager or call :meth:`close`.
    """

    def __init__(self, path: str | os.PathLike, cache_size: int = 32) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise BadVideoError(f"{self.path} does not exist.", _HINT)
        if not self.path.is_file():
            raise BadVideoError(f"{self.path} is a folder, not a video file.", _HINT)
        self._lock = threading.Lock()
        self._cache = FrameCache(cache_size)
        self._container = None
        self.is_image = is_image_path(self.path)
        #: the 35 mm-equivalent focal length (mm) the file states (a photo's EXIF, a video's metadata), or None
        self.focal_35mm: float | None = None
        first = self._open_image() if self.is_image else self._open_video()
        self._cache.capacity = min(cache_size, max(2, CACHE_BYTES // first.nbytes))
        self._cache.put(0, first)
        self.size: tuple[int, int] = (first.shape[1], first.shape[0])
        self.num_frames: int = len(self.times)

    # -- opening -------------------------------------------------------------------------------

    def _open_image(self) -> np.ndarray:
        import cv2

        data = np.fromfile(self.path, np.uint8)  # not cv2.imread: any path, any characters
        bgr = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None  # applies EXIF orientation
        if bgr is None:
            raise BadVideoError(f"{self.path.name} is not a photo that can be read.", _HINT)
        self.fps = DEFAULT_FPS
        self.times = np.zeros(1)
        self.rotation = 0
        self.focal_35mm = photo_focal_35mm(data.tobytes())  # the bytes read above, not the file again
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def _open_video(self) -> np.ndarray:
        import av

        try:
            self._container = av.open(str(self.path))
        except (av.FFmpegError, UnicodeDecodeError, ValueError):
            raise BadVideoError(f"{self.path.name} is not a video that can be read.", _HINT) from None
        if not self._container.streams.video:
            what = "sound only" if self._container.streams.audio else "no video"
            self._container.close()
            raise BadVideoError(f"{self.path.name} has {what}: there are no pictures to look for people in.", _HINT)
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"
        self.focal_35mm = video_focal_35mm(self._container.metadata)
        self._pts = self._index_frames()
        if len(self._pts) == 0:
            self._container.close()
            raise BadVideoError(f"{self.path.name} contains no readable frames.", _HINT)
        base = float(self._stream.time_base or 0)
        if base > 0 and len(np.unique(self._pts)) == len(self._pts):
            self.times = (self._pts - self._pts[0]) * base
        else:  # no usable timestamps (raw streams): the nominal rate
            rate = float(self._stream.average_rate or DEFAULT_FPS)
            self.times = np.arange(len(self._pts)) / rate
        span = self.times[-1] - self.times[0]
        self.fps = float((len(self.times) - 1) / span) if span > 0 else float(self._stream.average_rate or DEFAULT_FPS)
        self._decoder: Iterator | None = None
        self._next = 0  # index of the frame the decoder yields next
        self.rotation = 0
        try:
            self._drop_undecodable_tail()
            first = self._decode(0)
        except BadVideoError:
            self._container.close()
            raise
        return first

    def _drop_undecodable_tail(self, tries: int = 8) -> None:
        """Forget the last frames when they do not decode (a file cut off while being written)."""
        for _ in range(tries):
            try:
                self._decode(len(self._pts) - 1)
                return
            except BadVideoError:
                if len(self._pts) == 1:
                    raise
                self._pts, self.times = self._pts[:-1], self.times[:-1]

    def _index_frames(self) -> np.ndarray:
        """Presentation timestamps (in stream time base) of every frame, from the packets alone
        (demuxed, not decoded), in presentation order."""
        import av

        pts, keys = [], []
        try:
            for packet in self._container.demux(self._stream):
                if packet.size:  # no timestamp: keep the frame, time it by the nominal rate
                    pts.append(len(pts) if packet.pts is None else packet.pts)
                    if packet.is_keyframe:
                        keys.append(pts[-1])
        except av.FFmpegError:
            pass  # damaged from here on: keep the frames before
        self._keyframes = np.sort(np.asarray(keys, np.int64))
        return np.sort(np.asarray(pts, np.int64))

    def _must_seek(self, index: int) -> bool:
        """Whether frame ``index`` needs a seek: it is behind the decoder, or a keyframe lies
        between the decoder and it (then seeking skips decoding); else decoding on is cheaper."""
        if self._decoder is None or index < self._next or self._next < 0:
            return True
        ahead, target = self._pts[self._next], self._pts[index]
        return bool(((self._keyframes > ahead) & (self._keyframes <= target)).any())

    # -- decoding ------------------------------------------------------------------------------

    def _decode(self, index: int) -> np.ndarray:
        """Frame ``index``, decoding on from the current position or seeking first."""
        import av

        target = int(self._pts[index])
        if self._must_seek(index):
            self._container.seek(target, stream=self._stream, backward=True, any_frame=False)
            self._decoder = self._container.decode(self._stream)
            self._next = -1
        try:
            for frame in self._decoder:
                if frame.pts is not None and frame.pts < target:
                    continue  # between the keyframe and the frame asked for
                self._next = index + 1
                self.rotation = int(frame.rotation or 0) % 360
                rgb = frame.to_ndarray(format="rgb24")
                return np.ascontiguousarray(np.rot90(rgb, k=self.rotation // 90)) if self.rotation else rgb
        except av.FFmpegError:
            pass
        self._decoder = None
        raise BadVideoError(f"Frame {index} of {self.path.name} could not be decoded.",
                            "The file may be damaged; try re-encoding it (e.g. with ffmpeg).")

    def read(self, index: int) -> np.ndarray:
        """Frame ``index`` (0-based) as (H, W, 3) uint8 RGB, read-only."""
        return self._read(index, cache=True)

    def _read(self, index: int, cache: bool) -> np.ndarray:
        index = int(index)
        if not 0 <= index < self.num_frames:
            raise IndexError(f"frame {index} is outside 0..{self.num_frames - 1}")
        with self._lock:
            frame = self._cache.get(index)
            if frame is not None:
                return frame
            if self._container is None:
                raise BadVideoError(f"{self.path.name} is closed.", "Open the video again.")
            frame = self._decode(index)
            if cache:
                return self._cache.put(index, frame)
            frame.setflags(write=False)
            return frame

    def __iter__(self) -> Iterator[np.ndarray]:
        """Every frame in order, decoded sequentially (not stored in the cache)."""
        for i in range(self.num_frames):
            yield self._read(i, cache=False)

    def __len__(self) -> int:
        return self.num_frames

    def close(self) -> None:
        with self._lock:
            if self._container is not None:
                self._decoder = None
                self._container.close()
                self._container = None
            self._cache.clear()

    def __enter__(self) -> "VideoSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        kind = "photo" if self.is_image else f"{self.num_frames} frames @ {self.fps:g} fps"
        return f"VideoSource({str(self.path)!r}, {self.size[0]}x{self.size[1]}, {kind})"
