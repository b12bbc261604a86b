"""DeepMimic's motion-capture clips: parsing, forward kinematics, looping, mirroring and fetching."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile

import numpy as np
import pytest

from lmr_studio.errors import LMRStudioError
from lmr_studio.parts import JOINT_NAMES
from lmr_studio.training.deepmimic import (
    CLIPS, OFFSETS, clip_joints, deepmimic_clips, deepmimic_joints, held, looped, mirrored, parse_deepmimic,
)
from lmr_studio.training.bodies import build_body_bank
from lmr_studio.training.fit_cache import fit_key, training_fits_dir
from lmr_studio.training.realdet import refuse_evaluation_pools
from lmr_studio.training.user_motion import load_motion_file

IDENTITY = [1.0, 0.0, 0.0, 0.0]
J = {name: i for i, name in enumerate(JOINT_NAMES)}


def frame(root=(0.0, 0.9, 0.0), root_q=IDENTITY, right_knee=0.0, left_elbow=0.0, duration=1 / 30) -> list[float]:
    """One humanoid3d frame: every spherical joint at rest but the root."""
    return [duration, *root, *root_q, *IDENTITY, *IDENTITY, *IDENTITY, right_knee, *IDENTITY, *IDENTITY, 0.0,
            *IDENTITY, 0.0, *IDENTITY, *IDENTITY, left_elbow]


def motion_text(frames: list[list[float]], loop: str = "none") -> str:
    return json.dumps({"Loop": loop, "Frames": frames})


def test_rest_pose_hangs_the_limbs_from_the_urdf_offsets():
    joints = deepmimic_joints(np.array([frame()]))[0]
    root = np.array([0.0, 0.9, 0.0])
    np.testing.assert_allclose(joints[J["right_hip"]], root + [0, 0, 0.084887])  # the right side is +z
    np.testing.assert_allclose(joints[J["left_ankle"]], root + [0, -0.421546 - 0.40987, -0.084887])
    chest = root + [0, 0.236151, 0]
    np.testing.assert_allclose(joints[J["spine2"]], chest)
    np.testing.assert_allclose(joints[J["neck"]], chest + [0, 0.223894, 0])
    np.testing.assert_allclose(joints[J["left_wrist"]], chest + [-0.02405, 0.2435 - 0.274788 - 0.258947, -0.18311])
    np.testing.assert_allclose(joints[J["right_foot"]], joints[J["right_ankle"]] + OFFSETS["toe"])


def test_knee_and_elbow_turn_about_z_and_the_root_turns_everything():
    bent = deepmimic_joints(np.array([frame(right_knee=-np.pi / 2, left_elbow=np.pi / 2)]))[0]
    # R_z(-90 deg) takes the shin (0, -l, 0) to (-l, 0, 0): the foot goes back, as a knee bends
    np.testing.assert_allclose(bent[J["right_ankle"]] - bent[J["right_knee"]], [-0.40987, 0, 0], atol=1e-9)
    np.testing.assert_allclose(bent[J["left_wrist"]] - bent[J["left_elbow"]], [0.258947, 0, 0], atol=1e-9)
    yaw = [np.cos(np.pi / 4), 0.0, np.sin(np.pi / 4), 0.0]  # 90 deg about y: +z -> +x
    turned = deepmimic_joints(np.array([frame(root_q=yaw)]))[0]
    np.testing.assert_allclose(turned[J["right_hip"]] - turned[J["pelvis"]], [0.084887, 0, 0], atol=1e-9)


def test_looping_a_turning_cycle_four_times_walks_a_square_back_to_the_start():
    """A cycle that walks 1 m along x while turning 90 deg left: four cycles end where they began."""
    steps = 10
    cycle = []
    for k in range(steps + 1):
        angle = np.pi / 2 * k / steps
        q = [np.cos(angle / 2), 0.0, np.sin(angle / 2), 0.0]
        cycle.append(frame(root=(k / steps, 0.9, 0.0), root_q=q))
    one = deepmimic_joints(np.array(cycle))
    four = looped(one, 4)
    assert four.shape == (4 * steps + 1, 24, 3)
    np.testing.assert_allclose(four[: steps + 1], one)
    np.testing.assert_allclose(four[-1], one[0], atol=1e-9)  # a closed square
    # each join continues where the cycle before ended, at the turned heading
    np.testing.assert_allclose(four[2 * steps, 0], [1.0, 0.9, -1.0], atol=1e-9)


def test_mirror_swaps_sides_and_twice_is_the_identity():
    joints = deepmimic_joints(np.array([frame(right_knee=-1.0, left_elbow=0.5)]))
    m = mirrored(joints)
    np.testing.assert_allclose(m[:, J["left_knee"]], joints[:, J["right_knee"]] * [1, 1, -1])
    np.testing.assert_allclose(mirrored(m), joints)


def test_clips_that_do_not_loop_hold_their_ends_and_loops_fill_the_loop_time():
    frames = [frame(right_knee=-0.1 * k) for k in range(5)]
    joints, fps = clip_joints(motion_text(frames))
    assert fps == pytest.approx(30.0) and len(joints) == 5 + 2 * 30
    np.testing.assert_allclose(held(joints[:1], 2), np.repeat(joints[:1], 5, 0))
    looping, _ = clip_joints(motion_text(frames, loop="wrap"))
    assert len(looping) >= 8.0 * 30


@pytest.mark.parametrize("text, message", [
    ("[1, 2", "not a DeepMimic motion file"),
    (json.dumps({"Frames": [[0.1, 1, 2]] * 3}), "44 numbers"),
    (json.dumps({"Frames": [frame(duration=0.0), frame()]}), "lasts 0 s"),
])
def test_bad_files_say_what_is_wrong(text, message):
    with pytest.raises(LMRStudioError, match=message):
        parse_deepmimic(text)


@pytest.fixture
def only_the_given_index(monkeypatch, tmp_path):
    """pip sees no configured mirrors or wheel folders, only the ``--index-url`` a test gives, and
    the user cache is ``tmp_path / "cache"``."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    monkeypatch.delenv("PIP_EXTRA_INDEX_URL", raising=False)
    monkeypatch.setenv("LMR_STUDIO_CACHE", str(tmp_path / "cache"))


def _index_with_wheel(root, members: dict[str, bytes]) -> str:
    """A local package index (file:// URL) holding a pybullet 3.2.7 wheel with ``members``."""
    project = root / "simple" / "pybullet"
    project.mkdir(parents=True)
    name = "pybullet-3.2.7-cp311-cp311-manylinux2014_x86_64.whl"
    (project / "index.html").write_text(f'<html><body><a href="{name}">{name}</a></body></html>')
    with zipfile.ZipFile(project / name, "w") as wheel:
        wheel.writestr("pybullet-3.2.7.dist-info/METADATA", "Metadata-Version: 2.1\nName: pybullet\nVersion: 3.2.7\n")
        wheel.writestr("pybullet-3.2.7.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: false\n"
                       "Tag: cp311-cp311-manylinux2014_x86_64\n")
        wheel.writestr("pybullet-3.2.7.dist-info/RECORD", "")
        for name, data in members.items():
            wheel.writestr("pybullet_data/data/motions/" + name, data)
    return (root / "simple").as_uri()


def test_clips_are_fetched_checked_converted_and_then_read_from_the_cache(tmp_path, only_the_given_index):
    text = motion_text([frame(right_knee=-0.05 * k) for k in range(40)], loop="wrap").encode()
    clips = {"bend": ("humanoid3d_bend.txt", hashlib.sha256(text).hexdigest())}
    paths = deepmimic_clips(index_url=_index_with_wheel(tmp_path, {"humanoid3d_bend.txt": text}), clips=clips)
    assert set(paths) == {"bend", "bend_mirror"}
    d = load_motion_file(paths["bend_mirror"])
    np.testing.assert_allclose(d["joints3d"], mirrored(clip_joints(text.decode())[0]), atol=1e-6)
    # the second call needs no index: the converted clips are cached
    assert deepmimic_clips(index_url="http://127.0.0.1:9/simple", clips=clips) == paths


def test_a_changed_file_on_the_index_is_refused_and_nothing_is_written(tmp_path, only_the_given_index):
    member = CLIPS["walk"][0]
    with pytest.raises(LMRStudioError, match="holds a different humanoid3d_walk.txt"):
        deepmimic_clips(index_url=_index_with_wheel(tmp_path, {member: b"{}"}), clips={"walk": CLIPS["walk"]})
    assert not list((tmp_path / "cache" / "motion" / "deepmimic").glob("*.npz"))


def test_without_pypi_the_fetch_says_what_to_do(only_the_given_index):
    with pytest.raises(LMRStudioError, match="Could not download pybullet==3.2.7") as err:
        deepmimic_clips(index_url="http://127.0.0.1:9/simple")
    assert "internet" in err.value.hint


@pytest.mark.parametrize("motion, trainable, refused", [
    ("deepmimic", False, False), ("lafan1", False, True), ("/data/mine.npz", False, True),
    ("/data/cmu", True, False), ("lafan1", True, True)])  # LAFAN1 stays refused in a hand-edited manifest
def test_train_accepts_deepmimic_and_trainable_pools_and_refuses_other_motion_pools(tmp_path, motion, trainable,
                                                                                      refused):
    (tmp_path / "manifest.json").write_text(json.dumps({"motion": motion, "trainable": trainable}))
    if refused:
        with pytest.raises(LMRStudioError, match="for evaluation only"):
            refuse_evaluation_pools([tmp_path])
    else:
        assert refuse_evaluation_pools([tmp_path]) is None


@pytest.mark.slow  # fits 40 motions on Anny: minutes on 2 busy cores
def test_train_with_a_mocap_share_draws_the_generated_pools_clips_from_the_cached_clips(tmp_path, only_the_given_index):
    """The user's path: DeepMimic's clips already converted in the cache (here a stand-in motion
    under every clip's name), ``train --mocap-share 1`` makes every generated clip a window of them."""
    import torch

    from lmr_studio import cli
    from lmr_studio.training.deepmimic import deepmimic_folder

    joints, fps = clip_joints(motion_text([frame(right_knee=-0.04 * k, left_elbow=0.03 * k) for k in range(40)]))
    for name in CLIPS:
        for tail, j in (("", joints), ("_mirror", mirrored(joints))):
            np.savez(deepmimic_folder() / f"{name}{tail}.npz", joints3d=j, fps=np.array(fps))
    run = tmp_path / "run"
    args = ["train", "--kinds", "per_frame", "--steps", "1", "--batch", "2", "--clips", "3", "--clip-frames", "32",
            "--mocap-share", "1", "--threads", "1", "--no-progress", "--run-dir", str(run), "--out", str(tmp_path / "w")]
    assert cli.main(args) == 0
    pool = torch.load(run / "pool-s0-3x32-mocap1.pt", weights_only=True)
    assert all(f.startswith("motion:") for f in pool["families"])
    from lmr_studio.model.weights import read_weights

    assert read_weights(tmp_path / "w" / "per_frame.pt")["notes"]["mocap_share"] == 1.0


def test_train_mocap_takes_a_folder_of_motion_files_and_leaves_out_the_short_ones(tmp_path, anny_body):
    """The user's path with their own motion capture: ``train --mocap DIR --mocap-share 1`` draws
    every generated clip from the folder's motions long enough for a clip and their mirror images,
    and records the source."""
    import torch

    from lmr_studio import cli
    from lmr_studio.model.weights import read_weights

    folder = tmp_path / "mocap" / "subject"
    folder.mkdir(parents=True)
    joints, fps = clip_joints(motion_text([frame(right_knee=-0.04 * k, left_elbow=0.03 * k) for k in range(40)]))
    joints += tmp_path.stat().st_ino * 1e-9  # a motion of this run alone: no fit of it saved before
    np.savez(folder / "long.npz", joints3d=joints, fps=np.array(fps))
    sources = {"subject/long": {"joints3d": joints, "fps": np.array(fps)},
               "subject/long_mirror": {"joints3d": mirrored(joints), "fps": np.array(fps)}}
    np.savez(folder / "short.npz", joints3d=joints[:20], fps=np.array(fps))
    run = tmp_path / "run"
    args = ["train", "--kinds", "per_frame", "--steps", "1", "--batch", "2", "--clips", "8", "--clip-frames", "32",
            "--mocap", str(tmp_path / "mocap"), "--mocap-share", "1", "--threads", "1", "--no-progress",
            "--run-dir", str(run), "--out", str(tmp_path / "w")]
    assert cli.main(args) == 0
    (pool,) = run.glob("pool-s0-8x32-mocap1-*.pt")
    assert set(torch.load(pool, weights_only=True)["families"]) == {"motion:subject/long", "motion:subject/long_mirror"}
    assert read_weights(tmp_path / "w" / "per_frame.pt")["notes"]["mocap"] == [str(tmp_path / "mocap")]
    # the fits are kept for the next run (in the user cache, keyed by the motion and the body bank)
    bank = build_body_bank(anny_body, seed=0)
    for name in ("subject/long", "subject/long_mirror"):
        fit_file = training_fits_dir() / f"{name}-{fit_key(sources[name], None, 'anny', bank)}.npz"
        assert fit_file.is_file()
        fit_file.unlink()


def test_train_mocap_refuses_a_folder_without_a_long_enough_motion(tmp_path):
    from lmr_studio import cli

    joints, fps = clip_joints(motion_text([frame() for _ in range(10)]))
    np.savez(tmp_path / "short.npz", joints3d=joints[:20], fps=np.array(fps))
    args = ["train", "--kinds", "per_frame", "--steps", "1", "--clips", "3", "--clip-frames", "32",
            "--mocap", str(tmp_path), "--mocap-share", "1", "--no-progress",
            "--run-dir", str(tmp_path / "run"), "--out", str(tmp_path / "w")]
    assert cli.main(args) == 2


def test_a_trainable_motion_pool_takes_the_long_motions_and_their_mirror_images(tmp_path, smpl_body):
    """``datagen --motion DIR --trainable`` poses motion capture as ``train --mocap`` takes it: the
    motions long enough for a clip and their mirror images; the manifest says the pool is trainable."""
    from lmr_studio.training.bodies import build_body_bank
    from lmr_studio.training.realdet import RealDetConfig, motion_source

    joints, fps = clip_joints(motion_text([frame(right_knee=-0.04 * k, left_elbow=0.03 * k) for k in range(40)]))
    folder = tmp_path / "mocap"
    folder.mkdir()
    np.savez(folder / "long.npz", joints3d=joints, fps=np.array(fps))
    np.savez(folder / "short.npz", joints3d=joints[:20], fps=np.array(fps))
    config = RealDetConfig(clips=1, frames=32, families=(), motion=str(folder), trainable=True)
    source = motion_source(config, smpl_body, build_body_bank(smpl_body, count=4, seed=0))
    assert set(source.names) == {"motion:long", "motion:long_mirror"}
    assert config.manifest()["trainable"] is True
    assert "trainable" not in RealDetConfig(motion=str(folder)).manifest()  # older pools still resume


def test_datagen_trainable_needs_a_motion_and_never_takes_lafan1(tmp_path, capsys):
    from lmr_studio import cli

    out = tmp_path / "pool"
    assert cli.main(["datagen", "--shards", "1", "--trainable", "--out", str(out)]) == 2
    assert "--motion" in capsys.readouterr().err
    assert cli.main(["datagen", "--shards", "1", "--motion", "lafan1", "--trainable", "--out", str(out)]) == 2
    assert "CC BY-NC-ND" in capsys.readouterr().err and not out.exists()
