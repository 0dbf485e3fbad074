"""Ingesting one file: parse, then load in a single transaction, and keep a ledger of runs.

* One file is one transaction: either all of its valid rows and its rejected rows
  are stored, or (on an unexpected error) nothing is.
* A file whose bytes were ingested before (same kind, same SHA-256) is not read
  again: the report says so and points at the earlier run.  ``force=True`` reads
  it anyway, and then every event in it counts as a duplicate.
* A file that yields nothing valid is recorded as a failed run and raises
  :class:`~risk.ingest.errors.IngestError`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import insert, select

from risk.ingest import acled, districts, native, pko, ucdp
from risk.ingest.errors import IngestError
from risk.ingest.loaders import (
    LoadResult,
    load_deployments,
    load_districts,
    load_events,
    load_presence,
    load_provisions,
)
from risk.ingest.parsed import Parsed
from risk.ingest.readers import sha256_of
from risk.store.db import Store
from risk.store.schema import IngestRun, RejectedRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceKind:
    """How one kind of input file is parsed and loaded."""

    name: str
    description: str
    parse: Callable[..., Parsed]
    load: Callable[..., LoadResult]
    id_field: str


KINDS: dict[str, SourceKind] = {
    k.name: k
    for k in (
        SourceKind(
            "districts",
            "district boundaries (GeoJSON: geoBoundaries, OCHA COD, or named fields)",
            districts.parse,
            load_districts,
            "id",
        ),
        SourceKind("ucdp", "UCDP GED events (GEDEvent_vXX_1.csv or its zip)", ucdp.parse, load_events, "id"),
        SourceKind(
            "acled", "ACLED export CSV (current or older layout)", acled.parse, load_events, "event_id_cnty"
        ),
        SourceKind(
            "events", "events in the project's own CSV format", native.parse_events, load_events, "event_id"
        ),
        SourceKind(
            "presence",
            "state-presence observations (project CSV)",
            native.parse_presence,
            load_presence,
            "value",
        ),
        SourceKind(
            "provisions",
            "peace-agreement provisions (project CSV)",
            native.parse_provisions,
            load_provisions,
            "provision_id",
        ),
        SourceKind(
            "geopko",
            "Geo-PKO peacekeeping deployments (troops by location and month)",
            pko.parse_geopko,
            load_deployments,
            "location",
        ),
        SourceKind(
            "radpko",
            "RADPKO peacekeeping bases (troops by base and date)",
            pko.parse_radpko,
            load_deployments,
            "base",
        ),
    )
}


@dataclass
class IngestReport:
    """What became of every row of one file."""

    kind: str
    file: str
    run_id: int
    read: int = 0
    accepted: int = 0
    updated: int = 0
    duplicate: int = 0
    rejected: int = 0
    assigned: int = 0
    unassigned: int = 0
    unassigned_reasons: dict[str, int] = field(default_factory=dict)
    already_ingested: bool = False
    extra: dict[str, object] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _record_failure(store: Store, kind: str, path: Path, checksum: str, error: IngestError, started) -> None:
    with store.session() as session:
        session.add(
            IngestRun(
                kind=kind,
                file=str(path),
                checksum=checksum,
                status="failed",
                error=str(error),
                started_at=started,
                finished_at=_now(),
                summary={},
            )
        )


def ingest_file(
    store: Store, kind: str, path: Path | str, *, encoding: str | None = None, force: bool = False, **options
) -> IngestReport:
    """Ingest ``path`` as ``kind`` (one of :data:`KINDS`); see the module docstring for the rules."""
    try:
        source = KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown ingest kind {kind!r}; expected one of {', '.join(KINDS)}") from None
    path = Path(path)
    started = _now()
    checksum = sha256_of(path) if path.is_file() else ""
    if not force and checksum:
        with store.session() as session:
            earlier = session.scalars(
                select(IngestRun)
                .where(IngestRun.kind == kind, IngestRun.checksum == checksum, IngestRun.status == "ok")
                .order_by(IngestRun.id)
            ).first()
        if earlier is not None:
            log.info("%s was ingested before as run %d; nothing to do", path, earlier.id)
            return IngestReport(
                kind=kind,
                file=str(path),
                run_id=earlier.id,
                read=earlier.read,
                duplicate=earlier.read - earlier.rejected,
                rejected=earlier.rejected,
                already_ingested=True,
            )
    try:
        parsed = source.parse(path, encoding=encoding, **options)
        parsed.notes.setdefault("id_field", source.id_field)
        if parsed.read == 0:
            raise IngestError(str(path), "the file has a header but no data rows", row=2)
        with store.session() as session:
            run = IngestRun(
                kind=kind, file=str(path), checksum=checksum, status="ok", started_at=started, summary={}
            )
            session.add(run)
            session.flush()
            loaded = source.load(session, parsed, run)
            report = _finish(run, parsed, loaded, kind, path)
            if report.accepted + report.duplicate == 0:
                first = parsed.problems.iloc[0]
                raise IngestError(
                    str(path),
                    f"no valid rows ({report.rejected} rejected); first problem: {first['reason']}",
                    row=int(first["row"]),
                    field=str(first["field"]),
                )
            if len(parsed.problems):
                session.execute(insert(RejectedRow.__table__), _rejected_rows(parsed.problems, run.id))
    except IngestError as exc:
        _record_failure(store, kind, path, checksum, exc, started)
        raise
    log.info("ingested %s: %s", path, {k: v for k, v in report.to_dict().items() if k != "problems"})
    return report


def _finish(run: IngestRun, parsed: Parsed, loaded: LoadResult, kind: str, path: Path) -> IngestReport:
    rejected = int(parsed.problems["row"].nunique()) if len(parsed.problems) else 0
    report = IngestReport(
        kind=kind,
        file=str(path),
        run_id=run.id,
        read=parsed.read,
        accepted=loaded.accepted,
        updated=loaded.updated,
        duplicate=loaded.duplicate,
        rejected=rejected,
        assigned=loaded.assigned,
        unassigned=loaded.unassigned,
        unassigned_reasons=loaded.unassigned_reasons,
        extra={**parsed.notes, **loaded.extra},
        problems=parsed.problems[["row", "field", "reason"]].head(50).to_dict(orient="records"),
    )
    for name in ("read", "accepted", "updated", "duplicate", "rejected", "assigned", "unassigned"):
        setattr(run, name, getattr(report, name))
    run.summary = {"unassigned_reasons": report.unassigned_reasons, **_jsonable(report.extra)}
    run.finished_at = _now()
    return report


def _jsonable(values: dict) -> dict:
    return {k: v for k, v in values.items() if isinstance(v, (str, int, float, bool, dict, list, type(None)))}


def _rejected_rows(problems: pd.DataFrame, run_id: int) -> list[dict]:
    frame = problems.assign(run_id=run_id, row_number=problems["row"].astype(int))
    frame["raw"] = frame["raw"].fillna("").astype(str)
    return frame[["run_id", "row_number", "field", "reason", "raw"]].to_dict(orient="records")
