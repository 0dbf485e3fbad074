"""The time rules: events count where they start and become visible where they end."""

from __future__ import annotations

import pandas as pd
import pytest

from risk.periods import is_visible, outcome_period, parse_period, visible_period


def test_event_spanning_a_month_end_counts_early_but_is_seen_late():
    start, end = pd.Series(pd.to_datetime(["2020-01-30"])), pd.Series(pd.to_datetime(["2020-02-02"]))
    assert str(outcome_period(start)[0]) == "2020-01"
    assert str(visible_period(end)[0]) == "2020-02"
    assert not is_visible(end, pd.Period("2020-01", "M")).iloc[0]
    assert is_visible(end, pd.Period("2020-02", "M")).iloc[0]


def test_weeks_are_supported_and_bad_input_is_named():
    assert (
        parse_period("2020-01-08", "week")
        == visible_period(pd.Series(pd.to_datetime(["2020-01-06"])), "week")[0]
    )
    with pytest.raises(ValueError, match="unknown period length 'day'"):
        parse_period("2020-01", "day")
    with pytest.raises(ValueError, match="not a month period: 'soon'"):
        parse_period("soon")
