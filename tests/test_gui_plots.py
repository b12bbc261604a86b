"""Readable plots (pytest-qt under Xvfb): tick labels that never overlap, frames over the
slider's frames, dashed right-side parts, a result strip unlike the slider's fill."""

from __future__ import annotations

import numpy as np
import pytest

from lmr_studio.qtenv import use_pyside6_plugins

use_pyside6_plugins()

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QColor, QFontMetrics, QPalette  # noqa: E402

from lmr_studio.gui.app import dark_palette  # noqa: E402
from lmr_studio.gui.main_window import MainWindow  # noqa: E402
from lmr_studio.gui.timeline import STRIP_COLOUR  # noqa: E402
from lmr_studio.parts import RIGHT_PARTS  # noqa: E402
from tests.fixtures.fakes import FakeVideo, fake_open_job, make_waving_result  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture(params=[(1000, 700), (1600, 1000)], ids=["1000x700", "1600x1000"])
def window(request, qtbot, tmp_path):
    result = make_waving_result(1200)                 # 48 s at 25 fps: four-digit frame labels
    win = MainWindow(open_source=lambda path: FakeVideo(1200), make_job=fake_open_job(result))
    win.report_error = lambda _parent, err: pytest.fail(str(err))
    qtbot.addWidget(win)
    win.resize(*request.param)
    win.show()
    qtbot.waitExposed(win)
    with qtbot.waitSignal(win.controller.session_ready, timeout=20000):
        win.open_path(tmp_path / "clip.mp4")
    qtbot.waitUntil(lambda: not win.controller.busy, timeout=5000)
    qtbot.wait(50)
    yield win
    win.close()


def _label_pixels(plot, name: str) -> tuple[np.ndarray, float]:
    """Screen positions (px along the axis) of an axis' labelled ticks, and the room one needs."""
    axis = plot.getAxis(name)
    lo, hi = plot.vb.viewRange()[1 if name == "left" else 0]
    size = axis.geometry().height() if name == "left" else axis.geometry().width()
    values = sorted(v for _spacing, ticks in axis.tickValues(lo, hi, size) for v in ticks)
    metrics = QFontMetrics(axis.font())
    room = metrics.height() if name == "left" else max(
        metrics.horizontalAdvance(text) for text in axis.tickStrings(values, 1.0, 1.0) or ["0"])
    return np.array([(v - lo) / (hi - lo) * size for v in values]), room


def test_tick_labels_never_overlap(window):
    plot = window.plot
    for item, name in ((plot.speed_plot, "left"), (plot.activity_plot, "left"), (plot.activity_plot, "bottom")):
        pixels, room = _label_pixels(item, name)
        assert len(pixels) >= 2, name                 # the axis still says something
        assert np.diff(pixels).min() >= room, (name, np.diff(pixels).min(), room)


def test_plot_frames_sit_over_the_slider_frames(window):
    slider, plot = window.timeline_bar.slider, window.plot
    first, per = slider.frame_span()
    curves_left = plot.mapToGlobal(QPoint(round(plot.frames_left()), 0)).x()
    assert abs(slider.mapToGlobal(QPoint(round(first), 0)).x() - curves_left) <= 2    # no frame under the axis
    for frame in (0, 300, 1199):
        slider_x = slider.mapToGlobal(QPoint(round(first + frame * per), 0)).x()
        plot_x = plot.mapToGlobal(QPoint(round(plot.frame_x(frame)), 0)).x()
        assert abs(slider_x - plot_x) <= 2, frame
    window.bottom_split.setSizes([350, window.width() - 350])          # drag the splitter: still aligned
    window.grab()                                                      # let the layout settle
    first, per = slider.frame_span()
    slider_x = slider.mapToGlobal(QPoint(round(first + 600 * per), 0)).x()
    assert abs(slider_x - plot.mapToGlobal(QPoint(round(plot.frame_x(600)), 0)).x()) <= 2


def test_right_parts_are_dashed_and_the_strip_is_not_the_slider_green(window):
    for p, curve in enumerate(window.plot.speed_curves):
        dashed = curve.opts["pen"].style() == Qt.PenStyle.DashLine
        assert dashed == (p in RIGHT_PARTS)
    fill = dark_palette().color(QPalette.ColorRole.Highlight)          # the slider's fill in the app
    strip = QColor(STRIP_COLOUR)
    assert abs(fill.hslHue() - strip.hslHue()) > 60 or abs(fill.lightness() - strip.lightness()) > 60
