"""Shared fixtures: a fresh store per test, the real-data folder, and a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from risk.config import load_settings
from risk.store import open_store


@pytest.fixture
def store(tmp_path):
    """An empty store (SQLite file) brought to the newest schema."""
    handle = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield handle
    handle.dispose()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real data folder; missing data fails under CI instead of skipping silently."""
    settings = load_settings()
    folder = settings.data_dir
    if not (folder / "SOURCES.md").exists():
        message = f"real data not found in {folder} (set RISK_DATA_DIR)"
        if settings.require_real_data:
            pytest.fail(message)
        pytest.skip(message)
    return folder


@pytest.fixture
def runner(tmp_path, monkeypatch) -> CliRunner:
    """A CLI runner whose RISK_HOME is a fresh temporary folder."""
    monkeypatch.setenv("RISK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RISK_DATABASE_URL", raising=False)
    return CliRunner()
