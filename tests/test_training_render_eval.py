"""End-to-end evaluation: follow cameras, the motion as each camera films it, scoring of pipeline
tracks (fast, on the fake body); and render -> real pipeline -> score on Anny (slow)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.spatial.transform import Rotation

from lmr_studio.geometry.camera import perspective_project
from lmr_studio.training.eval_cameras import (CAMERAS, OFF_CENTRE_CAMERAS, PERSON_PX, SCALE_AND_LENS_CAMERAS,
                                             EvalCamera, camera_vertices, extrinsics, film)
from lmr_studio.training.evaluate import ErrorSums
from lmr_studio.training.motion import generate_motion
from lmr_studio.training.render_eval import score_track
from tests.fixtures.fakes import FakeBody

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _walk(frames: int = 90):
    return generate_motion("walk", frames, np.random.default_rng(2))


@pytest.mark.parametrize("camera", CAMERAS + SCALE_AND_LENS_CAMERAS, ids=lambda c: c.name)
def test_camera_stands_where_it_says(camera):
    clip = _walk()
    pelvis = clip.transl + [0.0, 0.9, 0.0]
    rotation, centre = extrinsics(camera, pelvis, clip.poses[:, 0], clip.fps)
    np.testing.assert_allclose(rotation @ rotation.transpose(0, 2, 1), np.broadcast_to(np.eye(3), rotation.shape),
                               atol=1e-9)
    to_camera = centre - pelvis
    distance = np.linalg.norm(to_camera, axis=-1)
    assert np.abs(distance / camera.distance - 1).max() < 0.15  # follows the pelvis, smoothed
    elevation = np.degrees(np.arcsin(to_camera[:, 1] / distance))
    assert np.median(np.abs(elevation - camera.elevation)) < 3
    facing = Rotation.from_rotvec(clip.poses[:, 0]).apply([0.0, 0.0, 1.0])
    flat = lambda v: v[:, [0, 2]] / np.linalg.norm(v[:, [0, 2]], axis=-1, keepdims=True)  # noqa: E731
    # azimuth: signed angle from the person's facing to the camera, about y (counter-clockwise seen from above)
    f, c = flat(facing), flat(to_camera)
    azimuth = np.degrees(np.arctan2(f[:, 1] * c[:, 0] - f[:, 0] * c[:, 1], (f * c).sum(-1)))
    assert np.median(np.abs((azimuth - camera.azimuth + 180) % 360 - 180)) < 20  # smoothed heading
    pelvis_cam = np.einsum("fij,fj->fi", rotation, pelvis - centre)
    uv = perspective_project(pelvis_cam[:, None], np.zeros(3), camera.focal, camera.size)[:, 0]
    assert np.median(np.linalg.norm(uv - np.array(camera.size) / 2, axis=-1)) < 40  # about centred


@pytest.mark.parametrize("camera", OFF_CENTRE_CAMERAS, ids=lambda c: c.name)
def test_a_panned_camera_shows_the_person_right_of_the_centre(camera):
    """A camera panned left by ``pan`` degrees sees the pelvis f tan(pan) px right of the centre,
    at the height where its unpanned twin sees it; the cameras that do not pan keep the repr that
    keys their cached renders."""
    clip = _walk()
    pelvis = clip.transl + [0.0, 0.9, 0.0]
    twin = EvalCamera(camera.name, camera.azimuth, camera.elevation, camera.size)

    def pelvis_px(cam: EvalCamera) -> np.ndarray:
        rotation, centre = extrinsics(cam, pelvis, clip.poses[:, 0], clip.fps)
        pelvis_cam = np.einsum("fij,fj->fi", rotation, pelvis - centre)
        return perspective_project(pelvis_cam[:, None], np.zeros(3), cam.focal, cam.size)[:, 0]

    shift = pelvis_px(camera) - pelvis_px(twin)
    assert np.median(shift[:, 0]) == pytest.approx(camera.focal * np.tan(np.radians(camera.pan)), rel=0.05)
    assert np.median(np.abs(shift[:, 1])) < 5
    assert "pan" not in repr(CAMERAS) and "pan=" in repr(camera)


@pytest.mark.parametrize("camera", [EvalCamera("front", 0.0, 0.0), *SCALE_AND_LENS_CAMERAS], ids=lambda c: c.name)
def test_person_is_as_tall_as_the_camera_says(camera):
    """200 px by default; the scale and lens cameras' own height, whatever their focal length."""
    body = FakeBody()
    poses = np.zeros((3, 24, 3), np.float32)
    transl = np.zeros((3, 3), np.float32)
    filmed = film(camera, poses, np.zeros(10, np.float32), transl, body, 30.0)
    _, joints = body.mesh_sequence(poses, filmed.betas, transl)
    cam_joints = np.einsum("fij,fvj->fvi", filmed.rotation, joints - filmed.centre[:, None])
    uv = perspective_project(cam_joints, np.zeros(3), camera.focal, camera.size)
    height = uv[:, :, 1].max(1) - uv[:, :, 1].min(1)  # ankle to head: about 1.5 of 1.7 m
    assert np.all(np.abs(height / (camera.person_px * 1.5 / 1.7) - 1) < 0.1)


def test_cached_renders_keep_their_key_for_cameras_made_before_the_scale_and_lens_fields():
    """The render cache hashes the cameras' repr: fields at their defaults stay out of it."""
    assert repr(CAMERAS[0]) == "EvalCamera(name='front', azimuth=0.0, elevation=5.0, size=(640, 480))"
    assert repr(SCALE_AND_LENS_CAMERAS[2]).endswith("lens=0.6)") and CAMERAS[0].person_px == PERSON_PX
    wide = SCALE_AND_LENS_CAMERAS[2]
    assert wide.focal == pytest.approx(0.6 * 640)
    assert np.degrees(2 * np.arctan(320 / wide.focal)) == pytest.approx(79.6, abs=0.1)  # across the image


def test_filmed_truth_is_the_world_motion_turned_into_the_camera():
    body = FakeBody()
    clip = _walk(40)
    betas = np.zeros(10, np.float32)
    betas[0] = 0.5
    filmed = film(CAMERAS[2], clip.poses, betas, clip.transl, body, clip.fps)
    verts = np.concatenate(list(camera_vertices(filmed, clip.poses, clip.transl, body, batch=16)))[None]
    world_v, world_j = body.mesh_sequence(clip.poses, filmed.betas, clip.transl)
    expected = np.einsum("fij,fvj->fvi", filmed.rotation, world_v - filmed.centre[:, None])
    np.testing.assert_allclose(verts[0].reshape(expected.shape), expected, atol=1e-5)
    # the truth the pipeline is scored against: the same joints about the pelvis, camera frame
    _, cam_j = body.mesh_sequence(filmed.poses, filmed.betas)
    turned = np.einsum("fij,fvj->fvi", filmed.rotation, world_j - world_j[:, :1])
    np.testing.assert_allclose(cam_j - cam_j[:, :1], turned, atol=1e-5)


def test_scoring_a_track_with_gaps():
    body = FakeBody()
    clip = _walk(30)
    truth, betas = clip.poses, np.zeros((30, 10), np.float32)
    ids = np.array([0, 1, 2, 3, 10, 11, 12, 20, 21])
    perfect = ErrorSums()
    score_track([perfect], body, truth, betas, ids, truth[ids], betas[ids], batch=4)
    r = perfect.result()
    assert r["mpjpe"] == r["pa_mpjpe"] == r["pve"] == r["accel"] == 0.0
    bent = truth[ids].copy()
    bent[:, 18] += [0.0, 0.5, 0.0]  # left elbow bent more: only the left arm's wrist and hand move
    sums = ErrorSums()
    score_track([sums], body, truth, betas, ids, bent, betas[ids])
    r = sums.result()
    assert r["per_part"]["left_arm"]["mpjpe"] > 10 and r["per_part"]["right_leg"]["mpjpe"] == 0.0
    assert sums.total["accel"][1] == 24 * 2 + 24 * 1  # triples of consecutive frames only: 0-3 (2), 10-12 (1)


@pytest.mark.slow
def test_render_pipeline_score_on_anny(anny_body, tmp_path, monkeypatch):
    """A 60-frame walk on Anny, rendered from the front, through the real pipeline (BlazePose and a
    freshly initialised network; the keypoints are what this checks) and scored."""
    monkeypatch.setenv("LMR_STUDIO_CACHE", str(tmp_path / "cache"))  # the keypoint cache stays here
    from lmr_studio.model.weights import build_model
    from lmr_studio.training.render_eval import anny_renderer, run_pipeline

    torch.manual_seed(0)
    model = build_model("lmr").eval()
    clip = _walk(60)
    camera = CAMERAS[0]
    betas = np.zeros(10, np.float32)
    filmed = film(camera, clip.poses, betas, clip.transl, anny_body, clip.fps)
    video = anny_renderer(anny_body)(camera_vertices(filmed, clip.poses, clip.transl, anny_body),
                                      anny_body.faces, camera, tmp_path / "front.mp4")
    track = run_pipeline(video, model, anny_body)
    assert track is not None and len(track.frame_ids) >= 54  # BlazePose finds the rendered person
    _, joints = anny_body.mesh_sequence(clip.poses, filmed.betas, clip.transl)
    cam_j = np.einsum("fij,fvj->fvi", filmed.rotation, joints - filmed.centre[:, None])
    uv = perspective_project(cam_j, np.zeros(3), camera.focal, camera.size)[track.frame_ids]
    # BlazePose's shoulders and hips (11, 12, 23, 24) land near the truth's (SMPL 16, 17, 1, 2)
    err = np.linalg.norm(track.keypoints2d[:, [11, 12, 23, 24], :2] - uv[:, [16, 17, 1, 2]], axis=-1)
    print(f"BlazePose vs truth, shoulders and hips: median {np.median(err):.1f} px")
    assert np.median(err) < 8  # px, for a 200 px tall person (2.3 px measured)
    sums = ErrorSums()
    score_track([sums], anny_body, filmed.poses, filmed.betas, track.frame_ids, track.poses, track.betas)
    assert all(np.isfinite(v) for k, v in sums.result().items() if k != "per_part")


def test_stills_score_each_picked_frame_as_a_photo(anny_body, tmp_path, monkeypatch):
    """--stills: every 10th frame of a rendered 30-frame walk goes through the pipeline as a photo
    (a PNG beside the video); each is found and scored on its own frame of the truth."""
    monkeypatch.setenv("LMR_STUDIO_CACHE", str(tmp_path / "cache"))  # the keypoint cache stays here
    from lmr_studio.training.render_eval import Clip, anny_renderer, evaluate_rendered
    from lmr_studio.training.user_motion import FittedMotion

    walk = _walk(30)
    clip = Clip("walk", FittedMotion(walk.poses, np.zeros(10, np.float32), walk.transl))
    result = evaluate_rendered([clip], anny_body, ["lmr"], cameras=[CAMERAS[0]], render=anny_renderer(anny_body),
                               root=tmp_path / "render", stills=10)
    photos = sorted((tmp_path / "render").glob("walk-*/front-stills/*.png"))
    assert [p.stem for p in photos] == ["00000", "00010", "00020"]
    assert result["per_camera"]["front"]["found"] == 1.0
    assert np.isfinite(result["lmr"]["mpjpe"]) and result["lmr"]["accel"] is None


def _rotated(x: np.ndarray, degrees: float) -> np.ndarray:
    """(F, N, 3) turned about y, scaled by 1.3 and moved: what a Procrustes alignment undoes."""
    return 1.3 * Rotation.from_euler("y", degrees, degrees=True).apply(x.reshape(-1, 3)).reshape(x.shape) + 0.4


def test_limb_errors_score_the_12_marked_joints_of_either_skeleton():
    from lmr_studio.keypoint_error import MARKED_JOINTS, MARKED_LANDMARKS
    from lmr_studio.training.render_eval import limb_errors

    rng = np.random.default_rng(0)
    truth = rng.normal(size=(5, 24, 3)) * 0.3
    other = truth.copy()
    other[:, [0, 3, 6, 9, 12, 15]] += 0.2  # the spine and the head are not among the 12
    np.testing.assert_allclose(limb_errors(_rotated(other, 70.0), truth), 0.0, atol=1e-6)
    landmarks = rng.normal(size=(5, 33, 3))  # BlazePose's 33: only the marked ones count
    landmarks[:, MARKED_LANDMARKS] = _rotated(truth, -40.0)[:, MARKED_JOINTS]
    np.testing.assert_allclose(limb_errors(landmarks, truth), 0.0, atol=1e-6)
    bent = truth.copy()
    bent[:, MARKED_JOINTS[0]] += [0.0, 0.0, 0.1]  # one marked joint 10 cm off
    errors = limb_errors(bent, truth)
    assert errors.shape == (5, 12) and (errors.argmax(1) == 0).all()  # the moved joint stays the worst
    assert 0.0 < errors.mean() < 100.0  # the alignment spreads the 100 mm over the 12, never adds to it


def test_detector_world_reads_the_pipelines_keypoint_cache(tmp_path, monkeypatch):
    """BlazePose's world landmarks at the main track's frames, in our axes; NaN where none."""
    monkeypatch.setenv("LMR_STUDIO_CACHE", str(tmp_path / "cache"))
    from lmr_studio.perception.features import WORLD_AXES
    from lmr_studio.perception.keypoint_cache import cache_file, load_tracks, save_tracks
    from lmr_studio.perception.keypoints import KeypointTrack
    from lmr_studio.training.render_eval import detector_world

    video = tmp_path / "front.mp4"
    video.write_bytes(b"any content: the cache is keyed by its hash")
    world = np.random.default_rng(1).normal(size=(4, 33, 3)).astype(np.float32)
    save_tracks(cache_file(video, False), {
        0: KeypointTrack(np.array([2, 3, 4, 5]), np.ones((4, 33, 3), np.float32), world),
        1: KeypointTrack(np.array([9]), np.ones((1, 33, 3), np.float32), None)})  # 2D only: no world
    out = detector_world(load_tracks(cache_file(video, False)), np.array([1, 3, 5, 9]))
    assert np.isnan(out[[0, 3]]).all()
    np.testing.assert_allclose(out[1], world[1] * WORLD_AXES)
    np.testing.assert_allclose(out[2], world[3] * WORLD_AXES)


def test_video_scores_limbs_of_the_network_and_of_blazepose(anny_body, tmp_path, monkeypatch):
    """A rendered 30-frame walk: the limb-joint comparison has the network and BlazePose's own 3D,
    overall and per camera, and the eval table shows it."""
    monkeypatch.setenv("LMR_STUDIO_CACHE", str(tmp_path / "cache"))  # the keypoint cache stays here
    from lmr_studio.commands.eval import _render_table
    from lmr_studio.training.render_eval import DETECTOR_3D, Clip, anny_renderer, evaluate_rendered
    from lmr_studio.training.user_motion import FittedMotion

    walk = _walk(30)
    clip = Clip("walk", FittedMotion(walk.poses, np.zeros(10, np.float32), walk.transl))
    result = evaluate_rendered([clip], anny_body, ["lmr"], cameras=[CAMERAS[0]], render=anny_renderer(anny_body),
                               root=tmp_path / "render")
    limbs = result["limbs_pa_mpjpe"]
    assert set(limbs) == {"lmr", DETECTOR_3D} and all(0.0 < v < 300.0 for v in limbs.values())
    assert result["per_camera"]["front"]["limbs_pa_mpjpe"] == limbs  # one camera: the same frames
    trunk = result["trunk"]["lmr"]
    assert 0.0 <= trunk["angle_deg"] < 90.0 and abs(trunk["pitch_bias_deg"]) <= trunk["angle_deg"] + 1e-6
    assert result["per_camera"]["front"]["trunk"] == result["trunk"]
    axes = result["axes_mm"]["lmr"]  # the same offsets as MPJPE's, split: no axis exceeds their norm
    assert max(axes.values()) <= result["lmr"]["mpjpe"] + 0.01 <= sum(axes.values()) + 0.02
    assert result["per_camera"]["front"]["axes_mm"] == result["axes_mm"]
    signs = result["depth_signs_pct"]  # shares of the bones scored, for the network and the detector
    assert set(signs) == {"lmr", DETECTOR_3D} and all(0.0 <= v <= 100.0 for v in signs.values())
    true_signs = result["pa_mpjpe_true_signs"]  # the network's bones on the truth's side of the image plane
    assert set(true_signs) == {"lmr"} and 0.0 < true_signs["lmr"] < 300.0
    assert result["per_camera"]["front"]["depth_signs_pct"] == signs
    table = _render_table({**result, "fit_error_mm": {"walk": 0.0}}, ["lmr"])
    assert f"lmr={signs['lmr']:.1f} ({true_signs['lmr']:.1f} mm)" in table
    assert f"{DETECTOR_3D}={limbs[DETECTOR_3D]:.1f}" in table
    assert f"lmr={trunk['angle_deg']:.1f}/{trunk['pitch_bias_deg']:.1f}" in table
    assert f"lmr={axes['x']:.1f}/{axes['y']:.1f}/{axes['z']:.1f}" in table


def test_seed_spread_of_end_to_end_runs_covers_the_limb_joints():
    from lmr_studio.training.evaluate import METRICS
    from lmr_studio.training.render_eval import DETECTOR_3D
    from lmr_studio.training.seed_spread import seed_spread, spread_table

    def run(lmr_limbs: float) -> dict:
        return {"lmr": {m: 1.0 for m in METRICS}, "limbs_pa_mpjpe": {"lmr": lmr_limbs, DETECTOR_3D: 80.0}}

    spread = seed_spread([run(70.0), run(72.0), run(77.0)], ["lmr"])
    lmr = spread["limbs_pa_mpjpe"]["lmr"]
    np.testing.assert_allclose(lmr, [73.0, np.std([70.0, 72.0, 77.0], ddof=1)], atol=0.01)
    assert spread["limbs_pa_mpjpe"][DETECTOR_3D] == [80.0, 0.0]  # the same detector on every seed
    assert f"lmr {lmr[0]:.1f} ± {lmr[1]:.1f}" in spread_table(spread, ["lmr"], 3)
