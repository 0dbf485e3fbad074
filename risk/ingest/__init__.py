"""Ingest: files in, validated rows into the store, every rejected row accounted for."""

from risk.ingest.errors import DownloadError, IngestError
from risk.ingest.pipeline import KINDS, IngestReport, ingest_file

__all__ = ["KINDS", "DownloadError", "IngestError", "IngestReport", "ingest_file"]
