"""People tracking: seed people (BlazePose on the frame, HOG for small ones), follow each with
BlazePose on a crop around where they are predicted to be, keep ids through crossings, short
occlusions and short absences.

* Motion: each person's box centre moves at a smoothed velocity; a person not seen is looked for
  where that velocity takes them (walking behind someone and out again).
* Crossings: when two followed people land on the same pose, the one whose prediction and look
  (colour histograms, :mod:`lmr_studio.perception.appearance`) fit it better keeps it; the other
  counts as unseen this frame instead of ending.
* Re-identification: a newly seeded person takes the id of someone lost or ended at most
  ``settings.reid_frames`` ago when they are where that person's motion leads and look alike.
* Per-person work (BlazePose on each crop, the retry on a first miss, the HOG search, BlazePose
  on the whole frame and on the HOG boxes) runs on a thread pool, one thread per core and one
  more; each pool thread has its own single-image BlazePose for retries and seeds. Someone whose
  motion leads out of the frame is not looked for (a miss).

Coordinates are frame pixels; keypoints are BlazePose's 33 x (x, y, visibility).
"""

from __future__ import annotations

import dataclasses
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

import cv2
import numpy as np

from lmr_studio.perception.appearance import appearance, similarity
from lmr_studio.perception.blazepose import BlazePose, Detection
from lmr_studio.perception.detector import PeopleDetector, box_containment, box_iou
from lmr_studio.perception.features import VISIBILITY_THRESHOLD, box_from_keypoints, box_to_corners

#: Frames are shrunk to at most this long side before any detection (keypoints come back full size).
WORK_MAX_SIDE = 1280
#: The crop followed around a person is this much larger than their keypoint box.
CROP_GROWTH = 1.3
#: Besides the last pose's box, a person's size is the median box side of their last this many
#: poses: one pose that BlazePose squeezes into half a skeleton (seen from above, bent over) must
#: not make them unrecognisable when they are found again, full size, a frame later.
SIZE_FRAMES = 15


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
    reid_frames: int = 30             # frames after which a lost person's id is no longer given back
    min_similarity: float = 0.6       # appearance similarity (0..1) a pose needs to be given to a person
    max_drift: float = 1.0            # box sides a pose may lie from where a person's motion leads

    @classmethod
    def for_fps(cls, fps: float, num_frames: int | None = None) -> "TrackerSettings":
        """Settings whose time spans suit ``fps``: misses up to 1 s, ids given back within 3 s,
        new people looked for twice a second, tracks of 1/3 s or more but never longer than the
        ``num_frames`` of the video (a photo's one frame is a track)."""
        min_length = max(5, round(fps / 3))
        return cls(max_miss=max(2, round(fps)), min_length=min(min_length, num_frames or min_length),
                   reseed_every=max(2, round(fps / 2)), reid_frames=max(4, round(3 * fps)))


def frame_visible(keypoints: np.ndarray) -> int:
    """How many landmarks of a (33, 3) pose are visible."""
    return int((keypoints[:, 2] >= VISIBILITY_THRESHOLD).sum())


def accept_track(track: KeypointTrack, settings: TrackerSettings) -> bool:
    """Track-level check against BlazePose's poses on empty frames: long enough, visible enough."""
    return len(track) >= settings.min_length and float(track.keypoints[:, :, 2].mean()) >= settings.min_mean_visibility


@dataclasses.dataclass
class _Followed:
    tid: int
    pose: BlazePose | None     # None once the track has ended
    box: np.ndarray            # (cx, cy, side) of the last keypoints
    frames: list[int]
    keypoints: list[np.ndarray]
    world: list[np.ndarray]
    sides: list[float] = dataclasses.field(default_factory=list)  # box side (px) of each pose
    misses: int = 0
    seen_now: bool = False
    velocity: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(2))  # px per frame
    look: np.ndarray | None = None  # running appearance histogram
    fit: float = 0.0                # how well this frame's pose fits them (look minus drift)
    undo: tuple = ()                # state before this frame's pose, to take it back

    def corners(self) -> np.ndarray:
        return box_to_corners(self.box)

    def predicted(self, index: int) -> np.ndarray:
        """(cx, cy, side) where the person should be at frame ``index``, moving as they last did."""
        gap = index - self.frames[-1] if self.frames else 0
        return np.array([*(self.box[:2] + self.velocity * gap), self.box[2]])

    def sizes(self) -> tuple[float, float]:
        """The smaller and the larger (px) of the last pose's box side and the median side of the
        last :data:`SIZE_FRAMES` poses."""
        last = float(self.box[2])
        recent = float(np.median(self.sides[-SIZE_FRAMES:])) if self.sides else last
        return min(last, recent), max(last, recent)


class PersonTracker:
    """Feed frames in order with :meth:`update`; read the tracks with :meth:`tracks`.

    ``max_people=1`` follows one person at a time (the main track); ``None`` follows everyone
    found. A track unseen for more than ``settings.max_miss`` frames ends; a person found again
    within ``settings.reid_frames`` frames where their motion leads, looking alike, keeps their id.
    """

    def __init__(self, settings: TrackerSettings | None = None, max_people: int | None = 1,
                 threads: int | None = None) -> None:
        self.settings = settings or TrackerSettings()
        self.max_people = max_people
        self._frame_pose = BlazePose(static=True)
        self._crop_poses: list[BlazePose] = []  # single-image BlazePose on crops, one per pool thread
        self._thread_state = threading.local()
        self._lock = threading.Lock()
        self._detector = PeopleDetector()
        self._active: list[_Followed] = []
        self._idle_poses: list[BlazePose] = []  # video-mode BlazePose of people who ended, for new ones
        self._ended: list[_Followed] = []
        self._next_id = 0
        # one thread more than cores: at the end of a frame, a straggling person's crop no longer
        # leaves a core idle until the next frame starts
        self._pool = ThreadPoolExecutor(threads or (os.cpu_count() or 1) + 1, thread_name_prefix="lmr-track")

    def update(self, index: int, rgb: np.ndarray) -> None:
        """Process frame ``index`` (H, W, 3) uint8 RGB."""
        h, w = rgb.shape[:2]
        scale = min(1.0, WORK_MAX_SIDE / max(h, w))
        work = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else rgb
        periodic = index % self.settings.reseed_every == 0
        # everyone wanted: a periodic seed's searches (HOG, BlazePose on the frame) run beside the crops
        early = None
        if periodic and self.max_people != 1:
            early = self._pool.submit(self._detector.detect, work), self._pool.submit(self._frame_pose.on_image, work)
        list(self._pool.map(lambda p: self._follow(p, index, work, scale), list(self._active)))
        self._resolve_shared_poses()
        seen = sum(p.misses == 0 for p in self._active)
        room = self.max_people is None or seen < self.max_people
        if room and (seen == 0 or periodic):
            self._seed(index, work, scale, use_detector=periodic, early=early)
        elif early is not None:
            for future in early:
                future.result()
        for person in [p for p in self._active if p.misses > self.settings.max_miss]:
            self._end(person)

    def _follow(self, person: _Followed, index: int, work: np.ndarray, scale: float) -> None:
        """Look for ``person`` on a crop around where they should be (a pool task: it touches only them)."""
        person.seen_now = False  # until a pose is recorded this frame (a stale flag would let a crossing undo an old pose)
        crop = self._crop(person.predicted(index), scale)
        if not (0 <= crop[0] < work.shape[1] and 0 <= crop[1] < work.shape[0]):
            person.misses += 1  # their motion leads out of the frame: no pose to look for
            return
        if self._record(person, index, person.pose.on_crop(work, crop), scale, work):
            return
        # video mode may still hold the person who walked past: detect afresh, on the first missed
        # frame only (retrying on every later one as well cost a sixth of the tracker's CPU on the
        # generated crowds and changed recall by -0.023 to +0.015, measured on three of them)
        if not (person.misses == 0 and self._record(person, index, self._single_pose().on_crop(work, crop), scale, work)):
            person.misses += 1

    def _single_pose(self) -> BlazePose:
        """This pool thread's single-image BlazePose for crops (made on first use)."""
        pose = getattr(self._thread_state, "pose", None)
        if pose is None:
            pose = self._thread_state.pose = BlazePose(static=True, min_detection=0.3)
            with self._lock:
                self._crop_poses.append(pose)
        return pose

    @staticmethod
    def _crop(box: np.ndarray, scale: float) -> np.ndarray:
        return np.array([box[0] * scale, box[1] * scale, box[2] * scale * CROP_GROWTH])

    def _record(self, person: _Followed, index: int, found: Detection | None, scale: float,
                work: np.ndarray) -> bool:
        """Add ``found`` (keypoints in ``work`` pixels) to ``person`` unless it is no pose, or
        someone else: unlike their look or away from where their motion leads (a crossing)."""
        person.seen_now = False
        if found is None or frame_visible(found.keypoints) < self.settings.min_visible:
            return False
        kp = found.keypoints
        look = appearance(work, kp)
        kp = kp.copy()
        kp[:, :2] /= scale
        box = box_from_keypoints(kp)
        alike = 0.5 if look is None or person.look is None else similarity(look, person.look)
        drift = np.linalg.norm(box[:2] - person.predicted(index)[:2]) / max(box[2], 1.0) if person.frames else 0.0
        if person.look is not None and (alike < self.settings.min_similarity or drift > self.settings.max_drift):
            return False
        person.seen_now = True
        person.undo = (person.box, person.velocity, person.look, person.misses)
        person.fit = alike - drift
        if person.frames:
            step = (box[:2] - person.box[:2]) / max(index - person.frames[-1], 1)
            person.velocity = step if not person.velocity.any() else 0.6 * person.velocity + 0.4 * step
        person.frames.append(index)
        person.keypoints.append(kp)
        person.world.append(found.world)
        person.sides.append(float(box[2]))
        person.box = box
        person.misses = 0
        if look is not None:
            person.look = look if person.look is None else 0.9 * person.look + 0.1 * look
        return True

    def _resolve_shared_poses(self) -> None:
        """Two followed people on one pose (a crossing): the one it fits worse is unseen this frame."""
        seen = sorted((p for p in self._active if p.seen_now), key=lambda p: -len(p.frames))
        for i, a in enumerate(seen):
            for b in seen[i + 1:]:
                if not (a.seen_now and b.seen_now):
                    continue
                if box_iou(a.corners(), b.corners()) > 0.5 or box_containment(a.corners(), b.corners()) > 0.8:
                    self._unrecord(b if a.fit >= b.fit else a)

    @staticmethod
    def _unrecord(person: _Followed) -> None:
        """Take back this frame's pose of ``person``: they count as unseen."""
        person.frames.pop(), person.keypoints.pop(), person.world.pop(), person.sides.pop()
        person.box, person.velocity, person.look, misses = person.undo
        person.misses = misses + 1
        person.seen_now = False

    def _seed(self, index: int, work: np.ndarray, scale: float, use_detector: bool,
              early: tuple[Future, Future] | None = None) -> None:
        """Look for people not yet followed: BlazePose on the whole frame, then (when ``use_detector``,
        and it found nobody or everyone is wanted) BlazePose on crops around HOG boxes away from
        the people already followed. ``early``: this frame's HOG search and BlazePose on the whole
        frame, when already started."""
        whole = early[1].result() if early is not None else self._frame_pose.on_image(work)
        candidates = [whole]
        if use_detector and (self.max_people != 1 or whole is None
                             or frame_visible(whole.keypoints) < self.settings.min_visible):
            boxes, _ = early[0].result() if early is not None else self._detector.detect(work)
            followed = [p.corners() * scale for p in self._active if p.misses == 0]
            crops = [np.array([(c[0] + c[2]) / 2, (c[1] + c[3]) / 2, max(c[2] - c[0], c[3] - c[1]) * CROP_GROWTH])
                     for c in boxes if not any(box_containment(f, c) > 0.7 for f in followed)]  # skip the followed
            candidates += self._pool.map(lambda crop: self._single_pose().on_crop(work, crop), crops)
        for found in candidates:
            if found is None or frame_visible(found.keypoints) < self.settings.min_visible:
                continue
            if self.max_people is not None and sum(p.misses == 0 for p in self._active) >= self.max_people:
                break
            full = found.keypoints.copy()
            full[:, :2] /= scale
            corners = box_to_corners(box_from_keypoints(full))
            if any(box_iou(p.corners(), corners) > 0.3 or box_containment(p.corners(), corners) > 0.7
                   for p in self._active if p.misses == 0):
                continue  # already followed
            person = self._returning(index, full, appearance(work, found.keypoints))
            if person is None:
                if self.max_people == 1:  # one person at a time: the lost one's id ends here
                    for p in list(self._active):
                        self._end(p)
                person = _Followed(self._next_id, None, np.zeros(3), [], [], [])
                self._next_id += 1
            if person.pose is None:
                person.pose = self._video_pose()
                self._active.append(person)
            self._record(person, index, found, scale, work)  # a returning person was matched by look already

    def _returning(self, index: int, keypoints: np.ndarray, look: np.ndarray | None) -> _Followed | None:
        """The lost or recently ended person this newly found pose most likely is, or None: they
        must be near where their motion leads (within a box side, more after longer gaps), of a
        size between 0.6x and 1.6x theirs (:meth:`_Followed.sizes`) and, when both looks are
        known, look alike."""
        box = box_from_keypoints(keypoints)
        best, best_score = None, -np.inf
        for person in [p for p in self._active if p.misses > 0 and p.frames] + self._ended:
            gap = index - person.frames[-1]
            if gap > self.settings.reid_frames:
                continue
            where, (small, large) = person.predicted(index), person.sizes()
            reach = large * (1.0 + 0.1 * gap)
            distance = np.linalg.norm(box[:2] - where[:2])
            if distance > reach or not 0.6 * small < box[2] < 1.6 * large:
                continue
            alike = 0.5 if look is None or person.look is None else similarity(look, person.look)
            if alike < self.settings.min_similarity and look is not None and person.look is not None:
                continue
            score = alike - distance / reach
            if score > best_score:
                best, best_score = person, score
        if best is not None and best in self._ended:
            self._ended.remove(best)
        return best

    def _video_pose(self) -> BlazePose:
        """A video-mode BlazePose for a newly followed person: one a person who ended left behind
        (made to forget them), else a new one (its first call loads the models: ~160 ms of CPU)."""
        if self._idle_poses:
            pose = self._idle_poses.pop()
            pose.forget()
            return pose
        return BlazePose(static=False, min_detection=0.3)

    def _end(self, person: _Followed) -> None:
        if person.pose is not None:
            self._idle_poses.append(person.pose)
            person.pose = None
        self._active.remove(person)
        if person.frames:
            self._ended.append(person)

    def tracks(self) -> dict[int, KeypointTrack]:
        """Every track so far (ended and active), by id."""
        return {p.tid: KeypointTrack(np.asarray(p.frames, np.int64), np.stack(p.keypoints).astype(np.float32),
                                     np.stack(p.world).astype(np.float32))
                for p in sorted(self._ended + self._active, key=lambda p: p.tid) if p.frames}

    def close(self) -> None:
        for person in list(self._active):
            self._end(person)
        self._pool.shutdown()
        self._frame_pose.close()
        for pose in self._crop_poses + self._idle_poses:
            pose.close()
