"""Two schedulers at once on the same store raise each alert once (the store's uniqueness decides)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from sqlalchemy import func, select

from risk.config import load_settings
from risk.store import open_store
from risk.store.schema import Alert, OutboxMessage
from service.alerts.cli import create_rule


def test_concurrent_schedulers_make_no_duplicate_alert(service_home, tmp_path):
    settings, _ = service_home
    home = tmp_path / "home"
    shutil.copytree(settings.home, home)
    store = open_store(load_settings({"RISK_HOME": str(home)}).database_url)
    with store.session() as session:  # the copied home may hold alerts of earlier tests
        session.execute(OutboxMessage.__table__.delete())
        session.execute(Alert.__table__.delete())
    create_rule(
        store,
        name="two schedulers",
        horizon=3,
        condition="threshold",
        threshold=0.3,
        url="http://127.0.0.1:9/hook",
        secret="whsec_c2VjcmV0c2VjcmV0",
    )
    env = {**os.environ, "RISK_HOME": str(home)}
    env.pop("RISK_DATABASE_URL", None)
    command = [sys.executable, "-c", "from risk.cli import main; main()", "scheduler", "--once"]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [r.communicate(timeout=180) for r in runs]
    assert all(r.returncode == 0 for r in runs), outputs
    with store.session() as session:
        alerts = session.scalar(select(func.count()).select_from(Alert))
        distinct = session.scalar(select(func.count(func.distinct(Alert.district_id))))
        messages = session.scalar(select(func.count()).select_from(OutboxMessage))
    assert alerts > 0 and alerts == distinct == messages  # one alert and one webhook per district
    store.dispose()
