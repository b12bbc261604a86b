"""The views that follow the selected person over time: timeline presence marks and the dynamics plot."""

from __future__ import annotations

import numpy as np

from lmr_studio.dynamics import part_angular_speed


def show_selected_track(timeline_bar, plot, parts, result, selected: int | None, num_frames: int) -> None:
    """Mark the frames of track ``selected`` of ``result`` on ``timeline_bar`` and plot its part
    speeds (rad/s, from its poses, also while a preview is still growing) and activity on ``plot``
    with the ``parts`` panel state; nothing selected clears both."""
    if result is None or selected not in result.tracks:
        timeline_bar.set_presence(num_frames, np.zeros(0, np.int64))
        plot.set_data(num_frames, np.zeros(0, np.int64), None, None)
        return
    track = result.tracks[selected]
    timeline_bar.set_presence(num_frames, track.frame_ids)
    speed = part_angular_speed(track.poses, track.frame_ids, result.fps)
    plot.set_data(num_frames, track.frame_ids, speed, track.part_activity)
    plot.set_parts(parts)
