"""The one home for time: which period an event belongs to, and when it becomes known.

Forecasting code must never use, for period *t*, anything that happened or became
known after *t*.  Two rules, used by every builder:

* An event **belongs** to the period of its ``date_start``: that is when the
  violence happened, so targets (outcomes) count it there.
* An event becomes **visible** only from the period of its ``date_end``: an event
  that spans several days or weeks is not fully known until it ends, so features
  computed for period *t* see only events with ``visible period <= t``.

Other dated records follow the same idea: a presence observation is visible from
the period of its date, a provision's completion from the period of its
completion date.
"""

from __future__ import annotations

import pandas as pd

#: Period lengths the project supports, as pandas period aliases.
FREQUENCIES: dict[str, str] = {"month": "M", "week": "W-SUN"}


def _alias(freq: str) -> str:
    try:
        return FREQUENCIES[freq]
    except KeyError:
        raise ValueError(f"unknown period length {freq!r}; expected one of {sorted(FREQUENCIES)}") from None


def to_periods(dates: pd.Series | pd.DatetimeIndex, freq: str = "month") -> pd.PeriodIndex:
    """Periods containing ``dates`` (vectorised)."""
    return pd.DatetimeIndex(dates).to_period(_alias(freq))


def outcome_period(date_start: pd.Series, freq: str = "month") -> pd.PeriodIndex:
    """The period an event counts in as an outcome."""
    return to_periods(date_start, freq)


def visible_period(date_known: pd.Series, freq: str = "month") -> pd.PeriodIndex:
    """The first period whose features may use a record known on ``date_known``
    (an event's ``date_end``, an observation's date, a completion date)."""
    return to_periods(date_known, freq)


def is_visible(date_known: pd.Series, as_of: pd.Period) -> pd.Series:
    """Mask of records that features computed for period ``as_of`` may see."""
    known = visible_period(date_known, _freq_name(as_of))
    return pd.Series(known <= as_of, index=getattr(date_known, "index", None))


def _freq_name(period: pd.Period) -> str:
    for name, alias in FREQUENCIES.items():
        if pd.Period("2000-01-03", alias).freqstr == period.freqstr:
            return name
    raise ValueError(f"unsupported period {period!r}")


def parse_period(text: str, freq: str = "month") -> pd.Period:
    """Parse ``YYYY-MM`` (months) or any date inside the wanted week."""
    alias = _alias(freq)
    try:
        return pd.Period(text, freq=alias)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a {freq} period: {text!r}") from exc
