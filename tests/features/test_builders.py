"""Builders on hand-made inputs whose answers can be worked out on paper."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from features.catalogue import build_catalogue
from features.inputs import empty_inputs
from features.panel import build_panel
from features.spec import PanelSpec
from tests.features.factories import small_inputs


def _event(
    district, start, end=None, category="attack", deaths=1, actor1="Group A", actor2="Civilians", region=None
):
    return {
        "event_id": 0,
        "source": "test",
        "source_id": "x",
        "district_id": district,
        "region": region,
        "category": category,
        "date_start": pd.Timestamp(start),
        "date_end": pd.Timestamp(end or start),
        "fatalities": deaths,
        "civilian_deaths": np.nan,
        "actor1": actor1,
        "actor2": actor2,
    }


def _inputs(events, neighbours=(), presence=None, provisions=None, parents=("R1", "R1", "R2")):
    inputs = empty_inputs(["A", "B", "C"])
    inputs.districts["parent"] = list(parents)
    inputs.events = pd.DataFrame(events).assign(event_id=lambda f: range(len(f)))
    pairs = [*neighbours, *[(b, a) for a, b in neighbours]]
    inputs.neighbours = pd.DataFrame(pairs, columns=["district_id", "neighbour_id"])
    if presence is not None:
        inputs.presence = presence
    if provisions is not None:
        inputs.provisions = provisions
    return inputs


def _at(panel, district, period):
    return panel.frame.loc[(district, pd.Period(period, "M"))]


def test_counts_windows_since_decay_neighbours_and_visibility():
    events = [
        _event("A", "2020-01-10"),
        _event("A", "2020-01-20", deaths=4),
        _event("A", "2020-03-30", "2020-04-02"),  # starts in March, known only in April
        _event("B", "2020-02-05", category="clash", actor1="Group B", actor2="Group C"),
        _event("C", "2020-06-01", category="unrest", deaths=0),
        _event("C", "2020-09-01", category="unrest", deaths=0),
    ]
    panel = build_panel(_inputs(events, neighbours=[("A", "B")]), PanelSpec(half_life=1.0))
    jan, mar, apr = _at(panel, "A", "2020-01"), _at(panel, "A", "2020-03"), _at(panel, "A", "2020-04")
    assert (jan["attacks_count_1"], jan["attacks_deaths_1"], jan["attacks_since"]) == (2, 5, 0)
    assert (mar["attacks_count_3"], mar["attacks_since"], mar["attacks_decay"]) == (2, 2, 0.5)
    assert (apr["attacks_count_1"], apr["attacks_count_3"], apr["attacks_since"]) == (1, 1, 0)
    assert _at(panel, "B", "2020-02")["nb_attacks_count_3"] == 2
    assert (
        _at(panel, "B", "2020-02")["armed_groups_6"] == 2
        and _at(panel, "B", "2020-07")["armed_groups_6"] == 2
    )
    assert _at(panel, "B", "2020-08")["armed_groups_6"] == 0
    assert math.isnan(_at(panel, "C", "2020-03")["attacks_since"])
    # target: a fatal event *starting* in March counts for y_1 of February, though seen in April
    assert _at(panel, "A", "2020-02")["y_1"] == 1 and _at(panel, "A", "2020-04")["y_1"] == 0
    assert math.isnan(_at(panel, "A", "2020-09")["y_1"])  # the data ends in September
    assert _at(panel, "C", "2020-05")["y_1"] == 0  # unrest without deaths is not violence


def test_presence_is_carried_forward_and_never_a_silent_zero():
    presence = pd.DataFrame(
        {
            "district_id": ["A", "A", "B"],
            "indicator": ["Posts", "Posts", "Posts"],
            "date": pd.to_datetime(["2020-01-15", "2020-03-01", "2020-02-10"]),
            "value": [3.0, 5.0, 2.0],
            "source": "s",
        }
    )
    panel = build_panel(
        _inputs([_event("A", "2020-01-01"), _event("A", "2020-06-01")], [("A", "B")], presence)
    )
    assert _at(panel, "A", "2020-02")[["presence_posts", "presence_posts_age"]].tolist() == [3, 1]
    assert _at(panel, "A", "2020-05")[["presence_posts", "presence_posts_age"]].tolist() == [5, 2]
    assert math.isnan(_at(panel, "C", "2020-05")["presence_posts"])
    assert math.isnan(_at(panel, "B", "2020-01")["presence_posts"])  # observed only in February
    assert _at(panel, "B", "2020-03")["nb_presence_posts"] == 5
    assert math.isnan(_at(panel, "C", "2020-03")["nb_presence_posts"])  # C has no observed neighbour


def test_agreement_delays_by_scope_and_completion():
    provisions = pd.DataFrame(
        {
            "id": ["N", "R", "D"],
            "scope_kind": ["national", "region", "districts"],
            "scope_region": [None, "R2", None],
            "scope_districts": [[], [], ["A"]],
            "planned_date": pd.to_datetime(["2020-01-31", "2020-02-15", "2020-01-10"]),
            "completed_date": pd.to_datetime([None, "2020-04-20", "2020-01-05"]),
        }
    )
    panel = build_panel(
        _inputs([_event("A", "2020-01-01"), _event("A", "2020-06-01")], provisions=provisions)
    )
    c_mar, a_mar, c_may = _at(panel, "C", "2020-03"), _at(panel, "A", "2020-03"), _at(panel, "C", "2020-05")
    assert c_mar["provisions_overdue"] == 2  # national since Jan 31, regional since Feb 15
    assert c_mar["provisions_days_overdue"] == 60 + 45
    assert c_mar["provisions_mean_days_overdue"] == 52.5
    assert c_may["provisions_overdue"] == 1 and c_may["provisions_since_completion"] == 1
    assert a_mar["provisions_overdue"] == 1 and a_mar["provisions_on_time_share"] == 0.5
    assert _at(panel, "B", "2020-01")["provisions_on_time_share"] == 0  # the national one, due and not done
    assert math.isnan(c_mar["provisions_since_completion"])


def test_a_provision_naming_an_unknown_district_covers_no_other():
    # An id that is not on the grid once marked the *last* district as covered (index -1).
    provisions = pd.DataFrame(
        {
            "id": ["X"],
            "scope_kind": ["districts"],
            "scope_region": [None],
            "scope_districts": [["NOT-A-DISTRICT"]],
            "planned_date": pd.to_datetime(["2020-01-10"]),
            "completed_date": pd.to_datetime([None]),
        }
    )
    panel = build_panel(
        _inputs([_event("A", "2020-01-01"), _event("A", "2020-06-01")], provisions=provisions)
    )
    assert (panel.frame["provisions_overdue"] == 0).all()


def test_unplaced_events_count_for_their_region():
    events = [_event("A", "2020-01-05"), _event(None, "2020-02-05", region="R1"), _event(None, "2020-02-07")]
    panel = build_panel(_inputs(events))
    assert (
        _at(panel, "B", "2020-02")["region_unplaced_3"] == 1
        and _at(panel, "C", "2020-02")["region_unplaced_3"] == 0
    )


def test_catalogue_matches_the_panel_and_reads_as_sentences():
    panel = build_panel(small_inputs(seed=1))
    assert panel.feature_names == [
        f.name for f in build_catalogue(panel.spec, ["pko_troops", "security_posts"])
    ]
    assert list(panel.frame.columns) == [*panel.feature_names, "y_1", "y_3"]
    families = {f.family for f in panel.catalogue}
    assert families == {"attacks", "clashes", "presence", "agreement", "neighbours", "context"}
    info = {f.name: f for f in panel.catalogue}
    assert info["attacks_count_3"].sentence(7) == "7 attacks recorded in the last 3 months"
    assert info["attacks_count_3"].sentence(1) == "1 attack recorded in the last 3 months"
    assert info["provisions_overdue"].sentence(3) == "3 agreement provisions overdue here"
    assert info["attacks_since"].sentence(float("nan")) == "no attack recorded so far"
    for f in panel.catalogue:  # every template renders
        assert f.sentence(2.0) and f.sentence(float("nan"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("freq", "day"),
        ("windows", (0, 3)),
        ("half_life", -1),
        ("target_categories", ("looting",)),
        ("horizons", ()),
    ],
)
def test_bad_parameters_are_refused_quoting_the_value(field, value):
    with pytest.raises(
        ValueError, match=f"PanelSpec.{field} must be .*got {value!r}".replace("(", r"\(").replace(")", r"\)")
    ):
        PanelSpec(**{field: value})


def test_as_of_before_the_data_is_refused():
    with pytest.raises(ValueError, match="before the first data"):
        build_panel(small_inputs(), as_of="2001-01")
