"""Shared test set-up. Fixtures live in ``tests/fixtures/<area>.py``, one module per area."""

import os

import pytest

# Keep torch and BLAS from oversubscribing the small CI machines.
os.environ.setdefault("OMP_NUM_THREADS", "2")

pytest_plugins = [
    "tests.fixtures.body",
    "tests.fixtures.exports",
    "tests.fixtures.fakes",
    "tests.fixtures.media",
    "tests.fixtures.qt_safety",
    "tests.fixtures.threads",
]


def pytest_collection_modifyitems(items):
    """Slow tests (training, whole videos) get an hour before pytest-timeout calls them hung; the
    others get the ``timeout`` of pyproject.toml."""
    for item in items:
        if item.get_closest_marker("slow") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(3600))


def pytest_runtest_setup(item):
    """Name the test that starts in pytest's cache (``lmr_studio/last_started``): when a hang ends
    the run, ``make test`` prints it after the stacks, where a CI log's tail shows it."""
    if item.config.pluginmanager.hasplugin("cacheprovider"):   # not under -p no:cacheprovider
        item.config.cache.set("lmr_studio/last_started", item.nodeid)


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory, monkeypatch):
    """Point the app's user settings (QSettings, recent files) at a per-session temp folder."""
    monkeypatch.setenv("LMR_STUDIO_CONFIG_DIR", str(tmp_path_factory.getbasetemp() / "config"))


@pytest.fixture(scope="session", autouse=True)
def _release_qt_windows_while_the_display_lives():
    """Delete closed windows (and their VTK render windows) before pytest-xvfb stops the X server;
    a VTK window destroyed after that would abort the process with an X I/O error."""
    yield
    import gc
    import sys

    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if not isinstance(app, QApplication):          # none, or a QCoreApplication of headless tests
        return
    for widget in app.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
    gc.collect()
