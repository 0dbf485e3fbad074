"""``risk ingest``, ``risk runs`` and ``risk status``: getting data in and seeing what is there."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from sqlalchemy import func, select

from risk.cli.context import AppContext, pass_app
from risk.ingest import KINDS, DownloadError, IngestError, IngestReport, ingest_file
from risk.ingest.districts import FieldMap
from risk.ingest.download import download_release, extract_country
from risk.store.schema import (
    District,
    Event,
    IngestRun,
    Neighbour,
    PresenceObservation,
    Provision,
    RejectedRow,
)

_WHY = {
    "imprecise": "location vaguer than a district",
    "outside": "point inside no district polygon",
    "no_districts": "no district boundaries ingested yet",
}


def format_report(report: IngestReport) -> str:
    """A short human summary of one ingest."""
    name = Path(report.file).name
    if report.already_ingested:
        return (
            f"{name}: already ingested as run {report.run_id}; nothing added ({report.read} rows read then)."
        )
    lines = [
        f"{name} (run {report.run_id}, {report.kind})",
        f"  read {report.read}: accepted {report.accepted}"
        + (f" (of which updated {report.updated})" if report.updated else "")
        + f", duplicate {report.duplicate}, rejected {report.rejected}",
    ]
    if report.kind in ("ucdp", "acled", "events"):
        why = ", ".join(f"{n} {k}: {_WHY.get(k, k)}" for k, n in report.unassigned_reasons.items())
        lines.append(
            f"  districts: assigned {report.assigned}, unassigned {report.unassigned}"
            + (f" ({why})" if why else "")
        )
    if "neighbour_pairs" in report.extra:
        lines.append(
            f"  adjacency: {report.extra['neighbour_pairs']} neighbouring pairs; "
            f"{report.extra.get('events_reassigned', 0)} stored events re-assigned"
        )
    for problem in report.problems[:10]:
        lines.append(f"  rejected row {problem['row']}, field {problem['field']!r}: {problem['reason']}")
    if report.rejected > 10:
        lines.append(f"  ... see all with: risk runs --rejected {report.run_id}")
    return "\n".join(lines)


@click.command(short_help="Load a file (districts, ucdp, acled, events, presence, provisions).")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option("--encoding", help="Text encoding of the file (default UTF-8), e.g. latin-1.")
@click.option("--force", is_flag=True, help="Read the file even if these exact bytes were ingested before.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the summary.")
@click.option("--id-field", help="districts: property holding the district id.")
@click.option("--name-field", help="districts: property holding the district name.")
@click.option("--parent-field", help="districts: property holding the admin-1 (region) name.")
@click.option(
    "--parents",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="districts: admin-1 GeoJSON; each district's region is the polygon holding it.",
)
@click.option(
    "--download", "version", help="ucdp: download this GED release (e.g. 23.1) instead of reading PATH."
)
@click.option(
    "--country", type=int, help="ucdp --download: Gleditsch-Ward country code to keep (e.g. 432 Mali)."
)
@pass_app
def ingest(
    app: AppContext,
    kind: str,
    path: Path | None,
    encoding: str | None,
    force: bool,
    as_json: bool,
    id_field: str | None,
    name_field: str | None,
    parent_field: str | None,
    parents: Path | None,
    version: str | None,
    country: int | None,
) -> None:
    """Load a file of KIND into the store: districts, ucdp, acled, events, presence, provisions.

    Every row is accounted for: accepted, duplicate (already stored) or rejected (with file, row, field
    and reason).  The exit status is non-zero only if nothing valid could be read.
    """
    options: dict = {}
    if kind == "districts":
        if id_field or name_field:
            if not (id_field and name_field):
                raise click.UsageError("--id-field and --name-field go together")
            options["fields"] = FieldMap(id=id_field, name=name_field, parent=parent_field)
        if parents:
            options["parents"] = parents
    elif any((id_field, name_field, parent_field, parents)):
        raise click.UsageError("--id-field/--name-field/--parent-field/--parents are for districts only")
    if version:
        if kind != "ucdp" or country is None:
            raise click.UsageError("--download works with the ucdp kind and needs --country")
        try:
            release = download_release(
                app.settings.ucdp_base_url, version, app.settings.downloads_dir, progress=not as_json
            )
            path = extract_country(release, country, app.settings.downloads_dir)
        except DownloadError as exc:
            raise click.ClickException(str(exc)) from exc
    elif path is None:
        raise click.UsageError("give a PATH (or, for ucdp, --download VERSION --country GWNO)")
    try:
        report = ingest_file(app.store, kind, path, encoding=encoding, force=force, **options)
    except IngestError as exc:
        if as_json:
            click.echo(json.dumps({"error": str(exc), "file": exc.file, "row": exc.row, "field": exc.field}))
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(json.dumps(report.to_dict(), default=str) if as_json else format_report(report))


@click.command()
@click.option("--rejected", "run_id", type=int, help="List the rejected rows of this run.")
@click.option("--limit", type=int, default=20, show_default=True)
@pass_app
def runs(app: AppContext, run_id: int | None, limit: int) -> None:
    """Show the ingest history, or the rejected rows of one run."""
    with app.store.session() as session:
        if run_id is not None:
            rows = session.scalars(
                select(RejectedRow)
                .where(RejectedRow.run_id == run_id)
                .order_by(RejectedRow.row_number)
                .limit(limit)
            ).all()
            for r in rows:
                click.echo(f"row {r.row_number}\t{r.field}\t{r.reason}\t{r.raw[:120]}")
            if not rows:
                click.echo(f"run {run_id} rejected no rows")
            return
        for run in session.scalars(select(IngestRun).order_by(IngestRun.id.desc()).limit(limit)):
            counts = (
                f"read {run.read} accepted {run.accepted} duplicate {run.duplicate} rejected {run.rejected}"
                if run.status == "ok"
                else f"error: {run.error}"
            )
            click.echo(
                f"{run.id}\t{run.started_at:%Y-%m-%d %H:%M}\t{run.kind}\t{run.status}\t"
                f"{Path(run.file).name}\t{counts}"
            )


@click.command()
@pass_app
def status(app: AppContext) -> None:
    """Count what is in the store, and say where it is."""
    with app.store.session() as session:

        def count(model) -> int:
            return session.scalar(select(func.count()).select_from(model)) or 0

        click.echo(f"store: {app.settings.database_url}")
        click.echo(f"districts {count(District)}, neighbour links {count(Neighbour) // 2}")
        by_cat = session.execute(select(Event.category, func.count()).group_by(Event.category)).all()
        click.echo(f"events {count(Event)}: " + ", ".join(f"{c} {n}" for c, n in sorted(by_cat)))
        span = session.execute(select(func.min(Event.date_start), func.max(Event.date_start))).one()
        if span[0]:
            click.echo(f"event dates {span[0]} .. {span[1]}")
        click.echo(f"presence observations {count(PresenceObservation)}, provisions {count(Provision)}")
        click.echo(f"ingest runs {count(IngestRun)}")
