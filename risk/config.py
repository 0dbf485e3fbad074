"""Configuration, read from the environment in this one module and nowhere else.

Every setting has a default that works on a fresh machine with no server: the
store is a SQLite file inside ``RISK_HOME``.

Variables
---------
RISK_HOME
    Folder for the database file, the model registry, downloads and reports
    (default ``./.risk``).
RISK_DATABASE_URL
    SQLAlchemy URL of the store (default ``sqlite:///$RISK_HOME/risk.sqlite3``).
    ``postgresql+psycopg://user:pass@host/db`` works too.
RISK_DATA_DIR
    Folder with the shared real data sets used by tests and benchmarks
    (default ``../shared/data`` beside the repository root).
RISK_UCDP_BASE_URL
    Where UCDP GED release files are downloaded from.
RISK_TEST_DATABASE_URL
    A PostgreSQL server the test suite may create throwaway databases on (``.ci/run`` starts one).
RISK_OPEN_READ
    ``1`` lets anyone read scores and explanations without a key (default: a key is needed).
RISK_MAX_REQUEST_BYTES
    Largest request body the service accepts (default 10 MiB).
RISK_DASK_SCHEDULER
    Address of a Dask scheduler (``tcp://host:8786``) for ``--engine dask``; default: a local
    cluster started for the command.
RISK_DASK_WORKERS
    Worker processes of that local cluster (default 2).
CI, RISK_REQUIRE_REAL_DATA
    When either is set (CI sets ``CI=true``), tests that need the real data fail
    instead of skipping if it is missing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
UCDP_DOWNLOADS = "https://ucdp.uu.se/downloads/ged/"


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build one with :func:`load_settings`."""

    home: Path
    database_url: str
    data_dir: Path
    ucdp_base_url: str = UCDP_DOWNLOADS
    require_real_data: bool = False
    open_read: bool = False
    test_database_url: str | None = None
    max_request_bytes: int = 10 * 1024 * 1024
    dask_scheduler: str | None = None
    dask_workers: int = 2

    @property
    def downloads_dir(self) -> Path:
        return self.home / "downloads"

    @property
    def features_dir(self) -> Path:
        return self.home / "features"

    @property
    def registry_dir(self) -> Path:
        return self.home / "registry"

    def with_home(self, home: Path | str) -> Settings:
        """The same settings rooted at another home (the database follows if it was the default)."""
        home = Path(home)
        default_url = _default_database_url(self.home)
        url = _default_database_url(home) if self.database_url == default_url else self.database_url
        return replace(self, home=home, database_url=url)


def _default_database_url(home: Path) -> str:
    return f"sqlite:///{(home / 'risk.sqlite3').resolve()}"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from ``environ`` (default: the process environment)."""
    env = os.environ if environ is None else environ
    home = Path(env.get("RISK_HOME") or ".risk")
    return Settings(
        home=home,
        database_url=env.get("RISK_DATABASE_URL") or _default_database_url(home),
        data_dir=Path(env.get("RISK_DATA_DIR") or REPO_ROOT.parent / "shared" / "data"),
        ucdp_base_url=env.get("RISK_UCDP_BASE_URL") or UCDP_DOWNLOADS,
        require_real_data=_truthy(env.get("CI")) or _truthy(env.get("RISK_REQUIRE_REAL_DATA")),
        open_read=_truthy(env.get("RISK_OPEN_READ")),
        test_database_url=env.get("RISK_TEST_DATABASE_URL") or None,
        max_request_bytes=int(env.get("RISK_MAX_REQUEST_BYTES") or 10 * 1024 * 1024),
        dask_scheduler=env.get("RISK_DASK_SCHEDULER") or None,
        dask_workers=int(env.get("RISK_DASK_WORKERS") or 2),
    )


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}
