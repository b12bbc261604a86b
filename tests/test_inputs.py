"""Inputs people bring: photos, phone videos (rotation), variable frame rate, 4K, long videos in
bounded memory, audio-only files, nobody in view, odd paths and unwritable output folders.
Each works, or fails with exit code 2, a message, and nothing lost."""

import os
import tracemalloc
import wave
from pathlib import Path

import cv2
import numpy as np
import pytest

from lmr_studio.cli import main
from lmr_studio.errors import BadVideoError
from lmr_studio.perception.keypoints import video_keypoint_tracks
from lmr_studio.result import MotionResult
from lmr_studio.video import VideoSource
from tests.fixtures.media import _sample_frames, marker_frame, marker_index, set_mp4_rotation, write_h264
from tests.test_perception_import import write_openpose
from tests.test_perception_tracking import SAME_POINT
from tests.test_pipeline_process import fast_model_args, fast_models  # noqa: F401  (fixtures)


def _write_photo(path: Path, rgb: np.ndarray) -> Path:
    ok, data = cv2.imencode(path.suffix, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert ok
    path.write_bytes(data.tobytes())
    return path


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".webp"])
def test_photo_is_a_one_frame_source(suffix, tmp_path):
    frame = _sample_frames(1)[0]
    with VideoSource(_write_photo(tmp_path / f"photo{suffix}", frame)) as photo:
        assert photo.is_image and photo.num_frames == 1 and photo.size == (640, 480)
        assert np.abs(photo.read(0).astype(int) - frame).mean() < 3  # lossy formats: close, not equal
        assert len(list(photo)) == 1


def test_photo_of_one_person_processes_in_the_cli(fast_model_args, tmp_path, sample_truth):
    photo = _write_photo(tmp_path / "one person.jpg", _sample_frames(1)[0])
    assert main(["process", str(photo), "--no-cache", *fast_model_args]) == 0
    result = MotionResult.load(tmp_path / "one person.lmr.npz")
    assert result.num_frames == 1 and len(result.tracks) == 1
    track = result.main
    error = np.mean([np.linalg.norm(track.keypoints2d[0, b, :2] - sample_truth["joints2d"][0, s])
                     for s, b in SAME_POINT])
    assert error < 15  # pixels, the keypoints the mesh came from


def test_a_photo_is_refined_with_the_photo_settings(fast_models, tmp_path):
    """The pipeline refines a photo with RefineSettings.for_input(True): where BlazePose would mark
    its limb joints lands nearer its keypoints than with a video's settings on the same photo."""
    import torch

    from lmr_studio.model.refine import RefineSettings, landmark_fit
    from lmr_studio.pipeline import ProcessOptions, Recoverer, iter_recover

    model, body = fast_models
    photo = _write_photo(tmp_path / "photo.jpg", _sample_frames(1)[0])

    def landmark_fit_of(recoverer=None) -> float:
        *_, result = iter_recover(photo, ProcessOptions(use_cache=False), model, body, recoverer=recoverer)
        track = result.main
        rest = body.rest_joints(torch.as_tensor(track.betas))
        return float(np.median(landmark_fit(track.poses, track.transl, rest, track.keypoints2d, result.focal, (640, 480))))

    assert landmark_fit_of() < landmark_fit_of(Recoverer(model, body, (640, 480), refine=RefineSettings()))


def test_a_phone_photos_focal_length_comes_from_its_exif(fast_models, tmp_path):
    """A 26 mm (35 mm equivalent) phone photo is recovered with that lens, not the default guess."""
    from PIL import Image

    from lmr_studio.geometry.camera import focal_from_35mm
    from lmr_studio.pipeline import ProcessOptions, iter_recover

    exif = Image.Exif()
    exif.get_ifd(0x8769)[0xA405] = 26                      # FocalLengthIn35mmFilm
    photo = tmp_path / "phone.jpg"
    Image.fromarray(_sample_frames(1)[0]).save(photo, exif=exif, quality=95)
    *_, result = iter_recover(photo, ProcessOptions(use_cache=False), *fast_models)
    assert result.focal_source == "file" and result.focal == pytest.approx(focal_from_35mm(26, 640, 480))
    *_, usual = iter_recover(photo, ProcessOptions(use_cache=False, assumed_focal_35mm=50), *fast_models)
    assert usual.focal_source == "file" and usual.focal == result.focal     # the photo's own lens first
    *_, told = iter_recover(photo, ProcessOptions(use_cache=False, focal_35mm=50), *fast_models)
    assert told.focal_source == "given" and told.focal == pytest.approx(focal_from_35mm(50, 640, 480))


def test_photo_of_two_people_gives_two_people(tmp_path):
    frames = _sample_frames(61)
    photo = _write_photo(tmp_path / "two.png", np.hstack([frames[0], frames[60]]))
    with VideoSource(photo) as source:
        tracks = list(video_keypoint_tracks(source, all_tracks=True, cache_folder=tmp_path / "cache"))[-1][1]
    centres = sorted(float(np.median(t.keypoints[0, :, 0])) for t in tracks.values())
    assert len(tracks) == 2 and centres[0] < 640 < centres[1]


@pytest.mark.parametrize("degrees", [90, 270])
def test_phone_video_comes_out_upright(degrees, tmp_path):
    upright = [marker_frame((64, 96), i) for i in range(6)]
    stored = [np.ascontiguousarray(np.rot90(f, k=1 if degrees == 90 else -1)) for f in upright]
    path = set_mp4_rotation(write_h264(tmp_path / "phone.mp4", stored, fps=30.0), degrees)
    with VideoSource(path) as video:
        assert video.size == (64, 96)  # portrait, as shown on the phone
        for i in (3, 0, 5):
            assert np.abs(video.read(i).astype(int) - upright[i]).mean() < 6 and marker_index(video.read(i)) == i


def test_variable_frame_rate_times_come_from_the_container(fast_model_args, tmp_path):
    gaps = np.where(np.arange(24) % 4 == 0, 0.2, 0.05)
    truth = np.concatenate([[0.0], np.cumsum(gaps[:-1])])
    path = write_h264(tmp_path / "vfr.mp4", [marker_frame((96, 64), 0)] * 24, truth, fps=20.0)
    with VideoSource(path) as video:
        np.testing.assert_allclose(video.times, truth, atol=1e-3)
        assert video.fps == pytest.approx(23 / truth[-1])
    from tests.fixtures.media import standing_keypoints

    folder = write_openpose(tmp_path / "op", [[k] for k in standing_keypoints(24)])
    assert main(["process", str(path), "--keypoints", str(folder), *fast_model_args]) == 0
    np.testing.assert_allclose(MotionResult.load(tmp_path / "vfr.lmr.npz").frame_times, truth, atol=1e-3)


def test_long_gop_seeks_are_exact(tmp_path):
    path = write_h264(tmp_path / "gop.mp4", (marker_frame((320, 96), i) for i in range(90)), fps=30.0, gop=40)
    with VideoSource(path, cache_size=0) as video:
        for i in (70, 10, 11, 45, 44, 89, 0, 39, 40, 41):
            assert marker_index(video.read(i)) == i


def test_4k_video_detects_on_a_small_copy_and_answers_in_full_size_pixels(tmp_path, sample_truth):
    frames = _sample_frames(3)
    scale, pad = 4.5, 480  # 640x480 -> 2880x2160, centred in 3840x2160
    big = [np.pad(cv2.resize(f, None, fx=scale, fy=scale), ((0, 0), (pad, pad), (0, 0)), mode="edge")
           for f in frames]
    path = write_h264(tmp_path / "uhd.mp4", big, fps=25.0)
    with VideoSource(path) as video:
        assert video.size == (3840, 2160)
        (track,) = list(video_keypoint_tracks(video, cache_folder=tmp_path / "cache"))[-1][1].values()
    truth = sample_truth["joints2d"][track.frame_ids] * scale + (pad, 0)
    error = np.mean([np.linalg.norm(track.keypoints[:, b, :2] - truth[:, s], axis=-1).mean() for s, b in SAME_POINT])
    assert error < 15 * scale


def test_reading_a_video_keeps_no_more_than_a_few_frames(tmp_path):
    path = write_h264(tmp_path / "long.mp4", (marker_frame((320, 240), i % 100) for i in range(300)), fps=30.0)
    frame_bytes = 320 * 240 * 3
    with VideoSource(path) as video:
        tracemalloc.start()
        for frame in video:
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 8 * frame_bytes  # 300 frames decoded, at most a few alive at once


def test_audio_only_file_is_refused_with_a_message(tmp_path, capsys):
    path = tmp_path / "voice.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1), wav.setsampwidth(2), wav.setframerate(8000)
        wav.writeframes(np.zeros(8000, np.int16).tobytes())
    with pytest.raises(BadVideoError, match="sound only"):
        VideoSource(path)
    assert main(["process", str(path)]) == 2
    err = capsys.readouterr().err
    assert "sound only" in err and "Traceback" not in err and not (tmp_path / "voice.lmr.npz").exists()


def test_nobody_in_the_video_says_what_to_try(fast_model_args, tiny_video, tmp_path, capsys):
    assert main(["process", str(tiny_video), "-o", str(tmp_path / "out.npz"), "--no-cache", *fast_model_args]) == 2
    err = capsys.readouterr().err
    assert "Nobody was found in tiny.avi (looked at all 24 frames)" in err and "80 pixels" in err
    assert "--" not in err.split("error:")[1]  # words that suit the window as well as the command line


def test_path_with_spaces_and_non_ascii_characters(fast_model_args, tiny_video, tmp_path):
    from tests.fixtures.media import standing_keypoints

    folder = tmp_path / "vidéos d'été ü"
    folder.mkdir()
    video = folder / "mon clip 猫 1.avi"
    video.write_bytes(tiny_video.read_bytes())
    keypoints = write_openpose(folder / "keypoints ö", [[k] for k in standing_keypoints(24)])
    assert main(["process", str(video), "--keypoints", str(keypoints), *fast_model_args]) == 0
    assert len(MotionResult.load(folder / "mon clip 猫 1.lmr.npz").main) == 24


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_output_folder_is_refused_before_any_work(tiny_video, tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    assert main(["process", str(tiny_video), "-o", str(folder / "out.npz")]) == 2
    assert "read-only" in capsys.readouterr().err


def test_output_that_cannot_be_written_is_saved_in_the_cache(fast_model_args, tiny_video, tmp_path, capsys,
                                                            monkeypatch):
    from tests.fixtures.media import standing_keypoints

    monkeypatch.setenv("LMR_STUDIO_CACHE", str(tmp_path / "cache"))
    blocked = tmp_path / "out.npz"
    blocked.mkdir()  # a folder where the file should go: the write fails whoever runs the test
    folder = write_openpose(tmp_path / "op", [[k] for k in standing_keypoints(24)])
    assert main(["process", str(tiny_video), "-o", str(blocked), "--keypoints", str(folder), *fast_model_args]) == 2
    err = capsys.readouterr().err
    rescued = next((tmp_path / "cache" / "results").glob("tiny-*.lmr.npz"))
    assert f"write {blocked}" in err and str(rescued) in err
    assert len(MotionResult.load(rescued).main) == 24
