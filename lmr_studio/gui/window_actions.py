"""The main window's menus, toolbar and keyboard shortcuts (built once, wired to its controllers)."""

from __future__ import annotations

import qtawesome as qta
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox

from lmr_studio.gui.person_combo import PersonCombo
from lmr_studio.gui.start_screen import SAMPLE_VIDEO
from lmr_studio.gui.video_view import OVERLAY_MODES

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


def build_actions(win) -> None:
    """Add the File / View / Help menus, the toolbar and the playback shortcuts to ``win``
    (a MainWindow); the actions the window enables later become its attributes."""
    ctl, play = win.controller, win.playback
    menu = win.menuBar().addMenu("&File")
    win.open_action = _action(menu, "fa5s.film", "&Open video…", win.choose_video,
                              "Open a video: LMR recovers every person in it", QKeySequence.StandardKey.Open)
    win.open_result_action = _action(menu, "fa5s.file-import", "Open &result…", win.choose_result,
                                     "Open a saved result (.npz)")
    win.sample_action = _action(menu, "fa5s.running", "Open the &sample", lambda: win.open_path(SAMPLE_VIDEO),
                                "Open the bundled sample video")
    win.sample_action.setEnabled(SAMPLE_VIDEO.exists())
    win.recent_menu = menu.addMenu("Open r&ecent")
    win.recent_menu.aboutToShow.connect(win.fill_recent_menu)
    win.locate_action = _action(menu, "fa5s.search", "&Locate video…", win.locate_video,
                                "The result's video has moved: choose where it is now")
    menu.addSeparator()
    win.reprocess_action = _action(menu, "fa5s.redo", "Re&process video", win.reprocess,
                                   "Run LMR on the video again (asks before replacing the result)")
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
    win.loop_action = _action(view, "fa5s.redo-alt", "&Loop playback", lambda: play.set_loop(win.loop_action.isChecked()),
                              "Loop: playback wraps at the end (off: it stops on the last frame)")
    win.loop_action.setCheckable(True)
    win.loop_action.setChecked(play.timeline.loop)
    _action(view, None, "Show all parts", win.parts_panel.reset, "Show every body part; clear highlight and solo")
    _action(view, None, "Reset layout", win.reset_layout, "Video and 3D view side by side, the plots below")

    help_menu = win.menuBar().addMenu("&Help")
    _action(help_menu, None, "&Keyboard shortcuts", lambda: QMessageBox.information(win, "Keyboard shortcuts", SHORTCUTS),
            "The keys of the window")
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
    win.overlay_combo.setToolTip("What to draw on the video: the mesh, the 24 joints, BlazePose's keypoints, or nothing")
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
