"""What every command shares: the settings and a lazily opened store."""

from __future__ import annotations

from dataclasses import dataclass, field

import click

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
