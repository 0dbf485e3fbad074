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
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from features.catalogue import FeatureInfo, build_catalogue
from features.inputs import Inputs, fingerprint, load_inputs
from features.panel import Panel, build_panel, flat_table
from features.presence import presence_indicators
from features.spec import PanelSpec
from risk import __version__
from risk.periods import parse_period
from risk.store.db import Store

if TYPE_CHECKING:
    from features.distributed import DistributedPanel

log = logging.getLogger(__name__)


def _paths(folder: Path, key: str) -> tuple[Path, Path]:
    return folder / f"panel-{key}.parquet", folder / f"panel-{key}.json"


def save_panel(panel: Panel | DistributedPanel, folder: Path, key: str) -> Path:
    """Write the panel under ``folder``: one Parquet file, or for a distributed panel a folder of
    parts written by the workers.  Either appears under its final name only once whole."""
    folder.mkdir(parents=True, exist_ok=True)
    data, meta = _paths(folder, key)
    tmp = data.with_name(f"{data.name}.{uuid.uuid4().hex[:8]}.tmp")
    if isinstance(panel, Panel):
        flat_table(panel.frame).to_parquet(tmp, index=False)
    else:
        panel.write_parts(tmp)
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
    _remove(data)  # a rebuild replaces the old entry (which may be a file or a folder of parts)
    tmp.replace(data)  # the data appears last and whole
    return data


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _read_table(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    if path.is_dir():  # parts in block order: the panel's own row order
        parts = sorted(path.glob("part-*.parquet"))
        return pd.concat([pd.read_parquet(p, columns=columns) for p in parts], ignore_index=True)
    return pd.read_parquet(path, columns=columns)


def load_panel(folder: Path, key: str, spec: PanelSpec) -> Panel | None:
    data, meta = _paths(folder, key)
    if not (data.exists() and meta.exists()):
        return None
    info = json.loads(meta.read_text())
    frame = _read_table(data)
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


def cache_key(inputs: Inputs, spec: PanelSpec, as_of: pd.Period | None = None) -> str:
    """Names a panel by the data it was built from, the spec and the code (and the as-of period)."""
    key = f"{fingerprint(inputs)}-{spec.digest()}-{_code_digest(spec, inputs)}"
    return key + (f"-asof{as_of}" if as_of else "")


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
    key = cache_key(inputs, spec, as_of_period)
    if use_cache and (cached := load_panel(folder, key, spec)) is not None:
        log.info("using the cached panel %s", key)
        return cached.attach_events(inputs), key, True
    panel = build_panel(inputs, spec, as_of_period)
    save_panel(panel, folder, key)
    return panel, key, False


def cache_distributed(
    client, store: Store, folder: Path, spec: PanelSpec | None = None, *, use_cache: bool = True, **options
) -> tuple[dict, str, bool]:
    """Build the panel on a Dask cluster into the cache (the same entry the local engine would
    write); returns (description, cache key, whether it was cached already).  The panel itself
    never comes to this process."""
    from features.distributed import build_panel_distributed

    spec = spec or PanelSpec()
    inputs = load_inputs(store)
    key = cache_key(inputs, spec)
    data, meta = _paths(folder, key)
    if use_cache and data.exists() and meta.exists():
        log.info("the panel %s is cached already", key)
        targets = [f"y_{h}" for h in spec.horizons]
        frame = _read_table(data, columns=["district_id", "period", *targets])
        n_features = len(json.loads(meta.read_text())["catalogue"])
        return describe_frame(frame, targets, n_features), key, True
    panel = build_panel_distributed(client, inputs, spec, **options)
    save_panel(panel, folder, key)
    return panel.describe(), key, False


def describe_frame(frame: pd.DataFrame, targets: list[str], n_features: int) -> dict:
    """Districts, periods, number of features and target rates of a panel table (flat or indexed)."""
    def column(name: str) -> pd.Index:  # without copying the table to flatten it
        return pd.Index(frame[name]) if name in frame.columns else frame.index.get_level_values(name)

    return {
        "districts": column("district_id").nunique(),
        "periods": pd.Index(column("period").unique().astype(str)).sort_values(),
        "features": n_features,
        "target_rates": frame[targets].mean().to_dict(),
    }
