"""Building the panel from the store, cached on disk by data fingerprint and parameters.

A cached panel is a Parquet file (features and targets) beside a JSON file (catalogue and
parameters), both named by the fingerprint of the store's content and the spec's digest, so
any new ingest or other parameters give a new file and a stale panel is never served.
Nothing here unpickles anything.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import pandas as pd

from features.catalogue import FeatureInfo, build_catalogue
from features.inputs import Inputs, fingerprint, load_inputs
from features.panel import Panel, build_panel
from features.presence import presence_indicators
from features.spec import PanelSpec
from risk import __version__
from risk.periods import parse_period
from risk.store.db import Store

log = logging.getLogger(__name__)


def _paths(folder: Path, key: str) -> tuple[Path, Path]:
    return folder / f"panel-{key}.parquet", folder / f"panel-{key}.json"


def save_panel(panel: Panel, folder: Path, key: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data, meta = _paths(folder, key)
    tmp = data.with_suffix(".parquet.tmp")
    frame = panel.frame.reset_index()
    frame["period"] = frame["period"].astype(str)
    frame.to_parquet(tmp, index=False)
    meta.write_text(
        json.dumps(
            {
                "freq": panel.spec.freq,
                "spec": panel.spec.digest(),
                "catalogue": [f.to_dict() for f in panel.catalogue],
            },
            indent=1,
        )
    )
    tmp.replace(data)  # the data file appears last and whole
    return data


def load_panel(folder: Path, key: str, spec: PanelSpec) -> Panel | None:
    data, meta = _paths(folder, key)
    if not (data.exists() and meta.exists()):
        return None
    info = json.loads(meta.read_text())
    frame = pd.read_parquet(data)
    frame["period"] = pd.PeriodIndex(
        frame["period"], freq=parse_period(frame["period"].iloc[0], info["freq"]).freq
    )
    catalogue = [FeatureInfo(**f) for f in info["catalogue"]]
    return Panel(frame=frame.set_index(["district_id", "period"]), catalogue=catalogue, spec=spec)


def _code_digest(spec: PanelSpec, inputs: Inputs) -> str:
    """Changes when the catalogue or the package version changes, so new code never reads an old panel."""
    catalogue = build_catalogue(spec, presence_indicators(inputs.presence))
    payload = json.dumps([__version__, [f.to_dict() for f in catalogue]], sort_keys=True).encode()
    return hashlib.sha256(payload).hexdigest()[:8]


def panel_from_store(
    store: Store,
    folder: Path,
    spec: PanelSpec | None = None,
    *,
    as_of: str | None = None,
    inputs: Inputs | None = None,
    use_cache: bool = True,
) -> tuple[Panel, str, bool]:
    """(panel, cache key, whether it came from the cache) for the store's current content."""
    spec = spec or PanelSpec()
    inputs = inputs or load_inputs(store)
    as_of_period = parse_period(as_of, spec.freq) if as_of else None
    key = f"{fingerprint(inputs)}-{spec.digest()}-{_code_digest(spec, inputs)}"
    key += f"-asof{as_of_period}" if as_of_period else ""
    if use_cache and (cached := load_panel(folder, key, spec)) is not None:
        log.info("using the cached panel %s", key)
        return cached.attach_events(inputs), key, True
    panel = build_panel(inputs, spec, as_of_period)
    save_panel(panel, folder, key)
    return panel, key, False
