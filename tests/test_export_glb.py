"""glb: structure, and the skeleton and skinned mesh evaluated from the file's own nodes,
animation samplers and skin reproduce the body model's joints and vertices."""

from __future__ import annotations

import numpy as np
import pygltflib as gl
import pytest
import trimesh
from scipy.spatial.transform import Rotation

from lmr_studio.export import EXPORTERS
from lmr_studio.export.glb import srgb_to_linear
from lmr_studio.parts import JOINT_NAMES, PART_COLOURS
from tests.fixtures.exports import gltf_validator_reports, issues
from tests.fixtures.fakes import camera_joints, make_random_result

_WIDTH = {"SCALAR": 1, "VEC3": 3, "VEC4": 4, "MAT4": 16}
_DTYPE = {gl.FLOAT: np.float32, gl.UNSIGNED_INT: np.uint32, gl.UNSIGNED_BYTE: np.uint8}


def read_accessor(gltf: gl.GLTF2, index: int) -> np.ndarray:
    acc = gltf.accessors[index]
    view = gltf.bufferViews[acc.bufferView]
    blob = gltf.binary_blob()
    data = np.frombuffer(blob, _DTYPE[acc.componentType], acc.count * _WIDTH[acc.type],
                         view.byteOffset + (acc.byteOffset or 0))
    return data.reshape(acc.count, _WIDTH[acc.type]) if _WIDTH[acc.type] > 1 else data


def node_matrices(gltf: gl.GLTF2, time: float) -> dict[int, np.ndarray]:
    """World 4x4 matrix of every node at ``time``: a channel's value at its keyframe ``time``, or
    its first/last value outside its keyframes (glTF holds the ends); ``time`` must be a key."""
    animated: dict[tuple[int, str], np.ndarray] = {}
    for anim in gltf.animations:
        for ch in anim.channels:
            s = anim.samplers[ch.sampler]
            times, values = read_accessor(gltf, s.input), read_accessor(gltf, s.output)
            k = int(np.argmin(np.abs(times - time)))
            assert abs(times[k] - time) < 1e-5 or not times[0] < time < times[-1]
            animated[(ch.target.node, ch.target.path)] = values[k]
    local = {}
    for i, node in enumerate(gltf.nodes):
        m = np.eye(4)
        rot = animated.get((i, "rotation"), node.rotation or [0, 0, 0, 1])
        m[:3, :3] = Rotation.from_quat(rot).as_matrix()
        m[:3, 3] = animated.get((i, "translation"), node.translation or [0, 0, 0])
        local[i] = m
    world = {}

    def visit(i, parent):
        world[i] = parent @ local[i]
        for c in gltf.nodes[i].children or []:
            visit(c, world[i])

    for root in gltf.scenes[0].nodes:
        visit(root, np.eye(4))
    return world


@pytest.mark.parametrize("body_kind, vertex_tol", [
    ("fake_body", 1e-3),        # exact linear blend skinning: the glb reproduces it
    ("body", 1e-2),             # SMPL: glTF skinning has no pose correctives (7 mm here)
])
def test_glb_skeleton_and_skin_match_the_body(body_kind, vertex_tol, tmp_path, request):
    body = request.getfixturevalue(body_kind)  # noqa: F811
    res = make_random_result(body, two_tracks=True)
    path = EXPORTERS["glb"](res, body, tmp_path / "m.glb", tracks=[1, 4])
    gltf = gl.GLTF2.load(str(path))
    assert len(gltf.skins) == 2 and all(len(s.joints) == 24 for s in gltf.skins)
    assert len(gltf.animations) == 1 and len(gltf.animations[0].channels) == 2 * 25
    t0 = 0.0                                             # track 1 starts at frame 0
    for skin, tid in zip(gltf.skins, (1, 4)):
        track = res.tracks[tid]
        names = [gltf.nodes[j].name for j in skin.joints]
        assert names == [f"track{tid}_{n}" for n in JOINT_NAMES]
        mesh_node = next(n for n in gltf.nodes if n.skin == gltf.skins.index(skin))
        prim = gltf.meshes[mesh_node.mesh].primitives[0]
        bind = read_accessor(gltf, prim.attributes.POSITION).astype(np.float64)
        joints = read_accessor(gltf, prim.attributes.JOINTS_0)
        weights = read_accessor(gltf, prim.attributes.WEIGHTS_0)
        np.testing.assert_allclose(weights.sum(1), 1, atol=1e-6)
        np.testing.assert_allclose(np.linalg.norm(read_accessor(gltf, prim.attributes.NORMAL), axis=1), 1, atol=1e-5)
        np.testing.assert_allclose(read_accessor(gltf, prim.attributes.COLOR_0),
                                   srgb_to_linear(PART_COLOURS[body.vertex_parts]))
        np.testing.assert_array_equal(read_accessor(gltf, prim.indices).reshape(-1, 3), body.faces)
        ibm = read_accessor(gltf, skin.inverseBindMatrices).reshape(24, 4, 4).transpose(0, 2, 1)
        expected_verts, _ = body.mesh_sequence(track.poses, track.betas, track.transl)
        for k in (0, len(track) // 2, len(track) - 1):
            world = node_matrices(gltf, track.frame_ids[k] / res.fps - t0)
            got = np.array([world[j][:3, 3] for j in skin.joints])
            np.testing.assert_allclose(got, camera_joints(track)[k], atol=1e-3)      # 1 mm
            skinning = np.stack([world[j] @ ibm[i] for i, j in enumerate(skin.joints)])   # (24, 4, 4)
            per_influence = np.einsum("vkab,vb->vka", skinning[joints], np.c_[bind, np.ones(len(bind))])
            verts = (weights[..., None] * per_influence[..., :3]).sum(1)
            np.testing.assert_allclose(verts, expected_verts[k], atol=vertex_tol)


def test_glb_loads_in_trimesh_and_without_colours(body, result, tmp_path):  # noqa: F811
    path = EXPORTERS["glb"](result, body, tmp_path / "plain.glb", colours=False, frames=(3, 9))
    gltf = gl.GLTF2.load(str(path))
    assert gltf.meshes[0].primitives[0].attributes.COLOR_0 is None
    times = read_accessor(gltf, gltf.animations[0].samplers[0].input)
    np.testing.assert_allclose(times, (np.array([3, 4, 6, 7, 8]) - 3) / result.fps, atol=1e-6)
    scene = trimesh.load(path)
    assert sum(len(g.vertices) for g in scene.geometry.values()) == body.num_vertices


@pytest.mark.slow
def test_glb_on_the_anny_body(anny_body, tmp_path):
    res = make_random_result(anny_body, num_frames=6)
    path = EXPORTERS["glb"](res, anny_body, tmp_path / "anny.glb")
    gltf = gl.GLTF2.load(str(path))
    track = res.main
    world = node_matrices(gltf, track.frame_ids[3] / res.fps)
    got = np.array([world[j][:3, 3] for j in gltf.skins[0].joints])
    np.testing.assert_allclose(got, camera_joints(track)[3], atol=1e-3)


def test_anny_glb_passes_the_khronos_validator(anny_body, tmp_path):
    """The default body's glb (104-bone rig mapped to 24 joints, so many vertices have fewer than
    four influences) has no validator errors or warnings; unused influences name joint 0."""
    res = make_random_result(anny_body)
    path = EXPORTERS["glb"](res, anny_body, tmp_path / "anny.glb")
    (report,) = gltf_validator_reports([path])
    assert (report["numErrors"], report["numWarnings"]) == (0, 0), issues(report)[:3]
    gltf = gl.GLTF2.load(str(path))
    prim = gltf.meshes[0].primitives[0]
    joints, weights = read_accessor(gltf, prim.attributes.JOINTS_0), read_accessor(gltf, prim.attributes.WEIGHTS_0)
    assert (weights == 0).any() and (joints[weights == 0] == 0).all()
