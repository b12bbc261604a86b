"""Person tracking and BlazePose keypoints on the bundled sample and on variants of it."""

import numpy as np
import pytest

from lmr_studio.perception.keypoints import video_keypoint_tracks
from lmr_studio.perception.tracking import KeypointTrack, TrackerSettings, accept_track
from lmr_studio.video import VideoSource

#: (SMPL joint, BlazePose landmark) pairs that mark the same body point.
SAME_POINT = [(16, 11), (17, 12), (18, 13), (19, 14), (20, 15), (21, 16), (4, 25), (5, 26), (7, 27), (8, 28)]


def final_tracks(video_path, cache_folder, all_tracks=False) -> tuple[dict[int, KeypointTrack], int]:
    with VideoSource(video_path) as video:
        items = list(video_keypoint_tracks(video, all_tracks=all_tracks, cache_folder=cache_folder))
    return items[-1][1], len(items)


def test_sample_keypoints_match_the_truth_and_are_cached(sample_video, sample_truth, tmp_path):
    tracks, steps = final_tracks(sample_video, tmp_path)
    assert len(tracks) == 1 and steps == 125
    (track,) = tracks.values()
    assert len(track) >= 120  # measured: 125 of 125
    truth = sample_truth["joints2d"][track.frame_ids]
    errors = [np.linalg.norm(track.keypoints[:, b, :2] - truth[:, s], axis=-1).mean() for s, b in SAME_POINT]
    assert max(errors) < 15  # pixels; measured 3-10 px (the two skeletons put joints at slightly different places)
    assert accept_track(track, TrackerSettings.for_fps(25))
    cached, steps = final_tracks(sample_video, tmp_path)  # second run: from the cache
    assert steps == 1
    np.testing.assert_array_equal(cached[0].keypoints, track.keypoints)


def test_person_entering_late_is_tracked_from_where_they_appear(late_entry_video, tmp_path):
    tracks, _ = final_tracks(late_entry_video, tmp_path)
    kept = [t for t in tracks.values() if accept_track(t, TrackerSettings.for_fps(25))]
    assert len(kept) == 1
    assert kept[0].frame_ids[0] >= 14 and len(kept[0]) >= 23


def test_id_survives_a_short_miss(gap_video, tmp_path):
    tracks, _ = final_tracks(gap_video, tmp_path)
    assert len(tracks) == 1  # one id before and after the gap
    (track,) = tracks.values()
    assert set(track.frame_ids) == set(range(30)) - {10, 11, 12, 13}


def test_huge_frames_are_downscaled_for_detection(huge_video, sample_truth, tmp_path):
    tracks, _ = final_tracks(huge_video, tmp_path)
    (track,) = tracks.values()
    assert len(track) == 8
    truth = sample_truth["joints2d"][track.frame_ids] * 4  # the huge video is the sample scaled 4x
    errors = [np.linalg.norm(track.keypoints[:, b, :2] - truth[:, s], axis=-1).mean() for s, b in SAME_POINT]
    assert max(errors) < 15 * 4  # keypoints come back in full-size pixels


@pytest.mark.slow
def test_all_tracks_finds_two_people_with_stable_ids(two_people_video, tmp_path):
    tracks, _ = final_tracks(two_people_video, tmp_path, all_tracks=True)
    kept = {tid: t for tid, t in tracks.items() if accept_track(t, TrackerSettings.for_fps(25))}
    assert len(kept) == 2
    for t in kept.values():
        assert len(t) >= 50
        side = t.keypoints[:, 0, 0] > 640  # nose on the right half?
        assert side.all() or not side.any()  # an id never jumps to the other person


def test_real_photo_upper_body():
    """A real photograph shipped in an installed package: Grace Hopper (matplotlib) or the astronaut (scikit-image)."""
    cv2 = pytest.importorskip("cv2")
    try:
        from skimage import data
        image, kind = data.astronaut(), "astronaut"
    except ImportError:
        cbook = pytest.importorskip("matplotlib.cbook")
        path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
        image, kind = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB), "hopper"
    from lmr_studio.perception.blazepose import BlazePose

    pose = BlazePose(static=True)
    found = pose.on_image(image)
    pose.close()
    assert found is not None, kind
    kp = found.keypoints
    face, shoulders = kp[[0, 2, 5]], kp[[11, 12]]
    assert (face[:, 2] > 0.9).all() and (shoulders[:, 2] > 0.9).all()
    assert shoulders[:, 1].min() > face[:, 1].max()  # shoulders below the face
    assert shoulders[0, 0] > shoulders[1, 0]  # her left shoulder is on the image right (she faces us)
    hips = found.world[[23, 24]]
    assert np.linalg.norm(hips.mean(0)) < 0.05  # world landmarks are centred on the mid-hip, metres
    assert 0.2 < np.linalg.norm(found.world[11] - found.world[12]) < 0.5  # a human shoulder width


def test_head_and_shoulders_video_is_kept(tmp_path):
    """A still portrait (Grace Hopper, shipped with matplotlib) as a 1 s video: an upper body only."""
    cv2 = pytest.importorskip("cv2")
    cbook = pytest.importorskip("matplotlib.cbook")
    from tests.fixtures.media import write_video

    image = cv2.cvtColor(cv2.imread(str(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))), cv2.COLOR_BGR2RGB)
    video = write_video(tmp_path / "portrait.avi", [image] * 12, 12.0)
    tracks, _ = final_tracks(video, tmp_path / "cache")
    kept = [t for t in tracks.values() if accept_track(t, TrackerSettings.for_fps(12))]
    assert len(kept) == 1 and len(kept[0]) == 12


def test_damage_inside_the_video_keeps_the_frames_before(sample_video):
    from lmr_studio.errors import BadVideoError

    class Damaged(VideoSource):
        def __iter__(self):
            for i, frame in enumerate(super().__iter__()):
                if i == 30:
                    raise BadVideoError("Frame 30 could not be decoded.")
                yield frame

    with Damaged(sample_video) as video:
        items = list(video_keypoint_tracks(video, use_cache=False))
    (track,) = items[-1][1].values()
    assert items[-1][0] == video.num_frames and list(track.frame_ids) == list(range(30))


def test_a_video_mode_pose_made_to_forget_detects_like_a_new_one(sample_video):
    """The tracker hands a new person the BlazePose of someone who ended, after ``forget()``: it must
    then find the same pose as a fresh instance, not follow the old person's place."""
    from lmr_studio.perception.blazepose import BlazePose

    with VideoSource(sample_video) as video:
        first, later = video.read(0), video.read(60)
    shifted = np.roll(later, 120, axis=1)  # the person somewhere else in the frame
    used = BlazePose(static=False)
    used.on_image(first)
    used.forget()
    fresh = BlazePose(static=False)
    try:
        reused, new = used.on_image(shifted), fresh.on_image(shifted)
    finally:
        used.close(), fresh.close()
    assert reused is not None and new is not None
    np.testing.assert_allclose(reused.keypoints, new.keypoints, atol=1e-3)


def test_someone_whose_motion_leads_out_of_the_frame_is_unseen_this_frame():
    """A person seen on the last frame whose motion now leads out of the frame is missed, and no
    longer counts as seen: a crossing resolved later in the frame must not take back their last
    pose (that left a just-seeded person with no pose and an empty box, and the next crop divided
    by zero)."""
    from lmr_studio.perception.tracking import PersonTracker, _Followed

    tracker = PersonTracker(max_people=None)
    try:
        person = _Followed(0, None, np.array([-400.0, 100.0, 80.0]), [3], [np.zeros((33, 3))], [np.zeros((33, 3))],
                           seen_now=True)
        tracker._follow(person, 4, np.zeros((240, 320, 3), np.uint8), 1.0)
        assert not person.seen_now and person.misses == 1 and person.frames == [3]
    finally:
        tracker.close()


@pytest.mark.parametrize("last, recent, found, kept", [
    (70.0, 140.0, 150.0, True),    # BlazePose squeezed the last pose into half a skeleton, then found all of it
    (90.0, 176.0, 103.0, True),    # the recent poses were larger than both (bent over, then upright)
    (140.0, 140.0, 150.0, True),   # no change of size at all
    (140.0, 140.0, 300.0, False),  # twice the size: somebody else
    (140.0, 140.0, 60.0, False),   # half the size: somebody else
])
def test_a_lost_person_is_recognised_at_any_size_between_their_last_and_recent_ones(last, recent, found, kept):
    """One person filmed from above: a pose BlazePose squeezed (a box half their size) must not
    make the full-size pose a frame later a new person (the track split in two at the cut)."""
    from lmr_studio.perception.features import box_from_keypoints
    from lmr_studio.perception.tracking import SIZE_FRAMES, PersonTracker, _Followed

    tracker = PersonTracker(max_people=1)
    try:
        frames = list(range(100 - SIZE_FRAMES, 100))
        person = _Followed(0, None, np.array([300.0, 250.0, last]), frames, [np.zeros((33, 3))] * SIZE_FRAMES,
                           [np.zeros((33, 3))] * SIZE_FRAMES, sides=[recent] * (SIZE_FRAMES - 1) + [last], misses=1)
        tracker._ended.append(person)
        keypoints = np.zeros((33, 3))
        keypoints[:, 2] = 1.0
        keypoints[11:33, 0] = 300.0 + np.linspace(-0.25, 0.25, 22) * found  # a pose whose box side is ``found`` px
        keypoints[11:33, 1] = 250.0 + np.linspace(-0.4, 0.4, 22) * found
        keypoints[:11] = keypoints[11]
        assert np.isclose(box_from_keypoints(keypoints)[2], found)
        returning = tracker._returning(100, keypoints, None)
        assert (returning is person) == kept
    finally:
        tracker.close()
