"""Zero-lag smoothing over a track's frames: of sequences, of rotations (through 6D, never raw
axis-angle) and of BlazePose's world landmarks, and what it does to the mesh."""

from pathlib import Path

import numpy as np
import torch

from lmr_studio.geometry.rotations import axis_angle_to_matrix, matrix_to_axis_angle
from lmr_studio.smoothing import gaussian_over_frames, smooth_poses


def _turning(degrees_per_frame: float, frames: int, jitter_degrees: float, seed: int = 0) -> np.ndarray:
    """(frames, 24, 3) axis-angle: the left hip turning steadily about x, plus per-frame jitter."""
    rng = np.random.default_rng(seed)
    aa = np.zeros((frames, 24, 3), np.float32)
    aa[:, 1, 0] = np.deg2rad(degrees_per_frame * np.arange(frames))
    aa[:, 1] += np.deg2rad(jitter_degrees) * rng.normal(size=(frames, 3))
    return aa


def _angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-frame angle (degrees) between the left-hip rotations of two (F, 24, 3) pose arrays."""
    ra, rb = (axis_angle_to_matrix(torch.as_tensor(x[:, 1])) for x in (a, b))
    cos = ((torch.einsum("fij,fij->f", ra, rb) - 1) / 2).clamp(-1, 1)
    return torch.rad2deg(torch.arccos(cos)).numpy()


def test_smoothing_a_track_damps_jitter_without_lag():
    """A steady turn comes through where it was (a causal filter would trail it); jitter on it is damped."""
    frames = np.arange(60)
    steady = _turning(3.0, 60, 0.0)
    assert _angle_deg(smooth_poses(steady, frames), steady)[5:-5].max() < 0.1  # a one-frame lag: 3 degrees
    noisy = _turning(3.0, 60, 2.0)
    before, after = _angle_deg(noisy, steady).mean(), _angle_deg(smooth_poses(noisy, frames), steady).mean()
    assert after < 0.6 * before
    # a gap splits the track: frames 30 apart never mix
    split = np.r_[0:30, 60:90]
    jump = np.concatenate([steady[:30], steady[:30] + np.float32(0.5)])
    np.testing.assert_allclose(smooth_poses(jump, split)[30:], smooth_poses(jump[30:], split[30:]), atol=1e-5)


def test_rotations_near_pi_do_not_wrap():
    """A rotation turning steadily through 180 degrees flips its axis-angle vector; the filter must not."""
    angles = np.linspace(2.9, 3.4, 60)  # radians about y, crossing pi
    aa = np.zeros((60, 24, 3), np.float32)
    aa[:, 0, 1] = angles
    aa_wrapped = matrix_to_axis_angle(axis_angle_to_matrix(torch.as_tensor(aa))).numpy()  # angles kept <= pi
    assert np.abs(np.diff(aa_wrapped[:, 0, 1])).max() > 5  # the input really jumps
    out = smooth_poses(aa_wrapped, np.arange(60))
    rot_in = axis_angle_to_matrix(torch.as_tensor(aa_wrapped[:, 0]))
    rot_out = axis_angle_to_matrix(torch.as_tensor(out[:, 0]))
    # Filtered rotations stay within a few degrees of the input (no swing through zero).
    cos = ((torch.einsum("fij,fij->f", rot_in, rot_out) - 1) / 2).clamp(-1, 1)
    assert torch.rad2deg(torch.arccos(cos)).max() < 10


def test_gaussian_over_frames_is_a_normalised_convolution_that_respects_gaps():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2, 3))
    kernel = np.exp(-0.5 * (np.arange(-3, 4) / 1.5) ** 2)
    inside = sum(w * x[3 + k:37 + k] for k, w in zip(range(-3, 4), kernel)) / kernel.sum()
    np.testing.assert_allclose(gaussian_over_frames(x, np.arange(40), 1.5, 3)[3:37], inside)
    # two runs of a track 10 frames apart never mix; an end renormalises over the rows it has
    steps = np.r_[np.zeros(10), np.ones(10)][:, None]
    np.testing.assert_allclose(gaussian_over_frames(steps, np.r_[0:10, 20:30], 1.0, 3), steps)
    # a row sees frames within the radius only, however many rows lie between
    far = x.copy()
    far[9] += 100.0
    assert np.array_equal(gaussian_over_frames(far, np.arange(40), 1.0, 3)[:6], gaussian_over_frames(x, np.arange(40), 1.0, 3)[:6])
    # a frame without landmarks (NaN) stays as it is and gives its neighbours no weight
    holed = x.copy()
    holed[5] = np.nan
    out = gaussian_over_frames(holed, np.arange(40), 1.0, 3)
    assert np.isnan(out[5]).all() and np.isfinite(np.delete(out, 5, 0)).all()


def test_smoothed_world_landmarks_steady_the_mesh(smpl_body):
    """The bundled sample's true joints as BlazePose's landmarks (2D: their projections; world:
    hip-centred, in BlazePose's axes, with 3 cm of per-frame jitter) through the shipped LMR: with
    the world landmarks smoothed, the mesh's acceleration error against the truth falls."""
    from lmr_studio.model import load_model
    from lmr_studio.perception.features import WORLD_AXES
    from lmr_studio.perception.tracking import KeypointTrack
    from lmr_studio.pipeline import WORLD_SMOOTHING, Recoverer
    from lmr_studio.training.landmarks import LANDMARK_JOINT
    from lmr_studio.training.metrics import accel_errors

    truth = np.load(Path(__file__).resolve().parents[1] / "assets" / "sample" / "sample_truth.npz")
    joints, frames = truth["joints3d"], len(truth["joints3d"])
    keypoints = np.concatenate([truth["joints2d"][:, LANDMARK_JOINT], np.ones((frames, 33, 1), np.float32)], -1)
    world = (joints[:, LANDMARK_JOINT] - joints[:, [1, 2]].mean(1, keepdims=True)) * WORLD_AXES
    world = world + np.random.default_rng(0).normal(0, 0.03, world.shape)
    track = KeypointTrack(np.arange(frames), keypoints.astype(np.float32), world.astype(np.float32))
    model = load_model("lmr", None, device="cpu")

    def accel(smoothing: float) -> float:
        size = tuple(int(v) for v in truth["image_size"])
        recovered = Recoverer(model, smpl_body, size, refine=None, world_smoothing=smoothing).recover(track)
        return float(accel_errors(recovered.joints3d, joints).mean())

    raw, steady = accel(0.0), accel(WORLD_SMOOTHING)
    print(f"acceleration error {raw:.1f} -> {steady:.1f} mm/frame^2")
    assert steady < 0.8 * raw
