"""Running the production server in the background on 127.0.0.1: for load tests and benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A gunicorn master and its workers, in a process group of their own."""

    base: str
    process: subprocess.Popen

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: a crash, not a shutdown."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@contextmanager
def gunicorn_server(
    home: Path, workers: int = 2, threads: int = 4, ready_within: float = 120.0, wait_for: str = "/readyz"
) -> Iterator[Server]:
    """Start gunicorn on a free local port with RISK_HOME=home; yield it once ``wait_for`` answers
    200 (``/healthz`` for a store with no model yet)."""
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
        start_new_session=True,  # its own process group, so kill() reaches the workers too
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + ready_within
        while True:
            try:
                if requests.get(base + wait_for, timeout=30).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.time() > deadline or process.poll() is not None:
                raise RuntimeError(f"gunicorn on port {port} did not become ready")
            time.sleep(0.3)
        yield Server(base, process)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                Server(base, process).kill()
