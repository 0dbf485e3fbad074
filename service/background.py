"""Running the production server in the background on 127.0.0.1: for load tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn_server(
    home: Path, workers: int = 2, threads: int = 4, ready_within: float = 120.0
) -> Iterator[str]:
    """Start gunicorn on a free local port with RISK_HOME=home; yield its base URL once /readyz answers."""
    port = free_port()
    env = {**os.environ, "RISK_HOME": str(home)}
    env.pop("RISK_DATABASE_URL", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "service.wsgi:app",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + ready_within
        while True:
            try:
                if requests.get(base + "/readyz", timeout=30).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.time() > deadline or process.poll() is not None:
                raise RuntimeError(f"gunicorn on port {port} did not become ready")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
