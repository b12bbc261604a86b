"""Import 2D keypoints made elsewhere: OpenPose JSON folders and COCO-style keypoint JSON.

Both become :class:`KeypointTrack` s in the 33-landmark BlazePose layout; landmarks the source
lacks (eye corners, mouth, hands...) get visibility 0. Frame numbers: OpenPose files are
numbered by the last digit group of their names (``clip_000000000012_keypoints.json`` is frame
12), else by sorted order; COCO ``image_id`` is the 0-based frame index, unless an ``images``
list is given, whose order (by ``frame_id``, else ``file_name``) defines the frames. People are
linked across frames by their ``person_id``/``track_id`` when given, else by box overlap.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np

from lmr_studio.errors import LMRStudioError
from lmr_studio.perception.detector import box_iou
from lmr_studio.perception.features import COCO17_FROM_BLAZEPOSE, NUM_KEYPOINTS, box_from_keypoints, box_to_corners
from lmr_studio.perception.tracking import KeypointTrack

#: BlazePose index of each OpenPose BODY_25 keypoint (-1: no BlazePose counterpart).
BLAZEPOSE_FROM_BODY25 = (0, -1, 12, 14, 16, 11, 13, 15, -1, 24, 26, 28, 23, 25, 27, 5, 2, 8, 7, 31, -1, 29, 32, -1, 30)
#: BlazePose index of each OpenPose COCO-18 keypoint.
BLAZEPOSE_FROM_OPENPOSE18 = (0, -1, 12, 14, 16, 11, 13, 15, 24, 26, 28, 23, 25, 27, 5, 2, 8, 7)
_HINT = "Give an OpenPose output folder (*_keypoints.json, BODY_25) or a COCO keypoint .json file."
_LINK_GAP = 10  # frames a person may be missing and still be linked to their track


def _to_blazepose(points: np.ndarray, mapping: tuple[int, ...]) -> np.ndarray:
    """(K, 3) source keypoints (x, y, confidence) -> (33, 3) BlazePose layout."""
    out = np.zeros((NUM_KEYPOINTS, 3), np.float32)
    for src, dst in enumerate(mapping):
        if dst >= 0:
            out[dst] = points[src]
    missing = (out[:, 0] == 0) & (out[:, 1] == 0)  # OpenPose and COCO write (0, 0) for missing points
    out[missing, 2] = 0.0
    return out


def _read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LMRStudioError(f"{path} is not a readable JSON file ({exc.__class__.__name__}).", _HINT) from None


def _openpose_folder(folder: Path) -> list[tuple[int, int | None, np.ndarray]]:
    files = sorted(folder.glob("*.json"))
    if not files:
        raise LMRStudioError(f"{folder} holds no .json files.", _HINT)
    numbers = [re.findall(r"\d+", f.stem) for f in files]
    numbered = all(numbers) and len({int(n[-1]) for n in numbers}) == len(files)
    people = []
    for i, f in enumerate(files):
        frame = int(numbers[i][-1]) if numbered else i
        data = _read_json(f)
        if not isinstance(data, dict) or "people" not in data:
            raise LMRStudioError(f"{f} is not OpenPose output (no 'people').", _HINT)
        for person in data["people"]:
            flat = np.asarray(person.get("pose_keypoints_2d", []), np.float32)
            mapping = {75: BLAZEPOSE_FROM_BODY25, 54: BLAZEPOSE_FROM_OPENPOSE18}.get(len(flat))
            if mapping is None:
                raise LMRStudioError(f"{f}: pose_keypoints_2d has {len(flat)} numbers, expected 75 (BODY_25) or 54.", _HINT)
            pid = person.get("person_id", -1)
            pid = pid[0] if isinstance(pid, list) and pid else pid
            people.append((frame, int(pid) if isinstance(pid, int) and pid >= 0 else None,
                           _to_blazepose(flat.reshape(-1, 3), mapping)))
    return people


def _coco_file(path: Path) -> list[tuple[int, int | None, np.ndarray]]:
    data = _read_json(path)
    annotations = data.get("annotations") if isinstance(data, dict) else data
    if not isinstance(annotations, list):
        raise LMRStudioError(f"{path} has no COCO keypoint annotations.", _HINT)
    frame_of: dict | None = None
    if isinstance(data, dict) and isinstance(data.get("images"), list):
        images = sorted(data["images"], key=lambda im: (im.get("frame_id", 0), str(im.get("file_name", "")), im["id"]))
        frame_of = {im["id"]: i for i, im in enumerate(images)}
    coco_to_blaze = tuple(COCO17_FROM_BLAZEPOSE)
    people = []
    for ann in annotations:
        flat = np.asarray(ann.get("keypoints", []), np.float32) if isinstance(ann, dict) else np.zeros(0)
        if len(flat) != 51:
            raise LMRStudioError(f"{path}: an annotation has {len(flat)} keypoint numbers, expected 51 (COCO-17).", _HINT)
        pts = flat.reshape(17, 3)
        if np.isin(pts[:, 2], (0.0, 1.0, 2.0)).all():  # ground-truth flags: 2 visible, 1 occluded, 0 unlabelled
            pts[:, 2] = np.select([pts[:, 2] == 2, pts[:, 2] == 1], [1.0, 0.5], 0.0)
        image_id = ann.get("image_id")
        frame = frame_of.get(image_id) if frame_of is not None else image_id
        if not isinstance(frame, int):
            raise LMRStudioError(f"{path}: image_id {image_id!r} is not a frame number.", _HINT)
        tid = ann.get("track_id")
        people.append((frame, int(tid) if isinstance(tid, int) else None, _to_blazepose(np.clip(pts, 0, None), coco_to_blaze)))
    return people


def _link(people: list[tuple[int, int | None, np.ndarray]]) -> dict[int, KeypointTrack]:
    """Group per-frame people into tracks: by given id, else by box IoU with recent tracks."""
    rows: dict[int, list[tuple[int, np.ndarray]]] = {}
    last_box: dict[int, tuple[int, np.ndarray]] = {}
    given = {pid for _, pid, _ in people if pid is not None}
    next_id = max(given, default=-1) + 1
    for frame, pid, kp in sorted(people, key=lambda p: p[0]):
        corners = box_to_corners(box_from_keypoints(kp))
        if pid is None:
            near = [(box_iou(box, corners), tid) for tid, (f, box) in last_box.items()
                    if 0 < frame - f <= _LINK_GAP and tid not in given]
            best = max(near, default=(0.0, None))
            pid = best[1] if best[0] > 0.3 else None
            if pid is None:
                pid, next_id = next_id, next_id + 1
        if rows.get(pid) and rows[pid][-1][0] == frame:
            continue  # two detections of one id in one frame: keep the first
        rows.setdefault(pid, []).append((frame, kp))
        last_box[pid] = (frame, corners)
    return {tid: KeypointTrack(np.array([f for f, _ in r], np.int64), np.stack([k for _, k in r]))
            for tid, r in rows.items()}


def import_keypoints(path: str | os.PathLike, num_frames: int | None = None) -> dict[int, KeypointTrack]:
    """Keypoint tracks from an OpenPose folder or COCO JSON; frames >= ``num_frames`` are dropped."""
    path = Path(path)
    if path.is_dir():
        people = _openpose_folder(path)
    elif path.is_file():
        people = _coco_file(path)
    else:
        raise LMRStudioError(f"{path} does not exist.", _HINT)
    if num_frames is not None:
        people = [p for p in people if 0 <= p[0] < num_frames]
    if not people:
        raise LMRStudioError(f"{path} holds no keypoints for this video's frames.", _HINT)
    return _link(people)
