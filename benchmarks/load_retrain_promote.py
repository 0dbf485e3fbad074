"""Load test: a steady request rate for 60 s on several gunicorn workers while a retrain and a
promotion happen.  Bounded in time and count; only 127.0.0.1.

    python benchmarks/load_retrain_promote.py [--seconds 60] [--rate 40] [--workers 3]

Reports requests sent, errors, the rate achieved, latency percentiles before/during/after the
promotion, and which model versions were served.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import requests

sys.path.insert(0, str(Path(__file__).parent))
from bench_service import setup

from service.background import gunicorn_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=40, help="requests per second, spread over 8 threads")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        viewer = setup(home)
        from risk.config import load_settings
        from risk.store import open_store
        from service.auth import create_key

        store = open_store(load_settings({"RISK_HOME": str(home)}).database_url)
        analyst = create_key(store, "analyst", "load test")[1]
        store.dispose()
        with gunicorn_server(home, workers=args.workers) as server:
            result = run(server.base, viewer, analyst, args.seconds, args.rate)
    result["server"] = f"gunicorn {args.workers} workers x 4 threads"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "load_retrain_promote.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def run(base: str, viewer: str, analyst: str, seconds: float, rate: float) -> dict:
    threads, log, lock, failures = 8, [], threading.Lock(), []
    start = time.time()
    stop = start + seconds
    interval = threads / rate

    def client(offset: float) -> None:
        due = start + offset
        with requests.Session() as session:
            while due < stop:
                time.sleep(max(0.0, due - time.time()))
                district = f"SYN-ADM2-{1 + int(due * 1000) % 50:03d}"
                t0 = time.time()
                try:
                    r = session.get(
                        f"{base}/v1/districts/{district}/risk?horizon=3&explain=true",
                        headers={"Authorization": f"Bearer {viewer}"},
                        timeout=30,
                    )
                    ok, version = r.status_code == 200, r.json().get("model_version") if r.ok else None
                    if not ok:
                        failures.append(f"{t0 - start:.1f}s HTTP {r.status_code}: {r.text[:200]}")
                except requests.RequestException as exc:
                    ok, version = False, None
                    failures.append(f"{t0 - start:.1f}s {exc.__class__.__name__}: {exc}")
                with lock:
                    log.append((t0 - start, time.time() - t0, ok, version))
                due += interval

    pool = [threading.Thread(target=client, args=(i * interval / threads,)) for i in range(threads)]
    for t in pool:
        t.start()
    analyst_headers = {"Authorization": f"Bearer {analyst}"}
    time.sleep(seconds * 0.2)
    job = requests.post(
        f"{base}/v1/models/train",
        json={"horizons": [1, 3], "backtest_origins": 3},
        headers=analyst_headers,
        timeout=30,
    ).json()
    trained_at = time.time() - start
    while True:
        status = requests.get(base + job["url"], headers=analyst_headers, timeout=30).json()
        if status["status"] in ("succeeded", "failed"):
            break
        time.sleep(1)
    version = status["result"]["version"] if status["status"] == "succeeded" else None
    promoted = requests.post(
        f"{base}/v1/models/{version}/promote", json={"force": True}, headers=analyst_headers, timeout=30
    )
    promoted_at = time.time() - start
    for t in pool:
        t.join()
    at, latency, ok, versions = (np.array(x, dtype=object) for x in zip(*log, strict=True))
    latency = latency.astype(float)

    def pct(mask) -> dict:
        chosen = latency[mask]
        return (
            {
                "n": int(mask.sum()),
                "p50_ms": round(float(np.percentile(chosen, 50)) * 1000, 1),
                "p99_ms": round(float(np.percentile(chosen, 99)) * 1000, 1),
            }
            if mask.any()
            else {}
        )

    at = at.astype(float)
    return {
        "seconds": seconds,
        "target_rate": rate,
        "requests": len(log),
        "errors": int((~ok.astype(bool)).sum()),
        "failures": failures[:10],
        "achieved_rate": round(len(log) / seconds, 1),
        "train_job": status["status"],
        "new_version": version,
        "promotion_status": promoted.status_code,
        "train_started_s": round(trained_at, 1),
        "promoted_s": round(promoted_at, 1),
        "before_training": pct(at < trained_at),
        "during_training": pct((at >= trained_at) & (at < promoted_at)),
        "after_promotion": pct(at >= promoted_at),
        "versions_served_after_promotion_plus_2s": sorted(
            {int(v) for v, t in zip(versions, at, strict=True) if v is not None and t > promoted_at + 2}
        ),
    }


if __name__ == "__main__":
    main()
