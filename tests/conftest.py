"""Shared test set-up. Fixtures live in ``tests/fixtures/<area>.py``, one module per area."""

import os

import pytest

# Keep torch and BLAS from oversubscribing the small CI machines.
os.environ.setdefault("OMP_NUM_THREADS", "2")

pytest_plugins = [
    "tests.fixtures.body",
    "tests.fixtures.fakes",
    "tests.fixtures.media",
    "tests.fixtures.threads",
]


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory, monkeypatch):
    """Point the app's user settings (QSettings, recent files) at a per-session temp folder."""
    monkeypatch.setenv("LMR_STUDIO_CONFIG_DIR", str(tmp_path_factory.getbasetemp() / "config"))
