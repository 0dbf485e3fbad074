"""``risk demo``: the README's main command, on the synthetic scenario.

It writes the scenario, ingests every file through the ordinary ingest path,
then runs each later stage that is installed (plugged in through the
``risk.demo_stages`` entry-point group, in name order), and ends by serving.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import click

from risk.cli.context import AppContext, pass_app
from risk.cli.data import format_report
from risk.synth import generate, ingest_scenario


@click.command(short_help="Synthesise, ingest and run every later stage on the synthetic scenario.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the synthetic scenario.")
@click.option(
    "--serve/--no-serve", default=True, help="End by serving on 127.0.0.1:8000 (if the service is installed)."
)
@pass_app
def demo(app: AppContext, seed: int, serve: bool) -> None:
    """Run everything on the synthetic scenario: synthesise, ingest, then every later stage."""
    scenario_dir = app.settings.home / "demo" / f"seed-{seed}"
    click.echo(f"1. writing the synthetic scenario to {scenario_dir}")
    paths = generate(scenario_dir, seed=seed)
    click.echo(f"2. ingesting into {app.settings.database_url}")
    for report in ingest_scenario(app.store, paths):
        click.echo(format_report(report))
    stages = sorted(entry_points(group="risk.demo_stages"), key=lambda e: e.name)
    for number, entry in enumerate(stages, start=3):
        click.echo(f"{number}. {entry.name.split('-', 1)[-1]}")
        entry.load()(app, serve=serve)
    if not stages:
        click.echo("no later stages are installed yet (features, models and service plug in here).")
    click.echo(f"done. Inspect the store with: RISK_HOME={app.settings.home} risk status")
    if serve and not any(e.name.endswith("serve") for e in stages):
        click.echo("(the web service is not built yet: nothing to serve)")
