"""Reading BVH motion capture: the parser's forward kinematics, our exporter's files read back, the
mapping of mocap skeletons (SMPL names, LAFAN1 / Mixamo names) to the 24 SMPL joints, bad files.
All files are written by the tests (no LAFAN1 data here)."""

from __future__ import annotations

import numpy as np
import pytest

from lmr_studio.cli import main
from lmr_studio.errors import LMRStudioError
from lmr_studio.export import EXPORTERS
from lmr_studio.parts import JOINT_NAMES
from lmr_studio.training.bvh import parse_bvh, read_bvh
from lmr_studio.training.bvh_smpl import HAND_LENGTH, smpl_joint_positions
from lmr_studio.training.user_motion import load_motion_file
from tests.fixtures.fakes import camera_joints


def _rot(axis: str, degrees: np.ndarray) -> np.ndarray:
    """(F, 3, 3) rotations about x, y or z by ``degrees`` (written out, not scipy)."""
    a = np.radians(degrees)
    c, s, o, i = np.cos(a), np.sin(a), np.zeros_like(a), np.ones_like(a)
    m = {"X": [[i, o, o], [o, c, -s], [o, s, c]], "Y": [[c, o, s], [o, i, o], [-s, o, c]],
         "Z": [[c, -s, o], [s, c, o], [o, o, i]]}[axis]
    return np.moveaxis(np.array(m), -1, 0)


#: A 4-joint chain with mixed channel orders: (name, parent, offset, channels).
CHAIN = (("root", -1, (0.0, 0.0, 0.0), ("Xposition", "Yposition", "Zposition", "Zrotation", "Xrotation", "Yrotation")),
         ("a", 0, (0.0, 10.0, 0.0), ("Xrotation", "Yrotation", "Zrotation")),
         ("b", 1, (25.0, 0.0, 5.0), ("Yrotation", "Zrotation", "Xrotation")),
         ("c", 2, (0.0, -30.0, 0.0), ("Zrotation", "Yrotation", "Xrotation")))


def _chain_text(values: np.ndarray, frame_time: float = 1 / 30) -> str:
    lines = ["HIERARCHY"]
    for depth, (name, _, offset, channels) in enumerate(CHAIN):
        pad = "  " * depth
        lines += [f"{pad}{'ROOT' if depth == 0 else 'JOINT'} {name}", f"{pad}{{",
                  f"{pad}  OFFSET {offset[0]} {offset[1]} {offset[2]}",
                  f"{pad}  CHANNELS {len(channels)} {' '.join(channels)}"]
    lines += ["        End Site", "        {", "          OFFSET 0 -5 0", "        }"]
    lines += ["  " * d + "}" for d in range(len(CHAIN) - 1, -1, -1)]
    lines += ["MOTION", f"Frames: {len(values)}", f"Frame Time: {frame_time}"]
    lines += [" ".join(f"{v:.6f}" for v in row) for row in values]
    return "\n".join(lines) + "\n"


def test_parser_forward_kinematics_matches_a_hand_computed_chain():
    rng = np.random.default_rng(0)
    frames = 7
    values = rng.uniform(-90, 90, (frames, 15))
    values[:, :3] = rng.uniform(-100, 100, (frames, 3))
    motion = parse_bvh(_chain_text(values))
    assert motion.names == ["root", "a", "b", "c"] and motion.parents == [-1, 0, 1, 2]
    assert motion.fps == pytest.approx(30.0)
    pos, _ = motion.global_transforms()
    # Reference: local rotation = product of the listed axes in order; root sits at its position channels.
    col, world_r, world_p = 0, [], []
    for j, (_, parent, offset, channels) in enumerate(CHAIN):
        local = np.broadcast_to(np.eye(3), (frames, 3, 3))
        local_p = np.broadcast_to(np.asarray(offset), (frames, 3))
        if j == 0:
            local_p, col = values[:, :3], 3
        for ch in channels[3 if j == 0 else 0:]:
            local = local @ _rot(ch[0], values[:, col])
            col += 1
        world_p.append(local_p if parent < 0 else world_p[parent] + np.einsum("fij,fj->fi", world_r[parent], local_p))
        world_r.append(local if parent < 0 else world_r[parent] @ local)
    np.testing.assert_allclose(pos, np.stack(world_p, 1), atol=1e-6)
    bone = np.linalg.norm(pos[:, 1:] - pos[:, [0, 1, 2]], axis=-1)  # bone lengths stay the offsets'
    np.testing.assert_allclose(bone, np.broadcast_to(np.linalg.norm([c[2] for c in CHAIN[1:]], axis=1), bone.shape),
                               atol=1e-6)


def test_our_exported_bvh_reads_back_to_the_same_joints(body, result, tmp_path):
    path = EXPORTERS["bvh"](result, body, tmp_path / "m.bvh", frames=(2, 10))
    motion = read_bvh(path)
    joints = smpl_joint_positions(motion, str(path))
    track = result.main
    expected = camera_joints(track)[[track.row_of_frame(f if f != 5 else 4) for f in range(2, 10)]]
    np.testing.assert_allclose(joints, expected, atol=1e-3)  # 1 mm; metres kept (units guessed right)


#: The LAFAN1 skeleton (names, parents, rest offsets in cm along each bone's own x, as LAFAN1 has them).
LAFAN = (("Hips", -1, (0, 0, 0)), ("LeftUpLeg", 0, (0.1, 1.9, 10.5)), ("LeftLeg", 1, (43.5, 0, 0)),
         ("LeftFoot", 2, (42.4, 0, 0)), ("LeftToe", 3, (17.3, 0, 0)), ("RightUpLeg", 0, (0.1, 1.9, -10.5)),
         ("RightLeg", 5, (43.5, 0, 0)), ("RightFoot", 6, (42.4, 0, 0)), ("RightToe", 7, (17.3, 0, 0)),
         ("Spine", 0, (6.9, -2.6, 0)), ("Spine1", 9, (12.6, 0, 0)), ("Spine2", 10, (12.3, 0, 0)),
         ("Neck", 11, (25.8, 0, 0)), ("Head", 12, (11.8, 0, 0)), ("LeftShoulder", 11, (19.7, -1.5, 6.0)),
         ("LeftArm", 14, (11.3, 0, 0)), ("LeftForeArm", 15, (33.0, 0, 0)), ("LeftHand", 16, (25.2, 0, 0)),
         ("RightShoulder", 11, (19.7, -1.5, -6.0)), ("RightArm", 18, (11.3, 0, 0)),
         ("RightForeArm", 19, (33.0, 0, 0)), ("RightHand", 20, (25.2, 0, 0)))


#: LAFAN1's joint names as Character Creator / iClone names them (the CMU database's iClone conversion).
CC_NAMES = {"Hips": "CC_Base_Pelvis", "Spine": "CC_Base_Waist", "Spine1": "CC_Base_Spine01", "Spine2": "CC_Base_Spine02",
            "Neck": "CC_Base_NeckTwist02", "Head": "CC_Base_Head"}
for _side, _s in (("Left", "L"), ("Right", "R")):
    CC_NAMES.update({f"{_side}UpLeg": f"CC_Base_{_s}_Thigh", f"{_side}Leg": f"CC_Base_{_s}_Calf",
                     f"{_side}Foot": f"CC_Base_{_s}_Foot", f"{_side}Toe": f"CC_Base_{_s}_ToeBase",
                     f"{_side}Shoulder": f"CC_Base_{_s}_Clavicle", f"{_side}Arm": f"CC_Base_{_s}_Upperarm",
                     f"{_side}ForeArm": f"CC_Base_{_s}_Forearm", f"{_side}Hand": f"CC_Base_{_s}_Hand"})


#: The CMU database's Motionbuilder-friendly BVH skeleton (cgspeed; ``LHipJoint``, ``LowerBack`` and
#: ``Neck`` sit on their parents), y up, in CMU's unit (1 / 0.45 inch), offsets rounded.
CMU_MB = (("Hips", -1, (0, 0, 0)), ("LHipJoint", 0, (0, 0, 0)), ("LeftUpLeg", 1, (1.36, -1.79, 0.84)),
          ("LeftLeg", 2, (2.45, -6.73, 0)), ("LeftFoot", 3, (2.56, -7.04, 0)), ("LeftToeBase", 4, (0.16, -0.43, 2.32)),
          ("RHipJoint", 0, (0, 0, 0)), ("RightUpLeg", 6, (-1.31, -1.79, 0.84)), ("RightLeg", 7, (-2.54, -6.99, 0)),
          ("RightFoot", 8, (-2.57, -7.06, 0)), ("RightToeBase", 9, (-0.16, -0.45, 2.36)), ("LowerBack", 0, (0, 0, 0)),
          ("Spine", 11, (0.03, 2.04, -0.19)), ("Spine1", 12, (0.06, 2.05, -0.04)), ("Neck", 13, (0, 0, 0)),
          ("Neck1", 14, (-0.05, 1.75, 0.17)), ("Head", 15, (0.10, 1.76, -0.12)), ("LeftShoulder", 13, (0, 0, 0)),
          ("LeftArm", 17, (3.36, 1.20, -0.31)), ("LeftForeArm", 18, (4.98, 0, 0)), ("LeftHand", 19, (3.48, 0, 0)),
          ("RightShoulder", 13, (0, 0, 0)), ("RightArm", 21, (-3.14, 1.37, -0.40)), ("RightForeArm", 22, (-5.24, 0, 0)),
          ("RightHand", 23, (-3.44, 0, 0)))
#: Metres per CMU unit.
CMU_UNIT_M = 2.54 / 0.45 / 100


#: LAFAN1's joint names as the CMU database's Daz-friendly conversion names them (its spine has
#: only ``abdomen`` and ``chest``, its feet end at the ankle).
DAZ_NAMES = {"Hips": "hip", "Spine": "abdomen", "Spine1": "abdomen2", "Spine2": "chest", "Neck": "neck", "Head": "head"}
for _side, _s in (("Left", "l"), ("Right", "r")):
    DAZ_NAMES.update({f"{_side}UpLeg": f"{_s}Thigh", f"{_side}Leg": f"{_s}Shin", f"{_side}Foot": f"{_s}Foot",
                      f"{_side}Toe": f"{_s}FootEnd", f"{_side}Shoulder": f"{_s}Collar", f"{_side}Arm": f"{_s}Shldr",
                      f"{_side}ForeArm": f"{_s}ForeArm", f"{_side}Hand": f"{_s}Hand"})


#: LAFAN1's joint names as CMU's own (ASF) skeleton names its bones, converted to BVH (``lfemur`` starts
#: at the hip, ``lwrist`` at the wrist; its spine has ``lowerback``, ``upperback`` and ``thorax``).
ASF_NAMES = {"Hips": "hip", "Spine": "lowerback", "Spine1": "upperback", "Spine2": "thorax", "Neck": "upperneck",
             "Head": "head"}
for _side, _s in (("Left", "l"), ("Right", "r")):
    ASF_NAMES.update({f"{_side}UpLeg": f"{_s}femur", f"{_side}Leg": f"{_s}tibia", f"{_side}Foot": f"{_s}foot",
                      f"{_side}Toe": f"{_s}toes", f"{_side}Shoulder": f"{_s}clavicle", f"{_side}Arm": f"{_s}humerus",
                      f"{_side}ForeArm": f"{_s}radius", f"{_side}Hand": f"{_s}wrist"})


def _lafan_like_motion(frames: int = 5, names: dict[str, str] | None = None, skeleton=LAFAN, degrees: float = 40):
    """A BvhMotion with LAFAN1's names (or ``names`` for them) and centimetres (or another
    ``skeleton``), random rotations up to ``degrees`` (parsed from text)."""
    rng = np.random.default_rng(1)
    children = {j: [k for k, row in enumerate(skeleton) if row[1] == j] for j in range(len(skeleton))}

    def block(j: int, depth: int) -> list[str]:
        name, _, off = skeleton[j]
        name = (names or {}).get(name, name)
        pad = "  " * depth
        chans = "CHANNELS 6 Xposition Yposition Zposition Zrotation Yrotation Xrotation" if j == 0 else \
            "CHANNELS 3 Zrotation Yrotation Xrotation"
        out = [f"{pad}{'ROOT' if j == 0 else 'JOINT'} {name}", f"{pad}{{", f"{pad}  OFFSET {off[0]} {off[1]} {off[2]}",
               f"{pad}  {chans}"]
        for k in children[j]:
            out += block(k, depth + 1)
        if not children[j]:
            out += [f"{pad}  End Site", f"{pad}  {{", f"{pad}    OFFSET 0 0 0", f"{pad}  }}"]
        return out + [f"{pad}}}"]

    order = []
    stack = [0]
    while stack:  # depth-first, as the channels are written
        j = stack.pop()
        order.append(j)
        stack += children[j][::-1]
    values = np.concatenate([rng.uniform(-50, 50, (frames, 3)) + [0, 90, 0],
                             rng.uniform(-degrees, degrees, (frames, 3 * len(skeleton)))], 1)
    text = "\n".join(["HIERARCHY", *block(0, 0), "MOTION", f"Frames: {frames}", "Frame Time: 0.033333"]) + "\n"
    text += "\n".join(" ".join(f"{v:.5f}" for v in row) for row in values) + "\n"
    motion = parse_bvh(text)
    assert motion.names == [(names or {}).get(skeleton[j][0], skeleton[j][0]) for j in order]
    return motion


@pytest.mark.parametrize("names", [None, CC_NAMES, DAZ_NAMES, ASF_NAMES],
                         ids=["lafan1", "character_creator", "daz", "cmu_asf"])
def test_lafan1_names_map_to_smpl_joints_in_metres(names):
    motion = _lafan_like_motion(names=names)
    pos, _ = motion.global_transforms()
    joints = smpl_joint_positions(motion)
    lafan_name = {v: k for k, v in (names or {}).items()}
    index = {lafan_name.get(n, n): j for j, n in enumerate(motion.names)}  # LAFAN1 name -> joint
    pairs = {"pelvis": "Hips", "left_hip": "LeftUpLeg", "right_knee": "RightLeg", "left_ankle": "LeftFoot",
             "left_foot": "LeftToe", "spine1": "Spine", "neck": "Neck", "head": "Head",
             "left_collar": "LeftShoulder", "right_shoulder": "RightArm", "left_elbow": "LeftForeArm",
             "right_wrist": "RightHand"}
    if names is None:
        pairs.update({"spine2": "Spine1", "spine3": "Spine2"})
    elif names is DAZ_NAMES:  # chest is spine3, the two below it lie between the pelvis and the neck
        pairs.update({"spine3": "Spine2"})
        for smpl in ("spine1", "left_foot"):
            del pairs[smpl]
        for smpl, t in ((3, 0.25), (6, 0.5)):
            np.testing.assert_allclose(joints[:, smpl], joints[:, 0] + t * (joints[:, 12] - joints[:, 0]), atol=1e-9)
    else:  # Character Creator, CMU's ASF: the spine joints lie between the pelvis and the neck
        del pairs["spine1"]
        for smpl, t in ((3, 0.25), (6, 0.5), (9, 0.75)):
            np.testing.assert_allclose(joints[:, smpl], joints[:, 0] + t * (joints[:, 12] - joints[:, 0]), atol=1e-9)
    for smpl, mocap in pairs.items():
        np.testing.assert_allclose(joints[:, JOINT_NAMES.index(smpl)], pos[:, index[mocap]] / 100, atol=1e-9)
    shin = np.linalg.norm(joints[:, 7] - joints[:, 4], axis=-1)
    np.testing.assert_allclose(shin, 0.424, atol=1e-6)  # LeftFoot's offset, 42.4 cm, in metres
    hand = joints[:, 22] - joints[:, 20]  # no hand joint in LAFAN1: extrapolated along the forearm
    forearm = joints[:, 20] - joints[:, 18]
    np.testing.assert_allclose(np.linalg.norm(hand, axis=-1), HAND_LENGTH, atol=1e-9)
    np.testing.assert_allclose(np.einsum("fi,fi->f", hand, forearm) / np.linalg.norm(forearm, axis=-1), HAND_LENGTH,
                               atol=1e-9)


def test_cmu_motionbuilder_skeleton_maps_to_an_adult_smpl_skeleton():
    """CMU's own unit, the pelvis between the hips (its root sits in the lower back), the spine
    between the pelvis and the neck, and the neck at Neck1 (its Neck sits on Spine1, below the
    shoulders)."""
    motion = _lafan_like_motion(skeleton=CMU_MB, degrees=20)
    pos, _ = motion.global_transforms()
    joints = smpl_joint_positions(motion)
    index = {n: j for j, n in enumerate(motion.names)}
    shin = np.linalg.norm(joints[:, 7] - joints[:, 4], axis=-1)
    np.testing.assert_allclose(shin, np.linalg.norm(CMU_MB[4][2]) * CMU_UNIT_M, atol=1e-9)
    np.testing.assert_allclose(joints[:, 0], (pos[:, index["LeftUpLeg"]] + pos[:, index["RightUpLeg"]]) / 2 * CMU_UNIT_M,
                               atol=1e-9)
    for smpl, t in ((3, 0.25), (6, 0.5), (9, 0.75)):
        np.testing.assert_allclose(joints[:, smpl], joints[:, 0] + t * (joints[:, 12] - joints[:, 0]), atol=1e-9)
    for smpl, cmu in (("neck", "Neck1"), ("head", "Head"), ("left_collar", "LeftShoulder"),
                      ("right_shoulder", "RightArm"), ("left_wrist", "LeftHand")):
        np.testing.assert_allclose(joints[:, JOINT_NAMES.index(smpl)], pos[:, index[cmu]] * CMU_UNIT_M, atol=1e-9)
    rest = smpl_joint_positions(_lafan_like_motion(skeleton=CMU_MB, degrees=0))[0]
    assert 1.2 < rest[15, 1] - rest[7, 1] < 1.6  # ankle to head of an adult, metres
    assert rest[12, 1] > rest[16, 1]  # the neck above the shoulders


def test_bvh_motion_file_loads_for_eval(tmp_path, body, result):
    path = EXPORTERS["bvh"](result, body, tmp_path / "m.bvh")
    d = load_motion_file(path)
    assert d["joints3d"].shape[1:] == (24, 3) and float(d["fps"]) == pytest.approx(result.fps)


@pytest.mark.parametrize("text, message", [
    ("", "not a readable BVH"),
    ("HIERARCHY\nROOT a\n{\nOFFSET 0 0 0\nCHANNELS 3 Xrotation Yrotation Zrotation\n}\nMOTION\nFrames: 2\n"
     "Frame Time: 0.03\n1 2 3\n4 5\n", "expected 2 frames"),
    ("HIERARCHY\nROOT a\n{\nOFFSET 0 0 zero\n", "not a readable BVH"),
    ("HIERARCHY\nROOT a\n{\nOFFSET 0 0 0\nCHANNELS 3 Xrotation Yrotation Zrotation\n}\nMOTION\nFrames: 1\n"
     "Frame Time: 0.03\n1 2 3\n", "no joint for"),
])
def test_bad_bvh_files_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "bad.bvh"
    path.write_text(text)
    with pytest.raises(LMRStudioError, match=message):
        load_motion_file(path)


def test_eval_with_a_bad_motion_file_exits_2(tmp_path, capsys):
    (tmp_path / "bad.bvh").write_text("HIERARCHY\nROOT a\n")
    assert main(["eval", "--motion", str(tmp_path / "bad.bvh"), "--render"]) == 2
    assert main(["eval", "--motion", str(tmp_path / "missing.npz"), "--render"]) == 2
    assert main(["eval", "--motion", "lafan1"]) == 2  # LAFAN1 is end to end only: no download without --render
    assert main(["eval", "--render"]) == 2  # no motion
    assert main(["eval", "--coverage", "--motion", str(tmp_path / "bad.bvh")]) == 2
    assert main(["eval", "--frames", "10"]) == 2  # frames of what?
    assert main(["eval", "--smooth"]) == 2  # smooth what?
    assert main(["eval", "--no-smooth", "--quick"]) == 2
    err = capsys.readouterr().err
    assert "not a readable BVH" in err and "does not exist" in err and "Add --render" in err and "needs a motion" in err
    assert "--frames applies to end-to-end evaluation and --coverage only" in err
    assert err.count("--smooth and --no-smooth apply to the videos of --render") == 2


def test_lafan1_without_pypi_says_what_to_do(tmp_path, monkeypatch):
    """No LAFAN1 data here: the cache is empty and the package index unreachable (a closed local port)."""
    from lmr_studio.training.lafan1 import lafan1_clips

    monkeypatch.setenv("LMR_STUDIO_CACHE", str(tmp_path))
    with pytest.raises(LMRStudioError, match="Could not download bvhtools==1.6.0") as err:
        lafan1_clips(index_url="http://127.0.0.1:9/simple")
    assert "internet" in err.value.hint
    assert not list((tmp_path / "eval" / "lafan1").glob("*.bvh"))
