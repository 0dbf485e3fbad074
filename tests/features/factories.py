"""Small feature inputs built in code: six districts in a row, three years of events."""

from __future__ import annotations

import numpy as np
import pandas as pd

from features.inputs import EVENT_FIELDS, Inputs

DISTRICTS = [f"D{i}" for i in range(6)]
CATEGORIES = ["attack", "clash", "state_fighting", "unrest"]
ACTORS = ["Group A", "Group B", "Group C", "Government of X", "Civilians"]


def random_events(
    rng: np.random.Generator, n: int, start: str = "2018-01-01", days: int = 3 * 365, first_id: int = 0
) -> pd.DataFrame:
    date_start = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    district = rng.choice([*DISTRICTS, None], n, p=[0.15] * 6 + [0.1])
    return pd.DataFrame(
        {
            "event_id": np.arange(first_id, first_id + n),
            "source": "test",
            "source_id": [f"T{i}" for i in range(first_id, first_id + n)],
            "district_id": district,
            "region": np.where(pd.Series(district).isin(DISTRICTS[:3]) | pd.isna(district), "North", "South"),
            "category": rng.choice(CATEGORIES, n),
            "date_start": date_start,
            "date_end": date_start + pd.to_timedelta(rng.choice([0, 0, 0, 2, 9], n), unit="D"),
            "fatalities": rng.choice([0, 0, 1, 3, 8], n),
            "civilian_deaths": rng.choice([0, 1, np.nan], n),
            "actor1": rng.choice(ACTORS, n),
            "actor2": rng.choice(ACTORS, n),
        }
    )[EVENT_FIELDS]


def small_inputs(seed: int = 0, n_events: int = 400) -> Inputs:
    rng = np.random.default_rng(seed)
    districts = pd.DataFrame({"id": DISTRICTS, "name": DISTRICTS, "parent": ["North"] * 3 + ["South"] * 3})
    pairs = [(DISTRICTS[i], DISTRICTS[i + 1]) for i in range(5)]
    neighbours = pd.DataFrame(pairs + [(b, a) for a, b in pairs], columns=["district_id", "neighbour_id"])
    obs_dates = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365, 60), unit="D")
    presence = pd.DataFrame(
        {
            "district_id": rng.choice(DISTRICTS[:5], 60),  # D5 is never observed
            "date": obs_dates,
            "indicator": rng.choice(["Security posts", "pko_troops"], 60),
            "value": rng.integers(0, 20, 60).astype(float),
            "source": "test",
        }
    )
    provisions = pd.DataFrame(
        {
            "id": ["P1", "P2", "P3", "P4"],
            "scope_kind": ["national", "region", "districts", "region"],
            "scope_region": [None, "North", None, "South"],
            "scope_districts": [[], [], ["D4", "D5"], []],
            "planned_date": pd.to_datetime(["2018-06-01", "2019-01-15", "2019-03-01", "2020-02-01"]),
            "completed_date": pd.to_datetime(["2018-05-20", "2019-09-30", None, "2020-06-10"]),
        }
    )
    return Inputs(districts, neighbours, random_events(rng, n_events), presence, provisions)
