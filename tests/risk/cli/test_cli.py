"""The ``risk`` command line: help, JSON summaries, exit status, the demo."""

from __future__ import annotations

import json

from risk.cli import main
from tests.risk.ingest.factories import ged_csv, ged_row, write


def test_help_lists_every_command_with_a_description(runner):
    result = runner.invoke(main, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    every = (
        "alerts",
        "backtest",
        "demo",
        "explain",
        "features",
        "grid",
        "ingest",
        "keys",
        "models",
        "runs",
        "scheduler",
        "score",
        "serve",
        "status",
        "synth",
        "train",
    )  # plug-ins of the higher layers too
    for command in every:
        line = next(li for li in result.output.splitlines() if li.strip().startswith(command + " "))
        assert len(line.split(None, 1)[1]) > 10 and not line.endswith("...")


def test_ingest_json_summary_and_exit_status(runner, tmp_path):
    good = write(tmp_path, "ged.csv", ged_csv([ged_row(1), ged_row(2, best="-1")]))
    result = runner.invoke(main, ["ingest", "ucdp", str(good), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    for key in ("read", "accepted", "duplicate", "rejected", "assigned", "unassigned"):
        assert key in summary
    assert (summary["read"], summary["accepted"], summary["rejected"]) == (2, 1, 1)
    again = runner.invoke(main, ["ingest", "ucdp", str(good)])
    assert again.exit_code == 0 and "already ingested" in again.output
    bad = write(tmp_path, "bad.csv", "name,when\nx,y\n")
    failed = runner.invoke(main, ["ingest", "ucdp", str(bad)])
    assert failed.exit_code == 2 and "missing column(s)" in failed.output
    listing = runner.invoke(main, ["runs"])
    assert "failed" in listing.output and "ok" in listing.output
    rejected = runner.invoke(main, ["runs", "--rejected", str(summary["run_id"])])
    assert "row 3\tbest" in rejected.output


def test_demo_without_serving_ingests_the_scenario(runner):
    result = runner.invoke(main, ["demo", "--no-serve", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.count("rejected 0") == 5
    status = runner.invoke(main, ["status"])
    assert "districts 50" in status.output
