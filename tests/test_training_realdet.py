"""Real-detector data: set-up sampling, camera placement of the truth, shards (determinism,
resume, loading, person crops), pools of a motion file (evaluation only) and the datagen command."""

import dataclasses
import json

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from lmr_studio import cli
from lmr_studio.errors import LMRStudioError
from lmr_studio.geometry.camera import perspective_project
from lmr_studio.training.backgrounds import random_background
from lmr_studio.training.bodies import build_body_bank
from lmr_studio.training.motion import TRAIN_FAMILIES, generate_motion
from lmr_studio.perception.features import BOX_PADDING
from lmr_studio.training.realdet import (Clip, RealDetConfig, ShardMaker, degrade, generate, load_realdet,
                                         person_crops, place_in_camera, pose_clip, shard_path)
from lmr_studio.training.realdet_motion import GeneratedMotions, fit_motion_files
from lmr_studio.training.realdet_setup import (CAMERA_HEIGHT, IMAGE_SIZES, PERSON_FRACTION, STANDING_HEIGHT,
                                               sample_setup)
from lmr_studio.training.render import Camera


def _setups(count=400, seed=0, pitch_range=None):
    rng = np.random.default_rng(seed)
    return [sample_setup(rng, TRAIN_FAMILIES, np.arange(10, 20), pitch_range) for _ in range(count)]


def test_setups_cover_what_a_detector_is_sensitive_to():
    setups = _setups()
    assert {s.camera.size for s in setups} == set(IMAGE_SIZES)
    assert {s.family for s in setups} == set(TRAIN_FAMILIES)
    assert {s.body for s in setups} <= set(range(10, 20)) and len({s.body for s in setups}) == 10
    assert {s.look.sleeves for s in setups} == {"none", "short", "long"} and {s.look.legs for s in setups} == {"short", "long"}
    assert sum(s.look.top is None for s in setups) > 0
    lum = [np.mean(s.look.skin) for s in setups]
    assert min(lum) < 0.3 and max(lum) > 0.75        # dark to light skin
    assert sum(s.lighting.key_direction[2] < 0 for s in setups) > 20   # some back-lit clips
    heights = np.array([s.camera.height for s in setups])
    assert CAMERA_HEIGHT[0] <= heights.min() and heights.max() <= CAMERA_HEIGHT[1]
    assert np.ptp(heights) > 1.5
    # a standing person at the sampled distance spans the sampled fraction of the image height
    frac = np.array([s.camera.focal * STANDING_HEIGHT / s.distance / s.camera.size[1] for s in setups])
    assert PERSON_FRACTION[0] - 1e-9 <= frac.min() and frac.max() <= PERSON_FRACTION[1] + 1e-9
    assert len({s.background_seed for s in setups}) == len(setups)


def test_camera_pitches_towards_the_pelvis():
    for s in _setups(200, seed=1):
        pelvis = s.camera.to_camera(np.array([s.offset_x, 0.0, -s.distance]))
        u, v = perspective_project(pelvis[None], np.zeros(3), s.camera.focal, s.camera.size)[0]
        width, height = s.camera.size
        assert 0.2 * width < u < 0.8 * width
        assert abs(v - height / 2) < s.camera.focal * np.tan(np.radians(14))  # 4 deg noise, 3.5 sigma


def test_high_cameras_look_down_at_the_pelvis_from_the_asked_pitch():
    setups = _setups(300, seed=2, pitch_range=(15.0, 60.0))
    pitch = np.array([s.camera.pitch_deg for s in setups])
    assert 15.0 <= pitch.min() < 20.0 and 55.0 < pitch.max() <= 60.0
    for s in setups:
        # the pelvis is on the optical axis vertically, and the person keeps the sampled size:
        # the range camera -> pelvis is what the default set-up would use as its distance
        pelvis = s.camera.to_camera(np.array([0.0, 0.0, -s.distance]))
        assert abs(pelvis[1]) < 1e-6
        frac = s.camera.focal * STANDING_HEIGHT / np.hypot(s.distance, s.camera.height) / s.camera.size[1]
        assert PERSON_FRACTION[0] - 1e-9 <= frac <= PERSON_FRACTION[1] + 1e-9


def test_the_manifest_names_the_camera_pitch_only_when_set():
    assert "camera_pitch" not in RealDetConfig().manifest()  # older pools still resume
    assert RealDetConfig(camera_pitch=(15.0, 60.0)).manifest()["camera_pitch"] == [15.0, 60.0]


def test_the_manifest_names_the_stance_share_only_when_set_and_the_motion_source_gets_it():
    assert "stance_share" not in RealDetConfig().manifest()  # older pools still resume
    config = RealDetConfig(stance_share=0.5)
    assert config.manifest()["stance_share"] == 0.5
    crouched = GeneratedMotions(config.families, 30.0, config.stance_share)
    heights = [np.median(crouched.clip("gesture", 30, np.random.default_rng(s)).transl[:, 1]) for s in range(20)]
    assert 0 < sum(h < -1e-6 for h in heights) < 20  # some crouch, some stand


def test_datagen_rejects_a_bad_stance_share(tmp_path, capsys):
    assert cli.main(["datagen", "--shards", "1", "--stance-share", "1.5", "--out", str(tmp_path)]) == 2
    assert "--stance-share" in capsys.readouterr().err
    assert cli.main(["datagen", "--shards", "1", "--stance-share", "0.5", "--motion", "lafan1",
                     "--out", str(tmp_path)]) == 2
    assert "--stance-share" in capsys.readouterr().err


def test_the_manifest_names_the_crop_size_only_when_set():
    assert "crop_size" not in RealDetConfig().manifest()  # older pools still resume
    assert RealDetConfig(crop_size=96).manifest()["crop_size"] == 96


def test_datagen_rejects_a_bad_crop_size(tmp_path, capsys):
    assert cli.main(["datagen", "--shards", "1", "--crops", "8", "--out", str(tmp_path)]) == 2
    assert "--crops" in capsys.readouterr().err
    assert not (tmp_path / "manifest.json").exists()


def test_person_crops_cut_the_box_of_the_detected_keypoints():
    """A red person-sized block on grey: each found frame's crop is the block, centred, with the
    box's padding of grey around it; frames with nobody found stay black."""
    frames, keypoints = [], np.zeros((3, 33, 3), np.float32)
    for i, (x0, y0) in enumerate([(100, 50), (300, 200), (0, 0)]):
        frame = np.full((480, 640, 3), 128, np.uint8)
        frame[y0:y0 + 200, x0:x0 + 100] = (255, 0, 0)
        frames.append(frame)
        # landmarks spread over the block's corners and edges, all visible
        keypoints[i, :, 0] = x0 + np.linspace(0, 100, 33)
        keypoints[i, :, 1] = y0 + np.linspace(200, 0, 33)
        keypoints[i, :, 2] = 1.0
    clip = Clip(keypoints=keypoints, world=np.zeros((3, 33, 3), np.float32), found=np.array([True, True, False]),
                **{f.name: np.zeros(1) for f in dataclasses.fields(Clip)
                   if f.name not in ("keypoints", "world", "found")})
    crops = person_crops(frames, clip, 50)
    assert crops.shape == (3, 50, 50, 3) and crops.dtype == np.uint8
    for crop in crops[:2]:
        assert tuple(crop[25, 25]) == (255, 0, 0)           # the block's centre at the crop's centre
        side = 200 * BOX_PADDING                           # the block's height, padded
        assert tuple(crop[25, 2]) == (128, 128, 128)       # left of the block: background
        red_rows = np.flatnonzero((crop[:, 25] == (255, 0, 0)).all(-1))
        assert abs(len(red_rows) - 50 * 200 / side) <= 1.5  # the block's height at the crop's scale
    assert not crops[2].any()


def test_datagen_rejects_a_bad_camera_pitch(tmp_path, capsys):
    assert cli.main(["datagen", "--shards", "1", "--camera-pitch", "50", "20", "--out", str(tmp_path)]) == 2
    assert "--camera-pitch" in capsys.readouterr().err


def test_truth_in_the_camera_frame_matches_the_world_placement(smpl_body):
    """Posing with the camera-frame poses plus transl gives the world-posed body seen by the camera."""
    bank = build_body_bank(smpl_body, count=4, seed=0)
    setup = _setups(1, seed=4)[0]
    setup = dataclasses.replace(setup, camera=Camera((640, 480), 700.0, 1.2, 14.0), body=2)
    motion = generate_motion(setup.family, 12, np.random.default_rng(5), 30.0)
    clip, vertices = pose_clip(smpl_body, bank, setup, motion)
    betas = np.repeat(bank.betas[2:3], 12, axis=0)
    world_verts, world_joints = smpl_body.mesh_sequence(motion.poses, betas)
    poses_cam, pelvis = place_in_camera(motion.poses, motion.transl, setup)
    # world pelvis = the camera-frame pelvis mapped back; the world body placed there, seen by the camera
    pelvis_world = pelvis @ setup.camera.rotation().T + np.array([0, setup.camera.height, 0])
    expected = setup.camera.to_camera(world_verts - world_joints[:, :1] + pelvis_world[:, None])
    np.testing.assert_allclose(vertices, expected, atol=2e-4)
    np.testing.assert_allclose(clip.poses, poses_cam, atol=1e-5)
    np.testing.assert_allclose(clip.joints2d, perspective_project(clip.joints3d, clip.transl, 700.0, (640, 480)), atol=1e-3)
    # the camera-frame orientation is the world one turned by the camera's pitch
    turn = Rotation.from_rotvec(clip.poses[:, 0]) * Rotation.from_rotvec(motion.poses[:, 0]).inv()
    np.testing.assert_allclose(turn.as_matrix(), np.broadcast_to(setup.camera.rotation().T, (12, 3, 3)), atol=1e-5)
    # the drift is gone: the pelvis stays near the sampled distance
    assert np.abs(-pelvis[:, 2] * np.cos(np.radians(14.0)) - setup.distance).max() < 1.0


class _CountingMaker:
    """Stands in for ShardMaker: writes tiny shards and records which it made."""

    def __init__(self):
        self.made = []

    def write_shard(self, out, index):
        self.made.append(index)
        with open(shard_path(out, index), "wb") as fh:
            np.savez(fh, found=np.ones((1, 2), bool), shard=np.array([index]))
        return {"shard": index, "frames": 2, "seconds": 1.0, "fps": 2.0, "found": 1.0}


def test_resume_makes_only_missing_shards_and_refuses_other_options(tmp_path):
    config = RealDetConfig(seed=3, clips=1, frames=2)
    maker = _CountingMaker()
    assert [s["shard"] for s in generate(tmp_path, 3, config, maker=maker)] == [0, 1, 2]
    shard_path(tmp_path, 1).unlink()
    assert [s["shard"] for s in generate(tmp_path, 4, config, maker=maker)] == [1, 3]
    assert maker.made == [0, 1, 2, 1, 3]
    assert generate(tmp_path, 4, config, maker=maker) == []
    with pytest.raises(LMRStudioError, match="other options"):
        generate(tmp_path, 4, RealDetConfig(seed=4, clips=1, frames=2), maker=maker)
    assert list(load_realdet(tmp_path)["shard"]) == [0, 1, 2, 3]


def test_load_realdet_leaves_the_crops_on_disk_unless_asked(tmp_path):
    crops = np.arange(2 * 3 * 16 * 16 * 3, dtype=np.uint8).reshape(2, 3, 16, 16, 3)
    np.savez(shard_path(tmp_path, 0), found=np.ones((2, 3), bool), crops=crops)
    assert set(load_realdet(tmp_path)) == {"found"}  # training never needs them
    np.testing.assert_array_equal(load_realdet(tmp_path, crops=True)["crops"], crops)


def test_load_realdet_without_shards_says_what_to_do(tmp_path):
    with pytest.raises(LMRStudioError, match="datagen"):
        load_realdet(tmp_path)


def test_datagen_rejects_an_unknown_family(tmp_path, capsys):
    assert cli.main(["datagen", "--shards", "1", "--families", "juggling", "--out", str(tmp_path)]) == 2
    assert "juggling" in capsys.readouterr().err


@pytest.fixture(scope="module")
def real_shards(anny_body, tmp_path_factory):
    """Two tiny shards (2 clips x 12 frames) made twice with the real renderer and BlazePose."""
    bank = build_body_bank(anny_body, count=8, seed=0)
    config = RealDetConfig(seed=11, clips=2, frames=12)
    runs = []
    for name in ("a", "b"):
        out = tmp_path_factory.mktemp(name)
        maker = ShardMaker(anny_body, bank, config)
        try:
            stats = generate(out, 2 if name == "a" else 1, config, maker=maker)
        finally:
            maker.close()
        runs.append((out, stats))
    return runs


@pytest.mark.slow
def test_shards_are_deterministic_per_seed_and_shaped_as_documented(real_shards):
    (out_a, stats_a), (out_b, _) = real_shards
    assert [s["frames"] for s in stats_a] == [24, 24]
    a = np.load(shard_path(out_a, 0))
    b = np.load(shard_path(out_b, 0))
    assert a.files == b.files
    for key in a.files:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    data = load_realdet(out_a)
    n, f = 4, 12
    shapes = {"keypoints": (n, f, 33, 3), "world": (n, f, 33, 3), "found": (n, f), "poses": (n, f, 24, 3),
              "betas": (n, f, 10), "joints3d": (n, f, 24, 3), "joints2d": (n, f, 24, 2),
              "landmarks2d": (n, f, 33, 2), "landmarks3d": (n, f, 33, 3), "transl": (n, f, 3),
              "image_size": (n, 2), "focal": (n,), "camera_height": (n,), "camera_pitch": (n,),
              "family": (n,), "body": (n,), "skin": (n, 3), "background_seed": (n,), "shard": (n,)}
    assert {k: v.shape for k, v in data.items()} == shapes
    # BlazePose found the rendered person, near where the landmarks truly project
    found = data["found"]
    assert found.mean() > 0.5
    err = np.linalg.norm(data["keypoints"][..., :2] - data["landmarks2d"], axis=-1)[found]
    height = data["image_size"][:, 1][:, None].repeat(f, 1)[found]
    assert np.median(err[:, [11, 12, 23, 24]] / height[:, None]) < 0.05
    assert np.abs(data["world"][found]).max() < 2.0 and np.abs(data["world"][found]).max() > 0.1


@pytest.mark.slow
def test_a_crops_pool_holds_the_same_clips_plus_their_crops(real_shards, anny_body, tmp_path):
    (out_a, _), _ = real_shards
    config = RealDetConfig(seed=11, clips=2, frames=12, crop_size=32)
    maker = ShardMaker(anny_body, build_body_bank(anny_body, count=8, seed=0), config)
    try:
        generate(tmp_path, 1, config, maker=maker)
    finally:
        maker.close()
    plain, cropped = np.load(shard_path(out_a, 0)), np.load(shard_path(tmp_path, 0))
    assert sorted(cropped.files) == sorted(plain.files + ["crops"])
    for key in plain.files:
        np.testing.assert_array_equal(plain[key], cropped[key], err_msg=key)
    crops, found = cropped["crops"], cropped["found"]
    assert crops.shape == (2, 12, 32, 32, 3) and found.any()
    assert not crops[~found].any() and all(c.std() > 5 for c in crops[found])  # a person on a background


def test_degrade_blurs_and_compresses_only_when_the_setup_asks():
    setup = _setups(1, seed=2)[0]
    frame = random_background((160, 120), np.random.default_rng(0))
    plain = dataclasses.replace(setup, blur_sigma=0.0, jpeg_quality=0)
    np.testing.assert_array_equal(degrade(frame, plain), frame)
    blurred = degrade(frame, dataclasses.replace(plain, blur_sigma=1.0))
    assert np.abs(np.diff(blurred.astype(float), axis=1)).mean() < np.abs(np.diff(frame.astype(float), axis=1)).mean()
    jpeg = degrade(frame, dataclasses.replace(plain, jpeg_quality=40))
    assert jpeg.shape == frame.shape and jpeg.dtype == np.uint8
    assert 0 < np.abs(jpeg.astype(float) - frame).mean() < 8
    # colours keep their channel: a red image stays red through the JPEG round trip
    red = np.zeros_like(frame)
    red[..., 0] = 200
    assert degrade(red, dataclasses.replace(plain, jpeg_quality=40))[..., 0].mean() > 190


def _motion_file(path, frames=40):
    """A motion file with poses (so no fit): generated kicks, 30 fps; returns its poses (F, 24, 3)."""
    motion = generate_motion("kicks", frames, np.random.default_rng(9), 30.0)
    np.savez(path, joints3d=np.zeros((frames, 24, 3)) + motion.transl[:, None], poses=motion.poses,
             betas=np.zeros(10), fps=np.array(30.0))
    return motion.poses


def _window_start(poses, file_poses):
    """The frame of ``file_poses`` where the window ``poses`` (non-root joints) starts; one match only."""
    frames = len(poses)
    starts = [s for s in range(len(file_poses) - frames + 1)
              if np.abs(file_poses[s:s + frames, 1:] - poses[:, 1:]).max() < 1e-5]
    assert len(starts) == 1
    return starts[0]


def test_a_motion_file_pool_poses_windows_of_the_file_seen_by_the_camera(smpl_body, tmp_path):
    file_poses = _motion_file(tmp_path / "walk.npz")
    bank = build_body_bank(smpl_body, count=4, seed=0)
    source = fit_motion_files({"walk": tmp_path / "walk.npz"}, smpl_body, bank, frames=12)
    assert source.names == ("motion:walk",)
    rng = np.random.default_rng(3)
    starts = []
    for _ in range(6):
        setup = sample_setup(rng, source.names, np.arange(4))
        clip, _ = pose_clip(smpl_body, bank, setup, source.clip(setup.family, 12, rng))
        start = _window_start(clip.poses, file_poses)
        starts.append(start)
        # the root turns as in the file, seen by the camera
        world = Rotation.from_rotvec(file_poses[start:start + 12, 0])
        np.testing.assert_allclose((Rotation.from_rotvec(clip.poses[:, 0]) * world.inv()).as_matrix(),
                                   np.broadcast_to(setup.camera.rotation().T, (12, 3, 3)), atol=1e-5)
    assert len(set(starts)) > 1  # the windows start anywhere


def test_a_motion_file_shorter_than_a_clip_is_refused(smpl_body, tmp_path, capsys):
    _motion_file(tmp_path / "short.npz", frames=10)
    bank = build_body_bank(smpl_body, count=4, seed=0)
    with pytest.raises(LMRStudioError, match="fewer than"):
        fit_motion_files({"short": tmp_path / "short.npz"}, smpl_body, bank, frames=12)
    out = tmp_path / "pool"
    assert cli.main(["datagen", "--shards", "1", "--motion", str(tmp_path / "short.npz"), "--shard-frames", "12",
                     "--out", str(out)]) == 2
    assert "10 frames" in capsys.readouterr().err and not out.exists()


def test_datagen_with_a_bad_motion_says_what_to_do(tmp_path, capsys):
    out = tmp_path / "pool"
    assert cli.main(["datagen", "--shards", "1", "--motion", str(tmp_path / "none.npz"), "--out", str(out)]) == 2
    assert "none.npz does not exist" in capsys.readouterr().err and not out.exists()
    _motion_file(tmp_path / "m.npz")
    assert cli.main(["datagen", "--shards", "1", "--motion", str(tmp_path / "m.npz")]) == 2  # no --out
    assert "--out" in capsys.readouterr().err
    assert cli.main(["datagen", "--shards", "1", "--motion", str(tmp_path / "m.npz"), "--families", "kicks",
                     "--out", str(out)]) == 2
    assert "--families" in capsys.readouterr().err


def test_a_motion_file_pool_records_its_motion_and_train_refuses_it(tmp_path, capsys):
    out = tmp_path / "pool"
    config = RealDetConfig(seed=1, clips=1, frames=2, families=(), motion="lafan1")
    generate(out, 2, config, maker=_CountingMaker())
    assert json.loads((out / "manifest.json").read_text())["motion"] == "lafan1"
    with pytest.raises(LMRStudioError, match="other options"):  # another motion in the same folder
        generate(out, 3, dataclasses.replace(config, motion="/data/walk.bvh"), maker=_CountingMaker())
    run_dir = tmp_path / "run"
    assert cli.main(["train", "--realdet", str(out), "--run-dir", str(run_dir), "--out", str(tmp_path / "w")]) == 2
    err = capsys.readouterr().err
    assert "evaluation" in err and "lmr-studio eval --realdet" in err and not run_dir.exists()


def test_a_motion_file_shard_holds_its_windows(anny_body, tmp_path):
    """Rendered and detected for real: the shard's truth is windows of the file, named after it."""
    file_poses = _motion_file(tmp_path / "walk.npz")
    bank = build_body_bank(anny_body, count=8, seed=0)
    maker = ShardMaker(anny_body, bank, RealDetConfig(seed=2, clips=2, frames=12, families=(),
                                                      motion=str(tmp_path / "walk.npz")))
    try:
        generate(tmp_path / "pool", 1, maker.config, maker=maker)
    finally:
        maker.close()
    data = load_realdet(tmp_path / "pool")
    assert data["family"].tolist() == ["motion:walk", "motion:walk"]
    for poses in data["poses"]:
        _window_start(poses, file_poses)
    assert data["found"].mean() > 0.5


def test_a_motion_file_pool_is_the_same_made_by_two_workers_or_one(tmp_path):
    """The motion is fitted once in the parent and handed to the workers: same shards either way."""
    _motion_file(tmp_path / "walk.npz")
    config = RealDetConfig(seed=3, clips=1, frames=8, families=(), motion=str(tmp_path / "walk.npz"))
    generate(tmp_path / "one", 2, config, workers=1)
    generate(tmp_path / "two", 2, config, workers=2)
    one, two = load_realdet(tmp_path / "one"), load_realdet(tmp_path / "two")
    for key in ("poses", "transl", "family"):
        np.testing.assert_array_equal(one[key], two[key])
    # the same motion projected: equal up to float rounding (a worker poses on one torch thread)
    np.testing.assert_allclose(one["joints2d"], two["joints2d"], rtol=0, atol=1e-3)
