"""`risk keys`, and the 500 handler: a person-readable problem, never a stack trace."""

from __future__ import annotations

from click.testing import CliRunner

from risk.cli import main
from risk.config import load_settings
from risk.store import open_store
from service import create_app
from service.auth import role_of


def test_keys_create_list_revoke(tmp_path, monkeypatch):
    monkeypatch.setenv("RISK_HOME", str(tmp_path))
    monkeypatch.delenv("RISK_DATABASE_URL", raising=False)
    runner = CliRunner()
    created = runner.invoke(main, ["keys", "create", "--role", "analyst", "--label", "desk"])
    assert created.exit_code == 0
    key = created.output.strip().splitlines()[-1]
    store = open_store(load_settings({"RISK_HOME": str(tmp_path)}).database_url)
    assert key.startswith("rk_") and role_of(store, key) == "analyst"
    listing = runner.invoke(main, ["keys", "list"]).output
    assert "analyst" in listing and key not in listing and "active" in listing
    assert runner.invoke(main, ["keys", "revoke", "1"]).exit_code == 0
    assert "revoked" in runner.invoke(main, ["keys", "list"]).output
    assert runner.invoke(main, ["keys", "revoke", "1"]).exit_code == 1
    bad = runner.invoke(main, ["keys", "create", "--role", "root"])
    assert bad.exit_code == 2 and "root" in bad.output
    store.dispose()


def test_unexpected_errors_become_problems_without_traces(tmp_path):
    app = create_app({"SETTINGS": load_settings({"RISK_HOME": str(tmp_path)})})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals at /srv/app.py line 12")

    r = app.test_client().get("/boom")
    text = r.get_data(as_text=True)
    assert r.status_code == 500 and r.mimetype == "application/problem+json"
    assert "secret" not in text and "Traceback" not in text and "has been logged" in text
