"""``risk synth``: write the synthetic scenario."""

from __future__ import annotations

import json
from pathlib import Path

import click

from risk.grid import make_grid
from risk.synth import generate


@click.command(short_help="Write a deterministic synthetic scenario in the user-facing formats.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the scenario files into.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Random seed; the same seed gives the same bytes."
)
def synth(out_dir: Path, seed: int) -> None:
    """Write a deterministic synthetic country (boundaries, events, presence, provisions)."""
    paths = generate(out_dir, seed=seed)
    for name, path in paths.items():
        click.echo(f"wrote {name:<18} {path}")


@click.command(short_help="Write a regular grid of cells (PRIO-GRID numbering) to use as districts.")
@click.option("--bbox", required=True, help="min_lon,min_lat,max_lon,max_lat")
@click.option("--cell", type=float, default=0.5, show_default=True, help="Cell size in degrees.")
@click.option(
    "--within",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Keep only cells over these boundaries (GeoJSON).",
)
@click.option("--clip", is_flag=True, help="With --within: cut the cells to the boundaries.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def grid(bbox: str, cell: float, within: Path | None, clip: bool, out: Path) -> None:
    """Then `risk ingest districts OUT` makes the cells the units of every later stage."""
    try:
        box = tuple(float(v) for v in bbox.split(","))
        if len(box) != 4:
            raise ValueError("four numbers are needed")
        collection = make_grid(box, cell, within, clip)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--bbox/--cell") from exc
    out.write_text(json.dumps(collection), encoding="utf-8")
    click.echo(f"wrote {len(collection['features'])} cells of {cell:g} degrees to {out}")
