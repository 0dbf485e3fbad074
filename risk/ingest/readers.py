"""Reading delimited files (plain or zipped) into tables of strings, losing nothing.

Every value is kept as text so that validation, not the reader, decides what is
wrong with a row, and can quote the offending value.  Rows are numbered as a
spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from risk.ingest.errors import IngestError

#: Bytes that could not be decoded are kept as lone surrogates so the row can be named.
_UNDECODABLE = "[\udc80-\udcff]"


@dataclass
class RawTable:
    """The cells of one file as text; ``rows`` holds each record's spreadsheet row number."""

    file: str
    header: list[str]
    cells: pd.DataFrame  # object dtype, columns named by ``header``
    rows: np.ndarray
    bad_shape: pd.DataFrame  # row, field, reason, raw for records with the wrong number of fields
    undecodable: pd.DataFrame | None = None  # (pos, column) of cells that were not valid UTF-8


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_bytes(path: Path, *, member_suffix: str = ".csv") -> bytes:
    """The bytes of ``path``, or of the single ``member_suffix`` file inside it if it is a zip."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(name, f"cannot read the file ({exc.strerror or exc})") from exc
    if path.suffix.lower() == ".zip" or data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = [m for m in archive.namelist() if m.lower().endswith(member_suffix)]
                if len(members) != 1:
                    raise IngestError(
                        name, f"expected one {member_suffix} file in the zip archive, found {len(members)}"
                    )
                return archive.read(members[0])
        except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
            raise IngestError(name, f"not a readable zip archive (truncated or corrupt: {exc})") from exc
    return data


def decode(data: bytes, file: str, encoding: str | None = None) -> str:
    """Text of ``data``: UTF-8 (a BOM is dropped) unless ``encoding`` says otherwise.

    Bytes that are not valid UTF-8 are kept as lone surrogates; :func:`undecodable_cells`
    finds them so those rows alone are rejected, with a hint about the encoding.
    """
    if not data.strip():
        raise IngestError(file, "the file is empty")
    if encoding:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise IngestError(file, f"cannot decode as {encoding!r}: {exc}") from exc
    return data.decode("utf-8-sig", errors="surrogateescape")


def parse_delimited(text: str, file: str) -> RawTable:
    """Split ``text`` into records; the first record is the header."""
    try:
        # Bytes (not text) go to the C parser, so undecodable bytes survive as surrogates.
        frame = pd.read_csv(
            io.BytesIO(text.encode("utf-8", errors="surrogateescape")),
            encoding="utf-8",
            encoding_errors="surrogateescape",
            dtype=object,
            header=None,
            na_filter=False,
            skip_blank_lines=True,
        )
        bad = pd.DataFrame(columns=["row", "field", "reason", "raw"])
    except pd.errors.ParserError:
        frame, bad = _parse_ragged(text)
    except pd.errors.EmptyDataError as exc:
        raise IngestError(file, "the file is empty") from exc
    header = [str(h).strip() for h in frame.iloc[0].tolist()]
    cells = frame.iloc[1:].reset_index(drop=True)
    cells.columns = _unique(header)
    rows = frame.index.to_numpy()[1:] + 1
    undecodable = None
    if _has_surrogates(text):
        undecodable = undecodable_cells(cells)
        cells = cells.replace(_UNDECODABLE, "\ufffd", regex=True)
    return RawTable(file=file, header=header, cells=cells, rows=rows, bad_shape=bad, undecodable=undecodable)


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _parse_ragged(text: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Slow path for files whose records do not all have the header's number of fields."""
    records = [r for r in csv.reader(io.StringIO(text)) if r]
    width = len(records[0])
    numbers = np.arange(1, len(records) + 1)
    lengths = np.fromiter((len(r) for r in records), dtype=int, count=len(records))
    ok = lengths == width
    frame = pd.DataFrame([r for r, good in zip(records, ok, strict=True) if good], dtype=object)
    frame.index = numbers[ok] - 1
    bad_idx = np.flatnonzero(~ok)
    bad = pd.DataFrame(
        {
            "row": numbers[bad_idx],
            "field": "(row)",
            "reason": [f"expected {width} fields as in the header, found {lengths[i]}" for i in bad_idx],
            "raw": [",".join(records[i]) for i in bad_idx],
        }
    )
    return frame, bad


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        out.append(name if count == 0 else f"{name}.{count}")
        seen[name] = count + 1
    return out


def undecodable_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """(position, column) of cells holding bytes that were not valid UTF-8."""
    found = []
    for column in cells.columns:  # a loop over columns, not rows
        hit = cells[column].astype(object).str.contains(_UNDECODABLE, regex=True, na=False)
        if hit.any():
            found.append(pd.DataFrame({"pos": np.flatnonzero(hit.to_numpy()), "column": column}))
    if not found:
        return pd.DataFrame({"pos": pd.Series(dtype=int), "column": pd.Series(dtype=object)})
    return pd.concat(found, ignore_index=True).drop_duplicates("pos")


def read_table(path: Path, *, encoding: str | None = None) -> RawTable:
    """Read a delimited file (or the CSV inside a zip) into a :class:`RawTable`."""
    data = read_bytes(path)
    return parse_delimited(decode(data, str(path), encoding), str(path))


def raw_text(cells: pd.DataFrame) -> pd.Series:
    """Each record as one line of JSON (``{"column": "value", ...}``), for the rejected-rows table."""
    if cells.empty:
        return pd.Series([], index=cells.index, dtype=object)
    lines = cells.to_json(orient="records", lines=True, force_ascii=False).rstrip("\n").split("\n")
    return pd.Series(lines, index=cells.index, dtype=object)
