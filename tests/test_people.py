"""Every person in one camera space: translations from each person's weak-perspective camera put
them where they stand; the CLI recovers everyone unless --main-only; person colours."""

import numpy as np
import pytest

from lmr_studio.cli import main
from lmr_studio.geometry.camera import default_focal, perspective_project
from lmr_studio.people import PERSON_COLOURS, people_at, person_colour, person_colour_hex, person_summary
from lmr_studio.parts import PART_COLOURS
from lmr_studio.pipeline import ProcessOptions, iter_recover
from lmr_studio.result import MotionResult
from tests.fixtures.media import TINY_FRAMES, TINY_SIZE, standing_keypoints
from tests.test_perception_import import write_openpose
from tests.test_pipeline_process import fast_model_args, fast_models  # noqa: F401  (fixtures)


def _two_people(tmp_path):
    """A full-size person on the left and a half-size one (twice as far) on the right."""
    big = standing_keypoints(TINY_FRAMES, shift=0.0)
    big[:, :, 0] -= 24 * (big[:, :, 2] > 0)
    small = standing_keypoints(TINY_FRAMES, shift=0.0)
    small[:, :, :2] = (small[:, :, :2] - (48, 34)) * 0.5 + (76, 30)
    small[:, :, :2] *= small[:, :, 2:] > 0
    return write_openpose(tmp_path / "op", [[a, b] for a, b in zip(big, small)])


@pytest.mark.parametrize("refine", [True, False])
def test_people_stand_where_they_stand_in_one_camera_space(fast_models, tiny_video, tmp_path, refine):
    """With the refinement (the default) and without; without it the depths follow the
    weak-perspective cameras (measured within 0.1 %); the refinement moves each person's depth a
    little toward their keypoints (measured 5 %)."""
    model, body = fast_models
    options = ProcessOptions(all_tracks=True, keypoints_path=str(_two_people(tmp_path)), refine=refine)
    result = [r for r in iter_recover(tiny_video, options, model, body) if isinstance(r, MotionResult)][0]
    people = people_at(result, 5)
    assert len(people) == 2
    focal = default_focal(*TINY_SIZE)
    for person in people:  # each root lands inside its own person's box
        root = perspective_project(person.joints[None, :1], np.zeros(3, np.float32), focal, TINY_SIZE)[0, 0]
        x0, y0, x1, y1 = person.box
        assert x0 <= root[0] <= x1 and y0 <= root[1] <= y1
    left, right = sorted(people, key=lambda p: p.box[0])
    assert left.joints[0, 0] < right.joints[0, 0]  # side by side in 3D as in the image
    assert right.joints[0, 2] < left.joints[0, 2] < 0  # the small one further away
    depth_ratio = right.joints[0, 2] / left.joints[0, 2]  # both negative: in front of the camera
    scale = {p.tid: result.tracks[p.tid].cam[p.row, 0] for p in people}  # weak-perspective s
    expected = 2.0 * scale[left.tid] / scale[right.tid]  # half the box: twice as far at equal s
    assert depth_ratio == pytest.approx(expected, rel=0.15 if refine else 1e-3)


def test_cli_recovers_everyone_unless_main_only(fast_model_args, tiny_video, tmp_path):
    folder = _two_people(tmp_path)
    out = tmp_path / "all.npz"
    process = ["process", str(tiny_video), "-o", str(out), "--keypoints", str(folder), *fast_model_args]
    assert main(process) == 0
    assert len(MotionResult.load(out).tracks) == 2
    assert main([*process, "--all-tracks"]) == 0
    assert len(MotionResult.load(out).tracks) == 2
    assert main([*process, "--main-only"]) == 0
    one = MotionResult.load(out)
    assert len(one.tracks) == 1 and person_summary(one, one.main_track).startswith(f"person {one.main_track}: 24 frames")


def test_person_colours_differ_from_each_other_and_from_the_parts():
    colours = PERSON_COLOURS.astype(int)
    gaps = np.linalg.norm(colours[:, None] - colours[None], axis=-1) + np.eye(len(colours)) * 999
    assert gaps.min() > 40
    assert np.linalg.norm(colours[:, None] - PART_COLOURS.astype(int)[None], axis=-1).min() > 40
    assert person_colour(len(colours) + 2) == person_colour(2)
    assert person_colour_hex(0) == "#{:02x}{:02x}{:02x}".format(*PERSON_COLOURS[0])
