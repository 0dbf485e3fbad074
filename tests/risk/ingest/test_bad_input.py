"""Bad files: each problem is named (file, row, field, reason) and the good rows survive."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from risk.ingest import IngestError, ingest_file
from risk.store.schema import Event, IngestRun, RejectedRow
from tests.risk.ingest.factories import ged_csv, ged_row, write

GOOD = [ged_row(1), ged_row(2)]

# (case, bad rows, expected field, words in the reason)
ROW_CASES = [
    ("missing date", [ged_row(10, date_start="")], "date_start", "required date is missing"),
    ("garbled date", [ged_row(10, date_start="2019-13-45")], "date_start", "not a valid date: '2019-13-45'"),
    ("end before start", [ged_row(10, date_end="2019-02-01")], "date_end", "before date_start"),
    (
        "future date",
        [ged_row(10, date_start="2999-01-01", date_end="2999-01-01")],
        "date_start",
        "in the future",
    ),
    ("latitude out of range", [ged_row(10, latitude="123.5")], "latitude", "above the maximum 90: '123.5'"),
    ("longitude not a number", [ged_row(10, longitude="east")], "longitude", "not a number: 'east'"),
    (
        "unknown violence type",
        [ged_row(10, type_of_violence="4")],
        "type_of_violence",
        "unknown type_of_violence '4'",
    ),
    ("negative fatalities", [ged_row(10, best="-3", low="-3")], "best", "below the minimum 0: '-3'"),
    ("fractional fatalities", [ged_row(10, best="2.5")], "best", "not a whole number"),
    ("bad precision", [ged_row(10, where_prec="9")], "where_prec", "above the maximum 7"),
    ("missing id", [ged_row(10, id="")], "id", "required value is missing"),
    (
        "id reused with other values",
        [ged_row(1, best="40", low="40", high="40")],
        "id",
        "repeated with different values (first at row 2)",
    ),
]


def _stored_ids(store) -> set[str]:
    with store.session() as session:
        return set(session.scalars(select(Event.source_id)))


@pytest.mark.parametrize(("case", "bad", "field", "reason"), ROW_CASES, ids=[c[0] for c in ROW_CASES])
def test_bad_row_is_named_and_good_rows_survive(store, tmp_path, case, bad, field, reason):
    path = write(tmp_path, "ged.csv", ged_csv([*GOOD, *bad]))
    report = ingest_file(store, "ucdp", path)
    assert (report.read, report.accepted, report.rejected) == (3, 2, 1)
    assert _stored_ids(store) == {"1", "2"}
    with store.session() as session:
        rejected = session.scalars(select(RejectedRow)).all()
        run = session.get(IngestRun, report.run_id)
    assert [(r.row_number, r.field) for r in rejected] == [(4, field)]
    assert reason in rejected[0].reason
    assert '"id"' in rejected[0].raw  # the raw row is kept for the analyst
    assert run.file == str(path) and run.rejected == 1


def test_identical_repeat_is_a_duplicate_not_an_error(store, tmp_path):
    report = ingest_file(store, "ucdp", write(tmp_path, "ged.csv", ged_csv([*GOOD, ged_row(1)])))
    assert (report.accepted, report.duplicate, report.rejected) == (2, 1, 0)


def test_latin1_rows_are_rejected_with_a_hint_and_can_be_read_with_an_encoding(store, tmp_path):
    data = ged_csv(GOOD) + ged_csv([ged_row(3, side_a="Forces armées centrafricaines")]).split(b"\n", 1)[1]
    path = write(tmp_path, "ged.csv", data.replace("armées".encode(), "armées".encode("latin-1")))
    report = ingest_file(store, "ucdp", path)
    assert (report.accepted, report.rejected) == (2, 1)
    assert report.problems[0]["field"] == "side_a" and "not valid UTF-8" in report.problems[0]["reason"]
    assert "--encoding latin-1" in report.problems[0]["reason"]
    fixed = ingest_file(store, "ucdp", path, encoding="latin-1", force=True)
    assert (fixed.accepted, fixed.duplicate) == (1, 2)
    with store.session() as session:
        assert (
            session.scalar(select(Event.actor1).where(Event.source_id == "3"))
            == "Forces armées centrafricaines"
        )


def test_row_with_extra_fields_is_rejected_alone(store, tmp_path):
    lines = ged_csv([*GOOD, ged_row(3)]).decode().splitlines()
    lines[2] += ",surplus"
    report = ingest_file(store, "ucdp", write(tmp_path, "ged.csv", "\n".join(lines) + "\n"))
    assert (report.accepted, report.rejected) == (2, 1)
    assert report.problems[0]["row"] == 3 and report.problems[0]["field"] == "(row)"
    assert "expected 49 fields" in report.problems[0]["reason"]


def _truncated_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("GEDEvent_v23_1.csv", ged_csv(GOOD * 200))
    return buffer.getvalue()[:300]


FILE_CASES = [
    ("empty file", "ged.csv", b"", "the file is empty", None),
    ("blank file", "ged.csv", b"\n\n  \n", "the file is empty", None),
    ("header only", "ged.csv", ged_csv([]), "header but no data rows", 2),
    (
        "wrong columns",
        "ged.csv",
        b"name,when,where\nx,2019-01-01,Bangui\n",
        "missing column(s) id, type_of_violence",
        1,
    ),
    ("truncated zip", "ged.zip", _truncated_zip(), "not a readable zip archive", None),
    ("every row bad", "ged.csv", ged_csv([ged_row(5, best="-1")]), "no valid rows (1 rejected)", 2),
]


@pytest.mark.parametrize(
    ("case", "name", "data", "reason", "row"), FILE_CASES, ids=[c[0] for c in FILE_CASES]
)
def test_unreadable_file_raises_a_named_error_and_records_a_failed_run(
    store, tmp_path, case, name, data, reason, row
):
    path = write(tmp_path, name, data)
    with pytest.raises(IngestError) as info:
        ingest_file(store, "ucdp", path)
    assert str(path) in str(info.value) and reason in str(info.value)
    assert info.value.row == row
    with store.session() as session:
        runs = session.scalars(select(IngestRun)).all()
        assert [r.status for r in runs] == ["failed"] and reason in runs[0].error
        assert session.scalar(select(func.count()).select_from(Event)) == 0


def test_zipped_release_and_headerless_file_are_read(store, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("GEDEvent_v23_1.csv", ged_csv(GOOD))
    assert ingest_file(store, "ucdp", write(tmp_path, "ged231-csv.zip", buffer.getvalue())).accepted == 2
    headerless = ged_csv([ged_row(7), ged_row(8)]).split(b"\n", 1)[1]
    report = ingest_file(store, "ucdp", write(tmp_path, "candidate.csv", headerless))
    assert report.accepted == 2 and _stored_ids(store) == {"1", "2", "7", "8"}
