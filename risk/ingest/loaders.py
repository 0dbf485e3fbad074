"""Writing parsed records into the store: de-duplication, district assignment, upserts.

Each loader runs inside the caller's transaction (one file, one transaction) and
returns what became of the records; it may still reject records that only the
store can judge (an unknown district, an id reused with other values).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select, tuple_, update
from sqlalchemy.orm import Session

from risk.geo import ASSIGNED, IMPRECISE, MAX_ASSIGNABLE_PRECISION, adjacency, normalise_name, parse_geometry
from risk.ingest.parsed import Parsed
from risk.ingest.pko import district_observations
from risk.ingest.resolve import DistrictIndex, load_locator
from risk.store.schema import District, Event, IngestRun, Neighbour, PresenceObservation, Provision

log = logging.getLogger(__name__)
_CHUNK = 500


@dataclass
class LoadResult:
    accepted: int = 0
    updated: int = 0
    duplicate: int = 0
    assigned: int = 0
    unassigned: int = 0
    unassigned_reasons: dict[str, int] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)


def _as_rows(frame: pd.DataFrame) -> list[dict]:
    """Records for SQLAlchemy: dates as ``date``, missing values as ``None``."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.date
    out = out.astype(object).where(out.notna(), None)
    return out.to_dict(orient="records")


def _split_in_file_duplicates(parsed: Parsed, key: list[str], content: list[str], id_field: str) -> int:
    """Drop repeats of a key inside the file: identical repeats are duplicates, different ones rejected."""
    recs = parsed.records
    repeat = recs.duplicated(key, keep="first")
    if not repeat.any():
        return 0
    digest = pd.util.hash_pandas_object(recs[content], index=False)
    groups = recs.groupby(key, sort=False, dropna=False)
    first_digest = digest.groupby([recs[k] for k in key], sort=False, dropna=False).transform("first")
    first_row = groups["row"].transform("first")
    conflicting = repeat & (digest != first_digest)
    label = recs[key[-1]].astype(str)
    parsed.reject(
        conflicting,
        id_field,
        "id '" + label + "' is repeated with different values (first at row " + first_row.astype(str) + ")",
    )
    identical = int((repeat & ~conflicting).sum())
    parsed.records = parsed.records.drop_duplicates(key, keep="first").reset_index(drop=True)
    return identical


def _existing_keys(session: Session, columns: list, keys: pd.DataFrame) -> set[tuple]:
    found: set[tuple] = set()
    tuples = list(keys.itertuples(index=False, name=None))
    for start in range(0, len(tuples), _CHUNK):
        chunk = tuples[start : start + _CHUNK]
        found.update(tuple(r) for r in session.execute(select(*columns).where(tuple_(*columns).in_(chunk))))
    return found


# -- events --------------------------------------------------------------------------------------
EVENT_CONTENT = [
    "date_start",
    "date_end",
    "latitude",
    "longitude",
    "location_precision",
    "category",
    "actor1",
    "actor2",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "civilian_deaths",
]


def load_events(session: Session, parsed: Parsed, run: IngestRun) -> LoadResult:
    result = LoadResult()
    id_field = str(parsed.notes.get("id_field", "id"))
    result.duplicate += _split_in_file_duplicates(parsed, ["source", "source_id"], EVENT_CONTENT, id_field)
    recs = parsed.records
    if recs.empty:
        return result
    known = _existing_keys(session, [Event.source, Event.source_id], recs[["source", "source_id"]])
    in_store = pd.Series(
        pd.MultiIndex.from_frame(recs[["source", "source_id"]]).isin(list(known)), index=recs.index
    )
    result.duplicate += int(in_store.sum())
    parsed.records = recs = recs.loc[~in_store].reset_index(drop=True)
    if recs.empty:
        return result

    hinted = recs["district_hint"].notna()
    if hinted.any():
        index = DistrictIndex.from_session(session)
        resolved = index.resolve(recs["district_hint"])
        unknown = hinted & resolved.isna()
        parsed.reject(unknown, "district", recs["district_hint"].astype(str).map(index.describe_failure))
        keep = ~unknown
        recs, resolved, hinted = (
            recs.loc[keep].reset_index(drop=True),
            resolved[keep].reset_index(drop=True),
            hinted[keep].reset_index(drop=True),
        )
        parsed.records = recs
    else:
        resolved = pd.Series(None, index=recs.index, dtype=object)

    assignment = load_locator(session).assign(recs["longitude"], recs["latitude"], recs["location_precision"])
    district = assignment.district_id.where(~hinted, resolved)
    status = assignment.status.where(~hinted, ASSIGNED)
    vague = hinted & (recs["location_precision"] > MAX_ASSIGNABLE_PRECISION)
    district, status = district.where(~vague, None), status.where(~vague, IMPRECISE)

    table = recs.drop(columns=["row", "district_hint"]).assign(
        district_id=district, assignment=status, ingest_run_id=run.id
    )
    for column in (
        "location_precision",
        "fatalities_best",
        "fatalities_low",
        "fatalities_high",
        "civilian_deaths",
    ):
        table[column] = table[column].astype("Int64")
    rows = _as_rows(table)
    for start in range(0, len(rows), 5000):
        session.execute(insert(Event.__table__), rows[start : start + 5000])
    result.accepted = len(rows)
    counts = Counter(status)
    result.assigned = counts.pop(ASSIGNED, 0)
    result.unassigned = sum(counts.values())
    result.unassigned_reasons = dict(sorted(counts.items()))
    return result


# -- presence --------------------------------------------------------------------------------------
def load_presence(session: Session, parsed: Parsed, run: IngestRun) -> LoadResult:
    result = LoadResult()
    index = DistrictIndex.from_session(session)
    recs = parsed.records
    district = index.resolve(recs["district_hint"])
    parsed.reject(district.isna(), "district", recs["district_hint"].astype(str).map(index.describe_failure))
    recs = parsed.records
    recs["district_id"] = index.resolve(recs["district_hint"])
    result.duplicate += _split_in_file_duplicates(parsed, OBSERVATION_KEY, ["value"], "value")
    status = write_observations(session, parsed.records, run)
    result.duplicate += int((status == "duplicate").sum())
    result.updated = int((status == "updated").sum())
    result.accepted = int((status != "duplicate").sum())
    return result


OBSERVATION_KEY = ["district_id", "date", "indicator", "source"]


def write_observations(session: Session, obs: pd.DataFrame, run: IngestRun) -> pd.Series:
    """Insert new presence observations, update changed values; returns new/updated/duplicate per row."""
    if obs.empty:
        return pd.Series([], dtype=object)
    keys = obs[OBSERVATION_KEY].assign(date=obs["date"].dt.date)
    columns = [getattr(PresenceObservation, k) for k in OBSERVATION_KEY]
    stored: dict[tuple, float] = {}
    tuples = list(keys.itertuples(index=False, name=None))
    for start in range(0, len(tuples), _CHUNK):
        query = select(*columns, PresenceObservation.value).where(
            tuple_(*columns).in_(tuples[start : start + _CHUNK])
        )
        stored.update({tuple(r[:-1]): r[-1] for r in session.execute(query)})
    old_value = pd.Series(
        pd.MultiIndex.from_frame(keys).map(lambda k: stored.get(k, np.nan)), index=obs.index
    )
    same = old_value.notna() & np.isclose(old_value.astype(float), obs["value"].astype(float))
    changed = old_value.notna() & ~same
    for row in obs.loc[changed].itertuples():  # corrections of earlier observations: rare
        session.execute(
            update(PresenceObservation)
            .where(
                *(
                    c == v
                    for c, v in zip(
                        columns, (row.district_id, row.date.date(), row.indicator, row.source), strict=True
                    )
                )
            )
            .values(value=row.value, ingest_run_id=run.id)
        )
    new = obs.loc[old_value.isna(), ["district_id", "date", "indicator", "value", "source"]]
    if len(new):
        session.execute(insert(PresenceObservation.__table__), _as_rows(new.assign(ingest_run_id=run.id)))
    return pd.Series(np.select([same, changed], ["duplicate", "updated"], "new"), index=obs.index)


# -- provisions --------------------------------------------------------------------------------------
PROVISION_FIELDS = [
    "title",
    "scope_kind",
    "scope_region",
    "scope_districts",
    "planned_date",
    "completed_date",
    "source",
]


def _resolve_scope(
    index: DistrictIndex, kind: str, target: str | None
) -> tuple[str | None, list[str], str | None]:
    """(region, district ids, error) of one provision's scope."""
    if kind == "national":
        return None, [], None
    if kind == "region":
        region = index.regions.get(normalise_name(target or ""))
        return (
            (region, [], None)
            if region
            else (None, [], f"unknown region {target!r} (no district has it as parent)")
        )
    refs = [r.strip() for r in (target or "").split(";") if r.strip()]
    ids = index.resolve(pd.Series(refs, dtype=object))
    missing = [r for r, i in zip(refs, ids, strict=True) if i is None]
    if missing:
        return None, [], index.describe_failure(missing[0])
    return None, sorted(set(ids)), None


def load_provisions(session: Session, parsed: Parsed, run: IngestRun) -> LoadResult:
    """Upsert provisions: a provision's completion is usually filled in by a later file."""
    result = LoadResult()
    result.duplicate += _split_in_file_duplicates(
        parsed,
        ["id"],
        ["title", "scope_kind", "scope_target", "planned_date", "completed_date", "source"],
        "provision_id",
    )
    index = DistrictIndex.from_session(session)
    recs = parsed.records
    # One loop over provisions (tens to hundreds per agreement), never over events.
    scopes = [
        _resolve_scope(index, k, t) for k, t in zip(recs["scope_kind"], recs["scope_target"], strict=True)
    ]
    errors = pd.Series([e for *_, e in scopes], index=recs.index, dtype=object)
    recs["scope_region"] = [r for r, _, _ in scopes]
    recs["scope_districts"] = [d for _, d, _ in scopes]
    parsed.reject(errors.notna(), "scope", errors)
    _upsert(session, Provision, parsed.records, PROVISION_FIELDS, run, result)
    return result


def _upsert(
    session: Session, model, records: pd.DataFrame, fields: list[str], run: IngestRun, result: LoadResult
) -> None:
    """Insert new ids, count unchanged ones as duplicates, update changed ones (all counted in ``result``).

    Used for the small reference tables (districts, provisions): one loop over their rows.
    """
    rows = _as_rows(records[["id", *fields]])
    stored = {m.id: m for m in session.scalars(select(model).where(model.id.in_([r["id"] for r in rows])))}
    for row in rows:
        old = stored.get(row["id"])
        if old is None:
            session.add(model(**row, ingest_run_id=run.id))
            result.accepted += 1
        elif all(getattr(old, f) == row[f] for f in fields):
            result.duplicate += 1
        else:
            for f in fields:
                setattr(old, f, row[f])
            old.ingest_run_id = run.id
            result.updated += 1
    result.accepted += result.updated


# -- districts --------------------------------------------------------------------------------------
DISTRICT_FIELDS = ["name", "parent", "country", "centroid_lon", "centroid_lat", "geometry", "aliases"]


def load_districts(session: Session, parsed: Parsed, run: IngestRun) -> LoadResult:
    """Upsert districts, recompute adjacency over all districts, and re-assign stored events."""
    result = LoadResult()
    _upsert(session, District, parsed.records, DISTRICT_FIELDS, run, result)
    session.flush()
    if result.accepted:
        result.extra["neighbour_pairs"] = _rebuild_adjacency(session)
        result.extra["events_reassigned"] = reassign_events(session)
    return result


def _rebuild_adjacency(session: Session) -> int:
    districts = session.execute(select(District.id, District.geometry)).all()
    pairs = adjacency([d.id for d in districts], [parse_geometry(d.geometry) for d in districts])
    session.execute(delete(Neighbour))
    if len(pairs):
        session.execute(insert(Neighbour.__table__), _as_rows(pairs))
    return len(pairs) // 2


def reassign_events(session: Session) -> int:
    """Apply the assignment rule again to every event located by coordinates; returns how many changed."""
    events = pd.DataFrame(
        session.execute(
            select(
                Event.id,
                Event.longitude,
                Event.latitude,
                Event.location_precision,
                Event.district_id,
                Event.assignment,
            ).where(Event.longitude.is_not(None))
        ).all(),
        columns=["id", "lon", "lat", "precision", "district_id", "assignment"],
    )
    if events.empty:
        return 0
    new = load_locator(session).assign(events["lon"], events["lat"], events["precision"])
    changed = (new.district_id.fillna("") != events["district_id"].fillna("")) | (
        new.status != events["assignment"]
    )
    if changed.any():
        updates = pd.DataFrame(
            {"id": events["id"], "district_id": new.district_id, "assignment": new.status}
        )[changed]
        session.execute(update(Event), _as_rows(updates))
    log.info("re-assigned %d events after the district change", int(changed.sum()))
    return int(changed.sum())


# -- peacekeeping deployments ----------------------------------------------------------------------
def load_deployments(session: Session, parsed: Parsed, run: IngestRun) -> LoadResult:
    """Turn deployment locations into per-district presence observations (see :mod:`risk.ingest.pko`).

    A location row is *accepted* when it adds or changes an observation, a *duplicate* when all it
    says is stored already; locations placed in no district are *unassigned*.
    """
    result = LoadResult()
    recs = parsed.records
    if recs.empty:
        return result
    assignment = load_locator(session).assign(
        recs["longitude"], recs["latitude"], pd.Series(1, index=recs.index)
    )
    country_of = {r.id: r.country for r in session.execute(select(District.id, District.country))}
    obs = district_observations(recs, assignment.district_id, {k: v or "" for k, v in country_of.items()})
    status = write_observations(session, obs, run)
    new_keys = obs.loc[status.to_numpy() != "duplicate", ["district_id", "date"]].drop_duplicates()
    placed = assignment.district_id.notna()
    located = recs.assign(district_id=assignment.district_id)
    changed = (
        located.merge(new_keys, on=["district_id", "date"], how="left", indicator=True)["_merge"] == "both"
    )
    result.assigned = int(placed.sum())
    result.unassigned = int((~placed).sum())
    result.unassigned_reasons = dict(Counter(assignment.status[~placed]))
    result.accepted = int((changed.to_numpy() & placed.to_numpy()).sum()) + result.unassigned
    result.duplicate = int(placed.sum()) - int((changed.to_numpy() & placed.to_numpy()).sum())
    result.extra = {
        "observations_new": int((status == "new").sum()),
        "observations_updated": int((status == "updated").sum()),
        "observations_unchanged": int((status == "duplicate").sum()),
    }
    return result
