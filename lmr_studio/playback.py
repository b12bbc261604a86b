"""Qt-free playback state: the timeline clock, which body parts are shown, frame prefetching.

The GUI owns one :class:`Timeline` and one :class:`PartVisibility`; widgets read and set them,
and views redraw from them. Nothing here imports Qt or VTK, so tests drive it directly.
"""

from __future__ import annotations

import dataclasses

from lmr_studio.parts import NUM_PARTS


@dataclasses.dataclass
class Timeline:
    """A frame index over ``num_frames`` frames played at ``fps`` x ``speed`` (aitviewer's clock).

    ``advance(elapsed_s)`` moves the playhead by the whole number of frames that real time says
    have passed since the last shown frame and keeps the remainder, so a slow draw drops frames
    instead of slowing playback down. With ``loop`` playback wraps to frame 0 at the end, without
    it playback stops on the last frame.
    """

    num_frames: int
    fps: float
    speed: float = 1.0
    current: int = 0
    playing: bool = False
    loop: bool = True
    direction: int = 1                 # +1 forwards, -1 backwards (J/K/L shuttle)
    _carry_s: float = 0.0

    def __post_init__(self) -> None:
        if self.num_frames < 1:
            raise ValueError("a timeline needs at least one frame")
        if self.fps <= 0:
            raise ValueError("fps must be positive")
        self.current = self.clamp(self.current)

    def clamp(self, frame: int) -> int:
        """``frame`` limited to 0 .. num_frames - 1."""
        return max(0, min(self.num_frames - 1, int(frame)))

    def seek(self, frame: int) -> int:
        """Jump to ``frame`` (clamped); resets the clock remainder. Returns the new frame."""
        self.current = self.clamp(frame)
        self._carry_s = 0.0
        return self.current

    def step(self, delta: int) -> int:
        """Move by ``delta`` frames (clamped, no wrap). Returns the new frame."""
        return self.seek(self.current + delta)

    def time_of(self, frame: int) -> float:
        """Video time of ``frame`` in seconds."""
        return frame / self.fps

    def play(self) -> None:
        """Start playing; from the last frame (the first, backwards) playback restarts at the other end."""
        if self.direction > 0 and self.current >= self.num_frames - 1:
            self.current = 0
        elif self.direction < 0 and self.current <= 0:
            self.current = self.num_frames - 1
        self.playing = True
        self._carry_s = 0.0

    def pause(self) -> None:
        self.playing = False
        self._carry_s = 0.0

    def advance(self, elapsed_s: float) -> int:
        """While playing, advance by the frames due after ``elapsed_s`` seconds of wall time.

        Returns the new current frame (unchanged when paused or when less than a frame is due);
        without ``loop``, reaching the end (the start, backwards) stops playback there.
        """
        if not self.playing:
            return self.current
        self._carry_s += max(0.0, elapsed_s) * self.speed
        frames = int(self._carry_s * self.fps + 1e-9)   # epsilon: 0.3 s at 10 fps is 3 frames
        if frames:
            self._carry_s = max(0.0, self._carry_s - frames / self.fps)
            target = self.current + self.direction * frames
            if self.loop:
                self.current = target % self.num_frames
            else:
                self.current = self.clamp(target)
                if self.current == (self.num_frames - 1 if self.direction > 0 else 0):
                    self.pause()
        return self.current


@dataclasses.dataclass
class PartVisibility:
    """Show / highlight / solo state of the six LMR parts (index order of ``parts.PART_NAMES``).

    A part is drawn when it is visible and, if any part is soloed, it is soloed too. Highlighted
    parts are drawn opaque and the others dimmed.
    """

    visible: list[bool] = dataclasses.field(default_factory=lambda: [True] * NUM_PARTS)
    highlighted: list[bool] = dataclasses.field(default_factory=lambda: [False] * NUM_PARTS)
    soloed: list[bool] = dataclasses.field(default_factory=lambda: [False] * NUM_PARTS)

    def shown(self, part: int) -> bool:
        """Whether ``part`` is drawn at all."""
        return self.visible[part] and (self.soloed[part] or not any(self.soloed))

    def emphasis(self, part: int) -> float:
        """Opacity of ``part`` in 0..1: 0 hidden, 1 normal or highlighted, dimmed when another is highlighted."""
        if not self.shown(part):
            return 0.0
        if any(self.highlighted) and not self.highlighted[part]:
            return 0.25
        return 1.0

    def set(self, field: str, part: int, on: bool) -> None:
        """Set ``field`` ("visible", "highlighted" or "soloed") of ``part``, keeping a soloed part
        visible: hiding a soloed part ends its solo (else nothing would be drawn while the other
        parts stay ticked), and soloing a hidden part shows it."""
        getattr(self, field)[part] = on
        if field == "visible" and not on:
            self.soloed[part] = False
        elif field == "soloed" and on:
            self.visible[part] = True

    def reset(self) -> None:
        """Every part shown, none highlighted or soloed."""
        self.visible[:] = [True] * NUM_PARTS
        self.highlighted[:] = [False] * NUM_PARTS
        self.soloed[:] = [False] * NUM_PARTS

    def copy(self) -> "PartVisibility":
        """An independent copy (each view and each thread gets its own; the panel owns the original)."""
        return PartVisibility(list(self.visible), list(self.highlighted), list(self.soloed))

    def opacities(self) -> list[float]:
        """:meth:`emphasis` of every part, in part order."""
        return [self.emphasis(p) for p in range(NUM_PARTS)]


class FramePrefetcher:
    """Decodes video frames ahead of the playhead on a background thread.

    ``open_source()`` must return a new VideoSource-like object (``read(i)``, ``num_frames``,
    ``close()``) that the thread owns alone, so decoding never shares a capture with the GUI
    thread. :meth:`request` names the frame the playhead will need next; the thread decodes it and
    the next ``ahead - 1`` frames (sequential decoding is ~3x cheaper than seeking). :meth:`take`
    returns a decoded frame or None.
    """

    def __init__(self, open_source, ahead: int = 6) -> None:
        import threading
        from collections import OrderedDict

        self._open, self.ahead = open_source, ahead
        self._frames: OrderedDict[int, object] = OrderedDict()
        self._cond = threading.Condition()
        self._target: int | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="lmr-prefetch", daemon=True)
        self._thread.start()

    def request(self, frame: int) -> None:
        with self._cond:
            self._target = frame
            self._cond.notify()

    def take(self, frame: int):
        """The decoded (H, W, 3) frame if it is ready, else None."""
        with self._cond:
            return self._frames.get(frame)

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        source = self._open()
        try:
            while True:
                with self._cond:
                    while self._target is None and not self._stop:
                        self._cond.wait()
                    if self._stop:
                        return
                    start, self._target = self._target, None
                    for old in [k for k in self._frames if k < start]:
                        del self._frames[old]
                for i in range(start, min(start + self.ahead, source.num_frames)):
                    with self._cond:
                        if self._stop or self._target is not None:
                            break
                        if i in self._frames:
                            continue
                    frame = source.read(i)
                    with self._cond:
                        self._frames[i] = frame
                        while len(self._frames) > 2 * self.ahead:
                            self._frames.popitem(last=False)
        finally:
            source.close()
