"""Vectorised row validation: each rule flags rows and names the field and the reason.

A :class:`RowChecks` wraps one :class:`~risk.ingest.readers.RawTable`.  Each call
parses one column for all rows at once, records a problem for every row that
breaks the rule (quoting the offending value), and returns the parsed column.
Rows with no problem go on to the store; the others are recorded as rejected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from risk.ingest.errors import IngestError
from risk.ingest.readers import RawTable, raw_text

#: Date layouts accepted everywhere (ISO first; ACLED's day-month-year forms after).
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%d %B %Y", "%d-%b-%y", "%d-%B-%Y")
EARLIEST_DATE = pd.Timestamp("1900-01-01")

_ENCODING_HINT = (
    "text is not valid UTF-8 (it looks Latin-1/Windows-1252 encoded): re-save the file as UTF-8 "
    "or ingest it with --encoding latin-1"
)


def _quoted(values: pd.Series, limit: int = 60) -> pd.Series:
    return "'" + values.astype(str).str.slice(0, limit) + "'"


class RowChecks:
    """Collects the problems of one table, one rule at a time."""

    def __init__(self, table: RawTable, *, today: dt.date | None = None) -> None:
        self.table = table
        self.cells = table.cells
        self.latest_date = pd.Timestamp(today or dt.date.today()) + pd.Timedelta(days=1)
        self._problems: list[pd.DataFrame] = []
        self._bad = np.zeros(len(self.cells), dtype=bool)
        bad_text = table.undecodable
        if bad_text is not None and len(bad_text):
            mask = np.zeros(len(self.cells), dtype=bool)
            mask[bad_text["pos"].to_numpy()] = True
            fields = pd.Series(None, index=self.cells.index, dtype=object)
            fields.iloc[bad_text["pos"].to_numpy()] = bad_text["column"].to_numpy()
            self._record(mask, fields, _ENCODING_HINT)

    # -- structure -------------------------------------------------------------------------
    def require_columns(self, required: Iterable[str], layout: str) -> None:
        missing = [c for c in required if c not in self.cells.columns]
        if missing:
            raise IngestError(
                self.table.file,
                f"not a {layout} file: missing column(s) {', '.join(missing)}; "
                f"the header has {', '.join(self.table.header[:12])}"
                + (" ..." if len(self.table.header) > 12 else ""),
                row=1,
            )

    # -- recording -------------------------------------------------------------------------
    def _record(self, mask: np.ndarray, field: str | pd.Series, reason: str | pd.Series) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        pos = np.flatnonzero(mask)
        fields = field.iloc[pos].to_numpy() if isinstance(field, pd.Series) else field
        reasons = reason.iloc[pos].to_numpy() if isinstance(reason, pd.Series) else reason
        self._problems.append(
            pd.DataFrame({"pos": pos, "row": self.table.rows[pos], "field": fields, "reason": reasons})
        )
        self._bad |= mask

    def flag(self, mask: pd.Series | np.ndarray, field: str, reason: str | pd.Series) -> None:
        """Reject the rows in ``mask`` (rows already rejected are not flagged again)."""
        mask = np.asarray(mask, dtype=bool) & ~self._bad
        self._record(mask, field, reason)

    @property
    def bad(self) -> np.ndarray:
        return self._bad.copy()

    def problems(self) -> pd.DataFrame:
        """One row per rejected record: spreadsheet row number, field, reason and raw text."""
        frames = list(self._problems)
        columns = ["row", "field", "reason", "raw"]
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["pos", *columns[:-1]])
        out = out.drop_duplicates("pos").sort_values("pos")
        raw = raw_text(self.cells.iloc[out["pos"].to_numpy()]) if len(out) else pd.Series(dtype=object)
        out["raw"] = raw.to_numpy()
        shaped = self.table.bad_shape
        return pd.concat([out[columns], shaped[columns]], ignore_index=True).sort_values(
            "row", ignore_index=True
        )

    # -- column parsers --------------------------------------------------------------------
    def text(self, column: str, *, required: bool = False, max_length: int | None = None) -> pd.Series:
        values = self.cells[column].astype(str).str.strip() if column in self.cells else self._empty()
        if required:
            self.flag(values == "", column, "required value is missing")
        if max_length:
            self.flag(values.str.len() > max_length, column, f"longer than {max_length} characters")
        return values.where(values != "", None)

    def date(self, column: str, *, required: bool = True) -> pd.Series:
        values = self.cells[column].astype(str).str.strip() if column in self.cells else self._empty()
        # Second resolution: a typo such as year 2999 is then a clear "in the future", not an overflow.
        parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
        for fmt in DATE_FORMATS:
            todo = parsed.isna() & (values != "")
            if not todo.any():
                break
            found = pd.to_datetime(values[todo], format=fmt, errors="coerce")
            parsed.loc[todo] = found.astype("datetime64[s]")
        missing = values == ""
        if required:
            self.flag(missing, column, "required date is missing")
        self.flag(~missing & parsed.isna(), column, "not a valid date: " + _quoted(values))
        self.flag(parsed < EARLIEST_DATE, column, "implausible date before 1900: " + _quoted(values))
        self.flag(parsed > self.latest_date, column, "date is in the future: " + _quoted(values))
        return parsed

    def number(
        self,
        column: str,
        *,
        required: bool = True,
        integer: bool = False,
        minimum: float | None = None,
        maximum: float | None = None,
    ) -> pd.Series:
        values = self.cells[column].astype(str).str.strip() if column in self.cells else self._empty()
        parsed = pd.to_numeric(values.str.replace(",", ".", regex=False), errors="coerce").astype(float)
        missing = values == ""
        if required:
            self.flag(missing, column, "required number is missing")
        self.flag(~missing & ~np.isfinite(parsed), column, "not a number: " + _quoted(values))
        if integer:
            self.flag(
                np.isfinite(parsed) & (parsed % 1 != 0), column, "not a whole number: " + _quoted(values)
            )
        if minimum is not None:
            self.flag(parsed < minimum, column, f"below the minimum {minimum:g}: " + _quoted(values))
        if maximum is not None:
            self.flag(parsed > maximum, column, f"above the maximum {maximum:g}: " + _quoted(values))
        return parsed

    def _empty(self) -> pd.Series:
        return pd.Series("", index=self.cells.index, dtype=object)
