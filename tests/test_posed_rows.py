"""Meshes posed on demand: the same vertices as posing a row alone, in memory bounded whatever
the track's length."""

import numpy as np
import pytest

from lmr_studio.scene.posed_rows import CHUNK_ROWS, ChunkCache, PosedRows
from lmr_studio.scene.sequence import build_track_meshes
from tests.fixtures.fakes import FakeBody, make_waving_result


def _alone(body, poses, betas, transl, row):
    """Independent reference: ``body`` posed on ``row`` by itself."""
    return body.mesh_sequence(poses[row:row + 1], betas[row:row + 1], transl[row:row + 1])[0][0]


def test_rows_and_ghost_equal_the_body_posed_on_that_row_across_chunk_edges():
    body = FakeBody()
    result = make_waving_result(3 * CHUNK_ROWS + 5)
    ghost_poses = np.random.default_rng(0).normal(0, 0.3, result.main.poses.shape).astype(np.float32)
    meshes = build_track_meshes(result, 0, body, ghost_poses=ghost_poses)
    track, transl = result.main, result.main.translation(result.image_size, result.focal)
    edges = [0, CHUNK_ROWS - 1, CHUNK_ROWS, CHUNK_ROWS + 1, 2 * CHUNK_ROWS - 1, 2 * CHUNK_ROWS, len(track) - 1]
    for row in edges + edges[::-1]:                          # forwards, then back over the edges
        np.testing.assert_allclose(meshes.vertices_at(row), _alone(body, track.poses, track.betas, transl, row),
                                   atol=1e-5)
        np.testing.assert_allclose(meshes.ghost_at(row), _alone(body, ghost_poses, track.betas, transl, row),
                                   atol=1e-5)
    assert build_track_meshes(result, 0, body).ghost_at(0) is None
    with pytest.raises(IndexError):
        meshes.vertices_at(len(track))


def test_the_ground_sample_spreads_at_most_64_rows_over_the_whole_path():
    body = FakeBody()
    result = make_waving_result(1000)
    meshes = build_track_meshes(result, 0, body)
    sample = meshes.ground_sample()
    assert sample.shape == (64, FakeBody.num_vertices, 3)
    np.testing.assert_allclose(sample[0], meshes.vertices_at(0), atol=1e-5)
    np.testing.assert_allclose(sample[-1], meshes.vertices_at(999), atol=1e-5)
    assert build_track_meshes(make_waving_result(5), 0, body).ground_sample().shape[0] == 5


class CountingBody(FakeBody):
    """FakeBody that counts the rows it poses (to see the work batched and the cache used)."""

    def __init__(self):
        self.rows_posed = 0

    def mesh_sequence(self, poses, betas, transl=None):
        self.rows_posed += len(poses)
        return super().mesh_sequence(poses, betas, transl)


def test_the_cache_stays_under_its_bound_on_a_long_track_shared_by_two_people():
    """5,000 rows of two people (8.6 MB each if all posed) through a 300 kB cache: played
    through, then seeked at random, the cache never holds more than its bound, and every row
    read is right."""
    rng = np.random.default_rng(1)
    rows = 5000
    body = CountingBody()
    cache = ChunkCache(max_bytes=300_000)
    people = []
    for k in range(2):
        poses = rng.normal(0, 0.2, (rows, 24, 3)).astype(np.float32)
        betas = np.zeros((rows, 10), np.float32)
        transl = np.tile(np.array([k, 0.0, -5.0], np.float32), (rows, 1))
        people.append((PosedRows(body, poses, betas, transl, cache), poses, betas, transl))
    chunk_bytes = CHUNK_ROWS * FakeBody.num_vertices * 3 * 4
    assert rows * FakeBody.num_vertices * 3 * 4 > 25 * cache.max_bytes
    for row in range(rows):                               # played through
        for posed, *_ in people:
            posed[row]
            assert cache.nbytes <= cache.max_bytes
    # each row posed once (batched, prefetched), not once per read; row 0, read first, also alone
    assert body.rows_posed == 2 * (rows + 1)
    assert cache.nbytes >= 2 * chunk_bytes                # it does keep what is in use
    for row in rng.integers(0, rows, 200):                # seeks
        for posed, *_ in people:
            posed[int(row)]
            assert cache.nbytes <= cache.max_bytes
    for row in (0, 2345, rows - 1):
        for posed, poses, betas, transl in people:
            np.testing.assert_allclose(posed[row], _alone(FakeBody(), poses, betas, transl, row), atol=1e-5)


def test_an_array_over_the_bound_is_returned_but_not_kept():
    cache = ChunkCache(max_bytes=100)
    small = cache.get("small", lambda: np.ones(10, np.float32))
    big = cache.get("big", lambda: np.zeros(1000, np.float32))
    assert big.shape == (1000,) and "big" not in cache
    assert "small" in cache and cache.nbytes == small.nbytes        # not dropped for nothing


def test_a_scrub_poses_rows_alone_and_playback_poses_chunks():
    """Reads out of sequence (a drag of the playhead) pose only the rows read; reading on from
    a row just before (playback, even dropping frames) poses its chunk once, so the frames that
    follow cost nothing."""
    body = CountingBody()
    result = make_waving_result(4 * CHUNK_ROWS)
    meshes = build_track_meshes(result, 0, body)
    for row in (70, 3, 45, 100, 40):
        meshes.vertices_at(row)
    assert body.rows_posed == 5
    for row in range(42, 4 * CHUNK_ROWS, 2):                 # play on from 40 to the end, dropping frames
        meshes.vertices_at(row)
    assert body.rows_posed == 5 + 3 * CHUNK_ROWS             # chunks 1, 2 and 3 (the last two prefetched), once


def test_a_result_that_fits_the_cache_is_posed_when_opened_and_a_long_one_is_not(tmp_path):
    """Opening a short result poses every row up front (playback then never calls the body);
    a result larger than the cache is left to be posed on demand."""
    from lmr_studio.pipeline import ProcessOptions
    from lmr_studio.scene.session import Session, iter_open

    bound = 300 * FakeBody.num_vertices * 12                  # 300 rows

    def opened(frames: int) -> tuple[CountingBody, Session]:
        body = CountingBody()
        path = tmp_path / f"r{frames}.lmr.npz"
        make_waving_result(frames).save(path)
        items = list(iter_open(None, ProcessOptions(), result_path=path, ghost=False,
                               load_body=lambda options, progress: body, cache=ChunkCache(bound)))
        return body, items[-1]

    body, session = opened(2 * CHUNK_ROWS + 3)
    posed = body.rows_posed
    assert posed == 2 * CHUNK_ROWS + 3
    for row in (0, 40, 5, 2 * CHUNK_ROWS + 2):
        session.meshes[0].vertices_at(row)
    assert body.rows_posed == posed                           # all from the cache
    body, session = opened(301)
    assert body.rows_posed == 0
