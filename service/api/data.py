"""Uploads of events, presence observations and provisions, through the same validation as the CLI.

The body is a CSV file (``text/csv``) or a JSON array of records (``application/json``) in the
layouts of ``docs/formats.md``.  The answer gives the counts and the rejected rows with their errors.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
from pathlib import Path

from flask import request
from flask_openapi3 import APIBlueprint, Tag
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from risk.ingest import IngestError, ingest_file
from service.api.common import AUTH_ERRORS, SECURITY, state
from service.auth import require
from service.schemas import IngestResult, Problem, UploadQuery

bp = APIBlueprint("data", __name__, url_prefix="/v1", abp_security=SECURITY, abp_responses=AUTH_ERRORS)
TAG = Tag(name="data", description="Uploads through the ingest validation")
BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        },
    }
}
RESPONSES = {200: IngestResult, 400: Problem, 413: Problem, 415: Problem}


def _as_csv() -> bytes:
    kind = (request.mimetype or "").lower()
    data = request.get_data(cache=False)
    if kind in ("text/csv", "text/plain", "application/csv"):
        return data
    if kind == "application/json":
        try:
            records = json.loads(data or b"null")
        except ValueError as exc:
            raise BadRequest(f"the body is not valid JSON: {exc}") from exc
        if not isinstance(records, list) or not records or not all(isinstance(r, dict) for r in records):
            raise BadRequest("the JSON body must be a non-empty array of objects (one per row)")
        columns = list(dict.fromkeys(k for r in records for k in r))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns)
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in records)
        return buffer.getvalue().encode()
    raise UnsupportedMediaType("send text/csv or application/json")


def _ingest(kind: str) -> dict:
    body = _as_csv()
    with tempfile.TemporaryDirectory() as folder:
        # Named by content, so the same upload twice is recognised as already ingested.
        path = Path(folder) / f"upload-{kind}-{hashlib.sha256(body).hexdigest()[:16]}.csv"
        path.write_bytes(body)
        try:
            report = ingest_file(state().store, kind, path)
        except IngestError as exc:
            raise BadRequest(
                f"nothing valid in the upload: row {exc.row}, field {exc.field}: {exc.reason}"
                if exc.row
                else f"nothing valid in the upload: {exc.reason}"
            ) from exc
    return IngestResult(
        run_id=report.run_id,
        read=report.read,
        accepted=report.accepted,
        duplicate=report.duplicate,
        rejected=report.rejected,
        assigned=report.assigned,
        unassigned=report.unassigned,
        already_ingested=report.already_ingested,
        errors=report.problems,
    ).model_dump()


@bp.post("/events", tags=[TAG], responses=RESPONSES, openapi_extensions=BODY)
@require("analyst")
def upload_events(query: UploadQuery):
    """Events in the project's format (default), or as UCDP GED or ACLED rows (``format``)."""
    return _ingest({"native": "events", "ucdp": "ucdp", "acled": "acled"}[query.format])


@bp.post("/presence", tags=[TAG], responses=RESPONSES, openapi_extensions=BODY)
@require("analyst")
def upload_presence():
    """State-presence observations."""
    return _ingest("presence")


@bp.post("/provisions", tags=[TAG], responses=RESPONSES, openapi_extensions=BODY)
@require("analyst")
def upload_provisions():
    """Peace-agreement provisions (a later upload may fill in completion dates)."""
    return _ingest("provisions")
