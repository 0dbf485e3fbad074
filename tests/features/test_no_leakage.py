"""Nothing computed for period t uses data after t; building once equals building period by period."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from features.panel import build_panel
from features.spec import PanelSpec
from tests.features.factories import random_events, small_inputs

BASE = small_inputs(seed=3)
FULL = build_panel(BASE)
PERIODS = FULL.frame.index.get_level_values("period").unique().sort_values()


def _features_until(panel, t: pd.Period) -> pd.DataFrame:
    frame = panel.frame[panel.feature_names]
    return frame[frame.index.get_level_values("period") <= t]


@st.composite
def later_edits(draw):
    """A cut-off t and a set of edits to data that becomes known only after t."""
    t = draw(st.sampled_from(list(PERIODS[3:-3])))
    seed = draw(st.integers(0, 10_000))
    return (
        t,
        seed,
        draw(
            st.lists(
                st.sampled_from(
                    [
                        "append_events",
                        "remove_events",
                        "move_events",
                        "append_presence",
                        "remove_presence",
                        "move_presence",
                        "complete_provision",
                        "move_completion",
                        "undo_completion",
                    ]
                ),
                min_size=1,
                max_size=4,
            )
        ),
    )


def _after(dates: pd.Series, t: pd.Period) -> np.ndarray:
    return (dates.dt.to_period("M") > t).to_numpy()


def _apply(inputs, t: pd.Period, seed: int, edits: list[str]):
    rng = np.random.default_rng(seed)
    out = copy.deepcopy(inputs)
    after_end = t.end_time.normalize() + pd.Timedelta(days=1)
    for edit in edits:
        ev, pr, pv = out.events, out.presence, out.provisions
        late_ev, late_pr = _after(ev["date_end"], t), _after(pr["date"], t)
        if edit == "append_events":
            new = random_events(rng, 30, start=str(after_end.date()), days=400, first_id=10_000 + len(ev))
            # some start before t but end after it: still unknown at t
            new.loc[::3, "date_start"] = new.loc[::3, "date_end"] - pd.Timedelta(days=40)
            out.events = pd.concat([ev, new], ignore_index=True)
        elif edit == "remove_events" and late_ev.any():
            out.events = ev[~(late_ev & (rng.random(len(ev)) < 0.5))].reset_index(drop=True)
        elif edit == "move_events" and late_ev.any():
            shift = pd.to_timedelta(rng.integers(0, 200, late_ev.sum()), unit="D")
            ev.loc[late_ev, "date_end"] = ev.loc[late_ev, "date_end"] + shift
            ev.loc[late_ev, "district_id"] = rng.choice(["D0", "D5"], late_ev.sum())
        elif edit == "append_presence":
            extra = pr.sample(5, random_state=seed).assign(
                date=after_end + pd.Timedelta(days=int(rng.integers(0, 300)))
            )
            out.presence = pd.concat([pr, extra.assign(value=99.0)], ignore_index=True)
        elif edit == "remove_presence" and late_pr.any():
            out.presence = pr[~late_pr].reset_index(drop=True)
        elif edit == "move_presence" and late_pr.any():
            pr.loc[late_pr, "value"] = -1.0
        elif edit == "complete_provision":
            pv.loc[pv["completed_date"].isna(), "completed_date"] = after_end + pd.Timedelta(days=10)
        elif edit == "move_completion":
            late = _after(pv["completed_date"], t) & pv["completed_date"].notna().to_numpy()
            pv.loc[late, "completed_date"] = pv.loc[late, "completed_date"] + pd.Timedelta(days=100)
        elif edit == "undo_completion":
            late = _after(pv["completed_date"], t) & pv["completed_date"].notna().to_numpy()
            pv.loc[late, "completed_date"] = pd.NaT
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(later_edits())
def test_features_at_t_ignore_any_edit_to_later_data(case):
    t, seed, edits = case
    edited = build_panel(_apply(BASE, t, seed, edits))
    pd.testing.assert_frame_equal(_features_until(edited, t), _features_until(FULL, t))


def test_an_edit_before_t_does_change_features_at_t():
    """The property above is not vacuous: the same comparison catches an earlier edit."""
    t = PERIODS[20]
    earlier = copy.deepcopy(BASE)
    early = (earlier.events["date_end"].dt.to_period("M") <= t).to_numpy()
    earlier.events = earlier.events[~early | (np.arange(len(early)) % 2 == 0)]
    assert not _features_until(build_panel(earlier), t).equals(_features_until(FULL, t))


def test_building_once_equals_building_period_by_period():
    for t in PERIODS[::4]:
        partial = build_panel(BASE, as_of=t)
        assert partial.frame.index.get_level_values("period").max() == t
        pd.testing.assert_frame_equal(_features_until(partial, t), _features_until(FULL, t))


def test_result_is_deterministic_and_weekly_panels_work():
    pd.testing.assert_frame_equal(build_panel(small_inputs(seed=3)).frame, FULL.frame)
    weekly = build_panel(BASE, PanelSpec(freq="week"))
    assert weekly.frame.index.get_level_values("period").freqstr.startswith("W")
    assert len(weekly.frame) > 4 * len(FULL.frame)
