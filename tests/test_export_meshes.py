"""Round trips of the per-frame mesh folders (obj, ply)."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from lmr_studio.export import EXPORTERS
from lmr_studio.parts import PART_COLOURS
from tests.fixtures.fakes import make_random_result


@pytest.mark.parametrize("fmt", ["obj", "ply"])
def test_mesh_folder_round_trip(fmt, body, tmp_path):  # noqa: F811
    res = make_random_result(body, two_tracks=True)
    folder = EXPORTERS[fmt](res, body, tmp_path / "meshes", tracks=[1, 4], frames=(2, 6))
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([f"frame{f:06d}_track1.{fmt}" for f in (2, 3, 4)]
                           + [f"frame{f:06d}_track4.{fmt}" for f in (3, 4, 5)])
    track = res.tracks[4]
    verts, _ = body.mesh_sequence(track.poses[:1], track.betas[:1], track.transl[:1])
    mesh = trimesh.load(folder / f"frame000003_track4.{fmt}", process=False)
    np.testing.assert_allclose(mesh.vertices, verts[0], atol=1e-5)
    np.testing.assert_array_equal(mesh.faces, body.faces)
    np.testing.assert_array_equal(mesh.visual.vertex_colors[:, :3], PART_COLOURS[body.vertex_parts])


def test_ply_without_colours(body, result, tmp_path):  # noqa: F811
    folder = EXPORTERS["ply"](result, body, tmp_path / "plain", frames=(0, 1), colours=False)
    header = (folder / "frame000000_track1.ply").read_bytes().split(b"end_header")[0]
    assert b"red" not in header
