"""``risk features``: build, export and describe the district x period panel."""

from __future__ import annotations

from pathlib import Path

import click

from features.cache import cache_distributed, describe_frame, panel_from_store
from features.spec import PanelSpec
from risk.cli.context import AppContext, dask_client_for, engine_options, pass_app
from risk.periods import FREQUENCIES

_freq = click.option(
    "--freq",
    type=click.Choice(sorted(FREQUENCIES)),
    default="month",
    show_default=True,
    help="Period length.",
)
_half_life = click.option(
    "--half-life", type=float, default=3.0, show_default=True, help="Half-life of decayed counts, in periods."
)


@click.group(short_help="Build, export and describe the district x period feature panel.")
def features() -> None:
    """The district x period feature panel (features as of each period, and targets y_h)."""


def _summary(description: dict, key: str, cached: bool) -> str:
    periods = description["periods"]
    rates = ", ".join(f"{t} {rate:.1%}" for t, rate in description["target_rates"].items())
    return (
        f"panel {key} ({'from cache' if cached else 'built'}): {description['districts']} "
        f"districts x {len(periods)} periods ({periods.min()} .. {periods.max()}), "
        f"{description['features']} features; target rates {rates}"
    )


def _describe(panel) -> dict:
    return describe_frame(panel.frame, panel.target_names, len(panel.feature_names))


@features.command(short_help="Build the panel from the store and cache it.")
@_freq
@_half_life
@click.option("--no-cache", is_flag=True, help="Rebuild even if a cached panel matches the data.")
@engine_options
@click.option(
    "--blocks",
    type=click.IntRange(1, 100_000),
    help="With --engine dask: blocks of districts, one task each (default: by size).",
)
@pass_app
def build(
    app: AppContext,
    freq: str,
    half_life: float,
    no_cache: bool,
    engine: str,
    scheduler: str | None,
    workers: int | None,
    blocks: int | None,
) -> None:
    """Build the panel from everything in the store, and cache it under RISK_HOME/features.

    With --engine dask the panel is built block by block on a Dask cluster and written to the
    cache by the workers (the same cache entry, and the same rows, as the local engine).
    """
    spec = PanelSpec(freq=freq, half_life=half_life)
    folder = app.settings.features_dir
    if engine == "dask":
        with dask_client_for(app, scheduler, workers) as client:
            description, key, cached = cache_distributed(
                client, app.store, folder, spec, use_cache=not no_cache, n_blocks=blocks
            )
    else:
        panel, key, cached = panel_from_store(app.store, folder, spec, use_cache=not no_cache)
        description = _describe(panel)
    click.echo(_summary(description, key, cached))


@features.command(short_help="Write the panel to CSV or Parquet.")
@click.option("--as-of", help="Last period to include (YYYY-MM for months); default: the latest data.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write: .csv or .parquet.",
)
@_freq
@_half_life
@pass_app
def export(app: AppContext, as_of: str | None, output: Path, freq: str, half_life: float) -> None:
    """Write district_id, period, every feature and every target y_<h> to OUTPUT.

    With --as-of, the table is what was known then: targets whose window runs past that period
    are left empty.
    """
    if output.suffix.lower() not in (".csv", ".parquet"):
        raise click.BadParameter(
            f"{output.name!r}: the file must end in .csv or .parquet", param_hint="--output"
        )
    spec = PanelSpec(freq=freq, half_life=half_life)
    try:
        panel, _, _ = panel_from_store(app.store, app.settings.features_dir, spec, as_of=as_of)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from exc
    table = panel.export_frame()
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix.lower() == ".csv":
        table.to_csv(output, index=False)
    else:
        table.to_parquet(output, index=False)
    click.echo(f"wrote {len(table)} rows x {table.shape[1]} columns to {output}")


@features.command(short_help="List every feature with its family, unit and sentence.")
@_freq
@pass_app
def catalogue(app: AppContext, freq: str) -> None:
    """List every feature: name, family, unit and the sentence explanations use."""
    panel, _, _ = panel_from_store(app.store, app.settings.features_dir, PanelSpec(freq=freq))
    for info in panel.catalogue:
        click.echo(f"{info.name:<40} {info.family:<11} {info.unit:<18} {info.template}")


def demo_stage(app: AppContext, serve: bool = False) -> None:
    """Demo stage: build (and cache) the monthly panel."""
    panel, key, cached = panel_from_store(app.store, app.settings.features_dir)
    click.echo(_summary(_describe(panel), key, cached))
