"""MainWindow: lays out the views and wires them to the two controllers; no model logic.

Layout: start screen, or [video | 3D view] over [parts | local dynamics], the timeline below,
progress in the status bar. The logic lives in :class:`SessionController` (what is open, the
job, who is selected) and :class:`PlaybackController` (clock, frames, playhead); menus in
:mod:`window_actions`, layout persistence in :mod:`layout`.
"""

from __future__ import annotations

from pathlib import Path

import qtawesome as qta
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QStackedWidget, QVBoxLayout, QWidget

from lmr_studio.errors import LMRStudioError
from lmr_studio.pipeline import ProcessingError
from lmr_studio.gui.dialogs import PreferencesDialog, ghost_enabled, process_options, show_error
from lmr_studio.gui.dynamics_plot import DynamicsPlot
from lmr_studio.gui.job_status import JobStatus
from lmr_studio.gui.layout import (align_plot_to_slider, line_up_timeline, reset_layout, restore_layout,
                                   save_layout, splitter)
from lmr_studio.gui.mesh_view import MeshView
from lmr_studio.gui.parts_panel import PartsPanel
from lmr_studio.gui.people_panel import PeoplePanel, add_people_dock
from lmr_studio.gui.playback_controller import PlaybackController
from lmr_studio.gui.session_controller import SessionController, open_video_source
from lmr_studio.gui.settings import recent_files
from lmr_studio.gui.start_screen import StartScreen
from lmr_studio.gui.timeline import TimelineBar
from lmr_studio.gui.track_views import show_selected_track
from lmr_studio.gui.video_view import OVERLAY_MODES, VideoView, person_overlays
from lmr_studio.gui.window_actions import build_actions
from lmr_studio.scene.sequence import people_at_frame
from lmr_studio.scene.session import iter_open
from lmr_studio.video.scrub import ScrubFrames

class MainWindow(QMainWindow):
    """The LMR Studio window. ``open_source(path)`` and ``make_job(...)`` (iter_open's signature)
    are injectable so tests can run without decoding or processing real videos. ``report_error``,
    ``confirm(title, question) -> bool`` and ``ask_open_path(title, filters) -> path or ""`` are
    replaceable: scripted runs and tests answer instead of a person."""

    def __init__(self, open_source=open_video_source, make_job=iter_open) -> None:
        super().__init__()
        self.setWindowTitle("LMR Studio")
        self.setWindowIcon(qta.icon("fa5s.running", color="#4caf50"))
        self.setAcceptDrops(True)
        self.report_error = show_error
        self.confirm = lambda title, text: QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes
        self.ask_open_path = lambda title, filters: QFileDialog.getOpenFileName(self, title, "", filters)[0]
        self.controller = SessionController(open_source, make_job, process_options, ghost_enabled, self)
        self.playback = PlaybackController(self)
        self.export_dialog = None
        self._framed: tuple | None = None          # (id of the session, track id) the 3D view fits

        self.start_screen = StartScreen()
        self.video_view = VideoView()
        self.mesh_view = MeshView()
        self.parts_panel = PartsPanel()
        self.plot = DynamicsPlot()
        self.timeline_bar = TimelineBar()
        self.people_panel = PeoplePanel()
        self.people_dock = add_people_dock(self, self.people_panel)
        self.top_split = splitter(Qt.Orientation.Horizontal, self.video_view, self.mesh_view)
        self.bottom_split = splitter(Qt.Orientation.Horizontal, self.parts_panel, self.plot, (0, 1))
        self.main_split = splitter(Qt.Orientation.Vertical, self.top_split, self.bottom_split, (5, 2))
        self.splitters = {"top": self.top_split, "bottom": self.bottom_split, "main": self.main_split}
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

        self.job_status = JobStatus(self.statusBar())
        self.status_label, self.cancel_button = self.job_status.label, self.job_status.cancel_button
        self.cancel_button.clicked.connect(self.controller.cancel)

        build_actions(self)
        self._connect()
        self._set_busy(False)
        overlay, camera = restore_layout(self, self.splitters)
        self.set_overlay(overlay)
        self.mesh_view.set_camera(camera)
        self.start_screen.set_recent(recent_files())

    def _connect(self) -> None:
        ctl, play = self.controller, self.playback
        ctl.video_changed.connect(self._on_video_changed)
        ctl.result_changed.connect(self._on_result_changed)
        ctl.selection_changed.connect(self._on_selection_changed)
        ctl.progressed.connect(self.job_status.show_progress)
        ctl.busy_changed.connect(self._set_busy)
        ctl.status.connect(self.status_label.setText)
        ctl.failed.connect(self._on_failed)
        play.frame_changed.connect(lambda _frame: self.refresh())
        play.playhead_moved.connect(self.plot.set_playhead)
        play.state_changed.connect(self._on_playback_state)
        self.start_screen.open_path.connect(self.open_path)
        self.timeline_bar.seek_requested.connect(play.seek)
        self.timeline_bar.scrub_requested.connect(play.scrub)
        self.timeline_bar.play_toggled.connect(play.toggle_play)
        self.timeline_bar.speed_changed.connect(play.set_speed)
        self.timeline_bar.loop_toggled.connect(play.set_loop)
        self.plot.seek_requested.connect(play.seek)
        self.parts_panel.changed.connect(self.set_parts)
        for view in (self.people_panel, self.video_view, self.mesh_view):
            view.person_clicked.connect(ctl.select_track)
        self.people_panel.visibility_changed.connect(ctl.set_track_visible)
        self.mesh_view.ghost_toggled.connect(lambda _on: self.refresh())
        self.plot.speed_plot.vb.sigResized.connect(lambda _vb: self._sync_frame_axes())
        self.timeline_bar.slider.span_changed.connect(lambda: align_plot_to_slider(self.plot, self.timeline_bar.slider))

    def _sync_frame_axes(self) -> None:
        """The slider starts where the plots' curves do, and the plots' frames sit over the slider's."""
        line_up_timeline(self.timeline_bar, self.plot)

    # -- opening -----------------------------------------------------------------------------
    def _attempt(self, action, *args) -> bool:
        """Run ``action(*args)``; an LMRStudioError goes to the error dialog. Returns success."""
        try:
            action(*args)
        except LMRStudioError as err:
            self.report_error(self, err)
            return False
        return True

    def open_path(self, path: str | Path, reprocess: bool = False, keypoints: str | None = None) -> None:
        """Open a video (processing it, or reloading its saved result) or a saved .npz result."""
        if self._attempt(self.controller.open_path, path, reprocess, keypoints):
            self.start_screen.set_recent(recent_files())

    def reprocess(self, keypoints: str | None = None) -> None:
        """Run LMR again on the video (with ``keypoints`` from OpenPose / COCO when given); asks
        first when that would replace the result on screen."""
        if self.controller.session is None or self.confirm(
                "Reprocess?", "Processing again replaces the result on screen and its saved file. Continue?"):
            self.open_path(self.controller.video_path, reprocess=True, keypoints=keypoints)

    def relocate_video(self, path: str) -> None:
        self._attempt(self.controller.relocate_video, path)

    # -- controller signals ------------------------------------------------------------------
    def _on_video_changed(self) -> None:
        ctl = self.controller
        exists = ctl.video is not None and ctl.video_path.is_file()
        self.playback.set_video(ctl.video, ctl.reopen_video(), ScrubFrames(ctl.video_path) if exists else None)
        result = ctl.result
        self.playback.blank_size = None if result is None else tuple(result.image_size)
        name = ctl.video_path.name if ctl.video_path else (
            ctl.session.result_path.name if ctl.session and ctl.session.result_path else "result")
        self.setWindowTitle(f"{name} — LMR Studio")
        self.mesh_view.show_vertices(None, None)
        self.stack.setCurrentIndex(1)
        self.playback.enabled = True
        self.playback.reset(ctl.num_frames, ctl.fps)

    def _on_result_changed(self) -> None:
        ctl = self.controller
        if ctl.video is None and ctl.result is not None:
            self.playback.blank_size = tuple(ctl.result.image_size)
        self._update_actions()
        self._on_selection_changed()

    def _on_selection_changed(self) -> None:
        ctl = self.controller
        self._show_person_in_3d()
        self.track_combo.show_people(ctl.result, ctl.selected_track)
        self.people_panel.show_people(ctl.result, ctl.selected_track, ctl.visible_tracks)
        self._refresh_track_views()
        self.refresh()

    def _on_failed(self, error: BaseException) -> None:
        """Report a failed job; after a processing error, offer the partial result it saved."""
        self.report_error(self, error)
        saved = getattr(error, "saved", None) if isinstance(error, ProcessingError) else None
        if saved is not None and Path(saved).exists() and self.confirm(
                "Open the partial result?", f"The people recovered before the error are saved in {saved}. Open them?"):
            self.open_path(saved)

    def _show_person_in_3d(self) -> None:
        """The selected person in 3D: the ground under their path, the view on them now (or nearest)."""
        session, tid = self.controller.session, self.controller.selected_track
        meshes = session.meshes.get(tid) if session is not None else None
        if meshes is not None and self._framed != (id(session), tid):    # a new result or person
            self._framed = (id(session), tid)
            shown = meshes.vertices_at(meshes.nearest_row(self.playback.current))
            self.mesh_view.set_body(session.body.faces, session.body.vertex_parts, meshes.ground_sample(), shown)
            self.mesh_view.set_parts(self.parts_panel.state.copy())

    def _on_playback_state(self) -> None:
        self.timeline_bar.show(self.playback.timeline)
        self.loop_action.setChecked(self.playback.timeline.loop)

    def _set_busy(self, busy: bool) -> None:
        self.job_status.set_busy(busy)
        self._update_actions()

    def _update_actions(self) -> None:
        ctl = self.controller
        self.reprocess_action.setEnabled(ctl.video_path is not None and not ctl.busy)
        self.export_action.setEnabled(ctl.session is not None and not ctl.busy)
        self.locate_action.setEnabled(ctl.video_missing and not ctl.busy)
        self.keypoints_action.setEnabled(ctl.video_path is not None and not ctl.busy)

    def _refresh_track_views(self) -> None:
        """Timeline marks and the dynamics plot of the selected track."""
        ctl = self.controller
        show_selected_track(self.timeline_bar, self.plot, self.parts_panel.state, ctl.result, ctl.selected_track,
                            self.playback.timeline.num_frames)

    # -- frame display -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw everything for the current frame (video + overlay, 3D, timeline, playhead)."""
        ctl, i = self.controller, self.playback.current
        result, session = ctl.result, ctl.session
        people = [] if result is None else person_overlays(
            result, i, ctl.selected_track, session.meshes if session else {},
            session.body if session else None, self.video_view.mode == "mesh", ctl.visible_tracks)
        frame = self.playback.frame(i)
        missing = ctl.video_missing and result is not None
        caption = f"Video not found: {Path(result.video_path).name} (File > Locate video…)" if missing else (
            "" if frame is not None else "No video")
        self.video_view.set_frame(frame, people, caption, self.playback.image_size)
        meshes = session.meshes.get(ctl.selected_track) if session is not None else None
        if meshes is not None:
            row = meshes.row(i) if ctl.selected_track in ctl.visible_tracks else None
            others = people_at_frame(session.meshes, ctl.visible_tracks - {ctl.selected_track}, i)
            ghost = row is not None and self.mesh_view.ghost_enabled    # posed only when it is shown
            self.mesh_view.show_vertices(None if row is None else meshes.vertices_at(row),
                                         meshes.ghost_at(row) if ghost else None,
                                         not self.playback.timeline.playing, self.playback.scrubbing, others)
        self.timeline_bar.show(self.playback.timeline)
        self.playback.request_playhead()

    # -- view options ------------------------------------------------------------------------
    def set_overlay(self, mode: str) -> None:
        mode = mode if mode in OVERLAY_MODES else "mesh"
        self.video_view.mode = mode
        self.overlay_combo.blockSignals(True)
        self.overlay_combo.setCurrentText(mode)
        self.overlay_combo.blockSignals(False)
        for a in self.overlay_group.actions():
            a.setChecked(a.data() == mode)
        self.refresh()

    def set_parts(self, state) -> None:
        """The parts panel changed: every view gets its own copy of the state."""
        self.video_view.set_parts(state.copy())
        self.mesh_view.set_parts(state.copy())
        self.plot.set_parts(state.copy())

    def reset_layout(self) -> None:
        reset_layout(self, self.splitters)

    def preferences(self) -> None:
        PreferencesDialog(self).exec()

    def export(self) -> None:
        """File > Export (window-modal, not blocking): the dialog on the current session."""
        session = self.controller.session
        if session is None:
            return
        from lmr_studio.gui.export_dialog import ExportDialog

        if self.export_dialog is not None:
            self.export_dialog.deleteLater()
        video = self.controller.video_path
        self.export_dialog = ExportDialog(session.result, str(video) if video else None, self, body=session.body,
                                          selected=self.controller.selected_track)
        self.export_dialog.exported.connect(lambda path: self.status_label.setText(f"Saved to {path}"))
        self.export_dialog.open()

    # -- Qt events ---------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_path(urls[0])

    def closeEvent(self, event) -> None:  # noqa: N802
        self.controller.shutdown()
        save_layout(self, self.splitters, self.video_view.mode, self.mesh_view.preset)
        self.playback.close()
        self.video_view.close_executor()
        self.mesh_view.close_plotter()
        super().closeEvent(event)
