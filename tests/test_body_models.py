"""Properties both body backends must have (SMPL on the synthetic file, and the real Anny)."""

import numpy as np
import pytest
import torch
from scipy.spatial import cKDTree

from lmr_studio.body.base import REST_BATCH
from lmr_studio.body.smpl_backend import SmplBody
from lmr_studio.body.smpl_file import load_smpl_arrays
from lmr_studio.geometry.kinematics import forward_kinematics
from lmr_studio.geometry.rotations import axis_angle_to_matrix
from lmr_studio.parts import JOINT_NAMES, NUM_PARTS, PART_NAMES

LEFT_ARM = PART_NAMES.index("left_arm")
LEFT_ELBOW = JOINT_NAMES.index("left_elbow")
MIRROR = {i: JOINT_NAMES.index(n.replace("left", "right")) if "left" in n else
          JOINT_NAMES.index(n.replace("right", "left")) if "right" in n else i for i, n in enumerate(JOINT_NAMES)}


@pytest.fixture(params=["smpl", "anny"])
def body(request):
    return request.getfixturevalue(f"{request.param}_body")


def test_interface_shapes_and_types(body):
    v = body.num_vertices
    assert body.name in ("smpl", "anny")
    assert body.faces.dtype == np.int64 and body.faces.shape[1] == 3
    assert 0 <= body.faces.min() and body.faces.max() < v
    assert body.joint_weights.shape == (v, 24) and body.joint_weights.dtype == np.float32
    np.testing.assert_allclose(body.joint_weights.sum(1), 1.0, atol=1e-4)
    out = body(torch.zeros(3, 24, 3), torch.zeros(3, 10), torch.zeros(3, 3))
    assert out.vertices.shape == (3, v, 3) and out.joints.shape == (3, 24, 3)
    assert out.vertices.dtype == torch.float32


def test_every_vertex_in_one_of_six_parts(body):
    parts = body.vertex_parts
    assert parts.shape == (body.num_vertices,) and parts.dtype == np.uint8
    assert set(np.unique(parts)) == set(range(NUM_PARTS))


def test_zero_pose_is_upright_symmetric_t_pose(body):
    out = body(torch.zeros(1, 24, 3), torch.zeros(1, 10))
    verts, joints = out.vertices[0].numpy(), out.joints[0].numpy()
    mirrored = verts * np.array([-1.0, 1.0, 1.0])
    distance, _ = cKDTree(verts).query(mirrored)
    assert distance.max() < 0.01  # metres
    np.testing.assert_allclose(joints * [-1, 1, 1], joints[list(MIRROR.values())], atol=0.01)
    head, pelvis = joints[JOINT_NAMES.index("head")], joints[0]
    assert head[1] - pelvis[1] > 0.3                               # y up
    wrist = joints[JOINT_NAMES.index("left_wrist")]
    shoulder = joints[JOINT_NAMES.index("left_shoulder")]
    assert wrist[0] - shoulder[0] > 0.3 and abs(wrist[1] - shoulder[1]) < 0.1  # T-pose, left at +x


def test_left_elbow_bend_moves_only_the_left_forearm(body):
    pose = torch.zeros(1, 24, 3)
    rest = body(pose, torch.zeros(1, 10))
    pose[0, LEFT_ELBOW] = torch.tensor([0.0, 1.2, 0.0])
    bent = body(pose, torch.zeros(1, 10))
    moved = (bent.vertices - rest.vertices)[0].norm(dim=-1).numpy() > 1e-4
    assert moved.sum() > 0
    assert np.all(body.vertex_parts[moved] == LEFT_ARM)
    moved_joints = set(np.flatnonzero((bent.joints - rest.joints)[0].norm(dim=-1).numpy() > 1e-4))
    assert moved_joints == {JOINT_NAMES.index("left_wrist"), JOINT_NAMES.index("left_hand")}


def test_rest_joints_and_fk_reproduce_forward(body):
    torch.manual_seed(0)
    pose, betas, transl = 0.4 * torch.randn(4, 24, 3), torch.randn(4, 10), torch.randn(4, 3)
    out = body(pose, betas, transl)
    joints, _ = forward_kinematics(axis_angle_to_matrix(pose), body.rest_joints(betas))
    torch.testing.assert_close(joints + transl[:, None], out.joints, atol=1e-4, rtol=0)


def test_rest_joints_in_batches_equal_each_shape_posed_alone(body):
    """Many shapes (a whole track's per-frame betas) go through in batches, with the joints each
    shape has in the zero pose on its own."""
    torch.manual_seed(1)
    betas = torch.randn(7, 10)
    alone = torch.cat([body(torch.zeros(1, 24, 3), shape[None]).joints for shape in betas])
    torch.testing.assert_close(body.rest_joints(betas, batch_size=3), alone, atol=1e-5, rtol=0)


def test_rest_joints_skin_at_most_a_batch_of_shapes_at_once(synthetic_smpl_file):
    """Memory follows the batch, not the number of shapes: the body model never poses more than
    ``REST_BATCH`` of them in one call (3,600 Anny shapes at once took 2 GB)."""

    class RecordingBody(SmplBody):
        def _posed(self, rotmats, betas):
            self.batches.append(len(betas))
            return super()._posed(rotmats, betas)

    body = RecordingBody(load_smpl_arrays(synthetic_smpl_file))
    body.batches = []
    assert body.rest_joints(torch.zeros(300, 10)).shape == (300, 24, 3)
    assert body.batches == [REST_BATCH] * (300 // REST_BATCH) + [300 % REST_BATCH]


def test_knee_flexion_moves_the_foot_backwards(body):
    """A positive x-rotation of the knee bends it as in SMPL: the ankle goes back (-z) and up."""
    pose = torch.zeros(1, 24, 3)
    rest = body(pose, torch.zeros(1, 10)).joints[0]
    pose[0, JOINT_NAMES.index("left_knee"), 0] = 1.2
    bent = body(pose, torch.zeros(1, 10)).joints[0]
    ankle = JOINT_NAMES.index("left_ankle")
    assert bent[ankle, 2] < rest[ankle, 2] - 0.1 and bent[ankle, 1] > rest[ankle, 1] + 0.05


def test_mesh_sequence_matches_forward(body):
    poses = 0.3 * np.random.default_rng(1).standard_normal((5, 24, 3)).astype(np.float32)
    betas = np.zeros((5, 10), np.float32)
    transl = np.tile(np.float32([0.1, 0.2, -3.0]), (5, 1))
    verts, joints = body.mesh_sequence(poses, betas, transl, batch_size=2)
    assert verts.shape == (5, body.num_vertices, 3) and verts.dtype == np.float32
    out = body(torch.from_numpy(poses[3:4]), torch.from_numpy(betas[3:4]), torch.from_numpy(transl[3:4]))
    np.testing.assert_allclose(verts[3], out.vertices[0].numpy(), atol=1e-5)
    np.testing.assert_allclose(joints[3], out.joints[0].numpy(), atol=1e-5)


def test_gradients_reach_every_pose_and_shape_row(body):
    pose = (0.3 * torch.randn(2, 24, 3)).requires_grad_()
    betas = torch.zeros(2, 10, requires_grad=True)  # equal rows: each must still get its gradient
    out = body(pose, betas)
    (out.vertices.square().sum() + out.joints.sum()).backward()
    assert torch.isfinite(pose.grad).all() and (pose.grad.abs().sum((1, 2)) > 0).all()
    assert (betas.grad.abs().sum(1) > 0).all()
