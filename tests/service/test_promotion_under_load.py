"""Promotion while the production server (gunicorn, two workers) is under load: nothing fails."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
import requests

from service.background import gunicorn_server

pytestmark = pytest.mark.slow
LOAD_SECONDS = 8.0
THREADS = 6


@pytest.fixture
def server(service_home, tmp_path):
    settings, keys = service_home
    home = tmp_path / "home"
    shutil.copytree(settings.home, home)
    with gunicorn_server(home, workers=2) as server:
        yield server.base, keys


def test_promotion_under_concurrent_load_fails_no_request(server):
    base, keys = server
    viewer = {"Authorization": f"Bearer {keys['viewer']}"}
    url = f"{base}/v1/districts/SYN-ADM2-001/risk?horizon=3"
    for _ in range(4):  # both workers load the data and the model
        assert requests.get(url, headers=viewer, timeout=30).json()["model_version"] == 1
    results: list[tuple[float, int, int | None]] = []
    lock = threading.Lock()
    stop = time.time() + LOAD_SECONDS

    def hammer():
        with requests.Session() as session:
            while time.time() < stop:
                response = session.get(url, headers=viewer, timeout=30)
                version = response.json().get("model_version") if response.status_code == 200 else None
                with lock:
                    results.append((time.time(), response.status_code, version))

    threads = [threading.Thread(target=hammer) for _ in range(THREADS)]
    for t in threads:
        t.start()
    time.sleep(LOAD_SECONDS / 4)
    promoted_at = time.time()
    promoted = requests.post(
        f"{base}/v1/models/2/promote",
        json={"force": True},
        headers={"Authorization": f"Bearer {keys['analyst']}"},
        timeout=30,
    )
    assert promoted.status_code == 200 and promoted.json()["production"] == 2
    for t in threads:
        t.join()
    statuses = [s for _, s, _ in results]
    assert len(results) > 50 and set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
    versions_before = {v for t, _, v in results if t < promoted_at}
    versions_late = {v for t, _, v in results if t > promoted_at + 3}
    assert versions_before == {1} and versions_late == {2}
    assert requests.get(url, headers=viewer, timeout=30).json()["model_version"] == 2
