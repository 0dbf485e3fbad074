"""Shared fixtures: a fresh store per test, the real-data folder, and a CLI runner."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from risk.config import load_settings
from risk.store import open_store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    """An empty store brought to the newest schema: a SQLite file, and a fresh PostgreSQL database."""
    if request.param == "sqlite":
        handle = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
        yield handle
        handle.dispose()
        return
    with throwaway_postgres_database() as url:
        handle = open_store(url)
        yield handle
        handle.dispose()


@contextmanager
def throwaway_postgres_database():
    """A new database on the server at RISK_TEST_DATABASE_URL, dropped afterwards."""
    settings = load_settings()
    if not settings.test_database_url:
        if settings.require_real_data:
            pytest.fail("RISK_TEST_DATABASE_URL is not set (.ci/run starts a PostgreSQL server and sets it)")
        pytest.skip("RISK_TEST_DATABASE_URL is not set")
    admin = create_engine(settings.test_database_url, isolation_level="AUTOCOMMIT")
    name = f"risk_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(settings.test_database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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


@pytest.fixture
def postgres_url():
    """A throwaway PostgreSQL database: on RISK_TEST_DATABASE_URL's server, else on a cluster started here."""
    if load_settings().test_database_url:
        with throwaway_postgres_database() as url:
            yield url
        return
    yield from _own_cluster()


def _own_cluster():
    import os
    import shutil
    import socket
    import subprocess
    import tempfile

    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    # Not under pytest's tmp folder: that one is private to the user, and the server may run as postgres.
    root = Path(tempfile.mkdtemp(prefix="risk-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(root, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = root / "data"
    subprocess.run(
        [*as_user, initdb, "-D", str(data), "-A", "trust", "-U", "risk", "--no-sync", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    options = f"-k {root} -p {port} -c listen_addresses=127.0.0.1 -F"
    subprocess.run(
        [*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://risk@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def dask_cluster_client():
    """A client of a 2-worker local Dask cluster (worker processes), shared by the engine tests."""
    from risk.compute import dask_client

    with dask_client(n_workers=2) as client:
        yield client
