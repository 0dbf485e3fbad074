"""Benchmark: features and training for 0.5-degree grid cells over the Sahel, 20 years of months,
in one process versus on a 2-worker Dask LocalCluster.

The cells come from :func:`risk.grid.make_grid` (PRIO-GRID numbering) over a Sahel box; events are
synthetic (see :func:`make_inputs`: hotspots that drift south over time, persistence from month to
month, seasonality, a few events placed in no cell).  Each engine runs in a fresh process, so peak
memory (VmHWM) is each process's own: the client (which also hosts the Dask scheduler) and
every worker.  Times are reported against the one-process run of the same invocation.

Training uses everything up to 12 months before the end (``--holdout``); those last months score
both engines' models out of sample (average precision, Brier), so "same quality" is measured, not
assumed.

    python benchmarks/bench_sahel_grid.py [--years 20] [--holdout 12] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

SAHEL_BOX = (-17.5, 8.0, 38.5, 24.0)  # Senegal to the Red Sea, 8N to 24N
CELL = 0.5
START = pd.Timestamp("2003-01-01")
EVENTS_PER_YEAR = 12_000


def make_inputs(years: int = 20, seed: int = 0):
    """Cells, rook neighbours, synthetic events, a presence indicator and some provisions."""
    from features.inputs import Inputs
    from risk.grid import make_grid

    rng = np.random.default_rng(seed)
    grid = make_grid(SAHEL_BOX, CELL)
    props = pd.DataFrame([f["properties"] for f in grid["features"]])
    ids = props["shapeID"].to_numpy(dtype=object)
    row, col = props["row"].to_numpy(), props["col"].to_numpy()
    region = np.array([f"R{c // 14:02d}" for c in col - col.min()], dtype=object)  # 8 bands, west to east
    districts = pd.DataFrame({"id": ids, "name": props["shapeName"], "parent": region})
    position = {(r, c): i for i, (r, c) in enumerate(zip(row, col, strict=True))}
    pairs = [
        (i, position[(r + dr, c + dc)])
        for i, (r, c) in enumerate(zip(row, col, strict=True))
        for dr, dc in ((0, 1), (1, 0))
        if (r + dr, c + dc) in position
    ]
    a, b = np.array(pairs).T
    neighbours = pd.DataFrame({"district_id": np.r_[ids[a], ids[b]], "neighbour_id": np.r_[ids[b], ids[a]]})

    n_months = 12 * years
    # Intensity per cell and month: hotspots drifting south, persistence (AR(1) on the log), season.
    lon, lat = col * CELL - 180 + CELL / 2, row * CELL - 90 + CELL / 2
    centres = rng.uniform([SAHEL_BOX[0], 14], [SAHEL_BOX[2], 22], size=(30, 2))
    drift = np.linspace(0, -4, n_months)[:, None]  # degrees of latitude over the period
    base = np.zeros((n_months, len(ids)))
    for c_lon, c_lat in centres:  # a loop over 30 hotspots keeps the (months, cells) arrays few
        base += np.exp(-((lon[None, :] - c_lon) ** 2 + (lat[None, :] - c_lat - drift) ** 2) / (2 * 1.5**2))
    log_noise = np.zeros_like(base)
    shocks = rng.normal(0, 0.6, base.shape)
    for t in range(1, n_months):  # a loop over months (240), not over events or cells
        log_noise[t] = 0.85 * log_noise[t - 1] + shocks[t]
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(n_months) / 12)[:, None]
    rate = base * np.exp(log_noise) * season
    rate *= EVENTS_PER_YEAR * years / rate.sum()
    counts = rng.poisson(rate)
    month_of, cell_of = np.nonzero(counts)
    repeat = counts[month_of, cell_of]
    month_of, cell_of = np.repeat(month_of, repeat), np.repeat(cell_of, repeat)
    n = len(month_of)
    months = pd.PeriodIndex.from_ordinals(START.to_period("M").ordinal + month_of, freq="M")
    date_start = months.to_timestamp() + pd.to_timedelta(rng.integers(0, 28, n), unit="D")
    groups = [f"Armed group {i}" for i in range(25)]
    events = pd.DataFrame(
        {
            "event_id": np.arange(n),
            "source": "bench",
            "source_id": np.arange(n).astype(str),
            "district_id": np.where(rng.random(n) < 0.03, None, ids[cell_of]),
            "region": region[cell_of],
            "category": rng.choice(
                ["attack", "clash", "state_fighting", "unrest"], n, p=[0.5, 0.25, 0.2, 0.05]
            ),
            "date_start": date_start,
            "date_end": date_start + pd.to_timedelta(rng.choice([0, 0, 0, 1, 4], n), unit="D"),
            "fatalities": rng.negative_binomial(1, 0.35, n),
            "civilian_deaths": rng.negative_binomial(1, 0.6, n).astype(float),
            "actor1": rng.choice(groups, n),
            "actor2": rng.choice(["Civilians", "Government of X", *groups], n),
        }
    )
    observed = rng.choice(len(ids), 400, replace=False)  # bases reported quarterly in 400 cells
    quarters = pd.date_range(START, periods=4 * years, freq="QS")
    presence = pd.DataFrame(
        {
            "district_id": np.repeat(ids[observed], len(quarters)),
            "date": np.tile(quarters, len(observed)),
            "indicator": "pko_bases",
            "value": rng.integers(0, 4, len(observed) * len(quarters)).astype(float),
            "source": "bench",
        }
    )
    planned = START + pd.to_timedelta(rng.integers(0, 365 * years, 20), unit="D")
    provisions = pd.DataFrame(
        {
            "id": [f"P{i}" for i in range(20)],
            "scope_kind": ["national"] * 5 + ["region"] * 15,
            "scope_region": [None] * 5 + [f"R{i % 8:02d}" for i in range(15)],
            "scope_districts": [[]] * 20,
            "planned_date": planned,
            "completed_date": [
                p + pd.Timedelta(days=int(d)) if d < 500 else pd.NaT
                for p, d in zip(planned, rng.integers(-30, 900, 20), strict=True)
            ],
        }
    )
    return Inputs(districts, neighbours, events, presence, provisions)


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM).  Not ``ru_maxrss``: Linux carries that over
    exec, so a worker started from a big client would report the client's peak as its own."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def _holdout_rows(frame: pd.DataFrame, until, last) -> pd.DataFrame:
    """The rows after the training cut-off: scored by the model, judged by what happened."""
    period = frame.index.get_level_values("period")
    return frame[(period > until) & (period <= last)]


def _holdout_block(block, until, last) -> pd.DataFrame:
    return _holdout_rows(block.frame, until, last)


def _quality(bundle, rows: pd.DataFrame) -> dict:
    """Average precision and Brier score of each horizon's model on the held-out periods."""
    from sklearn.metrics import average_precision_score, brier_score_loss

    out = {}
    for h, model in bundle.models.items():
        known = rows[rows[f"y_{h}"].notna()]
        p = model.predict(SimpleNamespace(X=known[bundle.feature_names]))
        y = known[f"y_{h}"].to_numpy()
        out[str(h)] = {
            "average_precision": round(float(average_precision_score(y, p)), 4),
            "brier": round(float(brier_score_loss(y, p)), 4),
            "rows": len(y),
        }
    return out


def run_local(years: int, holdout: int, nthread: int) -> dict:
    from features.panel import build_panel
    from models.bundle import train_bundle
    from models.spec import DEFAULT_XGB, TrainSpec

    inputs = make_inputs(years)
    after_inputs = _peak_mb()
    t0 = time.perf_counter()
    panel = build_panel(inputs)
    features_s = time.perf_counter() - t0
    after_features = _peak_mb()
    spec = TrainSpec(xgb_params={**DEFAULT_XGB, "nthread": nthread})
    last = panel.frame.index.levels[1].max()
    t0 = time.perf_counter()
    bundle = train_bundle(panel, spec, last - holdout, data_fingerprint="bench", backtest_origins=0)
    train_s = time.perf_counter() - t0
    return {
        "engine": f"one process, {nthread} thread{'s' if nthread > 1 else ''}",
        "cells": len(inputs.districts),
        "events": len(inputs.events),
        "rows": len(panel.frame),
        "features_seconds": round(features_s, 1),
        "train_seconds": round(train_s, 1),
        "checksum": _checksum(panel.frame),
        "holdout": _quality(bundle, _holdout_rows(panel.frame, last - holdout, last)),
        "rounds": bundle.metadata["rounds"],
        "peak_rss_mb": {
            "process": round(_peak_mb()),
            "process_after_inputs": round(after_inputs),
            "process_after_features": round(after_features),
        },
    }


def run_dask(years: int, holdout: int, workers: int) -> dict:
    from features.distributed import build_panel_distributed
    from models.distributed import train_bundle_distributed
    from models.spec import TrainSpec
    from risk.compute import dask_client

    inputs = make_inputs(years)
    after_inputs = _peak_mb()
    with dask_client(n_workers=workers) as client:
        t0 = time.perf_counter()
        panel = build_panel_distributed(client, inputs)
        features_s = time.perf_counter() - t0
        checksum = _checksum_distributed(panel)
        workers_after_features = client.run(_peak_mb)
        last = panel.window.as_of
        t0 = time.perf_counter()
        bundle = train_bundle_distributed(
            panel, TrainSpec(), last - holdout, data_fingerprint="bench", backtest_origins=0
        )
        train_s = time.perf_counter() - t0
        workers_peak = client.run(_peak_mb)
        held_out = pd.concat(client.gather(panel.map_blocks(_holdout_block, last - holdout, last)))
        n_blocks = len(panel.blocks)
    return {
        "engine": f"Dask LocalCluster, {workers} workers x 1 thread ({n_blocks} blocks)",
        "cells": len(inputs.districts),
        "events": len(inputs.events),
        "rows": checksum["rows"],
        "features_seconds": round(features_s, 1),
        "train_seconds": round(train_s, 1),
        "checksum": checksum,
        "holdout": _quality(bundle, held_out),
        "rounds": bundle.metadata["rounds"],
        "peak_rss_mb": {
            "client": round(_peak_mb()),
            "client_after_inputs": round(after_inputs),
            **{f"worker {i}": round(v) for i, v in enumerate(workers_peak.values())},
            **{f"worker {i} after features": round(v) for i, v in enumerate(workers_after_features.values())},
        },
    }


def _checksum(frame: pd.DataFrame) -> dict:
    """Column sums (NaN skipped) and the row count: equal panels give equal checksums."""
    return {"rows": len(frame), "sums": {c: float(frame[c].astype("float64").sum()) for c in frame.columns}}


def _same_checksum(a: dict, b: dict) -> bool:
    """Equal up to the order of summation (blocks add their sums separately)."""
    return a["rows"] == b["rows"] and all(
        np.isclose(a["sums"][c], b["sums"][c], rtol=1e-12, atol=0) for c in a["sums"]
    )


def _block_checksum(block) -> dict:
    return _checksum(block.frame)


def _checksum_distributed(panel) -> dict:
    parts = panel.client.gather(panel.map_blocks(_block_checksum))
    return {
        "rows": sum(p["rows"] for p in parts),
        "sums": {c: float(sum(p["sums"][c] for p in parts)) for c in parts[0]["sums"]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--holdout", type=int, default=12, help="last months kept out of training")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results"))
    parser.add_argument("--one", help=argparse.SUPPRESS)  # child process: one engine
    args = parser.parse_args()
    if args.one:
        kind, _, arg = args.one.partition(":")
        if kind == "local":
            result = run_local(args.years, args.holdout, int(arg))
        else:
            result = run_dask(args.years, args.holdout, int(arg))
        print("RESULT " + json.dumps(result))
        return
    runs = []
    for one in ("local:1", "local:2", f"dask:{args.workers}"):
        print(f"running {one} ...", file=sys.stderr, flush=True)
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                one,
                "--years",
                str(args.years),
                "--holdout",
                str(args.holdout),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
        runs.append(json.loads(line[len("RESULT ") :]))
    baseline = runs[0]
    report = _report(runs, baseline)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "sahel_grid.json").write_text(json.dumps(runs, indent=1))
    (args.out / "sahel_grid.md").write_text(report)
    print(report)


def _report(runs: list[dict], baseline: dict) -> str:
    first = runs[0]
    lines = [
        f"{first['cells']} cells x {first['rows'] // first['cells']} months = {first['rows']:,} rows, "
        f"{first['events']:,} events",
        "",
        "| engine | features s | x one process | training s | x one process | held-out AP h1 / h3 "
        "| held-out Brier h1 / h3 | peak RSS MB per process |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        ap = " / ".join(f"{q['average_precision']:.3f}" for q in run["holdout"].values())
        brier = " / ".join(f"{q['brier']:.4f}" for q in run["holdout"].values())
        memory = ", ".join(f"{k} {v}" for k, v in run["peak_rss_mb"].items() if "after" not in k)
        lines.append(
            f"| {run['engine']} | {run['features_seconds']} | "
            f"{run['features_seconds'] / baseline['features_seconds']:.2f} | {run['train_seconds']} | "
            f"{run['train_seconds'] / baseline['train_seconds']:.2f} | {ap} | {brier} | {memory} |"
        )
    same = all(_same_checksum(r["checksum"], baseline["checksum"]) for r in runs)
    lines += ["", f"same panel in every run (row count, every column sum to 1e-12 relative): {same}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
