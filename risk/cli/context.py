"""What every command shares: the settings and a lazily opened store."""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from risk.compute import ENGINES, EngineUnavailable, dask_client
from risk.config import Settings, load_settings
from risk.store.db import Store, open_store


@dataclass
class AppContext:
    settings: Settings
    _store: Store | None = field(default=None, repr=False)

    @classmethod
    def from_environment(cls) -> AppContext:
        return cls(load_settings())

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings.database_url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()
            self._store = None


pass_app = click.make_pass_decorator(AppContext)


def engine_options(func):
    """``--engine local|dask``, ``--scheduler ADDRESS`` and ``--workers N`` for heavy commands."""
    func = click.option(
        "--workers",
        type=click.IntRange(1, 256),
        help="Worker processes of the local Dask cluster (default RISK_DASK_WORKERS, else 2).",
    )(func)
    func = click.option(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler to use (default RISK_DASK_SCHEDULER; none: a local cluster for this command).",
    )(func)
    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="local",
        show_default=True,
        help="Run in this process, or on a Dask cluster (for what outgrows one process).",
    )(func)


def dask_client_for(app: AppContext, scheduler: str | None, workers: int | None):
    """A Dask client for a command run with ``--engine dask`` (as a context manager)."""
    try:
        return dask_client(
            scheduler or app.settings.dask_scheduler, n_workers=workers or app.settings.dask_workers
        )
    except EngineUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
