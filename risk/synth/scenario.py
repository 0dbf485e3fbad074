"""``risk synth``: write a deterministic synthetic country in the formats a user brings.

Files written to the output folder (all byte-identical for the same seed):

* ``districts.geojson``  - geoBoundaries-style polygons (``shapeID``, ``shapeName``, ``adm1_name``)
* ``ged_events.csv``     - violent events in the standard 49-column UCDP GED layout
* ``field_reports.csv``  - protests and riots in the project's own events format
* ``presence.csv``       - quarterly state-presence observations (project format)
* ``provisions.csv``     - peace-agreement provisions with planned and actual dates
* ``scenario.json``      - the parameters and the ground-truth effect signs
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
from shapely.geometry import mapping

from risk.geo import adjacency
from risk.synth.events import expand_events, field_reports, ged_rows
from risk.synth.geography import Geography, make_geography
from risk.synth.process import Effects, presence_paths, simulate

log = logging.getLogger(__name__)

START, END = "2013-01", "2024-12"
PRESENCE_INDICATOR = "state_presence_index"
_TOPICS = ("cantonment", "local elections", "redeployment", "development fund")
OUTPUT_FILES = (
    "districts.geojson",
    "ged_events.csv",
    "field_reports.csv",
    "presence.csv",
    "provisions.csv",
    "scenario.json",
)


def _provisions(rng: np.random.Generator, geo: Geography, months: pd.PeriodIndex) -> pd.DataFrame:
    """Fourteen provisions (2 national, 7 regional, 5 district lists), on time, late or never done."""
    rows = []
    kinds = ["national"] * 2 + ["region"] * 7 + ["districts"] * 5
    for i, kind in enumerate(kinds):
        planned = pd.Timestamp("2015-06-01") + pd.Timedelta(days=int(rng.integers(0, 365 * 7)))
        fate = rng.choice(["on_time", "late", "never"], p=[0.35, 0.4, 0.25])
        if fate == "on_time":
            completed = planned - pd.Timedelta(days=int(rng.integers(0, 60)))
        elif fate == "late":
            completed = planned + pd.Timedelta(days=int(rng.integers(90, 900)))
        else:
            completed = pd.NaT
        if completed is not pd.NaT and completed > months[-1].end_time:
            completed = pd.NaT
        if kind == "national":
            scope = "national"
        elif kind == "region":
            scope = f"region:{geo.region_names[int(rng.integers(len(geo.region_names)))]}"
        else:
            picked = rng.choice(len(geo.ids), size=int(rng.integers(2, 5)), replace=False)
            scope = "districts:" + ";".join(geo.ids[j] for j in sorted(picked))
        rows.append(
            {
                "provision_id": f"P{i + 1:02d}",
                "title": f"Provision {i + 1}: {_TOPICS[i % len(_TOPICS)]}",
                "scope": scope,
                "planned_date": planned.date().isoformat(),
                "completed_date": "" if completed is pd.NaT else completed.date().isoformat(),
                "source": "synthetic agreement",
            }
        )
    return pd.DataFrame(rows)


def _overdue(provisions: pd.DataFrame, geo: Geography, months: pd.PeriodIndex) -> np.ndarray:
    """Overdue provisions covering each district at the end of each month."""
    ends = months.end_time.to_numpy()
    out = np.zeros((len(months), len(geo.ids)))
    for p in provisions.itertuples():  # a loop over fourteen provisions
        covered = np.zeros(len(geo.ids), dtype=bool)
        if p.scope == "national":
            covered[:] = True
        elif p.scope.startswith("region:"):
            covered = np.array([r == p.scope.split(":", 1)[1] for r in geo.regions])
        else:
            covered = np.isin(geo.ids, p.scope.split(":", 1)[1].split(";"))
        planned = np.datetime64(p.planned_date)
        done = np.datetime64(p.completed_date) if p.completed_date else np.datetime64("2262-01-01")
        late = (ends > planned) & (ends < done)
        out += np.outer(late, covered)
    return out


def _presence_csv(rng, geo: Geography, months: pd.PeriodIndex, presence: np.ndarray) -> pd.DataFrame:
    quarters = np.flatnonzero(np.isin(months.month, [1, 4, 7, 10]))
    t_idx, d_idx = np.meshgrid(quarters, np.arange(len(geo.ids)), indexing="ij")
    t_idx, d_idx = t_idx.ravel(), d_idx.ravel()
    observed = rng.random(len(t_idx)) > 0.1  # one observation in ten goes missing
    noise = rng.normal(0, 0.03, len(t_idx))
    frame = pd.DataFrame(
        {
            "district": np.asarray(geo.ids)[d_idx],
            "date": months[t_idx].start_time.strftime("%Y-%m-%d"),
            "indicator": PRESENCE_INDICATOR,
            "value": np.round(np.clip(presence[t_idx, d_idx] + noise, 0, 1), 3),
            "source": "synthetic mission reporting",
        }
    )
    return frame[observed].reset_index(drop=True)


def _geojson(geo: Geography) -> dict:
    features = [
        {
            "type": "Feature",
            "properties": {
                "shapeName": n,
                "shapeID": i,
                "shapeGroup": "SYN",
                "shapeType": "ADM2",
                "adm1_name": r,
            },
            "geometry": mapping(p),
        }
        for i, n, r, p in zip(geo.ids, geo.names, geo.regions, geo.polygons, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def generate(out_dir: Path | str, seed: int = 0, effects: Effects | None = None) -> dict[str, Path]:
    """Write the scenario for ``seed`` into ``out_dir``; returns the paths written."""
    effects = effects or Effects()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    geo = make_geography(rng)
    months = pd.period_range(START, END, freq="M")
    pairs = adjacency(geo.ids, geo.polygons)
    position = {d: i for i, d in enumerate(geo.ids)}
    neighbours = np.zeros((len(geo.ids), len(geo.ids)))
    neighbours[pairs["district_id"].map(position), pairs["neighbour_id"].map(position)] = 1
    lat = np.array([p.centroid.y for p in geo.polygons])
    north = (lat - lat.min()) / (lat.max() - lat.min())  # violence is worse in the north
    capital_like = 1 - north
    provisions = _provisions(rng, geo, months)
    overdue = _overdue(provisions, geo, months)
    presence = presence_paths(rng, len(months), len(geo.ids), capital_like)
    sim = simulate(rng, months, neighbours, 1.4 * north, presence, overdue, effects)
    events = expand_events(rng, sim, geo)
    paths = {name: out / name for name in OUTPUT_FILES}
    paths["districts.geojson"].write_text(json.dumps(_geojson(geo), sort_keys=True) + "\n", encoding="utf-8")
    ged_rows(events, geo).to_csv(paths["ged_events.csv"], index=False, lineterminator="\n")
    field_reports(rng, geo, months).to_csv(paths["field_reports.csv"], index=False, lineterminator="\n")
    _presence_csv(rng, geo, months, presence).to_csv(paths["presence.csv"], index=False, lineterminator="\n")
    provisions.to_csv(paths["provisions.csv"], index=False, lineterminator="\n")
    truth = {
        "seed": seed,
        "period": "month",
        "start": START,
        "end": END,
        "districts": len(geo.ids),
        "regions": geo.region_names,
        "effects": asdict(effects),
        "effect_signs": effects.signs(),
        "events_by_category": events["category"].value_counts().sort_index().to_dict(),
    }
    paths["scenario.json"].write_text(json.dumps(truth, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    log.info("wrote the synthetic scenario (seed %d, %d events) to %s", seed, len(events), out)
    return paths
