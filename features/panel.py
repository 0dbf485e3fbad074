"""Assembling the district x period panel: every district in every period, features and targets.

The panel runs from the period of the first event to ``as_of`` (default: the last
period any event becomes visible).  Every builder sees the same grid and the same
time rule (:mod:`risk.periods`), so the row for period t depends only on what was
visible at t.  Targets (``y_<h>``) are the only columns that look ahead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from functools import cached_property

import pandas as pd

from features.agreement import agreement_features
from features.catalogue import FeatureInfo, build_catalogue, catalogue_digest
from features.context import (
    adjacency_matrix,
    calendar_features,
    longrun_features,
    neighbour_features,
    region_features,
)
from features.grid import Grid
from features.inputs import Inputs
from features.located import LocatedEvents, locate_events
from features.presence import presence_features, presence_indicators
from features.spec import PanelSpec
from features.targets import build_targets, fatal_mask
from features.violence import violence_features
from risk.periods import parse_period, visible_period

log = logging.getLogger(__name__)


class CatalogueNames:
    """Names derived from a panel's catalogue and spec (for :class:`Panel` and the distributed one)."""

    catalogue: list[FeatureInfo]
    spec: PanelSpec

    @cached_property
    def catalogue_digest(self) -> str:
        return catalogue_digest(self.catalogue)

    @property
    def feature_names(self) -> list[str]:
        return [f.name for f in self.catalogue]

    @property
    def target_names(self) -> list[str]:
        return [f"y_{h}" for h in self.spec.horizons]


@dataclass
class Panel(CatalogueNames):
    """The built table (index ``district_id, period``), its catalogue and how it was made."""

    frame: pd.DataFrame
    catalogue: list[FeatureInfo]
    spec: PanelSpec
    grid: Grid | None = field(default=None, repr=False)
    located: LocatedEvents | None = field(default=None, repr=False)

    def targets_known_by(self, known_by: pd.Period, horizons: tuple[int, ...] | None = None) -> pd.DataFrame:
        """The targets as they were known at ``known_by``: a backtest origin sees no later outcome.

        Same index as :attr:`frame`; missing where a window runs past ``known_by``.  ``horizons``
        (default: the panel's) may ask for others.
        """
        if self.grid is None or self.located is None:
            raise RuntimeError("this panel was loaded without its events; rebuild it with attach_events()")
        spec = replace(self.spec, horizons=tuple(horizons)) if horizons else self.spec
        targets = build_targets(self.grid, self.located, spec, known_by=known_by)
        return self.grid.frame(targets)

    def attach_events(self, inputs: Inputs) -> Panel:
        """Re-attach the located events (for targets as of a date) to a panel read from the cache."""
        periods = self.frame.index.levels[1]
        self.grid = Grid.build(periods.min(), periods.max(), inputs.districts["id"])
        self.located = locate_events(self.grid, inputs.events)
        return self

    def export_frame(self) -> pd.DataFrame:
        """Flat table: ``district_id``, ``period`` (``YYYY-MM`` for months), features, targets."""
        return flat_table(self.frame)


def flat_table(frame: pd.DataFrame) -> pd.DataFrame:
    """``district_id``, ``period`` (as text) and the columns: how a panel is written to files."""
    out = frame.reset_index()
    out["period"] = out["period"].astype(str)
    return out


def data_span(inputs: Inputs, freq: str) -> tuple[pd.Period, pd.Period]:
    """First and last period in which any event becomes visible.

    The start is a visible period too, so that no event still unknown at a period can move
    the panel's first row (and with it the long-run rate) at that period.
    """
    events = inputs.events
    if events.empty:
        raise ValueError("no events in the store: ingest some before building features")
    visible = visible_period(events["date_end"], freq)
    start, end = visible.min(), visible.max()
    return start, end


@dataclass(frozen=True)
class PanelWindow:
    """The periods a panel covers and the period its targets are known by."""

    start: pd.Period
    as_of: pd.Period
    known_by: pd.Period


def panel_window(inputs: Inputs, spec: PanelSpec, as_of: pd.Period | str | None = None) -> PanelWindow:
    """From the first visible data to ``as_of`` (default: the latest); targets known by then."""
    start, end = data_span(inputs, spec.freq)
    if isinstance(as_of, str):
        as_of = parse_period(as_of, spec.freq)
    as_of = as_of or end
    if as_of < start:
        raise ValueError(f"as-of period {as_of} is before the first data ({start})")
    return PanelWindow(start=start, as_of=as_of, known_by=as_of)


def build_panel(
    inputs: Inputs,
    spec: PanelSpec | None = None,
    as_of: pd.Period | str | None = None,
    *,
    with_targets: bool = True,
) -> Panel:
    """Build the panel from ``inputs`` up to ``as_of`` (a period or ``YYYY-MM``).

    With ``as_of``, the panel is what was known then: features as always, and targets only
    where their window is fully known by ``as_of``, from events visible by then.
    """
    spec = spec or PanelSpec()
    window = panel_window(inputs, spec, as_of)
    panel = assemble_panel(
        inputs, spec, window, presence_indicators(inputs.presence), with_targets=with_targets
    )
    log.info(
        "built a panel of %d districts x %d periods (%d features)", *panel.grid.shape, len(panel.catalogue)
    )
    return panel


def assemble_panel(
    inputs: Inputs,
    spec: PanelSpec,
    window: PanelWindow,
    indicators: list[str],
    *,
    with_targets: bool = True,
) -> Panel:
    """Every feature (and target) of every district in ``inputs`` over ``window``.

    The window and the presence ``indicators`` are given, not read from ``inputs``, so that a block
    of districts (the Dask engine's unit of work) gets exactly the rows and columns of the whole.
    """
    grid = Grid.build(window.start, window.as_of, inputs.districts["id"])
    parents = inputs.districts["parent"].reset_index(drop=True)
    adjacency = adjacency_matrix(grid, inputs.neighbours)

    located = locate_events(grid, inputs.events)
    columns = violence_features(grid, located, spec)
    columns.update(presence_features(grid, inputs.presence, adjacency, indicators))
    columns.update(agreement_features(grid, inputs.provisions, parents))
    columns.update(neighbour_features(columns, adjacency, spec))
    columns.update(region_features(grid, located, parents))
    columns.update(calendar_features(grid))
    fatal = fatal_mask(located, spec)
    columns.update(longrun_features(grid, grid.count(located.t_visible[fatal], located.district[fatal])))

    catalogue = build_catalogue(spec, indicators)
    missing = set(columns) ^ {f.name for f in catalogue}
    if missing:
        raise RuntimeError(f"features and catalogue disagree on {sorted(missing)}")  # a programming error
    ordered = {f.name: columns[f.name] for f in catalogue}
    if with_targets:
        ordered.update(build_targets(grid, located, spec, known_by=window.known_by))
    frame = grid.frame(ordered)
    return Panel(frame=frame, catalogue=catalogue, spec=spec, grid=grid, located=located)


__all__ = ["Panel", "PanelWindow", "assemble_panel", "build_panel", "data_span", "flat_table", "panel_window"]
