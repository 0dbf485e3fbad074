"""The synthetic scenario: deterministic, ingestible, and carrying the effects it claims."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from risk.ingest import ingest_file
from risk.store.schema import District, Neighbour
from risk.synth import INGEST_ORDER, OUTPUT_FILES, generate


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("synth") / "a", seed=11)


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(scenario, tmp_path):
    again = generate(tmp_path / "b", seed=11)
    other = generate(tmp_path / "c", seed=12)
    for name in OUTPUT_FILES:
        assert scenario[name].read_bytes() == again[name].read_bytes(), name
    assert scenario["ged_events.csv"].read_bytes() != other["ged_events.csv"].read_bytes()


def test_scenario_ingests_with_zero_rejections(scenario, store):
    for kind, name in INGEST_ORDER:
        report = ingest_file(store, kind, scenario[name])
        assert report.rejected == 0, (name, report.problems[:3])
        assert report.accepted == report.read > 0
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(District)) == 50
        assert session.scalar(select(func.count()).select_from(Neighbour)) > 100


def test_scenario_shape_matches_its_documentation(scenario):
    truth = json.loads(scenario["scenario.json"].read_text())
    assert truth["districts"] == 50 and len(truth["regions"]) >= 5
    events = pd.read_csv(scenario["ged_events.csv"])
    years = pd.to_datetime(events["date_start"]).dt.year
    assert years.max() - years.min() >= 10
    assert (
        truth["effect_signs"]["state_presence"] == "-" and truth["effect_signs"]["overdue_provisions"] == "+"
    )


def _monthly(scenario) -> pd.DataFrame:
    """District-months with violence counts, mean observed presence, and next-month violence."""
    events = pd.read_csv(scenario["ged_events.csv"])
    events = events[events["where_prec"] <= 3]
    geo = json.loads(scenario["districts.geojson"].read_text())
    name_to_id = {f["properties"]["shapeName"]: f["properties"]["shapeID"] for f in geo["features"]}
    events["district"] = events["where_coordinates"].map(name_to_id)
    events["month"] = pd.to_datetime(events["date_start"]).dt.to_period("M")
    counts = events.groupby(["district", "month"]).size()
    presence = pd.read_csv(scenario["presence.csv"])
    presence["month"] = pd.to_datetime(presence["date"]).dt.to_period("M")
    panel = presence.set_index(["district", "month"])[["value"]]
    panel["events_next_quarter"] = [sum(counts.get((d, m + k), 0) for k in (1, 2, 3)) for d, m in panel.index]
    return panel.reset_index()


def test_presence_lowers_violence_as_documented(scenario):
    panel = _monthly(scenario)
    high = panel["value"] >= panel["value"].quantile(0.75)
    low = panel["value"] <= panel["value"].quantile(0.25)
    assert panel.loc[high, "events_next_quarter"].mean() < 0.7 * panel.loc[low, "events_next_quarter"].mean()
    assert np.corrcoef(panel["value"], panel["events_next_quarter"])[0, 1] < 0
