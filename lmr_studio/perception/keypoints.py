"""Keypoint tracks of a whole video: from the cache, from imported JSON, or from the tracker."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from lmr_studio.ahead import iterate_ahead
from lmr_studio.errors import BadVideoError
from lmr_studio.perception.keypoint_cache import cache_file, load_tracks, save_tracks
from lmr_studio.perception.tracking import KeypointTrack, PersonTracker, TrackerSettings
from lmr_studio.video import VideoSource

#: Frames decoded ahead of the tracker (each 4K frame is 25 MB).
DECODE_AHEAD = 2


def video_keypoint_tracks(source: VideoSource, all_tracks: bool = False, use_cache: bool = True,
                          cancel: threading.Event | None = None, cache_folder: str | None = None,
                          ) -> Iterator[tuple[int, dict[int, KeypointTrack] | None]]:
    """Yield ``(frames_done, tracks)`` as frames are processed; ``tracks`` is None except every
    ``snapshot_every`` frames and on the last item, which holds every track of the video.

    Stops early (without caching) when ``cancel`` is set; a completed run is cached by content hash
    in ``cache_folder`` (default: ``<user cache>/keypoints``).
    """
    path = cache_file(source.path, all_tracks, cache_folder) if use_cache else None
    cached = load_tracks(path) if path is not None and path.exists() else None
    if cached is not None:
        yield source.num_frames, cached
        return
    tracker = PersonTracker(TrackerSettings.for_fps(source.fps, source.num_frames), max_people=None if all_tracks else 1)
    snapshot_every = max(1, round(source.fps))
    # in order, not through the frame cache; the next frames decode on their own thread while
    # the tracker works on this one
    frames = iterate_ahead(iter(source), depth=DECODE_AHEAD, name="lmr-decode")
    try:
        for i in range(source.num_frames):
            if cancel is not None and cancel.is_set():
                yield i, tracker.tracks()
                return
            try:
                frame = next(frames)
            except BadVideoError:  # damaged inside: keep what the frames before gave
                yield source.num_frames, tracker.tracks()
                break
            tracker.update(i, frame)
            last = i + 1 == source.num_frames
            yield i + 1, tracker.tracks() if last or (i + 1) % snapshot_every == 0 else None
        tracks = tracker.tracks()
    finally:
        frames.close()
        tracker.close()
    if path is not None:
        save_tracks(path, tracks)
