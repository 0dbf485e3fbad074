"""Small input files built in code for ingest tests."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from risk.ingest.ucdp import GED_COLUMNS


def ged_row(event_id: int, **overrides) -> dict:
    """A valid GED event (one-sided violence in Bangui) with ``overrides`` applied."""
    row = dict.fromkeys(GED_COLUMNS, "")
    row.update(
        id=str(event_id),
        year="2019",
        type_of_violence="3",
        side_a="Armed group",
        side_b="Civilians",
        where_prec="1",
        adm_1="Bangui province",
        latitude="4.366667",
        longitude="18.583333",
        country="Central African Republic",
        country_id="482",
        date_start="2019-03-01 00:00:00.000",
        date_end="2019-03-02 00:00:00.000",
        deaths_civilians="2",
        best="2",
        low="2",
        high="3",
    )
    row.update({k: str(v) for k, v in overrides.items()})
    return row


def ged_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    pd.DataFrame(rows, columns=GED_COLUMNS).to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def write(tmp: Path, name: str, data: bytes | str) -> Path:
    path = tmp / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path
