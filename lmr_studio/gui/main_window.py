"""MainWindow: composes the views, owns the playback clock and the background job; no model logic.

Layout: start screen, or [video | 3D view] over [parts | local dynamics], the timeline below,
progress in the status bar. Splitter sizes, overlay mode and camera preset persist in QSettings.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import numpy as np
import qtawesome as qta
from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QActionGroup, QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QFileDialog, QLabel, QMainWindow, QMessageBox, QProgressBar, QSplitter,
                               QStackedWidget, QToolButton, QVBoxLayout, QWidget)

from lmr_studio.errors import LMRStudioError
from lmr_studio.gui.dialogs import PreferencesDialog, ghost_enabled, process_options, show_error
from lmr_studio.gui.dynamics_plot import DynamicsPlot
from lmr_studio.gui.jobs import JobRunner
from lmr_studio.gui.mesh_view import MeshView
from lmr_studio.gui.parts_panel import PartsPanel
from lmr_studio.gui.settings import add_recent, app_settings, recent_files
from lmr_studio.gui.start_screen import SAMPLE_VIDEO, StartScreen
from lmr_studio.gui.timeline import TimelineBar
from lmr_studio.gui.video_view import OVERLAY_MODES, VideoView, person_overlays
from lmr_studio.pipeline import Progress
from lmr_studio.playback import FramePrefetcher, PartVisibility, Timeline
from lmr_studio.result import MotionResult
from lmr_studio.scene.session import Session, iter_open

VIDEO_FILTER = "Videos (*.mp4 *.mov *.avi *.mkv *.webm *.m4v);;All files (*)"
RESULT_FILTER = "LMR results (*.npz);;All files (*)"
PLAYHEAD_INTERVAL_MS = 250
SHORTCUTS = ("Space: play / pause\nLeft / Right: previous / next frame\nHome / End: first / last frame\n"
             "Ctrl+O: open a video\nClick the plots or the green strip to jump to a frame.\n"
             "3D view: drag to rotate, right-drag or wheel to zoom, shift-drag to pan.")
ABOUT = ("<b>LMR Studio</b><br>Video human-mesh recovery with local recurrent models (LMR): six recurrent "
         "models, one per body part, the root first. Colours in the video, the 3D view and the plots "
         "are the parts.")


def _open_video_source(path: Path):
    from lmr_studio.video import VideoSource

    return VideoSource(path)


def _export_available() -> bool:
    """Whether lmr_studio/gui/export_dialog.py is installed (checked without importing it: the
    exporters pull in trimesh and friends, seconds of start-up)."""
    return importlib.util.find_spec("lmr_studio.gui.export_dialog") is not None


class MainWindow(QMainWindow):
    """The LMR Studio window. ``open_source(path)`` and ``make_job(...)`` (iter_open's signature)
    are injectable so tests can run without decoding or processing real videos.

    Signals: ``session_ready()`` when a result is on screen, ``job_ended(bool ok)`` after each job.
    """

    session_ready = Signal()
    job_ended = Signal(bool)

    def __init__(self, open_source=_open_video_source, make_job=iter_open) -> None:
        super().__init__()
        self.setWindowTitle("LMR Studio")
        self.setWindowIcon(qta.icon("fa5s.running", color="#4caf50"))
        self.setAcceptDrops(True)
        self._open_source, self._make_job = open_source, make_job
        self.video = None
        self.prefetch: FramePrefetcher | None = None     # decodes ahead of the playhead while playing
        self.video_path: Path | None = None
        self.session: Session | None = None
        self.preview: MotionResult | None = None
        self.track_id: int | None = None
        self._face_parts: np.ndarray | None = None       # (T,) part of each body triangle
        self.job: JobRunner | None = None
        self.timeline = Timeline(num_frames=1, fps=25.0)
        self.parts = PartVisibility()
        self._last_tick = 0.0
        self._last_step = 1                               # frames the clock advanced at the last tick
        self._job_ok = True
        self.export_dialog = None
        self.report_error = show_error          # replaceable: scripted runs and tests print instead

        self.start_screen = StartScreen()
        self.video_view = VideoView()
        self.mesh_view = MeshView()
        self.parts_panel = PartsPanel()
        self.plot = DynamicsPlot()
        self.timeline_bar = TimelineBar()
        self.top_split = QSplitter(Qt.Orientation.Horizontal)
        self.top_split.addWidget(self.video_view)
        self.top_split.addWidget(self.mesh_view)
        self.bottom_split = QSplitter(Qt.Orientation.Horizontal)
        self.bottom_split.addWidget(self.parts_panel)
        self.bottom_split.addWidget(self.plot)
        self.bottom_split.setStretchFactor(1, 1)
        self.main_split = QSplitter(Qt.Orientation.Vertical)
        self.main_split.addWidget(self.top_split)
        self.main_split.addWidget(self.bottom_split)
        self.main_split.setStretchFactor(0, 5)
        self.main_split.setStretchFactor(1, 2)
        workspace = QWidget()
        col = QVBoxLayout(workspace)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(self.main_split, 1)
        col.addWidget(self.timeline_bar)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.start_screen)
        self.stack.addWidget(workspace)
        self.setCentralWidget(self.stack)

        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(True)
        self.cancel_button = QToolButton()
        self.cancel_button.setIcon(qta.icon("fa5s.stop", color="#ef5350"))
        self.cancel_button.setToolTip("Cancel processing")
        self.cancel_button.clicked.connect(self.cancel_job)
        self.status_label = QLabel("")
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.cancel_button)

        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._on_tick)
        self._playhead_at = 0.0
        self._playhead_timer = QTimer(self)
        self._playhead_timer.setSingleShot(True)
        self._playhead_timer.timeout.connect(self._move_playhead)
        self._build_actions()
        self._connect()
        self._set_busy(False)
        self._restore_layout()
        self.start_screen.set_recent(recent_files())

    # -- construction ----------------------------------------------------------------------
    def _build_actions(self) -> None:
        icon = lambda name: qta.icon(name, color="#e0e0e0")  # noqa: E731
        menu = self.menuBar().addMenu("&File")
        self.open_action = menu.addAction(icon("fa5s.film"), "&Open video…", QKeySequence.StandardKey.Open,
                                          self.choose_video)
        self.open_result_action = menu.addAction(icon("fa5s.file-import"), "Open &result…", self.choose_result)
        self.sample_action = menu.addAction(icon("fa5s.running"), "Open the &sample", lambda: self.open_path(SAMPLE_VIDEO))
        self.sample_action.setEnabled(SAMPLE_VIDEO.exists())
        self.recent_menu = menu.addMenu("Open r&ecent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        menu.addSeparator()
        self.reprocess_action = menu.addAction(icon("fa5s.redo"), "Re&process video", self.reprocess)
        self.export_action = menu.addAction(icon("fa5s.file-export"), "&Export…", self.export)
        menu.addSeparator()
        menu.addAction(icon("fa5s.cog"), "&Preferences…", self.preferences)
        menu.addAction("&Quit", QKeySequence.StandardKey.Quit, self.close)

        view = self.menuBar().addMenu("&View")
        self.overlay_group = QActionGroup(self)
        for mode in OVERLAY_MODES:
            a = view.addAction(f"Overlay: {mode}")
            a.setCheckable(True)
            a.setData(mode)
            a.triggered.connect(lambda _=False, m=mode: self.set_overlay(m))
            self.overlay_group.addAction(a)
        view.addSeparator()
        for preset in self.mesh_view.preset_buttons:
            view.addAction(f"Camera: {preset}", lambda p=preset: self.mesh_view.set_camera(p))
        view.addSeparator()
        view.addAction("Reset layout", self._reset_layout)

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("&Keyboard shortcuts", lambda: QMessageBox.information(self, "Keyboard shortcuts", SHORTCUTS))
        help_menu.addAction("&About LMR Studio", lambda: QMessageBox.about(self, "About LMR Studio", ABOUT))

        bar = self.addToolBar("Main")
        bar.setObjectName("main_toolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.open_action, self.open_result_action, self.reprocess_action, self.export_action):
            bar.addAction(a)
        bar.addSeparator()
        bar.addWidget(QLabel(" Overlay "))
        self.overlay_combo = QComboBox()
        self.overlay_combo.addItems(OVERLAY_MODES)
        self.overlay_combo.setToolTip("What to draw on the video")
        self.overlay_combo.currentTextChanged.connect(self.set_overlay)
        bar.addWidget(self.overlay_combo)
        bar.addWidget(QLabel("  Person "))
        self.track_combo = QComboBox()
        self.track_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.track_combo.setToolTip("Which tracked person the 3D view and the plots follow")
        self.track_combo.currentIndexChanged.connect(self._on_track_combo)
        bar.addWidget(self.track_combo)

        for key, slot in ((Qt.Key.Key_Space, self.toggle_play), (Qt.Key.Key_Left, lambda: self.step(-1)),
                          (Qt.Key.Key_Right, lambda: self.step(1)), (Qt.Key.Key_Home, lambda: self.seek(0)),
                          (Qt.Key.Key_End, lambda: self.seek(self.timeline.num_frames - 1))):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
        self._update_actions()

    def _connect(self) -> None:
        self.start_screen.open_video.connect(self.choose_video)
        self.start_screen.open_result.connect(self.choose_result)
        self.start_screen.open_path.connect(self.open_path)
        self.timeline_bar.seek_requested.connect(self.seek)
        self.timeline_bar.play_toggled.connect(self.toggle_play)
        self.timeline_bar.speed_changed.connect(self.set_speed)
        self.plot.seek_requested.connect(self.seek)
        self.parts_panel.changed.connect(self.set_parts)
        self.mesh_view.ghost_toggled.connect(lambda _on: self.refresh())

    def _restore_layout(self) -> None:
        s = app_settings()
        geometry, state = s.value("window/geometry"), s.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 880)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        for name, split in self._splitters().items():
            sizes = s.value(f"splitters/{name}")
            if isinstance(sizes, QByteArray):
                split.restoreState(sizes)
        self.set_overlay(str(s.value("view/overlay", "mesh")))
        self.mesh_view.set_camera(str(s.value("view/camera", "front")))

    def _reset_layout(self) -> None:
        w = self.width()
        self.top_split.setSizes([w // 2, w // 2])
        self.bottom_split.setSizes([w // 4, 3 * w // 4])
        self.main_split.setSizes([3 * self.height() // 4, self.height() // 4])

    def _splitters(self) -> dict[str, QSplitter]:
        return {"top": self.top_split, "bottom": self.bottom_split, "main": self.main_split}

    def save_layout(self) -> None:
        s = app_settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        for name, split in self._splitters().items():
            s.setValue(f"splitters/{name}", split.saveState())
        s.setValue("view/overlay", self.video_view.mode)
        if self.mesh_view.scene is not None:
            s.setValue("view/camera", self.mesh_view.scene.camera_preset)
        s.sync()

    # -- opening ---------------------------------------------------------------------------
    def choose_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open video", "", VIDEO_FILTER)
        if path:
            self.open_path(path)

    def choose_result(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open result", "", RESULT_FILTER)
        if path:
            self.open_path(path)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in recent_files():
            self.recent_menu.addAction(Path(path).name, lambda p=path: self.open_path(p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none)").setEnabled(False)

    def open_path(self, path: str | Path, reprocess: bool = False) -> None:
        """Open a video (processing it, or reloading its saved result) or a saved .npz result."""
        path = Path(path)
        try:
            if path.suffix.lower() == ".npz":
                self._start_job(None, result_path=path)
            else:
                self._open_video(path)
                self._start_job(path, reprocess=reprocess)
        except LMRStudioError as err:
            self.report_error(self, err)
            return
        add_recent(path)
        self.start_screen.set_recent(recent_files())

    def reprocess(self) -> None:
        if self.video_path is not None:
            self.open_path(self.video_path, reprocess=True)

    def _open_video(self, path: Path) -> None:
        """Open the frames (raises BadVideoError) and reset the views for this video."""
        source = self._open_source(path)
        self._close_video()
        self.video, self.video_path = source, path
        self.prefetch = FramePrefetcher(lambda: self._open_source(path), ahead=3)
        self._reset_views(source.num_frames, source.fps)
        self.setWindowTitle(f"{path.name} — LMR Studio")

    def _close_video(self) -> None:
        if self.prefetch is not None:
            self.prefetch.close()
        if self.video is not None:
            self.video.close()
        self.video, self.prefetch = None, None

    def _reset_views(self, num_frames: int, fps: float) -> None:
        self.pause()
        self.session, self.preview, self.track_id = None, None, None
        self.timeline = Timeline(num_frames=max(1, num_frames), fps=fps or 25.0)
        self.timeline_bar.set_presence(num_frames, np.zeros(0, np.int64))
        self.plot.set_data(max(1, num_frames), np.zeros(0, np.int64), None, None)
        self.mesh_view.show_vertices(None, None)
        self.track_combo.clear()
        self.stack.setCurrentIndex(1)
        self._update_actions()
        self.refresh()

    # -- background job --------------------------------------------------------------------
    def _start_job(self, video: Path | None, result_path: Path | None = None, reprocess: bool = False) -> None:
        self._retire_job()
        options = process_options()
        ghost = ghost_enabled()
        make = self._make_job

        def generator(cancel):
            return make(video, options, cancel, result_path=result_path, ghost=ghost, reprocess=reprocess)

        self.job = JobRunner(generator)
        self.job.yielded.connect(self._on_job_item)
        self.job.failed.connect(self._on_job_failed)
        self.job.finished.connect(self._on_job_finished)
        self._job_ok = True
        self._set_busy(True, "Starting…")
        self.job.start()

    def _retire_job(self) -> None:
        """Cancel the running job and ignore what it still sends (the runner outlives its thread)."""
        old = self.job
        if old is None:
            return
        old.cancel()
        for signal in (old.yielded, old.failed, old.finished):
            signal.disconnect()
        self.job = None

    def cancel_job(self) -> None:
        if self.job is not None and self.job.is_running():
            self.job.cancel()
            self.status_label.setText("Cancelling…")

    def _on_job_item(self, item) -> None:
        if isinstance(item, Progress):
            self.progress.setRange(0, max(1, item.total))
            self.progress.setValue(item.done)
            self.progress.setFormat(f"{item.stage} %v/%m")
            self.status_label.setText(f"{item.stage}: {item.message}" if item.message else item.stage)
            if item.partial is not None and self.session is None:
                self._show_preview(item.partial)
        elif isinstance(item, Session):
            self._show_session(item)

    def _on_job_failed(self, error: BaseException) -> None:
        self._job_ok = False
        self._set_busy(False)
        self.report_error(self, error)

    def _on_job_finished(self) -> None:
        cancelled = self.job is not None and self.job.cancel_event.is_set()
        self._set_busy(False)
        if cancelled:
            self.status_label.setText("Cancelled: what was computed is shown; File > Reprocess starts again.")
        self.job_ended.emit(self._job_ok and not cancelled)

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)
        self.status_label.setText(message)
        self._update_actions()

    def _update_actions(self) -> None:
        busy = self.job is not None and self.job.is_running()
        self.reprocess_action.setEnabled(self.video_path is not None and not busy)
        self.export_action.setEnabled(self.session is not None and not busy and _export_available())

    # -- results ---------------------------------------------------------------------------
    def _show_preview(self, partial: MotionResult) -> None:
        """A partial result while processing: overlay, timeline marks and plots fill in."""
        self.preview = partial
        if self.video is None and self.timeline.num_frames != partial.num_frames:   # a result without its video
            self.timeline = Timeline(num_frames=max(1, partial.num_frames), fps=partial.fps or 25.0)
            self.stack.setCurrentIndex(1)
        if partial.tracks:
            self._fill_track_combo(partial)
        self._refresh_track_views()
        self.refresh()

    def _show_session(self, session: Session) -> None:
        result = session.result
        if self.video is None or session.video_path != self.video_path:
            if session.video_path is not None and session.video_path.exists():
                self._open_video(session.video_path)
            else:
                self._close_video()
                self.video_path = None
                self._reset_views(result.num_frames, result.fps)
                self.setWindowTitle(f"{session.result_path.name if session.result_path else 'result'} — LMR Studio")
        self.session, self.preview = session, None
        self._face_parts = np.asarray(session.body.vertex_parts)[np.asarray(session.body.faces)[:, 0]]
        self._fill_track_combo(result)
        any_meshes = next(iter(session.meshes.values()), None)
        if any_meshes is not None:
            self.mesh_view.set_body(session.body.faces, session.body.vertex_parts,
                                    self.session.meshes[self.track_id].vertices)
            self.mesh_view.set_parts(self.parts)
        self._refresh_track_views()
        self._update_actions()
        note = "reloaded the saved result" if session.reloaded else "processed"
        self.status_label.setText(f"{len(result.tracks)} person(s), {note}"
                                  + (f" — {session.result_path}" if session.result_path else ""))
        self.refresh()
        self.session_ready.emit()

    def _current_result(self) -> MotionResult | None:
        return self.session.result if self.session is not None else self.preview

    def _fill_track_combo(self, result: MotionResult) -> None:
        ids = sorted(result.tracks)
        keep = self.track_id if self.track_id in result.tracks else (
            result.main_track if result.main_track in result.tracks else max(ids, key=lambda t: len(result.tracks[t])))
        self.track_combo.blockSignals(True)
        self.track_combo.clear()
        for tid in ids:
            self.track_combo.addItem(f"track {tid} ({len(result.tracks[tid])} frames)", tid)
        self.track_combo.setCurrentIndex(ids.index(keep))
        self.track_combo.blockSignals(False)
        self.track_id = keep

    def _on_track_combo(self, index: int) -> None:
        if index >= 0:
            self.track_id = self.track_combo.itemData(index)
            self._refresh_track_views()
            self.refresh()

    def _refresh_track_views(self) -> None:
        """Timeline marks and the dynamics plot of the selected track."""
        result = self._current_result()
        if result is None or self.track_id not in result.tracks:
            return
        track = result.tracks[self.track_id]
        self.timeline_bar.set_presence(self.timeline.num_frames, track.frame_ids)
        meshes = self.session.meshes.get(self.track_id) if self.session else None
        if meshes is not None:
            speed = meshes.speed
        else:
            from lmr_studio.dynamics import part_angular_speed
            speed = part_angular_speed(track.poses, track.frame_ids, result.fps)
        self.plot.set_data(self.timeline.num_frames, track.frame_ids, speed, track.part_activity)
        self.plot.set_parts(self.parts)

    # -- frame display ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw everything for the current frame (video + overlay, 3D, timeline, playhead)."""
        i = self.timeline.current
        frame = self._frame(i)
        result = self._current_result()
        body = self.session.body if self.session else None
        people = [] if result is None else person_overlays(
            result, i, self.track_id, self.session.meshes if self.session else {},
            None if body is None else body.faces, self._face_parts, with_mesh=self.video_view.mode == "mesh")
        caption = "" if frame is not None else "No video"
        self.video_view.set_frame(frame, people, caption)
        meshes = self.session.meshes.get(self.track_id) if self.session is not None else None
        if meshes is not None:
            row = meshes.row(i)
            self.mesh_view.show_vertices(None if row is None else meshes.vertices[row],
                                         None if row is None or meshes.ghost is None else meshes.ghost[row])
        self.timeline_bar.show(self.timeline)
        self._move_playhead()

    def _move_playhead(self) -> None:
        """Move the plot's playhead at most every PLAYHEAD_INTERVAL_MS (a plot repaint costs
        as much as a video frame); the last position always lands."""
        now = time.perf_counter()
        wait_ms = PLAYHEAD_INTERVAL_MS - (now - self._playhead_at) * 1e3
        if wait_ms <= 0:
            self._playhead_at = now
            self.plot.set_playhead(self.timeline.current)
        elif not self._playhead_timer.isActive():
            self._playhead_timer.start(int(wait_ms) + 1)

    def _frame(self, i: int) -> np.ndarray | None:
        """Frame ``i``: from the prefetcher while playing (then ask it for the next ones), else decoded now."""
        if self.video is None:
            return self._blank_frame()
        frame = self.prefetch.take(i) if self.timeline.playing and self.prefetch is not None else None
        if frame is None:
            frame = self.video.read(i)
        if self.timeline.playing and self.prefetch is not None:
            self.prefetch.request(i + self._last_step)      # where the clock will most likely land next
        return frame

    def _blank_frame(self) -> np.ndarray | None:
        result = self._current_result()
        if result is None:
            return None
        w, h = result.image_size
        return np.full((h, w, 3), 24, np.uint8)

    # -- playback --------------------------------------------------------------------------
    def seek(self, frame: int) -> None:
        self.timeline.seek(frame)
        self.refresh()

    def step(self, delta: int) -> None:
        self.pause()
        self.timeline.step(delta)
        self.refresh()

    def toggle_play(self) -> None:
        if self.timeline.playing:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if self.stack.currentIndex() != 1:
            return
        self.timeline.play()
        self._last_tick = time.perf_counter()
        self.timer.start(max(5, int(1000 / (self.timeline.fps * self.timeline.speed) / 2)))
        self.refresh()

    def pause(self) -> None:
        self.timer.stop()
        self.timeline.pause()
        self.timeline_bar.show(self.timeline)

    def set_speed(self, speed: float) -> None:
        self.timeline.speed = speed
        if self.timeline.playing:
            self.play()

    def _on_tick(self) -> None:
        now = time.perf_counter()
        before = self.timeline.current
        after = self.timeline.advance(now - self._last_tick)
        self._last_tick = now
        self._last_step = max(1, (after - before) % self.timeline.num_frames)
        if after != before:
            self.refresh()

    # -- view options ----------------------------------------------------------------------
    def set_overlay(self, mode: str) -> None:
        mode = mode if mode in OVERLAY_MODES else "mesh"
        self.video_view.mode = mode
        self.overlay_combo.blockSignals(True)
        self.overlay_combo.setCurrentText(mode)
        self.overlay_combo.blockSignals(False)
        for a in self.overlay_group.actions():
            a.setChecked(a.data() == mode)
        self.refresh()

    def set_parts(self, state: PartVisibility) -> None:
        self.parts = state
        self.video_view.set_parts(state)
        self.mesh_view.set_parts(state)
        self.plot.set_parts(state)

    def preferences(self) -> None:
        PreferencesDialog(self).exec()

    def export(self) -> None:
        if self.session is None:
            return
        from lmr_studio.gui.export_dialog import ExportDialog

        if self.export_dialog is not None:
            self.export_dialog.deleteLater()
        self.export_dialog = ExportDialog(self.session.result, str(self.video_path) if self.video_path else None,
                                          self, body=self.session.body)
        self.export_dialog.exported.connect(lambda path: self.status_label.setText(f"Saved to {path}"))
        self.export_dialog.open()

    # -- Qt events -------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_path(urls[0])

    def closeEvent(self, event) -> None:  # noqa: N802
        self.pause()
        if self.job is not None and self.job.is_running():
            self.job.cancel()
            self.job.wait(10000)
        self.save_layout()
        self._close_video()
        self.mesh_view.close_plotter()
        super().closeEvent(event)
