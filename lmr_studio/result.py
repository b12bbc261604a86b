"""MotionResult: what LMR recovered from one video, per track, and its ``.npz`` file format.

File format (``numpy.savez_compressed``): per track ``tid`` every array is stored under
``track{tid}/{name}``; scalars and strings are stored under ``meta/{name}``.
Per-track arrays (F = frames where the track has a result; leading axis is always frames):

====================  ===========  =====================================================
``poses``             (F, 24, 3)   axis-angle, radians, SMPL joint order, camera frame
``betas``             (F, 10)      shape coefficients
``cam``               (F, 3)       the network's weak-perspective (s, tx, ty) in the person box
``transl``            (F, 3)       full-image body translation, metres (geometry.camera), after
                                   the 2D refinement: the one translation every view uses
``frame_ids``         (F,)         video frame index of each row
``bboxes``            (F, 4)       person box (x0, y0, x1, y1), pixels
``keypoints2d``       (F, 33, 3)   BlazePose keypoints, pixels + visibility
``joints3d``          (F, 24, 3)   SMPL-order joints, metres, body frame (root-relative pose)
``joints2d``          (F, 24, 2)   joints projected into the image, pixels
``part_activity``     (F, 6)       per-part recurrent activity (hidden-state change), optional
``keypoint_error``    (F,)         median distance of the projected limb joints from BlazePose's
                                   matching keypoints, as a share of the person's height
                                   (:mod:`lmr_studio.keypoint_error`); computed when absent
``baseline_poses``    (F, 24, 3)   the single-RNN baseline's raw poses on the same inputs (the
                                   window's ghost), optional
``world_input``       (F,)         bool: BlazePose's world landmarks were part of the network's
                                   input on that frame (False: 2D keypoints only), optional
====================  ===========  =====================================================

``meta/frame_times`` (num_frames,) holds each video frame's time in seconds from the container
(variable frame rate videos); older files lack it and frame ``i`` is at ``i / fps``.
``meta/focal`` is the focal length (pixels of the full frame) the meshes were recovered and are
drawn with, ``meta/focal_source`` where it came from (``given``, ``file`` or ``assumed``,
:mod:`lmr_studio.video.lens`); older files lack both and used the default guess.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np

from lmr_studio.errors import LMRStudioError
from lmr_studio.geometry.camera import corners_to_box, default_focal, weak_to_full_translation
from lmr_studio.io.atomic import atomic_path

FORMAT_VERSION = 1
REQUIRED_TRACK_ARRAYS = ("poses", "betas", "cam", "frame_ids", "bboxes", "keypoints2d", "joints3d", "joints2d")


def row_of_frame(frame_ids: np.ndarray, frame: int) -> int | None:
    """Row of video frame ``frame`` in the sorted (F,) ``frame_ids``, or None where it is absent."""
    i = int(np.searchsorted(frame_ids, frame))
    return i if i < len(frame_ids) and frame_ids[i] == frame else None


@dataclasses.dataclass
class Track:
    """One person's recovered motion; see the module docstring for shapes and units."""

    poses: np.ndarray
    betas: np.ndarray
    cam: np.ndarray
    frame_ids: np.ndarray
    bboxes: np.ndarray
    keypoints2d: np.ndarray
    joints3d: np.ndarray
    joints2d: np.ndarray
    transl: np.ndarray | None = None
    part_activity: np.ndarray | None = None
    keypoint_error: np.ndarray | None = None
    world_input: np.ndarray | None = None
    baseline_poses: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.keypoint_error is None and len(self.joints2d) == len(self.keypoints2d):
            from lmr_studio.keypoint_error import keypoint_error

            self.keypoint_error = keypoint_error(self.joints2d, self.keypoints2d)

    def __len__(self) -> int:
        return len(self.frame_ids)

    def row_of_frame(self, frame: int) -> int | None:
        """Row index for a video frame, or None when this track has no result there."""
        return row_of_frame(self.frame_ids, frame)

    def translation(self, image_size: tuple[int, int], focal: float) -> np.ndarray:
        """(F, 3) float32 body translation in metres, camera frame: ``transl`` when stored, else
        derived from the weak-perspective ``cam`` in the person box with the ``focal`` length (px,
        :attr:`MotionResult.focal`; :func:`lmr_studio.geometry.camera.weak_to_full_translation`)."""
        if self.transl is not None:
            return np.asarray(self.transl, np.float32)
        box = corners_to_box(np.asarray(self.bboxes, np.float64))
        return weak_to_full_translation(np.asarray(self.cam, np.float64), box, focal, image_size).astype(np.float32)

    def sliced(self, rows) -> "Track":
        """A new Track holding only ``rows`` (slice, index array or boolean mask)."""
        return Track(**{f.name: (None if getattr(self, f.name) is None else getattr(self, f.name)[rows])
                        for f in dataclasses.fields(self)})


@dataclasses.dataclass
class MotionResult:
    """All tracks of one video plus what is needed to draw and export them."""

    tracks: dict[int, Track]
    fps: float
    image_size: tuple[int, int]          # (width, height) pixels
    num_frames: int
    body_model: str = "anny"
    weights_version: str = ""
    video_path: str = ""
    main_track: int | None = None
    frame_times: np.ndarray | None = None  # (num_frames,) seconds from the container; None: index / fps
    focal: float | None = None           # pixels; None: the default guess for image_size
    focal_source: str = "assumed"

    def __post_init__(self) -> None:
        if self.focal is None:
            self.focal = default_focal(*self.image_size)

    @property
    def main_id(self) -> int:
        """Id of the main track: ``main_track`` when set and present, else the longest track
        (the lowest id among equals). Raises LMRStudioError when there is no track."""
        if not self.tracks:
            raise LMRStudioError("This result has no tracks.", "Process a video in which a person is visible.")
        if self.main_track in self.tracks:
            return self.main_track
        return max(sorted(self.tracks), key=lambda t: len(self.tracks[t]))

    @property
    def main(self) -> Track:
        """The main track (see :attr:`main_id`)."""
        return self.tracks[self.main_id]

    def save(self, path: str | os.PathLike) -> Path:
        """Write the result atomically to ``path`` (.npz); returns the path."""
        arrays: dict[str, np.ndarray] = {}
        for tid, track in self.tracks.items():
            for f in dataclasses.fields(track):
                value = getattr(track, f.name)
                if value is not None:
                    arrays[f"track{tid}/{f.name}"] = np.asarray(value)
        meta = {"format_version": FORMAT_VERSION, "fps": self.fps, "width": self.image_size[0],
                "height": self.image_size[1], "num_frames": self.num_frames, "body_model": self.body_model,
                "weights_version": self.weights_version, "video_path": self.video_path,
                "main_track": -1 if self.main_track is None else self.main_track, "focal": self.focal,
                "focal_source": self.focal_source}
        if self.frame_times is not None:
            meta["frame_times"] = np.asarray(self.frame_times, np.float64)
        arrays.update({f"meta/{k}": np.asarray(v) for k, v in meta.items()})
        path = Path(path)
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, **arrays)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "MotionResult":
        """Read a result written by :meth:`save`; raises LMRStudioError on a bad file."""
        path = Path(path)
        hint = "Choose a .npz file written by LMR Studio (lmr-studio process or File > Save result)."
        try:
            with np.load(path, allow_pickle=False) as data:
                files = {k: data[k] for k in data.files}
        except FileNotFoundError:
            raise LMRStudioError(f"{path} does not exist.", hint) from None
        except Exception as exc:  # zipfile/pickle/value errors all mean "not our file"
            raise LMRStudioError(f"{path} is not a readable result file ({exc.__class__.__name__}).", hint) from None
        if "meta/format_version" not in files:
            raise LMRStudioError(f"{path} is not an LMR Studio result.", hint)
        tracks: dict[int, dict[str, np.ndarray]] = {}
        for key, value in files.items():
            if key.startswith("track"):
                head, name = key.split("/", 1)
                tracks.setdefault(int(head[len("track"):]), {})[name] = value
        for tid, fields in tracks.items():
            missing = [n for n in REQUIRED_TRACK_ARRAYS if n not in fields]
            if missing:
                raise LMRStudioError(f"{path}: track {tid} lacks {', '.join(missing)}.", hint)
        meta = {k[len("meta/"):]: v for k, v in files.items() if k.startswith("meta/")}
        main = int(meta["main_track"])
        return cls(
            tracks={tid: Track(**f) for tid, f in sorted(tracks.items())},
            fps=float(meta["fps"]),
            image_size=(int(meta["width"]), int(meta["height"])),
            num_frames=int(meta["num_frames"]),
            body_model=str(meta["body_model"]),
            weights_version=str(meta["weights_version"]),
            video_path=str(meta["video_path"]),
            main_track=None if main < 0 else main,
            frame_times=meta.get("frame_times"),
            focal=float(meta["focal"]) if "focal" in meta else None,
            focal_source=str(meta.get("focal_source", "assumed")),
        )
