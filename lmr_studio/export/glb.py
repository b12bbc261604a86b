"""``glb``: one animated, skinned glTF 2.0 binary for Blender, three.js, Unity (glTFast) and others.

Per track: a mesh in its bind pose (zero pose, the track's mean shape) with smooth normals,
per-vertex part colours (``COLOR_0``, linear RGB) and skinning (``JOINTS_0``/``WEIGHTS_0``: the body model's four largest
SMPL-joint weights per vertex, renormalised); a 24-joint skeleton named ``track{ID}_{joint}`` with
inverse bind matrices; and, in one animation named ``motion``, keyframed joint rotations and the
root (pelvis) translation at the video frames' times (seconds from the first exported frame).
glTF and our camera frame agree: metres, y up, the person facing +z (the camera).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pygltflib as gl
import roma
import torch

from lmr_studio.export.common import ProgressFn, select_tracks, vertex_colours
from lmr_studio.export.skeleton import track_skeleton
from lmr_studio.geometry.normals import vertex_normals
from lmr_studio.io.atomic import atomic_path
from lmr_studio.parts import JOINT_NAMES, PARENTS
from lmr_studio.result import MotionResult, Track

#: Skinning influences kept per vertex (glTF's one JOINTS_0/WEIGHTS_0 pair).
INFLUENCES = 4

_TYPES = {1: gl.SCALAR, 3: gl.VEC3, 4: gl.VEC4, 16: gl.MAT4}
_COMPONENTS = {np.dtype(np.float32): gl.FLOAT, np.dtype(np.uint32): gl.UNSIGNED_INT,
               np.dtype(np.uint8): gl.UNSIGNED_BYTE}


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 sRGB -> float32 linear RGB in [0, 1] (glTF vertex colours are linear)."""
    c = np.asarray(rgb, np.float32) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4).astype(np.float32)


def top_weights(joint_weights: np.ndarray, k: int = INFLUENCES) -> tuple[np.ndarray, np.ndarray]:
    """(V, 24) skinning weights -> (joints (V, k) uint8, weights (V, k) float32 summing to 1).

    An unused influence (weight 0) names joint 0, as the glTF spec asks of unused slots
    (the Khronos validator warns ACCESSOR_JOINTS_USED_ZERO_WEIGHT otherwise)."""
    w = np.asarray(joint_weights, np.float32)
    idx = np.argsort(-w, axis=1)[:, :k]
    top = np.take_along_axis(w, idx, 1)
    top /= np.clip(top.sum(1, keepdims=True), 1e-12, None)
    idx[top == 0] = 0
    return idx.astype(np.uint8), top.astype(np.float32)


def continuous_quaternions(rotations: np.ndarray) -> np.ndarray:
    """(F, 24, 3, 3) rotations -> (F, 24, 4) glTF quaternions (x, y, z, w), signs chosen so that
    consecutive keys interpolate the short way."""
    q = roma.rotmat_to_unitquat(torch.as_tensor(rotations)).numpy()
    for f in range(1, len(q)):
        flip = (q[f] * q[f - 1]).sum(-1) < 0
        q[f, flip] *= -1
    return q.astype(np.float32)


class _Builder:
    """Accumulates one binary buffer and the glTF objects that point into it."""

    def __init__(self) -> None:
        self.gltf = gl.GLTF2(asset=gl.Asset(generator="LMR Studio"), scene=0, scenes=[gl.Scene(nodes=[])],
                             buffers=[gl.Buffer(byteLength=0)])
        self.blob = bytearray()

    def accessor(self, array: np.ndarray, target: int | None = None, minmax: bool = False) -> int:
        """Add ``array`` (N, C) or (N,) as an accessor; returns its index."""
        array = np.ascontiguousarray(array)
        width = 1 if array.ndim == 1 else int(np.prod(array.shape[1:]))
        self.blob.extend(b"\0" * (-len(self.blob) % 4))
        self.gltf.bufferViews.append(gl.BufferView(buffer=0, byteOffset=len(self.blob),
                                                   byteLength=array.nbytes, target=target))
        self.blob.extend(array.tobytes())
        flat = array.reshape(len(array), width)
        self.gltf.accessors.append(gl.Accessor(
            bufferView=len(self.gltf.bufferViews) - 1, componentType=_COMPONENTS[array.dtype],
            count=len(array), type=_TYPES[width],
            min=flat.min(0).tolist() if minmax else None, max=flat.max(0).tolist() if minmax else None))
        return len(self.gltf.accessors) - 1

    def finish(self) -> gl.GLTF2:
        self.blob.extend(b"\0" * (-len(self.blob) % 4))
        self.gltf.buffers[0].byteLength = len(self.blob)
        self.gltf.set_binary_blob(bytes(self.blob))
        return self.gltf


def add_track(b: _Builder, body, tid: int, track: Track, result: MotionResult, t0: float,
              colours: np.ndarray | None, animation: gl.Animation) -> None:
    """Add one track's skinned mesh, skeleton and animation channels."""
    skeleton = track_skeleton(body, track, result)
    betas = np.asarray(track.betas, np.float32).mean(0, keepdims=True)
    bind_verts, _ = body.mesh_sequence(np.zeros((1, 24, 3), np.float32), betas, None)
    joints, weights = top_weights(body.joint_weights)

    normals = vertex_normals(bind_verts[0], body.faces)
    attributes = gl.Attributes(POSITION=b.accessor(bind_verts[0].astype(np.float32), gl.ARRAY_BUFFER, True),
                               NORMAL=b.accessor(normals, gl.ARRAY_BUFFER),
                               JOINTS_0=b.accessor(joints, gl.ARRAY_BUFFER),
                               WEIGHTS_0=b.accessor(weights, gl.ARRAY_BUFFER))
    if colours is not None:
        attributes.COLOR_0 = b.accessor(srgb_to_linear(colours), gl.ARRAY_BUFFER)
    indices = b.accessor(np.asarray(body.faces, np.uint32).reshape(-1), gl.ELEMENT_ARRAY_BUFFER)
    b.gltf.meshes.append(gl.Mesh(name=f"track{tid}", primitives=[
        gl.Primitive(attributes=attributes, indices=indices, material=0)]))

    first = len(b.gltf.nodes)
    offsets = skeleton.offsets
    for j, name in enumerate(JOINT_NAMES):
        children = [first + c for c, p in enumerate(PARENTS) if p == j]
        b.gltf.nodes.append(gl.Node(name=f"track{tid}_{name}", translation=offsets[j].tolist(),
                                    children=children or None))
    ibm = np.tile(np.eye(4, dtype=np.float32), (24, 1, 1))
    ibm[:, :3, 3] = -skeleton.rest
    inverse_bind = b.accessor(ibm.transpose(0, 2, 1).reshape(24, 16).copy())    # column-major
    b.gltf.skins.append(gl.Skin(name=f"track{tid}", joints=list(range(first, first + 24)),
                                skeleton=first, inverseBindMatrices=inverse_bind))
    b.gltf.nodes.append(gl.Node(name=f"track{tid}_mesh", mesh=len(b.gltf.meshes) - 1,
                                skin=len(b.gltf.skins) - 1))
    b.gltf.scenes[0].nodes += [first, len(b.gltf.nodes) - 1]

    times = b.accessor((track.frame_ids / result.fps - t0).astype(np.float32), minmax=True)
    quats = continuous_quaternions(skeleton.rotations)
    outputs = [(first, "translation", skeleton.root_positions.astype(np.float32))]
    outputs += [(first + j, "rotation", quats[:, j]) for j in range(24)]
    for node, path, values in outputs:
        animation.samplers.append(gl.AnimationSampler(input=times, output=b.accessor(values),
                                                      interpolation=gl.ANIM_LINEAR))
        animation.channels.append(gl.AnimationChannel(
            sampler=len(animation.samplers) - 1, target=gl.AnimationChannelTarget(node=node, path=path)))


def export_glb(result: MotionResult, body, path: str | os.PathLike, *, frames=None,
               tracks: Sequence[int] | None = None, colours: bool = True, video=None,
               progress: ProgressFn | None = None, force: bool = False) -> Path:
    """Write the chosen tracks as one animated, skinned ``.glb``; ``video`` is unused."""
    chosen = select_tracks(result, frames, tracks)
    t0 = min(int(t.frame_ids[0]) for t in chosen.values()) / result.fps
    b = _Builder()
    b.gltf.materials.append(gl.Material(name="body", pbrMetallicRoughness=gl.PbrMetallicRoughness(
        baseColorFactor=[1.0, 1.0, 1.0, 1.0], metallicFactor=0.0, roughnessFactor=0.8)))
    animation = gl.Animation(name="motion", samplers=[], channels=[])
    rgb = vertex_colours(body, colours)
    for i, (tid, track) in enumerate(chosen.items()):
        add_track(b, body, tid, track, result, t0, rgb, animation)
        if progress is not None:
            progress(i + 1, len(chosen))
    b.gltf.animations.append(animation)
    gltf = b.finish()
    with atomic_path(path, overwrite=force) as tmp:
        gltf.save_binary(str(tmp))
    return Path(path)
