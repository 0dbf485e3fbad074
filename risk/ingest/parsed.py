"""What a source parser hands to a loader: valid records plus the rows it rejected."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from risk.ingest.checks import RowChecks

#: Columns of a parsed event table, whatever the source.
EVENT_COLUMNS = [
    "row",
    "source",
    "source_id",
    "date_start",
    "date_end",
    "latitude",
    "longitude",
    "location_precision",
    "admin1",
    "category",
    "actor1",
    "actor2",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "civilian_deaths",
    "district_hint",
    "raw",
]


@dataclass
class Parsed:
    """Valid records (one per accepted row, with its spreadsheet ``row``) and rejected rows."""

    file: str
    read: int
    records: pd.DataFrame
    problems: pd.DataFrame
    notes: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_checks(cls, checks: RowChecks, frame: pd.DataFrame) -> Parsed:
        """Keep the rows of ``frame`` (aligned with the table) that passed every check."""
        good = ~checks.bad
        records = frame.loc[good].copy()
        records.insert(0, "row", checks.table.rows[good])
        table = checks.table
        return cls(
            file=table.file,
            read=len(table.cells) + len(table.bad_shape),
            records=records.reset_index(drop=True),
            problems=checks.problems(),
        )

    def reject(self, mask: pd.Series, field_name: str, reason: str | pd.Series) -> None:
        """Move the records in ``mask`` (aligned with ``records``) to the problems."""
        if not mask.any():
            return
        reasons = reason[mask] if isinstance(reason, pd.Series) else reason
        gone = self.records.loc[mask]
        extra = pd.DataFrame(
            {"row": gone["row"].to_numpy(), "field": field_name, "reason": reasons, "raw": _raw_of(gone)}
        )
        self.problems = pd.concat([self.problems, extra], ignore_index=True).sort_values(
            "row", ignore_index=True
        )
        self.records = self.records.loc[~mask].reset_index(drop=True)


def _raw_of(records: pd.DataFrame) -> list[str]:
    return records["raw"].astype(str).tolist() if "raw" in records else [""] * len(records)
