"""The migrations build exactly the schema the models describe, and upgrades are automatic."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from risk.config import load_settings
from risk.store.db import head_revision, open_store
from risk.store.schema import Base


def test_migrations_match_the_models(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert store.schema_revision() == head_revision()


def test_reopening_an_existing_store_keeps_it(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    open_store(url).dispose()
    again = open_store(url)
    assert again.schema_revision() == head_revision()
    again.dispose()


def test_settings_default_to_sqlite_inside_risk_home(tmp_path):
    settings = load_settings({"RISK_HOME": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{(tmp_path / 'risk.sqlite3').resolve()}"
    pg = load_settings({"RISK_DATABASE_URL": "postgresql+psycopg://u:p@localhost/risk"})
    assert pg.database_url.startswith("postgresql+psycopg://")
    assert load_settings({"CI": "true"}).require_real_data and not load_settings({}).require_real_data
