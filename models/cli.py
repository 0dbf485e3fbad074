"""``risk train``, ``risk score``, ``risk explain``, ``risk backtest`` and ``risk models``."""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import click
import pandas as pd

from features.cache import panel_from_store
from features.inputs import fingerprint, load_inputs
from features.spec import PanelSpec
from models.backtest import origins_between, run_backtest, write_backtest
from models.bundle import load_bundle, promote, register, train_bundle
from models.explain import explain, score_districts
from models.registry import FileModelStore, RegistryError
from models.spec import TrainSpec
from risk.cli.context import AppContext, dask_client_for, engine_options, pass_app
from risk.periods import parse_period

_horizons = click.option(
    "--horizon",
    "horizons",
    type=click.IntRange(1, 24),
    multiple=True,
    help="Horizon in periods (repeat for several; default 1 and 3).",
)


def registry(app: AppContext) -> FileModelStore:
    return FileModelStore(app.settings.registry_dir)


def _context(app: AppContext):
    inputs = load_inputs(app.store)
    panel, _, _ = panel_from_store(app.store, app.settings.features_dir, inputs=inputs)
    return inputs, panel


def _period(panel, text: str | None, name: str) -> pd.Period:
    periods = panel.frame.index.levels[1]
    if text is None:
        return periods.max()
    try:
        return parse_period(text, panel.spec.freq)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=name) from exc


def _fail(exc: Exception):
    raise click.ClickException(str(exc)) from exc


@click.command(short_help="Train a model version on the store's data (one model per horizon).")
@_horizons
@click.option("--until", help="Train on what was known at this period (YYYY-MM); default: the latest.")
@click.option(
    "--backtest-origins",
    type=click.IntRange(0, 120),
    default=12,
    show_default=True,
    help="Origins before --until to backtest the recipe on (for the promotion gate).",
)
@engine_options
@pass_app
def train(
    app: AppContext,
    horizons: tuple[int, ...],
    until: str | None,
    backtest_origins: int,
    engine: str,
    scheduler: str | None,
    workers: int | None,
) -> None:
    """Train, store an immutable version, and mark it `candidate` (also `production` if there is none).

    With --engine dask, features and boosters are computed on a Dask cluster (xgboost.dask); the
    version is stored like any other.  The new version number is the last line of the output."""
    spec = TrainSpec(horizons=tuple(sorted(set(horizons))) or (1, 3))
    try:
        if engine == "dask":
            bundle = _train_on_dask(app, spec, until, backtest_origins, scheduler, workers)
        else:
            inputs, panel = _context(app)
            bundle = train_bundle(
                panel,
                spec,
                _period(panel, until, "--until"),
                data_fingerprint=fingerprint(inputs),
                backtest_origins=backtest_origins,
                progress=True,
            )
    except ValueError as exc:
        _fail(exc)
    version, first = register(registry(app), bundle)
    if first:
        click.echo(f"no production model yet: version {version} is now production")
    for h, metrics in bundle.metadata["backtest"].items():
        if h != "origins":
            click.echo(
                f"horizon {h}: backtest AP {metrics['average_precision']:.3f}, Brier {metrics['brier']:.4f}"
            )
    click.echo(version)


def _train_on_dask(app, spec, until, backtest_origins, scheduler, workers):
    from features.distributed import build_panel_distributed
    from models.distributed import train_bundle_distributed

    inputs = load_inputs(app.store)
    panel_spec = PanelSpec()
    cutoff = parse_period(until, panel_spec.freq) if until else None
    with dask_client_for(app, scheduler, workers) as client:
        panel = build_panel_distributed(client, inputs, panel_spec, cutoff)
        return train_bundle_distributed(
            panel,
            spec,
            data_fingerprint=fingerprint(inputs),
            backtest_origins=backtest_origins,
            progress=True,
        )


@click.command(short_help="Risk scores of every district (production model).")
@click.option("--as-of", help="Period to score (YYYY-MM); default: the latest.")
@_horizons
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout."
)
@click.option("--version", "version", type=int, help="Model version (default: production).")
@pass_app
def score(
    app: AppContext,
    as_of: str | None,
    horizons: tuple[int, ...],
    fmt: str,
    output: Path | None,
    version: int | None,
) -> None:
    """Probability of fatal violence in each district over the next h periods, with its band and drivers."""
    inputs, panel = _context(app)
    try:
        number, bundle = load_bundle(registry(app), version)
        names = dict(zip(inputs.districts["id"], inputs.districts["name"], strict=True))
        table = score_districts(
            bundle, panel, _period(panel, as_of, "--as-of"), list(horizons) or None, names
        )
    except (RegistryError, ValueError, KeyError) as exc:
        _fail(exc)
    table.insert(len(table.columns), "model_version", number)
    for hook in entry_points(group="risk.after_scoring"):  # alerts plug in here (a higher layer)
        hook.load()(app, table, number)
    if fmt == "csv":
        text = table.to_csv(index=False)
    elif fmt == "json":
        text = table.to_json(orient="records", indent=1)
    else:
        shown = table.assign(probability=table["probability"].map("{:.1%}".format))
        text = shown.to_string(index=False, max_colwidth=70)
    if output:
        output.write_text(text)
        click.echo(f"wrote {len(table)} scores to {output}")
    else:
        click.echo(text)


@click.command(short_help="Why a district has its score: drivers, families, events.")
@click.argument("district")
@click.option("--as-of", help="Period (YYYY-MM); default: the latest.")
@click.option("--horizon", type=int, default=3, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def explain_command(app: AppContext, district: str, as_of: str | None, horizon: int, as_json: bool) -> None:
    """Explain the score of DISTRICT (an id or a name)."""
    inputs, panel = _context(app)
    ids = dict(zip(inputs.districts["name"].str.casefold(), inputs.districts["id"], strict=True))
    district_id = (
        district if district in set(inputs.districts["id"]) else ids.get(district.casefold(), district)
    )
    try:
        number, bundle = load_bundle(registry(app))
        result = explain(bundle, panel, inputs, district_id, _period(panel, as_of, "--as-of"), horizon)
    except (RegistryError, ValueError, KeyError) as exc:
        _fail(exc)
    result["model_version"] = number
    if as_json:
        click.echo(json.dumps(result, indent=1))
        return
    click.echo(
        f"{district} ({district_id}), {result['as_of']}, next {horizon} period(s): "
        f"{result['probability']:.1%} ({result['band']}), model version {number}"
    )
    for d in result["drivers"]:
        click.echo(f"  {d['direction']:<6} {d['contribution']:+.3f}  {d['sentence']}  [{d['family']}]")
    click.echo("  by family: " + ", ".join(f"{k} {v:+.2f}" for k, v in result["families"].items()))
    for e in result["recent_events"][:8]:
        click.echo(
            f"  event {e['source']}:{e['id']} {e['date_start']} {e['category']} {e['fatalities']} dead "
            f"({', '.join(e['actors'])})"
        )


@click.command(short_help="Rolling-origin backtest against the baselines, with a report.")
@click.option("--start", required=True, help="First origin (YYYY-MM).")
@click.option("--end", required=True, help="Last origin (YYYY-MM).")
@_horizons
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option(
    "--jobs", type=click.IntRange(1, 64), default=2, show_default=True, help="Origins run in parallel."
)
@pass_app
def backtest(
    app: AppContext, start: str, end: str, horizons: tuple[int, ...], output: Path, jobs: int
) -> None:
    """Writes predictions.csv, metrics.json and report.html (with PNG plots) to OUTPUT."""
    _, panel = _context(app)
    try:
        origins = origins_between(panel, start, end)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    spec = TrainSpec(horizons=tuple(sorted(set(horizons))) or (1, 3))
    predictions, gains = run_backtest(panel, origins, spec, n_jobs=jobs)
    metrics = write_backtest(output, predictions, gains, panel)
    click.echo(metrics.round(4).to_string(index=False))
    click.echo(f"report: {output / 'report.html'}")


@click.group(short_help="List, show, promote and roll back model versions.")
def models() -> None:
    """The model registry."""


@models.command("list")
@pass_app
def list_versions(app: AppContext) -> None:
    """Every version with its training window and aliases."""
    store = registry(app)
    aliases = {store.alias(a): a for a in ("candidate", "production") if store.alias(a)}
    for v in store.versions():
        meta = store.manifest(v)["metadata"]
        click.echo(f"{v}\t{meta['training_window']['until']}\th={meta['horizons']}\t{aliases.get(v, '')}")


@models.command("show")
@click.argument("version", type=int)
@pass_app
def show(app: AppContext, version: int) -> None:
    """The manifest of VERSION (files with SHA-256, metadata, backtest metrics)."""
    try:
        click.echo(json.dumps(registry(app).manifest(version), indent=1))
    except RegistryError as exc:
        _fail(exc)


@models.command("promote")
@click.argument("version", type=int)
@click.option("--force", is_flag=True, help="Promote even if its backtest is worse than production's.")
@click.option("--tolerance", type=float, default=0.01, show_default=True)
@pass_app
def promote_command(app: AppContext, version: int, force: bool, tolerance: float) -> None:
    """Make VERSION the production model (refused if its backtest is worse, unless --force)."""
    try:
        promote(registry(app), version, force=force, tolerance=tolerance)
    except RegistryError as exc:
        _fail(exc)
    click.echo(f"version {version} is production")


@models.command("rollback")
@pass_app
def rollback(app: AppContext) -> None:
    """Point production back at the version it had before."""
    try:
        click.echo(f"production is version {registry(app).rollback('production')} again")
    except RegistryError as exc:
        _fail(exc)


def demo_stage(app: AppContext, serve: bool = False) -> None:
    """Demo stage: train, promote the first model, show the ten highest scores."""
    inputs, panel = _context(app)
    bundle = train_bundle(
        panel,
        TrainSpec(),
        panel.frame.index.levels[1].max(),
        data_fingerprint=fingerprint(inputs),
        backtest_origins=6,
    )
    version, _ = register(registry(app), bundle)
    names = dict(zip(inputs.districts["id"], inputs.districts["name"], strict=True))
    table = score_districts(bundle, panel, panel.frame.index.levels[1].max(), [3], names)
    click.echo(f"model version {version}; highest 3-period risks:")
    click.echo(
        table.head(10)[["district_name", "probability", "band", "top_drivers"]]
        .assign(probability=lambda t: t["probability"].map("{:.0%}".format))
        .to_string(index=False)
    )
