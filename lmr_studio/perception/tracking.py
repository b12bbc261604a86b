"""People tracking: seed people (BlazePose on the frame, HOG for small ones), follow each with
BlazePose on a crop around its last keypoints, keep ids across short misses.

Coordinates are frame pixels; keypoints are BlazePose's 33 x (x, y, visibility).
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from lmr_studio.perception.blazepose import BlazePose, Detection
from lmr_studio.perception.detector import PeopleDetector, box_containment, box_iou
from lmr_studio.perception.features import VISIBILITY_THRESHOLD, box_from_keypoints, box_to_corners

#: Frames are shrunk to at most this long side before any detection (keypoints come back full size).
WORK_MAX_SIDE = 1280
#: The crop followed around a person is this much larger than their keypoint box.
CROP_GROWTH = 1.3


@dataclasses.dataclass
class KeypointTrack:
    """One person's keypoints: ``frame_ids`` (F,) int64, ``keypoints`` (F, 33, 3) pixels + visibility,
    and ``world`` (F, 33, 3) BlazePose's metric landmarks (see :class:`Detection`), or None when the
    keypoints came without them (imported OpenPose / COCO keypoints)."""

    frame_ids: np.ndarray
    keypoints: np.ndarray
    world: np.ndarray | None = None

    def rows(self, start: int, stop: int | None = None) -> "KeypointTrack":
        """The frames ``start:stop`` of this track."""
        world = None if self.world is None else self.world[start:stop]
        return KeypointTrack(self.frame_ids[start:stop], self.keypoints[start:stop], world)

    def __len__(self) -> int:
        return len(self.frame_ids)


@dataclasses.dataclass
class TrackerSettings:
    """Thresholds of the tracker and of the track-level check."""

    min_visible: int = 8              # visible landmarks for a frame to count as a pose
    max_miss: int = 15                # frames a track may go unseen and keep its id
    min_length: int = 10              # frames a track needs to be kept
    min_mean_visibility: float = 0.35  # mean landmark visibility a kept track needs (head and
                                       # shoulders only: 0.44 on a real portrait)
    reseed_every: int = 10            # frames between searches for new people (all-tracks mode)

    @classmethod
    def for_fps(cls, fps: float, num_frames: int | None = None) -> "TrackerSettings":
        """Settings whose time spans suit ``fps``: misses up to 0.5 s, tracks of 1/3 s or more,
        but never longer than the ``num_frames`` of the video (a photo's one frame is a track)."""
        min_length = max(5, round(fps / 3))
        return cls(max_miss=max(2, round(0.5 * fps)), min_length=min(min_length, num_frames or min_length),
                   reseed_every=max(2, round(fps / 3)))


def frame_visible(keypoints: np.ndarray) -> int:
    """How many landmarks of a (33, 3) pose are visible."""
    return int((keypoints[:, 2] >= VISIBILITY_THRESHOLD).sum())


def accept_track(track: KeypointTrack, settings: TrackerSettings) -> bool:
    """Track-level check against BlazePose's poses on empty frames: long enough, visible enough."""
    return len(track) >= settings.min_length and float(track.keypoints[:, :, 2].mean()) >= settings.min_mean_visibility


@dataclasses.dataclass
class _Followed:
    tid: int
    pose: BlazePose
    box: np.ndarray            # (cx, cy, side) of the last keypoints
    frames: list[int]
    keypoints: list[np.ndarray]
    world: list[np.ndarray]
    misses: int = 0
    seen_now: bool = False

    def corners(self) -> np.ndarray:
        return box_to_corners(self.box)


class PersonTracker:
    """Feed frames in order with :meth:`update`; read the tracks with :meth:`tracks`.

    ``max_people=1`` follows one person at a time (the main track); ``None`` follows everyone
    found. A track unseen for more than ``settings.max_miss`` frames ends; a person found again
    within that gap keeps their id.
    """

    def __init__(self, settings: TrackerSettings | None = None, max_people: int | None = 1) -> None:
        self.settings = settings or TrackerSettings()
        self.max_people = max_people
        self._frame_pose = BlazePose(static=True)
        self._crop_pose = BlazePose(static=True, min_detection=0.3)
        self._detector = PeopleDetector()
        self._active: list[_Followed] = []
        self._ended: list[_Followed] = []
        self._next_id = 0

    def update(self, index: int, rgb: np.ndarray) -> None:
        """Process frame ``index`` (H, W, 3) uint8 RGB."""
        h, w = rgb.shape[:2]
        scale = min(1.0, WORK_MAX_SIDE / max(h, w))
        work = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else rgb
        for person in self._active:
            found = person.pose.on_crop(work, self._crop(person.box, scale))
            self._record(person, index, found, scale)
        self._drop_duplicates()
        seen = sum(p.misses == 0 for p in self._active)
        room = self.max_people is None or seen < self.max_people
        periodic = index % self.settings.reseed_every == 0
        if room and (seen == 0 or periodic):
            self._seed(index, work, scale, use_detector=periodic)
        for person in [p for p in self._active if p.misses > self.settings.max_miss]:
            self._end(person)

    @staticmethod
    def _crop(box: np.ndarray, scale: float) -> np.ndarray:
        return np.array([box[0] * scale, box[1] * scale, box[2] * scale * CROP_GROWTH])

    def _record(self, person: _Followed, index: int, found: Detection | None, scale: float) -> None:
        person.seen_now = found is not None and frame_visible(found.keypoints) >= self.settings.min_visible
        if not person.seen_now:
            person.misses += 1
            return
        kp = found.keypoints
        kp[:, :2] /= scale
        person.frames.append(index)
        person.keypoints.append(kp)
        person.world.append(found.world)
        person.box = box_from_keypoints(kp)
        person.misses = 0

    def _drop_duplicates(self) -> None:
        """Two tracks on one person: end the one with fewer frames."""
        seen = sorted((p for p in self._active if p.seen_now), key=lambda p: -len(p.frames))
        for i, a in enumerate(seen):
            for b in seen[i + 1:]:
                if b in self._active and a in self._active and box_iou(a.corners(), b.corners()) > 0.5:
                    b.frames.pop(), b.keypoints.pop(), b.world.pop()
                    self._end(b)

    def _seed(self, index: int, work: np.ndarray, scale: float, use_detector: bool) -> None:
        """Look for people not yet followed: BlazePose on the whole frame, then (when ``use_detector``,
        and it found nobody or everyone is wanted) BlazePose on crops around HOG boxes."""
        candidates = [self._frame_pose.on_image(work)]
        whole = candidates[0]
        if use_detector and (self.max_people != 1 or whole is None
                             or frame_visible(whole.keypoints) < self.settings.min_visible):
            boxes, _ = self._detector.detect(work)
            for corners in boxes:
                side = max(corners[2] - corners[0], corners[3] - corners[1]) * CROP_GROWTH
                candidates.append(self._crop_pose.on_crop(work, np.array([(corners[0] + corners[2]) / 2,
                                                                          (corners[1] + corners[3]) / 2, side])))
        for found in candidates:
            if found is None or frame_visible(found.keypoints) < self.settings.min_visible:
                continue
            if self.max_people is not None and sum(p.misses == 0 for p in self._active) >= self.max_people:
                break
            full = found.keypoints.copy()
            full[:, :2] /= scale
            corners = box_to_corners(box_from_keypoints(full))
            overlapping = [p for p in self._active if box_iou(p.corners(), corners) > 0.3
                           or box_containment(p.corners(), corners) > 0.7]
            if any(p.misses == 0 for p in overlapping):
                continue  # already followed
            if overlapping:  # a person lost a moment ago: same id
                self._record(overlapping[0], index, found, scale)
                continue
            if self.max_people == 1:  # one person at a time: the lost one's id ends here
                for p in list(self._active):
                    self._end(p)
            person = _Followed(self._next_id, BlazePose(static=False, min_detection=0.3), np.zeros(3), [], [], [])
            self._next_id += 1
            self._active.append(person)
            self._record(person, index, found, scale)

    def _end(self, person: _Followed) -> None:
        person.pose.close()
        self._active.remove(person)
        if person.frames:
            self._ended.append(person)

    def tracks(self) -> dict[int, KeypointTrack]:
        """Every track so far (ended and active), by id."""
        return {p.tid: KeypointTrack(np.asarray(p.frames, np.int64), np.stack(p.keypoints).astype(np.float32),
                                     np.stack(p.world).astype(np.float32))
                for p in self._ended + self._active if p.frames}

    def close(self) -> None:
        for person in list(self._active):
            self._end(person)
        self._frame_pose.close()
        self._crop_pose.close()
