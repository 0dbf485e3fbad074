"""Errors and row problems of ingest, each naming the file, the row and the field."""

from __future__ import annotations


class IngestError(Exception):
    """A file that cannot be ingested at all (nothing valid could be read from it)."""

    def __init__(self, file: str, reason: str, *, row: int | None = None, field: str | None = None) -> None:
        self.file, self.reason, self.row, self.field = file, reason, row, field
        where = file
        if row is not None:
            where += f", row {row}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {reason}")


class DownloadError(Exception):
    """A release file could not be fetched, or what arrived is not what was promised."""
