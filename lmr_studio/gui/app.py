"""QApplication set-up, the dark theme, and the ``lmr-studio [VIDEO] --frame N --screenshot PNG`` run."""

from __future__ import annotations

import sys
from pathlib import Path

from lmr_studio.qtenv import use_pyside6_plugins

use_pyside6_plugins()

from PySide6.QtCore import QPoint, QTimer  # noqa: E402  (after the plugin fix)
from PySide6.QtGui import QColor, QImage, QPainter, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from lmr_studio.errors import LMRStudioError  # noqa: E402
from lmr_studio.gui.gui_gc import garbage_collected_on_gui_thread  # noqa: E402
from lmr_studio.io.atomic import atomic_path  # noqa: E402


def dark_palette() -> QPalette:
    """A calm dark palette (video and 3D read better on dark grey)."""
    pal = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#23272e", QPalette.ColorRole.WindowText: "#e0e0e0",
        QPalette.ColorRole.Base: "#1b1f24", QPalette.ColorRole.AlternateBase: "#2a2f37",
        QPalette.ColorRole.Text: "#e0e0e0", QPalette.ColorRole.Button: "#2f353e",
        QPalette.ColorRole.ButtonText: "#e0e0e0", QPalette.ColorRole.Highlight: "#4caf50",
        QPalette.ColorRole.HighlightedText: "#101010", QPalette.ColorRole.ToolTipBase: "#2f353e",
        QPalette.ColorRole.ToolTipText: "#e0e0e0", QPalette.ColorRole.PlaceholderText: "#7d848e",
    }
    for role, colour in colours.items():
        pal.setColor(role, QColor(colour))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#6b717a"))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6b717a"))
    return pal


def application() -> QApplication:
    """The QApplication (created once) with the Fusion style and the dark palette."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("LMR Studio")
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    return app


def grab_window(window) -> QImage:
    """The whole window as an image, with the VTK viewport's own pixels painted in (Qt's grab
    does not see the native OpenGL surface)."""
    image = window.grab().toImage()
    plotter = window.mesh_view.plotter
    if not plotter.interactor.isVisible():
        return image
    plotter.render()
    pixels = plotter.screenshot(return_img=True)
    h, w = pixels.shape[:2]
    vtk_image = QImage(pixels.copy().data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    widget = plotter.interactor
    top_left = widget.mapTo(window, QPoint(0, 0))
    painter = QPainter(image)
    painter.drawImage(top_left, vtk_image.scaled(widget.width(), widget.height()))
    painter.end()
    return image


def save_screenshot(window, path: str | Path) -> Path:
    """Write the window to ``path`` (PNG) atomically."""
    path = Path(path)
    image = grab_window(window)
    with atomic_path(path) as tmp:
        if not image.save(str(tmp), "PNG"):
            raise LMRStudioError(f"Could not write the screenshot {path}.", "Choose a folder you can write to.")
    return path


def main(video: str | None = None, frame: int | None = None, screenshot: str | None = None,
         smpl: str | None = None, size: tuple[int, int] | None = None, overlay: str | None = None) -> int:
    """Open the window (optionally on ``video``), ``size`` (w, h) pixels, drawing ``overlay`` on
    the video. With ``screenshot``, wait for the result, show ``frame``, save the window and exit:
    0 on success, 2 when processing failed."""
    app = application()
    with garbage_collected_on_gui_thread():   # never on a job's thread (gui_gc.py)
        return _run_window(app, video, frame, screenshot, smpl, size, overlay)


def _run_window(app: QApplication, video, frame, screenshot, smpl, size, overlay) -> int:
    """:func:`main`'s window, shown and run until it closes; the exit code."""
    from lmr_studio.gui.main_window import MainWindow
    from lmr_studio.gui.playback_controller import PLAYHEAD_INTERVAL_MS
    from lmr_studio.gui.settings import app_settings

    if smpl:
        if not Path(smpl).exists():
            raise LMRStudioError(f"The SMPL model file {smpl} does not exist.",
                                 "Give the path of SMPL_NEUTRAL.pkl / .npz, or leave --smpl out to use Anny.")
        app_settings().setValue("smpl_path", str(Path(smpl).resolve()))
    window = MainWindow()
    if size or screenshot:
        window.resize(*(size or (1500, 900)))
    if overlay:
        window.set_overlay(overlay)
    window.show()
    outcome = {"code": 0}
    if screenshot:

        def fail(error: BaseException) -> None:            # no modal dialog in a scripted run
            print(f"lmr-studio: error: {error}", file=sys.stderr)
            outcome["code"] = 2

        window.report_error = lambda _parent, error: fail(error)

        def finish() -> None:
            window.close()
            app.quit()

        def save() -> None:
            save_screenshot(window, screenshot)
            print(f"saved {screenshot}")
            finish()

        def shoot(ok: bool) -> None:
            if ok and window.controller.session is not None:
                window.playback.seek(frame or 0)
                QTimer.singleShot(PLAYHEAD_INTERVAL_MS + 50, save)      # the plots' playhead lands too
                return
            if outcome["code"] == 0:
                outcome["code"] = 2
            finish()

        window.controller.job_ended.connect(lambda ok: QTimer.singleShot(300, lambda: shoot(ok)))
    if video:
        window.open_path(video)
        if frame is not None and not screenshot:
            window.playback.seek(frame)
        if screenshot and window.controller.job is None:            # the video could not be opened
            window.close()
            return 2
    elif screenshot:
        QTimer.singleShot(500, lambda: (save_screenshot(window, screenshot), window.close(), app.quit()))
    app.exec()
    return outcome["code"]
