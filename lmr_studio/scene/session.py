"""Open a video or a saved result for viewing: process (or reload), pose the body and the ghost
(the single-RNN baseline's poses, which the pipeline computes on LMR's own inputs).

:func:`iter_open` is a plain generator (no Qt) that the GUI worker drives: it yields pipeline
``Progress`` records and, last, a :class:`Session` with everything the views index by frame.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path


from lmr_studio.pipeline import (ProcessOptions, Progress, iter_process, load_in_thread, load_models,
                                 result_path_for)
from lmr_studio.result import MotionResult
from lmr_studio.scene.posed_rows import ChunkCache
from lmr_studio.scene.sequence import TrackMeshes, build_track_meshes


@dataclasses.dataclass
class Session:
    """A result ready to view. ``meshes`` maps track id -> TrackMeshes; ``body`` is the BodyModel."""

    result: MotionResult
    body: object
    meshes: dict[int, TrackMeshes]
    video_path: Path | None = None
    result_path: Path | None = None
    reloaded: bool = False


def _default_body(options: ProcessOptions, progress=None):
    from lmr_studio.body import load_body_model

    return load_body_model(options.body_model, smpl_path=options.smpl_path, progress=progress)


def iter_open(video_path: str | Path | None, options: ProcessOptions, cancel: threading.Event | None = None, *,
              result_path: str | Path | None = None, ghost: bool = True, reprocess: bool = False,
              load_body=_default_body, process=iter_process, load=load_models,
              cache: ChunkCache | None = None) -> Iterator[Progress | Session]:
    """Yield Progress while getting a result for ``video_path`` (reloaded from
    ``result_path_for(video)`` when present unless ``reprocess``; or read from ``result_path``),
    then a :class:`Session`. Yields nothing more after a cancel. ``load_body(options, progress)`` and
    ``process(video, options, cancel, load)`` with ``load(options, progress) -> (network, body)``
    are injectable for tests, as is the mesh ``cache`` (default: a new :class:`ChunkCache`). One body model per session: after processing, the body that
    ``load`` gave the pipeline poses the meshes too."""
    cancel = cancel or threading.Event()
    loaded: dict[str, object] = {}                  # the body model the pipeline loads, if it runs
    video = Path(video_path) if video_path else None
    saved = Path(result_path) if result_path else (result_path_for(video) if video else None)
    reloaded = saved is not None and saved.exists() and (result_path is not None or not reprocess)
    if reloaded:
        yield Progress("open", 0, 1, f"reading {saved.name}")
        result = MotionResult.load(saved)
        if result.body_model in ("anny", "smpl"):           # show it with the body it was made with
            options = dataclasses.replace(options, body_model=result.body_model)
        if video is None and result.video_path and Path(result.video_path).exists():
            video = Path(result.video_path)
    else:
        result = None
        def load_and_keep(opts: ProcessOptions, progress):
            network, loaded["body"] = load(opts, progress)
            return network, loaded["body"]

        for item in process(video, dataclasses.replace(options, baseline=ghost), cancel, load_and_keep):
            if isinstance(item, MotionResult):
                result = item
            else:
                yield item
        if result is None or cancel.is_set():
            return
        result.save(saved)
    body = loaded.get("body")
    if body is None:
        yield Progress("meshes", 0, 1, f"loading the {options.body_model} body model (the first Anny build takes minutes)")
        for item in load_in_thread(lambda progress: load_body(options, progress), cancel):  # relays build progress
            if isinstance(item, Progress):
                yield item
            else:
                body = item[1]
    if body is None:
        return
    meshes: dict[int, TrackMeshes] = {}
    cache = cache if cache is not None else ChunkCache()  # one memory bound for all the people of the result
    for tid, track in result.tracks.items():
        ghost_poses = track.baseline_poses if ghost and tid == result.main_id else None
        meshes[tid] = build_track_meshes(result, tid, body, ghost_poses, cache)
    rows = [p for m in meshes.values() for p in (m.posed, m.ghost_posed) if p is not None]
    if sum(p.nbytes(len(body.vertex_parts)) for p in rows) <= cache.max_bytes:  # fits: pose it all now
        for i, posed in enumerate(rows):
            if cancel.is_set():
                return
            posed.warm()
            yield Progress("meshes", i + 1, len(rows), f"posed {len(posed)} frames")
    yield Session(result, body, meshes, video, saved, reloaded)
