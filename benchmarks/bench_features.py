"""Benchmark: building the feature panel from 10k, 100k and 1M events (700 districts x 520 weeks).

Each size runs in a fresh process, so its peak memory is its own.  Time is reported as the
ratio of panel-build time to reading the same events from CSV with ``pandas.read_csv`` in the
same process (median of 3 runs each), which makes the figure comparable across machines and load.

    python benchmarks/bench_features.py [--sizes 10000 100000 1000000] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

N_DISTRICTS, N_WEEKS = 700, 520
START = pd.Timestamp("2015-01-05")  # a Monday


def make_inputs(n_events: int, seed: int = 0):
    from features.inputs import Inputs

    rng = np.random.default_rng(seed)
    ids = np.array([f"D{i:03d}" for i in range(N_DISTRICTS)], dtype=object)
    side = 28  # districts on a 28 x 25 grid, neighbours share an edge
    pairs = [(i, i + 1) for i in range(N_DISTRICTS - 1) if (i + 1) % side] + [
        (i, i + side) for i in range(N_DISTRICTS - side)
    ]
    a, b = np.array(pairs).T
    neighbours = pd.DataFrame({"district_id": np.r_[ids[a], ids[b]], "neighbour_id": np.r_[ids[b], ids[a]]})
    districts = pd.DataFrame({"id": ids, "name": ids, "parent": [f"R{i // 50}" for i in range(N_DISTRICTS)]})
    start = START + pd.to_timedelta(rng.integers(0, N_WEEKS * 7, n_events), unit="D")
    district = ids[rng.integers(0, N_DISTRICTS, n_events)]
    events = pd.DataFrame(
        {
            "event_id": np.arange(n_events),
            "source": "bench",
            "source_id": np.arange(n_events).astype(str),
            "district_id": np.where(rng.random(n_events) < 0.05, None, district),
            "region": [f"R{int(d[1:]) // 50}" for d in district]
            if n_events <= 10_000
            else pd.Series(district).str.slice(1).astype(int).floordiv(50).astype(str).radd("R").to_numpy(),
            "category": rng.choice(
                ["attack", "clash", "state_fighting", "unrest"], n_events, p=[0.45, 0.25, 0.2, 0.1]
            ),
            "date_start": start,
            "date_end": start + pd.to_timedelta(rng.choice([0, 0, 0, 1, 5], n_events), unit="D"),
            "fatalities": rng.negative_binomial(1, 0.3, n_events),
            "civilian_deaths": rng.negative_binomial(1, 0.6, n_events).astype(float),
            "actor1": rng.choice([f"Armed group {i}" for i in range(40)], n_events),
            "actor2": rng.choice(
                ["Civilians", "Government of X", *[f"Armed group {i}" for i in range(40)]], n_events
            ),
        }
    )
    months = pd.date_range(START, periods=N_WEEKS // 4, freq="MS")
    presence = pd.DataFrame(
        {
            "district_id": np.repeat(ids, len(months)),
            "date": np.tile(months, N_DISTRICTS),
            "indicator": "security_posts",
            "value": rng.integers(0, 10, N_DISTRICTS * len(months)).astype(float),
            "source": "bench",
        }
    )
    planned = START + pd.to_timedelta(rng.integers(0, N_WEEKS * 7, 30), unit="D")
    provisions = pd.DataFrame(
        {
            "id": [f"P{i}" for i in range(30)],
            "scope_kind": ["national"] * 10 + ["region"] * 20,
            "scope_region": [None] * 10 + [f"R{i % 14}" for i in range(20)],
            "scope_districts": [[]] * 30,
            "planned_date": planned,
            "completed_date": [
                p + pd.Timedelta(days=int(d)) if d < 600 else pd.NaT
                for p, d in zip(planned, rng.integers(-30, 900, 30), strict=True)
            ],
        }
    )
    return Inputs(districts, neighbours, events, presence, provisions)


REPEATS = 3


def _median_seconds(action) -> tuple[float, object]:
    """Median wall time of ``REPEATS`` runs (the first one also warms caches and memory)."""
    times, result = [], None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), result


def run_one(n_events: int) -> dict:
    from features.panel import build_panel
    from features.spec import PanelSpec

    inputs = make_inputs(n_events)
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "events.csv"
        inputs.events.to_csv(csv, index=False)
        read_seconds, _ = _median_seconds(lambda: pd.read_csv(csv, parse_dates=["date_start", "date_end"]))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    build_seconds, panel = _median_seconds(lambda: build_panel(inputs, PanelSpec(freq="week")))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "events": n_events,
        "districts": N_DISTRICTS,
        "rows": len(panel.frame),
        "periods": int(panel.frame.index.get_level_values("period").nunique()),
        "columns": panel.frame.shape[1],
        "build_seconds": round(build_seconds, 3),
        "read_csv_seconds": round(read_seconds, 3),
        "ratio_build_to_read_csv": round(build_seconds / read_seconds, 2),
        "peak_rss_mb": round(peak),
        "peak_rss_before_build_mb": round(rss_before),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results"))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    from tqdm import tqdm

    results = []
    for size in tqdm(args.sizes, desc="event counts", unit="size"):
        child = subprocess.run(
            [sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, check=True
        )
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    base = results[0]
    for r in results:
        r["time_per_event_vs_smallest"] = round(
            (r["build_seconds"] / r["events"]) / (base["build_seconds"] / base["events"]), 3
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "features.json").write_text(json.dumps(results, indent=2) + "\n")
    header = "| events | panel rows | build s | read_csv s | build / read_csv | peak RSS MB |"
    print(header + "\n|" + "---|" * 6)
    for r in results:
        print(
            f"| {r['events']:,} | {r['rows']:,} | {r['build_seconds']} | {r['read_csv_seconds']} | "
            f"{r['ratio_build_to_read_csv']} | {r['peak_rss_mb']} |"
        )


if __name__ == "__main__":
    main()
