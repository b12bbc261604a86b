"""Timeline clock, part visibility and per-part angular speed (no Qt, no display)."""

import numpy as np
import pytest

from lmr_studio.dynamics import part_angular_speed
from lmr_studio.playback import PartVisibility, Timeline
from tests.fixtures.fakes import waving_poses


def test_timeline_drops_frames_to_keep_real_time():
    tl = Timeline(num_frames=100, fps=25.0)
    tl.play()
    assert tl.advance(0.02) == 0            # half a frame: not yet
    assert tl.advance(0.02) == 1            # 0.04 s in total = one frame
    assert tl.advance(0.2) == 6             # a slow draw: skip ahead five frames at once
    tl.speed = 2.0
    assert tl.advance(0.04) == 8
    tl.pause()
    assert tl.advance(1.0) == 8


def test_timeline_loops_clamps_and_restarts_from_the_end():
    tl = Timeline(num_frames=10, fps=10.0, current=8)
    tl.play()
    assert tl.advance(0.3) == 1             # 8 -> 11 wraps to 1
    assert tl.seek(50) == 9 and tl.step(-20) == 0 and tl.step(3) == 3
    tl.seek(9)
    tl.pause()
    tl.play()
    assert tl.current == 0 and tl.playing
    assert tl.time_of(5) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        Timeline(num_frames=0, fps=25)


def test_part_visibility_hide_solo_highlight():
    state = PartVisibility()
    assert state.opacities() == [1.0] * 6
    state.visible[2] = False
    assert state.opacities()[2] == 0.0 and state.shown(3)
    state.soloed[3] = True
    assert [state.shown(p) for p in range(6)] == [False, False, False, True, False, False]
    state.soloed[3] = False
    state.highlighted[4] = True
    ops = state.opacities()
    assert ops[4] == 1.0 and ops[0] == 0.25 and ops[2] == 0.0


def test_timeline_without_loop_stops_at_the_end_and_plays_backwards():
    tl = Timeline(num_frames=10, fps=10.0, current=7, loop=False)
    tl.play()
    assert tl.advance(0.5) == 9 and not tl.playing            # stops on the last frame, no wrap
    tl.direction = -1
    tl.play()
    assert tl.advance(0.3) == 6 and tl.playing
    assert tl.advance(1.0) == 0 and not tl.playing            # backwards: stops on the first
    tl.play()
    assert tl.current == 9                                    # from the start, backwards restarts at the end
    tl.loop = True
    assert tl.advance(1.2) == 7                               # 9 - 12 wraps to 7


def test_part_visibility_a_hidden_part_cannot_stay_soloed_and_copies_are_independent():
    state = PartVisibility()
    state.set("soloed", 1, True)
    state.set("visible", 1, False)                            # untick the soloed head
    assert not any(state.soloed) and sum(state.shown(p) for p in range(6)) == 5
    state.set("visible", 2, False)
    state.set("soloed", 2, True)                              # soloing a hidden part shows it
    assert state.visible[2] and [state.shown(p) for p in range(6)] == [False, False, True, False, False, False]
    copy = state.copy()
    state.reset()
    assert state.opacities() == [1.0] * 6 and copy.soloed[2] and not copy.visible[1]


def test_part_angular_speed_sees_the_waving_arm_only():
    poses = waving_poses(40)
    speed = part_angular_speed(poses, np.arange(40), fps=30.0)
    assert speed.shape == (40, 6) and speed.dtype == np.float32
    assert speed[:, 3].mean() > 1.0                         # right arm waves: ~ 0.8/3 rad/frame * 30 / 5 joints
    np.testing.assert_allclose(np.delete(speed, 3, axis=1), 0.0, atol=1e-4)
    # a gap of two frames halves the speed estimate for the same pose change
    gappy = part_angular_speed(poses[:3], np.array([0, 1, 3]), fps=30.0)
    one = part_angular_speed(poses[1:3], np.array([0, 1]), fps=30.0)
    assert gappy[2, 3] == pytest.approx(one[1, 3] / 2, rel=1e-4)


def test_prefetcher_decodes_ahead_on_its_own_source():
    import time

    from lmr_studio.playback import FramePrefetcher
    from tests.fixtures.fakes import FakeVideo

    sources = []

    def open_source():
        sources.append(FakeVideo(20))
        return sources[-1]

    pre = FramePrefetcher(open_source, ahead=4)
    try:
        pre.request(5)
        deadline = time.time() + 5
        while pre.take(8) is None and time.time() < deadline:
            time.sleep(0.01)
        assert all(pre.take(i) is not None for i in (5, 6, 7, 8)) and pre.take(9) is None
        np.testing.assert_array_equal(pre.take(6), FakeVideo(20).read(6))
        pre.request(18)                                     # near the end: stops at the last frame
        while pre.take(19) is None and time.time() < deadline:
            time.sleep(0.01)
        assert pre.take(19) is not None and pre.take(5) is None   # frames behind the playhead are dropped
    finally:
        pre.close()
    assert len(sources) == 1 and sources[0].reads == 6
