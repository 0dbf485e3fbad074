"""Events placed on the panel's grid once: their rows (visible and outcome), columns and codes.

Every builder reads the same :class:`LocatedEvents`, so the time rule is applied in one
place per build (``visible_period`` of ``date_end`` for features, ``outcome_period`` of
``date_start`` for targets) and strings are turned into integer codes only once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from features.grid import Grid
from risk.categories import CATEGORIES, VIOLENT
from risk.periods import outcome_period, visible_period

#: Actors that are not armed groups: states' forces, civilians, crowds, the unknown.
NOT_ARMED_GROUP = re.compile(
    r"^\s*(government of|military forces of|police forces of|civilians|protesters|rioters|unidentified"
    r"|unknown)",
    re.IGNORECASE,
)


@dataclass
class LocatedEvents:
    t_visible: np.ndarray  # row of the period the event becomes visible in (may be outside the grid)
    t_outcome: np.ndarray  # row of the period it starts in
    district: np.ndarray  # column, -1 for events placed in no district
    category: np.ndarray  # index into risk.categories.CATEGORIES
    fatalities: np.ndarray
    civilian_deaths: np.ndarray  # missing as 0
    actors: np.ndarray  # (n, 2) codes into actor_names, -1 for none
    actor_is_armed_group: np.ndarray  # per actor code
    region: np.ndarray  # code into region_names, -1 for none
    region_names: np.ndarray

    def of(self, *categories: str) -> np.ndarray:
        """Mask of events in any of ``categories``."""
        wanted = np.zeros(len(CATEGORIES) + 1, dtype=bool)  # the last slot is for unknown (-1)
        wanted[[CATEGORIES.index(c) for c in categories]] = True
        return wanted[self.category]

    @property
    def violent(self) -> np.ndarray:
        return self.of(*VIOLENT)

    def on_columns(self, columns: np.ndarray) -> LocatedEvents:
        """The events placed in the districts at ``columns``, renumbered to those columns' order.

        A block of districts keeps its own events this way (events placed elsewhere are dropped,
        not turned into unplaced ones).
        """
        size = max(int(self.district.max(initial=-1)), int(np.max(columns, initial=-1))) + 1
        renumber = np.full(size, -1, dtype=np.int64)
        renumber[columns] = np.arange(len(columns))
        keep = self.district >= 0
        keep[keep] = renumber[self.district[keep]] >= 0
        per_event = {
            "t_visible",
            "t_outcome",
            "district",
            "category",
            "fatalities",
            "civilian_deaths",
            "actors",
            "region",
        }
        picked = {name: getattr(self, name)[keep] for name in per_event}
        picked["district"] = renumber[picked["district"]]
        return replace(self, **picked)


def locate_events(grid: Grid, events: pd.DataFrame) -> LocatedEvents:
    if events.empty:
        empty = np.empty(0, dtype=np.int64)
        return LocatedEvents(
            empty,
            empty,
            empty,
            empty,
            np.empty(0),
            np.empty(0),
            np.empty((0, 2), np.int64),
            np.empty(0, bool),
            empty,
            np.empty(0, dtype=object),
        )
    origin = grid.periods[0].ordinal
    t_visible = visible_period(events["date_end"], grid.freq).asi8 - origin
    t_outcome = outcome_period(events["date_start"], grid.freq).asi8 - origin
    codes, names = pd.factorize(events["category"])
    category = np.r_[pd.Index(list(CATEGORIES)).get_indexer(pd.Index(names)), -1][codes].astype(np.int64)
    codes, names = pd.factorize(pd.concat([events["actor1"], events["actor2"]], ignore_index=True))
    region, region_names = pd.factorize(events["region"])
    armed = ~pd.Series(np.asarray(names, dtype=object)).astype(str).str.match(NOT_ARMED_GROUP).to_numpy()
    return LocatedEvents(
        t_visible=t_visible.astype(np.int64),
        t_outcome=t_outcome.astype(np.int64),
        district=grid.district_index(events["district_id"]),
        category=category,
        fatalities=events["fatalities"].to_numpy(dtype=float),
        civilian_deaths=np.nan_to_num(events["civilian_deaths"].to_numpy(dtype=float)),
        actors=codes.reshape(2, -1).T.astype(np.int64),
        actor_is_armed_group=armed,
        region=region.astype(np.int64),
        region_names=np.asarray(region_names, dtype=object),
    )
