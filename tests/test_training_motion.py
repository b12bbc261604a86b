"""Motion families: in the joint limits, smooth, seeded; the new families widen the pose coverage."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.training.coverage import joint_limit_coverage, pool_euler
from lmr_studio.training.motion import (EVERYDAY_FAMILIES, FIRST_TRAIN_FAMILIES, GESTURE_FAMILIES, JOINT_LIMITS,
                                        STYLE_STD, TEST_FAMILIES, TRAIN_FAMILIES, generate_motion)
from tests.fixtures.body import REST_JOINTS

NEW_FAMILIES = EVERYDAY_FAMILIES + GESTURE_FAMILIES + ("climb", "jump")
#: Peak joint acceleration allowed (m/s^2), below the first families' peaks (boxing and
#: part_switch reach 800-1000 m/s^2 on a hand, a punch's order of magnitude).
MAX_ACCEL = 250.0


def _world_joints(clip) -> np.ndarray:
    """(F, 24, 3) joints on the fixture skeleton, root translation included (metres)."""
    rest = torch.from_numpy(REST_JOINTS).float().expand(len(clip.poses), -1, -1)
    joints, _ = forward_kinematics(axis_angle_to_matrix(torch.from_numpy(clip.poses)), rest)
    return joints.numpy() + clip.transl[:, None]


def test_every_new_family_is_split_once():
    assert set(NEW_FAMILIES) <= set(TRAIN_FAMILIES) | set(TEST_FAMILIES)
    assert not set(TRAIN_FAMILIES) & set(TEST_FAMILIES)


@pytest.mark.parametrize("family", NEW_FAMILIES)
def test_new_family_is_seeded_within_limits_and_smooth(family):
    for seed in range(3):
        a = generate_motion(family, 240, np.random.default_rng(seed))
        b = generate_motion(family, 240, np.random.default_rng(seed))
        np.testing.assert_array_equal(a.poses, b.poses)
        np.testing.assert_array_equal(a.transl, b.transl)
        lo, hi = JOINT_LIMITS[1:, :, 0], JOINT_LIMITS[1:, :, 1]
        assert (a.euler[:, 1:] >= lo).all() and (a.euler[:, 1:] <= hi).all()
        joints = _world_joints(a)
        accel = np.linalg.norm(joints[2:] - 2 * joints[1:-1] + joints[:-2], axis=-1) * a.fps ** 2
        assert accel.max() < MAX_ACCEL, f"{family} seed {seed}: {accel.max():.0f} m/s^2"
    other = generate_motion(family, 240, np.random.default_rng(99))
    assert not np.allclose(other.poses, a.poses)


def _pelvis_height(clip) -> np.ndarray:
    return clip.transl[:, 1]


def _torso_up(clip) -> np.ndarray:
    """(F,) y component of the pelvis-to-neck direction: 1 upright, 0 horizontal."""
    joints = _world_joints(clip)
    d = joints[:, 12] - joints[:, 0]
    return d[:, 1] / np.linalg.norm(d, axis=-1)


def test_families_do_what_they_say():
    rng = np.random.default_rng(4)
    crouch = generate_motion("crouch", 600, rng)
    knees = np.abs(crouch.euler[:, [4, 5], 0]).max(1)
    assert knees.max() > 120 and np.ptp(_pelvis_height(crouch)) > 0.4  # deep knee bend, pelvis down
    lie = generate_motion("lie_down", 600, rng)
    assert _torso_up(lie).min() < 0.2 and _torso_up(lie).max() > 0.9  # lies flat, gets up again
    crawl = generate_motion("crawl", 300, rng)
    assert np.abs(_torso_up(crawl)).max() < 0.35  # torso about horizontal throughout
    reach = generate_motion("reach_overhead", 600, rng)
    arm_up = _world_joints(reach)[:, [20, 21], 1] - _world_joints(reach)[:, [16, 17], 1]
    assert arm_up.max() > 0.4  # a wrist well above its shoulder
    turn = generate_motion("turn_around", 600, rng)
    yaw = np.unwrap(np.arctan2(*_forward(turn).T))
    assert np.ptp(yaw) > 2 * np.pi  # a whole turn at least


def _forward(clip) -> np.ndarray:
    """(F, 2) the body's horizontal facing (x, z) from the root rotation."""
    rot = axis_angle_to_matrix(torch.from_numpy(clip.poses[:, 0])).numpy()
    return rot[:, [0, 2], 2]


def test_coverage_grows_with_the_new_families():
    """On a small pool (3,584 frames, coarse 4-bin grid); the CLI's figure uses 17,920 frames, 8 bins."""
    first = joint_limit_coverage(pool_euler(FIRST_TRAIN_FAMILIES, 28, 128, seed=0), bins=4)
    now = joint_limit_coverage(pool_euler(TRAIN_FAMILIES, 28, 128, seed=0), bins=4)  # same number of frames
    assert now["joint3d"] > first["joint3d"] + 0.1  # both with each clip's posture offsets (STYLE_STD)
    for part, cov in now["per_part"].items():
        assert cov["joint3d"] > first["per_part"][part]["joint3d"], part


def test_coverage_counts_cells_like_a_histogram():
    euler = np.zeros((4, 24, 3))
    lo, hi = JOINT_LIMITS[:, :, 0], JOINT_LIMITS[:, :, 1]
    euler[0] = lo
    euler[1] = hi
    euler[2] = (lo + hi) / 2
    euler[3] = (lo + hi) / 2 + 1e-9  # the same cell as frame 2
    cov = joint_limit_coverage(euler, bins=4)
    assert cov["joint3d"] == pytest.approx(3 / 64, abs=1e-3)
    assert cov["axis"] == pytest.approx(3 / 4, abs=1e-3)
    assert len(cov["per_joint"]) == 23


def test_nearest_pose_angle_is_the_rms_joint_angle_of_the_part():
    from lmr_studio.training.coverage import nearest_pose_angles

    pool = np.zeros((3, 24, 3))
    pool[1, 4] = [0.7, 0.0, 0.0]  # a bent left knee
    pool[2, 19] = [0.0, 1.2, 0.0]  # a turned right elbow
    query = np.zeros((2, 24, 3))
    query[0, 0] = [0.0, 2.0, 0.0]  # turned round as a whole: the global orientation does not count
    query[1, 18] = [0.0, 0.0, np.radians(30.0)]  # the left elbow 30 degrees from every pool pose's
    angles = nearest_pose_angles(query, pool)
    assert all(np.allclose(angles[part][0], 0.0, atol=1e-4) for part in angles)
    left_arm_joints = 5  # collar, shoulder, elbow, wrist, hand
    expected = np.degrees(2 * np.arcsin(np.sin(np.radians(15.0)) / np.sqrt(left_arm_joints)))
    assert np.isclose(angles["left_arm"][1], expected, atol=1e-3)
    assert all(np.isclose(angles[part][1], 0.0, atol=1e-4) for part in angles if part != "left_arm")


def test_coverage_of_a_motion_file_from_the_command_line(tmp_path, capsys):
    """`eval --coverage --motion FILE`: per part, how near the training pool comes to the file's
    poses, beside the held-out test families; a generated training-family motion sits close."""
    import json

    from lmr_studio.cli import main
    from lmr_studio.parts import PART_NAMES

    walk = generate_motion("walk", 40, np.random.default_rng(5))
    np.savez(tmp_path / "walk.npz", joints3d=np.zeros((40, 24, 3)), poses=walk.poses, betas=np.zeros(10), fps=30.0)
    assert main(["eval", "--coverage", "--motion", str(tmp_path / "walk.npz"), "--frames", "30", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["motion"]) == set(result["test_families"]) == set(PART_NAMES)
    assert all(r["median"] <= r["p90"] for r in result["motion"].values())
    # a walk like the training pool's walks sits far nearer than the same walk with the left leg
    # bent at random by 90 degrees per joint (each pool clip has its own posture, so not at 0)
    bent = walk.poses.copy()
    rng = np.random.default_rng(0)
    axes = rng.standard_normal((40, 4, 3))
    bent[:, [1, 4, 7, 10]] = np.pi / 2 * axes / np.linalg.norm(axes, axis=-1, keepdims=True)
    np.savez(tmp_path / "bent.npz", joints3d=np.zeros((40, 24, 3)), poses=bent, betas=np.zeros(10), fps=30.0)
    assert main(["eval", "--coverage", "--motion", str(tmp_path / "bent.npz"), "--frames", "30", "--json"]) == 0
    far = json.loads(capsys.readouterr().out)["motion"]["left_leg"]["median"]
    assert result["motion"]["left_leg"]["median"] < far / 2


def _forearm_across(clip, side: int) -> np.ndarray:
    """(F,) bool: the forearm points across the front of the body, toward the other side (the
    forearm's direction in the pelvis frame has a sideways component over 0.5 toward the other arm)."""
    joints = _world_joints(clip) - clip.transl[:, None]
    rot0 = axis_angle_to_matrix(torch.from_numpy(clip.poses[:, 0])).numpy()
    elbow, wrist = (18, 20) if side == 0 else (19, 21)
    fore = np.einsum("fji,fj->fi", rot0, joints[:, wrist] - joints[:, elbow])  # into the pelvis frame
    fore /= np.linalg.norm(fore, axis=-1, keepdims=True)
    return (fore[:, 0] < -0.5) if side == 0 else (fore[:, 0] > 0.5)  # SMPL: +x is the body's left


def test_gesture_crosses_the_forearms_in_front_where_walking_does_not():
    """Forearms across the body (arms folded, holding something, aiming) are common in videos;
    the gesture family holds them on a good share of frames, a walk hardly ever."""
    gesture = [generate_motion("gesture", 240, np.random.default_rng(s)) for s in range(8)]
    walk = [generate_motion("walk", 240, np.random.default_rng(s)) for s in range(8)]
    for side in (0, 1):
        assert np.mean([_forearm_across(c, side).mean() for c in gesture]) > 0.2
        assert np.mean([_forearm_across(c, side).mean() for c in walk]) < 0.05


def test_each_training_clip_has_its_own_posture_and_test_clips_do_not():
    """The per-clip posture offsets: across walks, the neck's mean forward bend varies by about
    STYLE_STD of its limit range (the walk itself leaves the neck alone); across held-out
    jumping jacks (no offsets) it hardly varies."""
    span = JOINT_LIMITS[12, 0, 1] - JOINT_LIMITS[12, 0, 0]
    def spread(family: str, own_posture: bool | None = None) -> float:
        return float(np.std([generate_motion(family, 600, np.random.default_rng(s), own_posture=own_posture)
                             .euler[:, 12, 0].mean() for s in range(40)]))
    assert 0.7 * STYLE_STD * span < spread("walk") < 1.3 * STYLE_STD * span
    assert spread("jumping_jacks") < 0.3 * STYLE_STD * span
    assert spread("walk", own_posture=False) < 0.3 * STYLE_STD * span  # the crowd benchmark's walkers


def _forward_of_hips(clip, joint: int) -> np.ndarray:
    """(F, 2) how far (m) the left and right ``joint`` (4: knees, 7: ankles) stand in front of
    their hips along the body's heading; ``joint + 1`` is the right one (SMPL order)."""
    joints = _world_joints(clip)
    yaw = np.radians(clip.euler[:, 0, 1])
    heading = np.stack([np.sin(yaw), np.cos(yaw)], -1)  # (F, 2) over world x, z
    ahead = joints[:, [joint, joint + 1]][..., [0, 2]] - joints[:, [1, 2]][..., [0, 2]]
    return np.einsum("fsk,fk->fs", ahead, heading)


def test_a_crouched_stance_brings_the_knees_forward_and_keeps_the_feet_under_the_hips():
    """The same standing clips with and without the stance: the knees move forward of the hips
    (by 60-80 mm on average over clips whose depth is drawn from 0 to 1, 50 deg of knee bend at
    the deepest), the ankles stay where they were relative to the hips, the pelvis drops."""
    knee_gain, ankle_shift, drop = [], [], []
    for seed in range(24):
        upright, crouched = (generate_motion("gesture", 90, np.random.default_rng(seed), stance=s) for s in (False, True))
        knee_gain.append(np.median(_forward_of_hips(crouched, 4) - _forward_of_hips(upright, 4)))
        ankle_shift.append(np.median(_forward_of_hips(crouched, 7) - _forward_of_hips(upright, 7)))
        drop.append(np.median(upright.transl[:, 1] - crouched.transl[:, 1]))
    assert np.mean(knee_gain) > 0.06 and np.mean(np.array(knee_gain) > 0.01) > 0.75  # shallow draws bend little
    assert abs(np.mean(ankle_shift)) < 0.3 * np.mean(knee_gain)  # each clip's lean (+/- 3 deg) differs; it averages out
    assert min(drop) >= 0 and max(drop) < 0.1


def test_a_stance_share_crouches_that_share_of_the_standing_training_clips_and_no_test_clip():
    def crouched(family: str) -> float:
        gains = []
        for seed in range(40):
            default = generate_motion(family, 60, np.random.default_rng(seed), stance_share=0.5)
            upright = generate_motion(family, 60, np.random.default_rng(seed), stance=False)
            gains.append(np.median(upright.transl[:, 1] - default.transl[:, 1]) > 1e-6)
        return float(np.mean(gains))
    assert 0.3 < crouched("gesture") < 0.7
    assert crouched("jumping_jacks") == 0.0 and crouched("crawl") == 0.0


def test_without_a_stance_share_clips_are_made_as_before():
    """The default draws nothing more from the generator: the pools and weights made before the
    stance existed are made again the same."""
    for seed in range(5):
        default = generate_motion("walk", 40, np.random.default_rng(seed))
        upright = generate_motion("walk", 40, np.random.default_rng(seed), stance=False)
        np.testing.assert_array_equal(default.poses, upright.poses)
        np.testing.assert_array_equal(default.transl, upright.transl)
