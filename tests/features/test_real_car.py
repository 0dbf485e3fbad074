"""The panel on the real CAR data, checked against values computed by hand from the raw files."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from shapely.geometry import shape

from features.inputs import load_inputs
from features.panel import build_panel
from risk.ingest import ingest_file

pytestmark = pytest.mark.realdata
HALF_LIFE = 3.0


@pytest.fixture(scope="module")
def car(tmp_path_factory, data_dir):
    from risk.store import open_store

    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('car') / 's.sqlite3'}")
    ingest_file(store, "districts", data_dir / "caf_adm2_geoboundaries.geojson")
    ingest_file(store, "ucdp", data_dir / "ucdp_ged231_caf_events_1991_2020.csv")
    panel = build_panel(load_inputs(store))
    yield store, panel
    store.dispose()


def _polygons(data_dir) -> dict[str, tuple[str, object]]:
    geo = json.loads((data_dir / "caf_adm2_geoboundaries.geojson").read_text())
    return {
        f["properties"]["shapeName"]: (f["properties"]["shapeID"], shape(f["geometry"]))
        for f in geo["features"]
    }


def _monthly_attacks_by_hand(raw: pd.DataFrame, polygon) -> pd.Series:
    """One-sided violence (type 3) placed precisely inside ``polygon``, by month of date_end."""
    inside = shapely.intersects_xy(polygon, raw["longitude"], raw["latitude"]) & (raw["where_prec"] <= 3)
    chosen = raw[inside & (raw["type_of_violence"] == 3)]
    return pd.to_datetime(chosen["date_end"]).dt.to_period("M").value_counts()


@pytest.mark.parametrize(("district", "month"), [("Bangui", "2014-01"), ("Bambari", "2017-05")])
def test_counts_decay_and_neighbours_match_the_raw_events(car, data_dir, district, month):
    _, panel = car
    raw = pd.read_csv(data_dir / "ucdp_ged231_caf_events_1991_2020.csv")
    polygons = _polygons(data_dir)
    district_id, polygon = polygons[district]
    t = pd.Period(month, "M")
    monthly = _monthly_attacks_by_hand(raw, polygon)
    count_3 = sum(monthly.get(t - k, 0) for k in range(3))
    ratio = 0.5 ** (1 / HALF_LIFE)
    decay = sum(n * ratio ** (t - m).n for m, n in monthly.items() if m <= t)
    # neighbours: polygons sharing a border with this one, found here directly with shapely
    neighbours = [
        p
        for name, (_, p) in polygons.items()
        if name != district and p.buffer(1e-5).intersection(polygon.boundary).length > 1e-3
    ]
    nb_count_3 = sum(
        sum(_monthly_attacks_by_hand(raw, p).get(t - k, 0) for k in range(3)) for p in neighbours
    )

    row = panel.frame.loc[(district_id, t)]
    assert count_3 > 0 and nb_count_3 > 0  # the months were chosen to have something to check
    assert row["attacks_count_3"] == count_3
    assert row["attacks_decay"] == pytest.approx(decay)
    assert row["nb_attacks_count_3"] == nb_count_3


def test_panel_is_complete_and_targets_end_with_the_data(car):
    _, panel = car
    frame = panel.frame
    districts = frame.index.get_level_values(0).unique()
    periods = frame.index.get_level_values(1).unique()
    assert len(districts) == 72 and len(frame) == 72 * len(periods)
    # counts are never missing; only "since", presence and agreement features may be (nothing known yet)
    may_be_missing = [
        c for c in panel.feature_names if c.endswith("since") or c.startswith(("presence", "provisions"))
    ]
    assert not frame[panel.feature_names].drop(columns=may_be_missing).isna().any().any()
    assert frame.xs(periods[-1], level="period")["y_1"].isna().all()
    assert frame.xs(periods[-4], level="period")["y_3"].notna().all()
    assert 0.02 < frame["y_3"].mean() < 0.5


def test_features_cli_builds_and_exports_the_real_panel(car, tmp_path, monkeypatch):
    from risk.cli import main

    store, panel = car
    monkeypatch.setenv("RISK_DATABASE_URL", str(store.engine.url))
    monkeypatch.setenv("RISK_HOME", str(tmp_path))
    runner = CliRunner()
    built = runner.invoke(main, ["features", "build"])
    assert built.exit_code == 0 and "72 districts" in built.output, built.output
    out = tmp_path / "panel.parquet"
    exported = runner.invoke(main, ["features", "export", "--as-of", "2019-12", "--output", str(out)])
    assert exported.exit_code == 0, exported.output
    table = pd.read_parquet(out)
    assert table["period"].max() == "2019-12" and {"district_id", "period", "y_1", "y_3"} <= set(
        table.columns
    )
    assert table.loc[table["period"] == "2019-12", "y_1"].isna().all()  # not known as of 2019-12
    csv = runner.invoke(main, ["features", "export", "--output", str(tmp_path / "panel.csv")])
    assert csv.exit_code == 0, csv.output
    full = pd.read_csv(tmp_path / "panel.csv")
    assert len(full) == len(panel.frame) and full["period"].max() == "2020-12"
    bad = runner.invoke(main, ["features", "export", "--output", str(tmp_path / "panel.xlsx")])
    assert bad.exit_code == 2 and "must end in .csv or .parquet" in bad.output
