"""SessionController: what the window has open, the background job that opens it, and who is selected.

A QObject without widgets (tests drive it with no display). It opens a path by its suffix (a
video is processed or its saved result reloaded; an ``.npz`` is read), runs
``make_job`` (:func:`lmr_studio.scene.session.iter_open`'s signature) on a
:class:`~lmr_studio.gui.jobs.JobRunner`, keeps the partial result while processing and the
:class:`Session` after it, and the people selection every view reads:

* ``result``: the current :class:`MotionResult` (the session's, or the partial one);
* ``selected_track``: the track id the 3D view, the plots and the timeline follow: the main
  person (as it stands in the latest result) until the user picks someone;
* ``visible_tracks``: the track ids drawn (all, when a result arrives);
* ``main_only``: "main person only" mode, for speed: only the result's main person is drawn
  and selected; tracks that arrive meanwhile start hidden.

Signals: ``video_changed()`` (a new video, or a result without one: views restart on
``num_frames``/``fps``), ``result_changed()``, ``selection_changed()``, ``progressed(Progress)``,
``busy_changed(bool)``, ``status(str)``, ``failed(error)``, ``session_ready()``, ``job_ended(ok)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from lmr_studio.gui.jobs import JobRunner
from lmr_studio.gui.settings import add_recent
from lmr_studio.pipeline import Progress
from lmr_studio.result import MotionResult
from lmr_studio.scene.session import Session


def open_video_source(path: Path):
    """The real frames of ``path`` (raises BadVideoError)."""
    from lmr_studio.video import VideoSource

    return VideoSource(path)


class SessionController(QObject):
    """See the module docstring. ``open_source(path)``, ``make_job``, ``options()`` (ProcessOptions)
    and ``ghost()`` (bool) are injected."""

    video_changed = Signal()
    result_changed = Signal()
    selection_changed = Signal()
    progressed = Signal(object)
    busy_changed = Signal(bool)
    status = Signal(str)
    failed = Signal(object)
    session_ready = Signal()
    job_ended = Signal(bool)

    def __init__(self, open_source: Callable, make_job: Callable, options: Callable, ghost: Callable[[], bool],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._open_source, self._make_job, self._options, self._ghost = open_source, make_job, options, ghost
        self.video = None                      # the source the window shows (the playback closes it)
        self.video_path: Path | None = None
        self.session: Session | None = None
        self.preview: MotionResult | None = None
        self.selected_track: int | None = None
        self._user_chose = False               # the user picked the selected track (else it follows the main one)
        self.visible_tracks: set[int] = set()
        self.main_only = False
        self.job: JobRunner | None = None
        self._job_ok = True

    # -- state -------------------------------------------------------------------------------
    @property
    def result(self) -> MotionResult | None:
        return self.session.result if self.session is not None else self.preview

    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.is_running()

    @property
    def num_frames(self) -> int:
        if self.video is not None:
            return self.video.num_frames
        return self.result.num_frames if self.result is not None else 1

    @property
    def fps(self) -> float:
        if self.video is not None:
            return self.video.fps
        return self.result.fps if self.result is not None else 25.0

    def reopen_video(self):
        """A new handle on the current video (for a prefetch thread), or None."""
        path = self.video_path
        return None if self.video is None else (lambda: self._open_source(path))

    # -- people ------------------------------------------------------------------------------
    def select_track(self, track_id: int) -> None:
        """The user picks ``track_id``: the views follow it (it becomes visible) until they pick
        another or open something else."""
        result = self.result
        if result is None or track_id not in result.tracks:
            return
        self._user_chose = True                # also when it was selected already: now it stays
        if track_id == self.selected_track:
            return
        self.selected_track = track_id
        self.visible_tracks.add(track_id)
        self.selection_changed.emit()

    def set_track_visible(self, track_id: int, visible: bool) -> None:
        result = self.result
        if result is None or track_id not in result.tracks:
            return
        (self.visible_tracks.add if visible else self.visible_tracks.discard)(track_id)
        self.selection_changed.emit()

    def set_main_only(self, on: bool) -> None:
        """Draw only the main person (``on``) or everyone again (the mode's switch in the menu)."""
        self.main_only = on
        result = self.result
        if result is None or not result.tracks:
            return
        if on:
            self.selected_track, self.visible_tracks = result.main_id, {result.main_id}
        else:
            self.visible_tracks = set(result.tracks)
        self.selection_changed.emit()

    def _keep_selection(self, result: MotionResult) -> None:
        """After a new (partial) result: keep the track the user selected if it is still there,
        else select the main one (which can change as processing goes on); tracks seen for the
        first time are visible (in main-only mode, only the main one)."""
        known = set(self.visible_tracks)
        new = set(result.tracks) - (known | ({self.selected_track} - {None}))
        if (not self._user_chose or self.selected_track not in result.tracks
                or (self.main_only and result.tracks)):
            self.selected_track = result.main_id if result.tracks else None
        self.visible_tracks = (known & set(result.tracks)) | new
        if self.main_only:
            self.visible_tracks = {self.selected_track} - {None}
        self.selection_changed.emit()

    # -- opening -----------------------------------------------------------------------------
    def open_path(self, path: str | Path, reprocess: bool = False, keypoints: str | Path | None = None) -> None:
        """Open a video (processing it, or reloading its saved result) or a saved ``.npz``
        result, and remember it in the recent files. ``keypoints``: process with keypoints from
        an OpenPose folder or a COCO file instead of BlazePose's. Raises LMRStudioError (nothing
        changes)."""
        path = Path(path)
        if path.suffix.lower() == ".npz":
            self._start_job(None, result_path=path)
        else:
            self._open_video(path)
            self._start_job(path, reprocess=reprocess or keypoints is not None, keypoints=keypoints)
        add_recent(path)

    def relocate_video(self, path: str | Path) -> None:
        """Show the current result over the video at ``path`` (the result's video was moved)."""
        session = self.session
        self._open_video(Path(path))
        if session is not None:
            session.video_path = self.video_path
            self.session = session
            self._keep_selection(session.result)
            self.result_changed.emit()

    def _open_video(self, path: Path) -> None:
        """Open the frames (raises BadVideoError) and restart the views on this video."""
        source = self._open_source(path)
        self.video, self.video_path = source, path
        self._clear()

    def _clear(self) -> None:
        self.session, self.preview, self.selected_track, self.visible_tracks = None, None, None, set()
        self.video_changed.emit()
        self.result_changed.emit()

    # -- the job -----------------------------------------------------------------------------
    def _start_job(self, video: Path | None, result_path: Path | None = None, reprocess: bool = False,
                   keypoints: str | Path | None = None) -> None:
        self._retire_job()
        self._user_chose = False
        options, ghost, make = self._options(), self._ghost(), self._make_job
        if keypoints is not None:
            options = dataclasses.replace(options, keypoints_path=str(keypoints))

        def generator(cancel):
            return make(video, options, cancel, result_path=result_path, ghost=ghost, reprocess=reprocess)

        self.job = JobRunner(generator)
        self.job.yielded.connect(self._on_item)
        self.job.failed.connect(self._on_failed)
        self.job.finished.connect(self._on_finished)
        self._job_ok = True
        self.job.start()
        self.busy_changed.emit(True)
        self.status.emit("Starting…")

    def _retire_job(self) -> None:
        """Cancel the running job and ignore what it still sends (the runner outlives its thread)."""
        old, self.job = self.job, None
        if old is not None:
            old.cancel()
            for signal in (old.yielded, old.failed, old.finished):
                signal.disconnect()

    def cancel(self) -> None:
        if self.busy:
            self.job.cancel()
            self.status.emit("Cancelling…")

    def shutdown(self, wait_ms: int = 10000) -> None:
        """Stop the job before the window closes."""
        if self.busy:
            self.job.cancel()
            self.job.wait(wait_ms)

    def _on_item(self, item) -> None:
        if isinstance(item, Progress):
            self.progressed.emit(item)
            self.status.emit(f"{item.stage}: {item.message}" if item.message else item.stage)
            if item.partial is not None and self.session is None:
                self._show_preview(item.partial)
        elif isinstance(item, Session):
            self._show_session(item)

    def _on_failed(self, error: BaseException) -> None:
        self._job_ok = False
        self.failed.emit(error)

    def _on_finished(self) -> None:
        cancelled = self.job is not None and self.job.cancel_event.is_set()
        self.busy_changed.emit(False)
        if cancelled:
            self.status.emit("Cancelled: what was computed is shown; File > Reprocess starts again.")
        self.job_ended.emit(self._job_ok and not cancelled)

    def _show_preview(self, partial: MotionResult) -> None:
        """A partial result while processing: overlay, timeline marks and plots fill in."""
        if self.video is None and self.preview is None:        # a result without its video
            self.video_changed.emit()
        self.preview = partial
        if partial.tracks:
            self._keep_selection(partial)
        self.result_changed.emit()

    def _show_session(self, session: Session) -> None:
        if self.video is None or session.video_path != self.video_path:
            if session.video_path is not None and session.video_path.exists():
                self._open_video(session.video_path)
            else:
                self.video, self.video_path = None, None
                self.session = session                      # num_frames/fps now come from the result
                self.video_changed.emit()
        self.session, self.preview = session, None
        self._keep_selection(session.result)
        self.result_changed.emit()
        note = "reloaded the saved result" if session.reloaded else "processed"
        where = f" — {session.result_path}" if session.result_path else ""
        lens = f"; focal length {session.result.focal:.0f} px ({session.result.focal_source})"
        self.status.emit(f"{len(session.result.tracks)} person(s), {note}{where}{lens}")
        self.session_ready.emit()

    @property
    def video_missing(self) -> bool:
        """A result is shown whose video is not where it was."""
        result = self.result
        return self.video is None and result is not None and bool(result.video_path)
