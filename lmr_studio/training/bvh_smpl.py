"""A motion-capture BVH skeleton -> the 24 SMPL joint positions (metres, y up).

Two naming schemes are recognised (the file's skeleton must be y up): SMPL's own joint names
(what ``lmr-studio export`` writes to .bvh; chosen when pelvis, left_hip and right_hip are there) and
the mocap names: Motionbuilder / Mixamo / LAFAN1 (``Hips``, ``LeftUpLeg``, ``Spine1``,
``LeftForeArm``, ...; a ``mixamorig:``-style prefix is ignored) and Character Creator / iClone
(``CC_Base_L_Thigh``, ``CC_Base_NeckTwist02``, ...; the CMU database's iClone conversion) and Daz
(``hip``, ``abdomen``, ``chest``, ``lThigh``, ``lShin``, ``lShldr``, ...; its Daz-friendly
conversion, whose takes fit on Anny 25-27 mm from their joints, mean, measured on four) and CMU's own
ASF skeleton converted to BVH (``lfemur``, ``ltibia``, ``lhumerus``, ``lradius``, ``lwrist``,
``upperneck``; subject 16's two takes fit 23.0 and 23.5 mm from theirs). Where the
skeleton has no joint for an SMPL joint: spine joints missing in a shorter spine are interpolated
between the pelvis and the neck, and the hands (SMPL 22, 23), which LAFAN1 ends at the wrist, are
placed :data:`HAND_LENGTH` beyond the wrist along the forearm.

The CMU database's Motionbuilder-friendly conversion (cgspeed: ``LHipJoint``, ``LowerBack``,
``Neck1``, in CMU's unit of 1 / 0.45 inch) roots its skeleton in the lower back, 11 cm above the
hips: its pelvis is put between the hips and its spine interpolated. Two of its takes (02_01, 05_06)
fit on Anny 25 mm from their joints (mean) so, against 49 mm with its root as the pelvis; the same
takes in the iClone conversion fit 24 and 26 mm from theirs.
"""

from __future__ import annotations

import numpy as np

from lmr_studio.errors import LMRStudioError
from lmr_studio.parts import JOINT_NAMES
from lmr_studio.training.bvh import HINT, BvhMotion

#: Mocap names (lower case, without prefix) per SMPL joint, first match wins.
MOCAP_NAMES: dict[str, tuple[str, ...]] = {
    "pelvis": ("hips", "pelvis", "root", "hip"),
    "left_hip": ("leftupleg", "leftthigh", "lhip", "lthigh", "lfemur"),
    "right_hip": ("rightupleg", "rightthigh", "rhip", "rthigh", "rfemur"),
    "left_knee": ("leftleg", "leftshin", "lknee", "lcalf", "lshin", "ltibia"),
    "right_knee": ("rightleg", "rightshin", "rknee", "rcalf", "rshin", "rtibia"),
    "left_ankle": ("leftfoot", "lankle", "lfoot"), "right_ankle": ("rightfoot", "rankle", "rfoot"),
    "left_foot": ("lefttoe", "lefttoebase", "lefttoes", "ltoebase", "ltoes"),
    "right_foot": ("righttoe", "righttoebase", "righttoes", "rtoebase", "rtoes"),
    # Character Creator: NeckTwist02 is where SMPL's neck is. Its Waist, Spine01 and Spine02 are not
    # where SMPL's spine joints are, so the three are interpolated (measured on the CMU conversion:
    # mapped one joint lower, the fits bend the spine 80 degrees when walking; Waist and Spine02
    # mapped, a network trained on the fits scored the root part of LAFAN1 2.8 mm worse
    # in PA-MPJPE than with them interpolated)
    "spine1": ("spine",), "spine2": ("spine1",), "spine3": ("spine2", "chest"),
    # CMU's Motionbuilder-friendly BVH (cgspeed) puts its Neck on Spine1, 7 cm below the shoulders;
    # its Neck1 is 3 cm above them, as a neck is (Anny's: 10 cm above its shoulders)
    "neck": ("neck1", "upperneck", "neck", "necktwist02"), "head": ("head",),
    "left_collar": ("leftshoulder", "leftcollar", "lclavicle", "lcollar"),
    "right_collar": ("rightshoulder", "rightcollar", "rclavicle", "rcollar"),
    "left_shoulder": ("leftarm", "leftupperarm", "lupperarm", "lshldr", "lhumerus"),
    "right_shoulder": ("rightarm", "rightupperarm", "rupperarm", "rshldr", "rhumerus"),
    "left_elbow": ("leftforearm", "leftlowerarm", "lforearm", "lradius"),
    "right_elbow": ("rightforearm", "rightlowerarm", "rforearm", "rradius"),
    # CMU's ASF skeleton: lwrist is the wrist, lhand a few cm beyond it
    "left_wrist": ("lefthand", "leftwrist", "lwrist", "lhand"), "right_wrist": ("righthand", "rightwrist", "rwrist", "rhand"),
}
#: Name prefixes dropped before matching: Character Creator's (``CC_Base_``, lower case, no underscores).
_PREFIXES = ("ccbase",)
#: Wrist to SMPL hand joint, metres (SMPL's mean body: about 8.5 cm).
HAND_LENGTH = 0.085
#: File units per metre the mapping accepts, guessed from the skeleton's size.
_UNITS = {"m": 1.0, "cm": 100.0, "inch": 39.37, "mm": 1000.0, "cmu": 100 / (2.54 / 0.45)}
#: Length of the bone chain from an ankle up to the head of an adult, metres (about 1.45-1.65).
_ANKLE_TO_HEAD_M = 1.55
#: A mocap root further than this (metres, median over the frames) from the hips' midpoint is not
#: where the fits' body puts its pelvis (Anny: 10 mm above the midpoint). LAFAN1's root lies 19 mm
#: from it, the iClone conversion's 22 mm, the CMU Motionbuilder-friendly conversion's 110-118 mm
#: (in the lower back).
_ROOT_ABOVE_PELVIS_M = 0.06


def _key(name: str) -> str:
    key = name.split(":")[-1].replace("_", "").replace(" ", "").lower()
    for prefix in _PREFIXES:
        key = key.removeprefix(prefix)
    return key


def _units_per_metre(motion: BvhMotion, ankle: int, head: int) -> float:
    """The unit in which the skeleton's bone chain from ``ankle`` to ``head`` (joint indices of the
    BVH) is closest to an adult's, whatever the pose."""
    def to_root(j: int) -> list[int]:
        path = [j]
        while motion.parents[path[-1]] >= 0:
            path.append(motion.parents[path[-1]])
        return path

    a, b = to_root(ankle), to_root(head)
    chain = set(a) ^ set(b)  # the joints below the common ancestor on either side
    length = float(sum(np.linalg.norm(motion.offsets[j]) for j in chain)) or 1.0
    return min(_UNITS.values(), key=lambda k: abs(np.log(length / k / _ANKLE_TO_HEAD_M)))


def smpl_joint_positions(motion: BvhMotion, source: str = "BVH") -> np.ndarray:
    """(F, 24, 3) SMPL joint positions in metres, y up, from a parsed BVH (see the module docstring)."""
    pos, _ = motion.global_transforms()
    index = {_key(n): j for j, n in enumerate(motion.names)}
    smpl_named = {_key(n) for n in JOINT_NAMES[:3]} <= set(index)  # the two schemes share some names
    found: dict[int, int] = {}
    for smpl, name in enumerate(JOINT_NAMES):
        for key in (_key(name),) if smpl_named else MOCAP_NAMES.get(name, ()):
            if key in index:
                found[smpl] = index[key]
                break
    needed = [JOINT_NAMES.index(n) for n in ("pelvis", "left_hip", "right_hip", "left_knee", "right_knee",
                                               "left_ankle", "right_ankle", "neck", "head", "left_shoulder",
                                               "right_shoulder", "left_elbow", "right_elbow", "left_wrist",
                                               "right_wrist")]
    missing = [JOINT_NAMES[j] for j in needed if j not in found]
    if missing:
        raise LMRStudioError(f"{source}: no joint for {', '.join(missing)} among {', '.join(motion.names[:30])}.",
                             "Name the joints like SMPL (pelvis, left_hip, ...) or like Mixamo / LAFAN1 "
                             "(Hips, LeftUpLeg, ...). " + HINT)
    out = np.zeros((len(pos), 24, 3))
    scale = _units_per_metre(motion, found[7], found[15])
    for smpl, j in found.items():
        out[:, smpl] = pos[:, j] / scale
    known = set(found)
    hips_mid = (out[:, 1] + out[:, 2]) / 2
    if not smpl_named and np.median(np.linalg.norm(out[:, 0] - hips_mid, axis=-1)) > _ROOT_ABOVE_PELVIS_M:
        # the pelvis between the hips, the spine between it and the neck (with the file's spine
        # joints kept, CMU's takes fit 33 mm from their joints instead of 25: module docstring)
        out[:, 0] = hips_mid
        known -= {3, 6, 9}
    return complete_smpl_joints(out, known)


def complete_smpl_joints(out: np.ndarray, found: set[int]) -> np.ndarray:
    """Fill in place the SMPL joints of ``out`` (F, 24, 3) not in ``found`` (SMPL indices) that a
    mocap skeleton may lack: spine joints between the pelvis and the neck, collars between the neck
    and the shoulders, toes in front of the ankles and hands beyond the wrists. Returns ``out``."""
    pelvis, neck = out[:, 0], out[:, 12]
    for smpl, t in ((3, 0.25), (6, 0.5), (9, 0.75)):  # spine joints the skeleton lacks
        if smpl not in found:
            out[:, smpl] = pelvis + t * (neck - pelvis)
    for collar, shoulder in ((13, 16), (14, 17)):
        if collar not in found:
            out[:, collar] = (neck + out[:, shoulder]) / 2
    for foot, ankle, knee in ((10, 7, 4), (11, 8, 5)):
        if foot not in found:  # toes 12 cm in front of the ankle, square to the shin and the hips
            out[:, foot] = out[:, ankle] + 0.12 * _unit(np.cross(out[:, ankle] - out[:, knee], out[:, 1] - out[:, 2]))
    for hand, wrist, elbow in ((22, 20, 18), (23, 21, 19)):
        if hand not in found:
            out[:, hand] = out[:, wrist] + HAND_LENGTH * _unit(out[:, wrist] - out[:, elbow])
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True).clip(1e-9)

