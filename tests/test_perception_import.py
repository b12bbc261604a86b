"""Keypoint import: OpenPose BODY_25 folders and COCO keypoint JSON -> BlazePose-layout tracks."""

import json

import numpy as np
import pytest

from lmr_studio.errors import LMRStudioError
from lmr_studio.perception.keypoint_import import BLAZEPOSE_FROM_BODY25, import_keypoints
from lmr_studio.perception.features import COCO17_FROM_BLAZEPOSE
from tests.fixtures.media import standing_keypoints


def to_body25(kp: np.ndarray) -> list[float]:
    out = np.zeros((25, 3), np.float32)
    for src, dst in enumerate(BLAZEPOSE_FROM_BODY25):
        if dst >= 0:
            out[src] = kp[dst]
    out[1] = (kp[11] + kp[12]) / 2  # neck and mid-hip, which BlazePose lacks
    out[8] = (kp[23] + kp[24]) / 2
    return out.reshape(-1).tolist()


def write_openpose(folder, people_per_frame: list[list[np.ndarray]]):
    folder.mkdir()
    for i, people in enumerate(people_per_frame):
        data = {"version": 1.3, "people": [{"person_id": [-1], "pose_keypoints_2d": to_body25(p)} for p in people]}
        (folder / f"clip_{i:012d}_keypoints.json").write_text(json.dumps(data))
    return folder


def test_openpose_folder_two_people_linked_into_two_tracks(tmp_path):
    a = standing_keypoints(12)
    b = standing_keypoints(12).copy()
    b[:, :, 0] -= 30 * (b[:, :, 2] > 0)  # a second person 30 px to the left
    frames = [[a[i], b[i]] if i % 2 == 0 else [b[i], a[i]] for i in range(12)]  # order varies per frame
    frames[5] = [a[5]]  # person b missed once
    tracks = import_keypoints(write_openpose(tmp_path / "op", frames), num_frames=100)
    assert len(tracks) == 2
    lengths = sorted(len(t) for t in tracks.values())
    assert lengths == [11, 12]
    for t in tracks.values():
        xs = t.keypoints[:, 11, 0]  # left shoulder moves steadily: never swaps person
        assert np.all(np.diff(xs) > 0)
    full = next(t for t in tracks.values() if len(t) == 12)
    np.testing.assert_allclose(full.keypoints[:, 11], a[:, 11])
    assert full.keypoints[0, 1, 2] == 0  # left_eye_inner: missing in BODY_25 -> visibility 0


def test_openpose_frames_beyond_the_video_are_dropped(tmp_path):
    kp = standing_keypoints(6)
    tracks = import_keypoints(write_openpose(tmp_path / "op", [[k] for k in kp]), num_frames=4)
    assert list(tracks[0].frame_ids) == [0, 1, 2, 3]


def test_coco_json_with_flags_and_images(tmp_path):
    kp = standing_keypoints(5)
    images = [{"id": 100 + i, "file_name": f"frame{i:03d}.jpg"} for i in range(5)]
    anns = []
    for i in range(5):
        pts = np.zeros((17, 3))
        for c, b in enumerate(COCO17_FROM_BLAZEPOSE):
            pts[c] = (kp[i, b, 0], kp[i, b, 1], 2)
        pts[3, 2] = 1  # left ear occluded but labelled
        anns.append({"image_id": 100 + i, "category_id": 1, "keypoints": pts.reshape(-1).tolist()})
    path = tmp_path / "coco.json"
    path.write_text(json.dumps({"images": images[::-1], "annotations": anns}))
    tracks = import_keypoints(path)
    (track,) = tracks.values()
    assert list(track.frame_ids) == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(track.keypoints[:, 25, :2], kp[:, 25, :2])
    assert track.keypoints[0, 25, 2] == 1.0 and track.keypoints[0, 7, 2] == 0.5 and track.keypoints[0, 17, 2] == 0


@pytest.mark.parametrize("content", ["not json", json.dumps({"people": []}), json.dumps([{"image_id": 0, "keypoints": [1, 2]}])])
def test_bad_keypoint_files_raise_with_hint(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(LMRStudioError) as info:
        import_keypoints(path)
    assert info.value.hint


def test_missing_path(tmp_path):
    with pytest.raises(LMRStudioError, match="does not exist"):
        import_keypoints(tmp_path / "nope")
