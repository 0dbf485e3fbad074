"""The panel built on a Dask cluster: one task per block of districts, rows kept on the workers.

Every feature of a district depends only on its own data, its neighbours' own indicators, its
region's unplaced events and the agreement provisions covering it.  A block of districts is
therefore built from the inputs of the block *and its neighbours* (the halo), with the window
and presence indicators of the whole panel, and then cut back to the block: its rows are
exactly the rows :func:`features.panel.build_panel` makes for those districts (a test checks
this cell by cell).  The client never holds the panel, only the inputs.

Workers read nothing from the store; the inputs are sent to them once.  Blocks written to the
cache go to ``RISK_HOME/features`` from the workers, so a remote cluster needs that folder shared.
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from features.catalogue import FeatureInfo, build_catalogue
from features.grid import Grid
from features.inputs import Inputs
from features.panel import CatalogueNames, Panel, PanelWindow, assemble_panel, flat_table, panel_window
from features.presence import presence_indicators
from features.spec import PanelSpec

if TYPE_CHECKING:
    from distributed import Client, Future

log = logging.getLogger(__name__)

#: Rows (district-periods) per block when the caller does not choose a number of blocks.
ROWS_PER_BLOCK = 150_000


def district_blocks(district_ids: pd.Series, n_blocks: int) -> list[np.ndarray]:
    """Contiguous runs of the (sorted) district ids, as even as possible.

    Contiguous in id order keeps a block's rows in the panel's own order, and for grid cells
    (numbered row by row) keeps the halo of neighbours to a row above and below.
    """
    ids = np.asarray(district_ids, dtype=object)
    n_blocks = max(1, min(int(n_blocks), len(ids)))
    return [block for block in np.array_split(ids, n_blocks) if len(block)]


def inputs_for(inputs: Inputs, district_ids) -> Inputs:
    """The inputs a set of districts needs: their rows, the events placed in them, and the events
    placed in no district but known to be in their regions; all provisions (they are few)."""
    ids = pd.Index(district_ids)
    districts = inputs.districts[inputs.districts["id"].isin(ids)]
    nb = inputs.neighbours
    events = inputs.events
    regions = districts["parent"].dropna().unique()
    placed = events["district_id"].isin(ids)
    loose = events["district_id"].isna() & events["region"].isin(regions)
    return Inputs(
        districts=districts.reset_index(drop=True),
        neighbours=nb[nb["district_id"].isin(ids) & nb["neighbour_id"].isin(ids)].reset_index(drop=True),
        events=events[placed.to_numpy() | loose.to_numpy()].reset_index(drop=True),
        presence=inputs.presence[inputs.presence["district_id"].isin(ids)].reset_index(drop=True),
        provisions=inputs.provisions,
    )


def build_block(
    inputs: Inputs, block: np.ndarray, spec: PanelSpec, window: PanelWindow, indicators: list[str]
) -> Panel:
    """The panel rows of the districts in ``block`` (built with their neighbours, then cut back)."""
    nb = inputs.neighbours
    halo = nb.loc[nb["district_id"].isin(block), "neighbour_id"].unique()
    area = pd.Index(block).union(pd.Index(halo))
    built = assemble_panel(inputs_for(inputs, area), spec, window, indicators)
    keep = np.isin(built.grid.district_ids, block)
    columns = np.flatnonzero(keep)
    n_t = built.grid.shape[0]
    frame = built.frame[np.repeat(keep, n_t)]
    frame.index = frame.index.remove_unused_levels()
    grid = Grid(built.grid.periods, built.grid.district_ids[columns])
    return Panel(
        frame=frame,
        catalogue=built.catalogue,
        spec=spec,
        grid=grid,
        located=built.located.on_columns(columns),
    )


def _frame_of(panel: Panel) -> pd.DataFrame:
    return panel.frame


def _describe(panel: Panel) -> dict:
    frame = panel.frame
    targets = frame[panel.target_names]
    return {"districts": panel.grid.shape[1], "sums": targets.sum(), "counts": targets.count()}


def _write_part(panel: Panel, path: str) -> int:
    flat_table(panel.frame).to_parquet(path, index=False)
    return len(panel.frame)


@dataclass
class DistributedPanel(CatalogueNames):
    """A panel whose rows live on a Dask cluster as one :class:`Panel` per block of districts."""

    client: Client
    blocks: list[Future]
    catalogue: list[FeatureInfo]
    spec: PanelSpec
    window: PanelWindow

    @property
    def periods(self) -> pd.PeriodIndex:
        return pd.period_range(self.window.start, self.window.as_of, freq=self.window.start.freq)

    def map_blocks(self, func, *args, **kwargs) -> list[Future]:
        """Run ``func(block_panel, *args, **kwargs)`` on every block, where the block lives."""
        return [self.client.submit(func, block, *args, pure=False, **kwargs) for block in self.blocks]

    def gather(self) -> Panel:
        """The whole panel in this process (for tests and small data: it is what the engine avoids)."""
        frame = pd.concat(self.client.gather(self.map_blocks(_frame_of)))
        return Panel(frame=frame, catalogue=self.catalogue, spec=self.spec)

    def describe(self) -> dict:
        """Districts, periods and target rates (as :func:`features.cache.describe_frame`), computed
        where the blocks live."""
        parts = self.client.gather(self.map_blocks(_describe))
        sums = pd.concat([p["sums"] for p in parts]).groupby(level=0).sum()
        counts = pd.concat([p["counts"] for p in parts]).groupby(level=0).sum()
        return {
            "districts": sum(p["districts"] for p in parts),
            "periods": self.periods.astype(str),
            "features": len(self.catalogue),
            "target_rates": (sums / counts).to_dict(),
        }

    def write_parts(self, folder: Path) -> int:
        """Each worker writes its blocks as ``part-NNNNN.parquet`` under ``folder``; returns the rows."""
        folder.mkdir(parents=True, exist_ok=True)
        futures = [
            self.client.submit(_write_part, block, str(folder / f"part-{i:05d}.parquet"), pure=False)
            for i, block in enumerate(self.blocks)
        ]
        return sum(self.client.gather(futures))


def build_panel_distributed(
    client: Client,
    inputs: Inputs,
    spec: PanelSpec | None = None,
    as_of: pd.Period | str | None = None,
    *,
    n_blocks: int | None = None,
) -> DistributedPanel:
    """Build the panel as :func:`features.panel.build_panel` would, one block of districts per task."""
    from distributed import wait

    spec = spec or PanelSpec()
    window = panel_window(inputs, spec, as_of)
    indicators = presence_indicators(inputs.presence)
    ids = inputs.districts["id"]
    if n_blocks is None:
        n_workers = max(len(client.scheduler_info()["workers"]), 1)
        rows = len(ids) * len(pd.period_range(window.start, window.as_of, freq=window.start.freq))
        n_blocks = max(2 * n_workers, math.ceil(rows / ROWS_PER_BLOCK))
    blocks = district_blocks(ids, n_blocks)
    shared = client.scatter(inputs, broadcast=True, hash=False)
    run = uuid.uuid4().hex[:8]
    futures = [
        client.submit(build_block, shared, block, spec, window, indicators, key=f"panel-block-{i:05d}-{run}")
        for i, block in enumerate(blocks)
    ]
    wait(futures)
    for future in futures:
        if future.status == "error":
            future.result()  # raises the block's own exception, here
    log.info("built a panel of %d districts in %d blocks on the cluster", len(ids), len(blocks))
    return DistributedPanel(
        client=client,
        blocks=futures,
        catalogue=build_catalogue(spec, indicators),
        spec=spec,
        window=window,
    )


__all__ = ["DistributedPanel", "build_block", "build_panel_distributed", "district_blocks", "inputs_for"]
