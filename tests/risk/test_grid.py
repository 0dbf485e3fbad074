"""Regular grids as districts: PRIO-GRID numbering, adjacency, and the whole pipeline on cells."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from features.inputs import load_inputs
from features.panel import build_panel
from risk.cli import main
from risk.grid import make_grid
from risk.ingest import ingest_file
from risk.store.schema import Neighbour
from risk.synth import generate


@pytest.mark.realdata
def test_cell_ids_are_prio_grid_ids(data_dir):
    """GED gives each event its PRIO-GRID cell: our numbering must agree for exactly located events."""
    events = pd.read_csv(data_dir / "ucdp_ged231_caf_events_1991_2020.csv")
    exact = events[(events["where_prec"] == 1) & events["priogrid_gid"].notna()]
    grid = make_grid((14.0, 2.0, 28.0, 11.5), 0.5)
    cells = {f["properties"]["shapeID"]: f for f in grid["features"]}
    row = np.floor((exact["latitude"] + 90) / 0.5).astype(int)
    col = np.floor((exact["longitude"] + 180) / 0.5).astype(int)
    ours = row * 720 + col + 1
    on_edge = ((exact["latitude"] * 2) % 1 == 0) | ((exact["longitude"] * 2) % 1 == 0)
    assert (ours[~on_edge] == exact["priogrid_gid"][~on_edge].astype(int)).mean() == 1.0
    assert all(f"PG-{g}" in cells for g in ours)


def test_grid_cells_run_through_the_pipeline(tmp_path, store):
    scenario = generate(tmp_path / "scenario", seed=2)
    runner = CliRunner()
    out = tmp_path / "grid.geojson"
    result = runner.invoke(main, ["grid", "--bbox", "-1,9,9,17", "--cell", "0.5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    n_cells = len(json.loads(out.read_text())["features"])
    assert n_cells == 20 * 16
    assert ingest_file(store, "districts", out).accepted == n_cells
    events = ingest_file(store, "ucdp", scenario["ged_events.csv"])
    assert events.rejected == 0 and events.assigned > 0
    with store.session() as session:
        degrees = pd.Series(
            dict(
                session.execute(
                    select(Neighbour.district_id, func.count()).group_by(Neighbour.district_id)
                ).all()
            )
        )
    assert degrees.max() == 4 and degrees.min() == 2 and (degrees == 4).sum() == 18 * 14  # rook: corners 2
    panel = build_panel(load_inputs(store))
    frame = panel.frame
    assert frame.index.get_level_values(0).nunique() == n_cells
    raw = pd.read_csv(scenario["ged_events.csv"])
    placed = raw[(raw["where_prec"] <= 3) & (raw["type_of_violence"] == 3)]
    month = pd.to_datetime(placed["date_end"]).dt.to_period("M")
    by_month = frame.groupby(level="period")["attacks_count_1"].sum()
    expected = month.value_counts().reindex(by_month.index, fill_value=0)
    pd.testing.assert_series_equal(by_month.astype(int), expected.astype(int), check_names=False)


def test_bad_grid_arguments_are_named():
    with pytest.raises(ValueError, match="cell"):
        make_grid((0, 0, 1, 1), 0)
    result = CliRunner().invoke(main, ["grid", "--bbox", "1,2,3", "--out", "/tmp/x.geojson"])
    assert result.exit_code == 2 and "four numbers" in result.output
