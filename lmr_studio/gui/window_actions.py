"""The main window's menus, toolbar and keyboard shortcuts (built once, wired to its controllers)."""

from __future__ import annotations

from pathlib import Path

import qtawesome as qta
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox

from lmr_studio.gui.person_combo import PersonCombo
from lmr_studio.gui.settings import recent_files
from lmr_studio.gui.start_screen import SAMPLE_VIDEO
from lmr_studio.gui.video_view import OVERLAY_MODES
from lmr_studio.video.source import IMAGE_SUFFIXES

_VIDEOS = "*.mp4 *.mov *.avi *.mkv *.webm *.m4v"
_PHOTOS = " ".join(f"*{suffix}" for suffix in sorted(IMAGE_SUFFIXES))      # a photo opens as a still
VIDEO_FILTER = f"Videos and photos ({_VIDEOS} {_PHOTOS});;Videos ({_VIDEOS});;Photos ({_PHOTOS});;All files (*)"
RESULT_FILTER = "LMR results (*.npz);;All files (*)"
KEYPOINT_FILTER = "Keypoints (*.json);;All files (*)"
SHORTCUTS = ("Space: play / pause\n"
             "J / K / L: play backwards / pause / play forwards (press again: faster)\n"
             "Left / Right or , / . : previous / next frame\n"
             "Page Up / Page Down: one second back / forward\n"
             "Home / End: first / last frame\n"
             "Ctrl+O: open a video    Ctrl+E: export\n"
             "Click the plots or the green strip to jump to a frame; type a frame number in the box.\n"
             "3D view: drag to rotate, right-drag or wheel to zoom, shift-drag to pan.")
ABOUT = ("<b>LMR Studio</b><br>Video human-mesh recovery with local recurrent models (LMR): six recurrent "
         "models, one per body part, the root first. Colours in the video, the 3D view and the plots "
         "are the parts.")


def _action(menu, icon_name: str | None, text: str, slot, tip: str, shortcut=None) -> QAction:
    action = menu.addAction(text)
    if icon_name:
        action.setIcon(qta.icon(icon_name, color="#e0e0e0"))
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(lambda _=False: slot())
    return action


def _fill_recent(win) -> None:
    win.recent_menu.clear()
    for path in recent_files():
        win.recent_menu.addAction(Path(path).name, lambda p=path: win.open_path(p))
    if win.recent_menu.isEmpty():
        win.recent_menu.addAction("(none)").setEnabled(False)


def _keypoints_source(path: str) -> str:
    """An OpenPose output is a folder of per-frame JSON files: a file picked in it means the folder."""
    return str(Path(path).parent) if path.endswith("_keypoints.json") else path


def build_actions(win) -> None:
    """Add the File / View / Help menus, the toolbar and the playback shortcuts to ``win``
    (a MainWindow); the actions the window enables later become its attributes."""
    ctl, play = win.controller, win.playback

    def ask(title: str, filters: str, then):
        def run() -> None:
            path = win.ask_open_path(title, filters)
            if path:
                then(path)
        return run

    choose_video = ask("Open video", VIDEO_FILTER, win.open_path)
    choose_result = ask("Open result", RESULT_FILTER, win.open_path)
    win.start_screen.open_video.connect(choose_video)
    win.start_screen.open_result.connect(choose_result)
    menu = win.menuBar().addMenu("&File")
    win.open_action = _action(menu, "fa5s.film", "&Open video…", choose_video,
                              "Open a video: LMR recovers every person in it", QKeySequence.StandardKey.Open)
    win.open_result_action = _action(menu, "fa5s.file-import", "Open &result…", choose_result,
                                     "Open a saved result (.npz)")
    win.sample_action = _action(menu, "fa5s.running", "Open the &sample", lambda: win.open_path(SAMPLE_VIDEO),
                                "Open the bundled sample video")
    win.sample_action.setEnabled(SAMPLE_VIDEO.exists())
    win.recent_menu = menu.addMenu("Open r&ecent")
    win.recent_menu.aboutToShow.connect(lambda: _fill_recent(win))
    win.locate_action = _action(menu, "fa5s.search", "&Locate video…",
                                ask("Where is the video now?", VIDEO_FILTER, win.relocate_video),
                                "The result's video has moved: choose where it is now")
    menu.addSeparator()
    win.reprocess_action = _action(menu, "fa5s.redo", "Re&process video", win.reprocess,
                                   "Run LMR on the video again (asks before replacing the result)")
    win.keypoints_action = _action(menu, "fa5s.user-check", "Process with &keypoints…",
                                   ask("Keypoints: a COCO .json, or any file of an OpenPose output folder",
                                       KEYPOINT_FILTER, lambda path: win.reprocess(_keypoints_source(path))),
                                   "Process the video with 2D keypoints from OpenPose or a COCO file "
                                   "instead of BlazePose's (when nobody is found, or to compare)")
    win.export_action = _action(menu, "fa5s.file-export", "&Export…", win.export,
                                "Export the result (meshes, animation, annotated video…)", "Ctrl+E")
    menu.addSeparator()
    _action(menu, "fa5s.cog", "&Preferences…", win.preferences, "Body model, device, ghost")
    _action(menu, None, "&Quit", win.close, "Quit LMR Studio", QKeySequence.StandardKey.Quit)

    view = win.menuBar().addMenu("&View")
    win.overlay_group = QActionGroup(win)
    for mode in OVERLAY_MODES:
        a = _action(view, None, f"Overlay: {mode}", lambda m=mode: win.set_overlay(m), f"Draw {mode} on the video")
        a.setCheckable(True)
        a.setData(mode)
        win.overlay_group.addAction(a)
    view.addSeparator()
    for preset in win.mesh_view.preset_buttons:
        _action(view, None, f"Camera: {preset}", lambda p=preset: win.mesh_view.set_camera(p), f"3D camera: {preset}")
    view.addSeparator()
    win.main_only_action = _action(view, None, "&Main person only",
                                   lambda: ctl.set_main_only(win.main_only_action.isChecked()),
                                   "Show and draw only the main person (faster on crowded videos)")
    win.main_only_action.setCheckable(True)
    _action(view, None, "People list", win.people_dock.show, "Show the list of people (colour, frames, hide/show)")
    view.addSeparator()
    win.loop_action = _action(view, "fa5s.redo-alt", "&Loop playback",
                              lambda: play.set_loop(win.loop_action.isChecked()),
                              "Loop: playback wraps at the end (off: it stops on the last frame)")
    win.loop_action.setCheckable(True)
    win.loop_action.setChecked(play.timeline.loop)
    _action(view, None, "Show all parts", win.parts_panel.reset, "Show every body part; clear highlight and solo")
    _action(view, None, "Reset layout", win.reset_layout, "Video and 3D view side by side, the plots below")

    help_menu = win.menuBar().addMenu("&Help")
    _action(help_menu, None, "&Keyboard shortcuts",
            lambda: QMessageBox.information(win, "Keyboard shortcuts", SHORTCUTS), "The keys of the window")
    _action(help_menu, None, "&About LMR Studio", lambda: QMessageBox.about(win, "About LMR Studio", ABOUT),
            "What LMR Studio is")

    bar = win.addToolBar("Main")
    bar.setObjectName("main_toolbar")
    bar.setMovable(False)
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for a in (win.open_action, win.open_result_action, win.reprocess_action, win.export_action):
        bar.addAction(a)
    bar.addSeparator()
    bar.addWidget(QLabel(" Overlay "))
    win.overlay_combo = QComboBox()
    win.overlay_combo.addItems(OVERLAY_MODES)
    win.overlay_combo.setToolTip("What to draw on the video: the mesh, the 24 joints, BlazePose's keypoints, "
                                 "or nothing")
    win.overlay_combo.currentTextChanged.connect(win.set_overlay)
    bar.addWidget(win.overlay_combo)
    bar.addWidget(QLabel("  Person "))
    win.track_combo = PersonCombo()
    win.track_combo.person_chosen.connect(ctl.select_track)
    bar.addWidget(win.track_combo)

    keys = {Qt.Key.Key_Space: play.toggle_play, Qt.Key.Key_K: play.pause,
            Qt.Key.Key_J: lambda: play.shuttle(-1), Qt.Key.Key_L: lambda: play.shuttle(1),
            Qt.Key.Key_Left: lambda: play.step(-1), Qt.Key.Key_Right: lambda: play.step(1),
            Qt.Key.Key_Comma: lambda: play.step(-1), Qt.Key.Key_Period: lambda: play.step(1),
            Qt.Key.Key_PageUp: lambda: play.jump_seconds(-1.0), Qt.Key.Key_PageDown: lambda: play.jump_seconds(1.0),
            Qt.Key.Key_Home: lambda: play.seek(0),
            Qt.Key.Key_End: lambda: play.seek(play.timeline.num_frames - 1)}
    for key, slot in keys.items():
        shortcut = QShortcut(QKeySequence(key), win)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)
