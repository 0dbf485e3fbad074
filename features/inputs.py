"""The inputs of the feature builders, as plain DataFrames read from the store (or made in tests).

Builders never touch the database: :func:`load_inputs` reads everything once, and
tests and benchmarks build :class:`Inputs` directly.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select

from risk.geo import DistrictLocator, parse_geometry
from risk.store.db import Store
from risk.store.schema import District, Event, Neighbour, PresenceObservation, Provision

EVENT_FIELDS = [
    "event_id",
    "source",
    "source_id",
    "district_id",
    "region",
    "category",
    "date_start",
    "date_end",
    "fatalities",
    "civilian_deaths",
    "actor1",
    "actor2",
]


@dataclass
class Inputs:
    """districts: id, name, parent (sorted by id); neighbours: district_id, neighbour_id;
    events: :data:`EVENT_FIELDS` (``district_id`` None for events placed in no district, ``region``
    the admin-1 they fall in); presence: district_id, date, indicator, value, source;
    provisions: id, scope_kind, scope_region, scope_districts, planned_date, completed_date."""

    districts: pd.DataFrame
    neighbours: pd.DataFrame
    events: pd.DataFrame
    presence: pd.DataFrame
    provisions: pd.DataFrame

    def __post_init__(self) -> None:
        self.districts = self.districts.sort_values("id", ignore_index=True)
        for frame, columns in (
            (self.events, ["date_start", "date_end"]),
            (self.presence, ["date"]),
            (self.provisions, ["planned_date", "completed_date"]),
        ):
            for column in columns:
                frame[column] = pd.to_datetime(frame[column])


def _frame(session, statement, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(session.execute(statement).all(), columns=columns)


def load_inputs(store: Store) -> Inputs:
    """Read everything the builders need from the store, in one pass."""
    with store.session() as session:
        districts = _frame(
            session,
            select(District.id, District.name, District.parent, District.geometry),
            ["id", "name", "parent", "geometry"],
        )
        neighbours = _frame(
            session, select(Neighbour.district_id, Neighbour.neighbour_id), ["district_id", "neighbour_id"]
        )
        events = _frame(
            session,
            select(
                Event.id,
                Event.source,
                Event.source_id,
                Event.district_id,
                Event.longitude,
                Event.latitude,
                Event.category,
                Event.date_start,
                Event.date_end,
                Event.fatalities_best,
                Event.civilian_deaths,
                Event.actor1,
                Event.actor2,
            ).order_by(Event.id),
            [
                "event_id",
                "source",
                "source_id",
                "district_id",
                "lon",
                "lat",
                "category",
                "date_start",
                "date_end",
                "fatalities",
                "civilian_deaths",
                "actor1",
                "actor2",
            ],
        )
        presence = _frame(
            session,
            select(
                PresenceObservation.district_id,
                PresenceObservation.date,
                PresenceObservation.indicator,
                PresenceObservation.value,
                PresenceObservation.source,
            ).order_by(PresenceObservation.id),
            ["district_id", "date", "indicator", "value", "source"],
        )
        provisions = _frame(
            session,
            select(
                Provision.id,
                Provision.scope_kind,
                Provision.scope_region,
                Provision.scope_districts,
                Provision.planned_date,
                Provision.completed_date,
            ).order_by(Provision.id),
            ["id", "scope_kind", "scope_region", "scope_districts", "planned_date", "completed_date"],
        )
    events["region"] = _regions_of(events, districts)
    return Inputs(districts.drop(columns="geometry"), neighbours, events[EVENT_FIELDS], presence, provisions)


def _regions_of(events: pd.DataFrame, districts: pd.DataFrame) -> pd.Series:
    """Admin-1 of each event: its district's parent, or, for events placed in no district, the
    parent of the district its (vague) point falls in."""
    parent = dict(zip(districts["id"], districts["parent"], strict=True))
    region = events["district_id"].map(parent).astype(object)
    loose = region.isna().to_numpy() & events["lon"].notna().to_numpy()
    if loose.any() and len(districts):
        locator = DistrictLocator(list(districts["id"]), [parse_geometry(g) for g in districts["geometry"]])
        found = locator.locate(events.loc[loose, "lon"].to_numpy(), events.loc[loose, "lat"].to_numpy())
        region[loose] = pd.Series(found, dtype=object).map(parent).to_numpy()
    return region.astype(object).where(region.notna(), None)


def empty_inputs(district_ids: list[str]) -> Inputs:
    """Inputs with districts but no data (a starting point for tests)."""
    districts = pd.DataFrame({"id": district_ids, "name": district_ids, "parent": None})
    return Inputs(
        districts=districts,
        neighbours=pd.DataFrame(columns=["district_id", "neighbour_id"]),
        events=pd.DataFrame({c: pd.Series(dtype=object) for c in EVENT_FIELDS}),
        presence=pd.DataFrame(
            {c: pd.Series(dtype=object) for c in ["district_id", "date", "indicator", "value", "source"]}
        ),
        provisions=pd.DataFrame(
            {
                c: pd.Series(dtype=object)
                for c in [
                    "id",
                    "scope_kind",
                    "scope_region",
                    "scope_districts",
                    "planned_date",
                    "completed_date",
                ]
            }
        ),
    )


def fingerprint(inputs: Inputs) -> str:
    """A stable hash of the inputs' content (for caches and model manifests)."""
    digest = hashlib.sha256()
    for frame in (inputs.districts, inputs.neighbours, inputs.events, inputs.presence, inputs.provisions):
        digest.update(pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy().tobytes())
        digest.update(json.dumps(list(frame.columns)).encode())
    return digest.hexdigest()[:16]


__all__ = ["EVENT_FIELDS", "Inputs", "empty_inputs", "fingerprint", "load_inputs"]
