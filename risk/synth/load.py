"""Loading a written scenario through the ordinary ingest path (what the demo and tests do)."""

from __future__ import annotations

from pathlib import Path

from risk.ingest import IngestReport, ingest_file
from risk.store.db import Store

#: Scenario files in ingest order: boundaries first, so that events can be placed.
INGEST_ORDER = (
    ("districts", "districts.geojson"),
    ("ucdp", "ged_events.csv"),
    ("events", "field_reports.csv"),
    ("presence", "presence.csv"),
    ("provisions", "provisions.csv"),
)


def ingest_scenario(store: Store, paths: dict[str, Path]) -> list[IngestReport]:
    """Ingest every file of a scenario written by :func:`risk.synth.generate`."""
    return [ingest_file(store, kind, paths[name]) for kind, name in INGEST_ORDER]
