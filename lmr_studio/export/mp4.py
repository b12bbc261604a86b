"""``mp4``: the annotated video — the original frames with the recovered mesh drawn over them.

The mesh of every chosen track (the result's focal length, the track's translation) is painted by
:func:`lmr_studio.scene.mesh_paint.paint_mesh`, the video overlay's painter: coloured by body
part (grey without colours) and blended over the frame.
Optionally the BlazePose keypoints are drawn on top. Written with OpenCV's ``mp4v`` codec at the
source fps, one output frame per video frame of the range.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from lmr_studio.errors import ExportError
from lmr_studio.export.common import ProgressFn, frame_span, iter_meshes, select_tracks
from lmr_studio.io.atomic import atomic_path
from lmr_studio.parts import face_parts
from lmr_studio.perception.features import BLAZEPOSE_EDGES, VISIBILITY_THRESHOLD
from lmr_studio.result import MotionResult
from lmr_studio.scene.mesh_paint import paint_mesh
from lmr_studio.video import VideoSource


def draw_keypoints(image: np.ndarray, keypoints: np.ndarray) -> None:
    """Draw BlazePose keypoints (33, 3) (pixels + visibility) and their skeleton onto ``image``."""
    vis = keypoints[:, 2] >= VISIBILITY_THRESHOLD
    pts = np.round(keypoints[:, :2]).astype(int)
    for a, b in BLAZEPOSE_EDGES:
        if vis[a] and vis[b]:
            cv2.line(image, tuple(pts[a]), tuple(pts[b]), (255, 255, 255), 2, cv2.LINE_AA)
    for p in pts[vis]:
        cv2.circle(image, tuple(p), 3, (0, 230, 118), -1, cv2.LINE_AA)


def open_video(result: MotionResult, video) -> VideoSource:
    """The source video (``video`` or the result's own), checked against the result's size."""
    path = video or result.video_path
    if not path or not Path(path).is_file():
        raise ExportError(f"The source video {path or '(none recorded)'} was not found.",
                          "Pass the video with --video PATH.")
    source = VideoSource(path)
    if tuple(source.size) != tuple(result.image_size):
        source.close()
        raise ExportError(f"{Path(path).name} is {source.size[0]}x{source.size[1]} but the result was made from a "
                          f"{result.image_size[0]}x{result.image_size[1]} video.", "Pass the video it came from.")
    return source


def export_mp4(result: MotionResult, body, path: str | os.PathLike, *, frames=None,
               tracks: Sequence[int] | None = None, colours: bool = True, video=None,
               progress: ProgressFn | None = None, force: bool = False, keypoints: bool = False) -> Path:
    """Write the annotated video of the frame range to ``path`` (.mp4)."""
    chosen = select_tracks(result, frames, tracks)
    start, stop = frame_span(result, frames)
    focal = result.focal
    triangle_parts = face_parts(body.faces, body.vertex_parts)
    meshes = {tid: iter_meshes(body, track, result) for tid, track in chosen.items()}
    pending = {tid: next(it, None) for tid, it in meshes.items()}     # (row, verts, joints) per track
    source = open_video(result, video)
    try:
        with atomic_path(path, overwrite=force) as tmp:
            writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), result.fps, result.image_size)
            if not writer.isOpened():
                raise ExportError(f"OpenCV cannot write {Path(path).name}.", "Give the file the .mp4 extension.")
            try:
                for frame in range(start, stop):
                    if frame >= source.num_frames:
                        raise ExportError(f"The video ends at frame {source.num_frames}, before {stop}.",
                                          "Pass the video the result came from, or a shorter --frames range.")
                    image = np.array(source.read(frame))
                    for tid, item in pending.items():
                        if item is not None and chosen[tid].frame_ids[item[0]] == frame:
                            image = paint_mesh(image, item[1], body.faces, triangle_parts, focal, colours=colours)
                            pending[tid] = next(meshes[tid], None)
                    if keypoints:
                        for track in chosen.values():
                            row = track.row_of_frame(frame)
                            if row is not None:
                                draw_keypoints(image, track.keypoints2d[row])
                    writer.write(cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
                    if progress is not None:
                        progress(frame - start + 1, stop - start)
            finally:
                writer.release()
    finally:
        source.close()
    return Path(path)
