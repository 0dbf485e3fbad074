"""Alerts over the API, and one scheduler cycle."""

from __future__ import annotations

from click.testing import CliRunner

from risk.cli import main


def test_rules_crud_alerts_and_ack(client, auth):
    created = client.post(
        "/v1/alert-rules",
        json={"name": "everything high", "horizon": 3, "condition": "threshold", "threshold": 0.2},
        headers=auth("analyst"),
    )
    assert created.status_code == 201 and created.get_json()["channel"] == "log"
    rule_id = created.get_json()["id"]
    bad = client.post(
        "/v1/alert-rules",
        json={"name": "x", "condition": "threshold", "webhook_url": "http://127.0.0.1:9/", "threshold": 0.5},
        headers=auth("analyst"),
    )
    assert bad.status_code == 422 and "secret" in bad.get_json()["detail"]
    rules = client.get("/v1/alert-rules", headers=auth("viewer")).get_json()["rules"]
    assert any(r["id"] == rule_id for r in rules) and all("secret" not in r for r in rules)

    from service.alerts.evaluate import evaluate_rules

    state = client.application.extensions["risk"]
    number, table = state.scores()
    evaluate_rules(state.store, table, number)
    alerts = client.get(f"/v1/alerts?rule_id={rule_id}&state=open", headers=auth("viewer")).get_json()[
        "alerts"
    ]
    assert alerts and all(a["probability"] >= 0.2 and a["horizon"] == 3 for a in alerts)
    acked = client.post(f"/v1/alerts/{alerts[0]['id']}/ack", headers=auth("analyst"))
    assert acked.status_code == 200 and acked.get_json()["state"] == "acknowledged"
    still_open = client.get(f"/v1/alerts?rule_id={rule_id}&state=open", headers=auth("viewer")).get_json()
    assert len(still_open["alerts"]) == len(alerts) - 1
    assert client.get("/v1/alerts?since=2099-01", headers=auth("viewer")).get_json()["alerts"] == []
    assert client.delete(f"/v1/alert-rules/{rule_id}", headers=auth("analyst")).status_code == 204
    assert client.delete(f"/v1/alert-rules/{rule_id}", headers=auth("analyst")).status_code == 404
    assert client.post("/v1/alerts/99999/ack", headers=auth("analyst")).status_code == 404


def test_scheduler_cycle_scores_evaluates_and_delivers(service_home, tmp_path, monkeypatch):
    import shutil

    settings, _ = service_home
    home = tmp_path / "home"
    shutil.copytree(settings.home, home)
    monkeypatch.setenv("RISK_HOME", str(home))
    monkeypatch.delenv("RISK_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert (
        runner.invoke(main, ["alerts", "rules", "add", "--threshold", "0.3", "--horizon", "3"]).exit_code == 0
    )
    first = runner.invoke(main, ["scheduler", "--once"])
    assert first.exit_code == 0 and "alerts raised" in first.output
    raised = int(first.output.split("alerts raised ")[1].split(";")[0])
    assert raised > 0
    again = runner.invoke(main, ["scheduler", "--once"])
    assert "alerts raised 0" in again.output  # nothing changed: no re-scoring, no new alert
