"""``risk synth``: write the synthetic scenario."""

from __future__ import annotations

from pathlib import Path

import click

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
