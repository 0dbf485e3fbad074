"""Benchmark: a 36-origin x 2-horizon backtest on the real CAR panel, against one training fit.

    python benchmarks/bench_backtest.py [--jobs 2] [--out benchmarks/results]

Times are reported as ratios to a single XGBoost training fit measured in the same run (median of
3), so they compare across machines and load.  Needs the real data (RISK_DATA_DIR).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

CAR_FILES = [
    ("districts", "caf_adm2_geoboundaries.geojson"),
    ("ucdp", "ucdp_ged231_caf_events_1991_2020.csv"),
    ("geopko", "geopko_minusca_caf.csv"),
    ("radpko", "radpko_minusca_bases_caf.csv"),
]


def main() -> None:
    from features.inputs import load_inputs
    from features.panel import build_panel
    from models.backtest import origins_between, run_backtest
    from models.design import design_at
    from models.forecasters import XGBRiskModel
    from models.spec import TrainSpec
    from risk.config import load_settings
    from risk.ingest import ingest_file
    from risk.store import open_store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results"))
    args = parser.parse_args()
    data = load_settings().data_dir
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/car.sqlite3")
        for kind, name in CAR_FILES:
            ingest_file(store, kind, data / name)
        t0 = time.perf_counter()
        panel = build_panel(load_inputs(store))
        panel_seconds = time.perf_counter() - t0
        store.dispose()
    rows = design_at(panel, 3, pd.Period("2020-09", "M")).train
    fits = []
    for _ in range(3):
        t0 = time.perf_counter()
        XGBRiskModel().fit(rows)
        fits.append(time.perf_counter() - t0)
    fit_seconds = float(np.median(fits))
    origins = origins_between(panel, "2018-01", "2020-12")
    spec = TrainSpec(horizons=(1, 3))
    timings = {}
    for label, baselines in (("xgboost_only", ()), ("with_baselines", None)):
        kwargs = {} if baselines is None else {"baselines": baselines}
        t0 = time.perf_counter()
        run_backtest(panel, origins, spec, n_jobs=args.jobs, progress=True, **kwargs)
        timings[label] = time.perf_counter() - t0
    result = {
        "origins": len(origins),
        "horizons": 2,
        "jobs": args.jobs,
        "panel_rows": len(panel.frame),
        "panel_build_seconds": round(panel_seconds, 3),
        "single_fit_seconds": round(fit_seconds, 3),
        **{f"backtest_{k}_seconds": round(v, 2) for k, v in timings.items()},
        **{f"backtest_{k}_vs_single_fit": round(v / fit_seconds, 1) for k, v in timings.items()},
        "fits_in_backtest": len(origins) * 2,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "backtest.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
