"""The planners' page in a real browser (Debian's chromium, driven by Playwright), offline."""

from __future__ import annotations

import shutil
import threading
from urllib.parse import urlparse

import pytest
from werkzeug.serving import make_server

from risk.config import load_settings
from service import create_app
from service.alerts.cli import create_rule
from service.alerts.evaluate import evaluate_rules

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]


@pytest.fixture
def browser():
    if not shutil.which("chromium"):
        if load_settings().require_real_data:  # CI installs it: missing there is a failure, not a skip
            pytest.fail("chromium is not installed (scripts/install-test-deps.sh installs it)")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


def _serve(settings):
    app = create_app({"SETTINGS": settings})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return app, server, f"http://127.0.0.1:{server.server_port}"


def _open(browser, base, key, tmp_path, name):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    hosts = []
    page.on("request", lambda request: hosts.append(urlparse(request.url).hostname))
    page.goto(base + "/")
    page.fill("#key", key)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("path.district")
    page.screenshot(path=str(tmp_path / f"{name}-map.png"), full_page=True)
    return page, hosts


def test_map_district_view_and_alert_acknowledgement(browser, service_home, tmp_path):
    settings, keys = service_home
    home = tmp_path / "home"
    shutil.copytree(settings.home, home)
    local = load_settings({"RISK_HOME": str(home)})
    app, server, base = _serve(local)
    try:
        state = app.extensions["risk"]
        create_rule(state.store, name="high", horizon=3, condition="threshold", threshold=0.3)
        number, table = state.scores()  # the service evaluates the rules when it scores anew
        evaluate_rules(state.store, table, number)  # (and if the scores were stored already, this does)
        page, hosts = _open(browser, base, keys["analyst"], tmp_path, "synthetic")
        assert page.locator("path.district").count() == 50
        assert page.locator("#ranking tbody tr").count() == 50
        first = page.locator("path.district").first
        first.hover()
        assert "%" in page.inner_text("#hover")
        first.click()
        page.wait_for_selector("#drivers svg rect")
        assert page.locator("#history svg polyline").count() == 1
        assert page.inner_text("#district-title") == first.get_attribute("data-name")
        assert page.locator("#drivers text").count() >= 3 and page.locator("#families li").count() >= 3
        page.screenshot(path=str(tmp_path / "synthetic-district.png"), full_page=True)
        alerts_before = page.locator("#alert-list li button").count()
        assert alerts_before > 0
        page.locator("#alert-list li button").first.click()
        page.wait_for_function(f"document.querySelectorAll('#alert-list li button').length < {alerts_before}")
        page.keyboard.press("Tab")  # keyboard reachable
        weight = page.evaluate(
            "performance.getEntriesByType('resource').reduce((s, e) => s + e.encodedBodySize, 0)"
            " + performance.getEntriesByType('navigation')[0].encodedBodySize"
        )
        assert weight < 1_000_000, weight
        assert hosts and set(hosts) == {"127.0.0.1"}, set(hosts)  # nothing left this machine
        page.set_viewport_size({"width": 800, "height": 1100})  # a tablet
        page.screenshot(path=str(tmp_path / "synthetic-tablet.png"), full_page=True)
    finally:
        server.shutdown()
        app.extensions["risk"].jobs.shutdown()
    from sqlalchemy import func, select

    from risk.store.schema import Alert

    with state.store.session() as session:
        assert session.scalar(select(func.count()).where(Alert.state == "acknowledged")) == 1


@pytest.mark.realdata
def test_page_renders_the_real_car_districts(browser, data_dir, tmp_path):
    import pandas as pd

    from features.inputs import fingerprint, load_inputs
    from features.panel import build_panel
    from models.bundle import register, train_bundle
    from models.registry import FileModelStore
    from models.spec import TrainSpec
    from risk.ingest import ingest_file
    from risk.store import open_store
    from service.auth import create_key

    settings = load_settings({"RISK_HOME": str(tmp_path / "car")})
    store = open_store(settings.database_url)
    ingest_file(store, "districts", data_dir / "caf_adm2_geoboundaries.geojson")
    ingest_file(store, "ucdp", data_dir / "ucdp_ged231_caf_events_1991_2020.csv")
    inputs = load_inputs(store)
    panel = build_panel(inputs)
    bundle = train_bundle(
        panel,
        TrainSpec(),
        pd.Period("2020-12", "M"),
        data_fingerprint=fingerprint(inputs),
        backtest_origins=0,
    )
    registry = FileModelStore(settings.registry_dir)
    register(registry, bundle)
    _, key = create_key(store, "viewer")
    app, server, base = _serve(settings)
    try:
        page, hosts = _open(browser, base, key, tmp_path, "car")
        assert page.locator("path.district").count() == 72
        page.locator("path.district[data-name='Bangui']").click()
        page.wait_for_selector("#drivers svg rect")
        page.screenshot(path=str(tmp_path / "car-district.png"), full_page=True)
        assert set(hosts) == {"127.0.0.1"}
    finally:
        server.shutdown()
        app.extensions["risk"].jobs.shutdown()
        store.dispose()
