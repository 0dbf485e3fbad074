"""Benchmark: throughput and latency of the explained-risk endpoint under gunicorn, beside a trivial one.

    python benchmarks/bench_service.py [--seconds 15] [--clients 2] [--threads 4] [--workers 3]

Builds the synthetic scenario in a temporary home, trains and promotes a model, starts the
production server (gunicorn) on 127.0.0.1, then loads ``/healthz`` (trivial JSON) and
``/v1/districts/{id}/risk?explain=true`` (random districts, horizon 3) in turn from separate client
processes.  Reports requests/s and p50/p99 latency, and the ratio of the two throughputs.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from service.background import gunicorn_server


def _client(base: str, paths: list[str], headers: dict, seconds: float, threads: int, out) -> None:
    import threading

    import requests

    latencies, errors = [], 0
    lock = threading.Lock()
    stop = time.time() + seconds

    def run() -> None:
        nonlocal errors
        rng = random.Random()
        with requests.Session() as session:
            while time.time() < stop:
                t0 = time.perf_counter()
                response = session.get(base + rng.choice(paths), headers=headers, timeout=30)
                elapsed = time.perf_counter() - t0
                with lock:
                    latencies.append(elapsed)
                    errors += response.status_code != 200

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((latencies, errors))


def load(base: str, paths: list[str], headers: dict, seconds: float, clients: int, threads: int) -> dict:
    queue = mp.Queue()
    procs = [
        mp.Process(target=_client, args=(base, paths, headers, seconds, threads, queue))
        for _ in range(clients)
    ]
    t0 = time.time()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    wall = time.time() - t0
    latencies = np.array([x for lat, _ in results for x in lat])
    return {
        "requests": len(latencies),
        "errors": int(sum(e for _, e in results)),
        "requests_per_second": round(len(latencies) / wall, 1),
        "p50_ms": round(float(np.percentile(latencies, 50)) * 1000, 2),
        "p99_ms": round(float(np.percentile(latencies, 99)) * 1000, 2),
    }


def setup(home: Path) -> str:
    import pandas as pd

    from features.inputs import fingerprint, load_inputs
    from features.panel import build_panel
    from models.bundle import register, train_bundle
    from models.registry import FileModelStore
    from models.spec import TrainSpec
    from risk.config import load_settings
    from risk.store import open_store
    from risk.synth import generate, ingest_scenario
    from service.auth import create_key

    settings = load_settings({"RISK_HOME": str(home)})
    store = open_store(settings.database_url)
    ingest_scenario(store, generate(home / "scenario", seed=0))
    inputs = load_inputs(store)
    panel = build_panel(inputs)
    bundle = train_bundle(
        panel,
        TrainSpec(),
        pd.Period("2024-12", "M"),
        data_fingerprint=fingerprint(inputs),
        backtest_origins=0,
    )
    registry = FileModelStore(settings.registry_dir)
    register(registry, bundle)
    return create_key(store, "viewer", "benchmark")[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        key = setup(home)
        headers = {"Authorization": f"Bearer {key}"}
        with gunicorn_server(home, workers=args.workers) as server:
            base = server.base
            districts = [f"/v1/districts/SYN-ADM2-{i:03d}/risk?horizon=3&explain=true" for i in range(1, 51)]
            warm = load(
                base, districts, headers, 3, args.clients, args.threads
            )  # every worker fills its caches
            trivial = load(base, ["/healthz"], headers, args.seconds, args.clients, args.threads)
            explain = load(base, districts, headers, args.seconds, args.clients, args.threads)
    result = {
        "server": f"gunicorn, {args.workers} workers x 4 threads",
        "clients": f"{args.clients} processes x {args.threads} threads",
        "seconds": args.seconds,
        "warm_up": warm,
        "trivial_healthz": trivial,
        "explained_risk": explain,
        "throughput_ratio_explain_vs_trivial": round(
            explain["requests_per_second"] / trivial["requests_per_second"], 2
        ),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "service.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
