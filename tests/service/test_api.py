"""Every endpoint: answers, errors as problem details, and who may call what."""

from __future__ import annotations

import json
import time

import pytest

D = "SYN-ADM2-001"


def _wait(client, auth, url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = client.get(url, headers=auth("viewer")).get_json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {url} did not finish")


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"]["model"] == "version 1"


def test_districts_and_one_district(client, auth):
    listing = client.get("/v1/districts", headers=auth("viewer")).get_json()
    assert len(listing["districts"]) == 50 and listing["model_version"] == 1
    first = listing["districts"][0]
    assert {s["horizon"] for s in first["latest"]} == {1, 3} and first["region"]
    one = client.get(f"/v1/districts/{D}", headers=auth("viewer")).get_json()
    assert one["id"] == D and len(one["latest"]) == 2


def test_ranked_risk_filters_and_pages(client, auth):
    h = auth("viewer")
    page = client.get("/v1/risk?horizon=3&limit=5", headers=h).get_json()
    probabilities = [i["probability"] for i in page["items"]]
    assert len(probabilities) == 5 and probabilities == sorted(probabilities, reverse=True)
    assert page["total"] == 50 and page["model_version"] == 1
    second = client.get("/v1/risk?horizon=3&limit=5&offset=5", headers=h).get_json()
    assert second["items"][0]["probability"] <= probabilities[-1]
    region = page["items"][0]["region"]
    in_region = client.get(f"/v1/risk?horizon=3&region={region}&limit=100", headers=h).get_json()
    assert in_region["total"] < 50 and {i["region"] for i in in_region["items"]} == {region}
    high = client.get("/v1/risk?horizon=1&min_probability=0.5&limit=1000", headers=h).get_json()
    assert all(i["probability"] >= 0.5 for i in high["items"])
    past = client.get("/v1/risk?horizon=1&as_of=2020-06", headers=h).get_json()
    assert past["as_of"] == "2020-06"


def test_district_risk_with_explanation(client, auth):
    r = client.get(f"/v1/districts/{D}/risk?horizon=3&explain=true", headers=auth("viewer")).get_json()
    assert 0 <= r["probability"] <= 1 and r["model_version"] == 1 and r["band"]
    e = r["explanation"]
    assert e["contributions_match_margin"] and len(e["drivers"]) == 6
    assert all(d["sentence"] for d in e["drivers"]) and set(e["families"]) <= {
        "attacks",
        "clashes",
        "presence",
        "agreement",
        "neighbours",
        "context",
    }
    assert e["recent_events"] and e["recent_events"][0]["source"] == "ucdp"
    plain = client.get(f"/v1/districts/{D}/risk?horizon=3", headers=auth("viewer")).get_json()
    assert plain["explanation"] is None and plain["probability"] == pytest.approx(r["probability"])


def test_history_beside_what_happened(client, auth):
    r = client.get(f"/v1/districts/{D}/history?horizon=1", headers=auth("viewer")).get_json()
    assert len(r["points"]) == 144 and r["points"][-1]["violence"] is None
    assert {p["violence"] for p in r["points"][:-1]} <= {0.0, 1.0}


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/v1/districts/NOPE/risk", 404, "unknown district 'NOPE'"),
        ("/v1/risk?horizon=7", 422, "horizon: the model in service has horizons [1, 3], not 7"),
        ("/v1/risk?limit=0", 422, "limit"),
        ("/v1/risk?as_of=1990-01", 422, "as_of: 1990-01 is outside the data"),
        ("/v1/risk?as_of=soon", 422, "as_of"),
        ("/v1/districts/SYN-ADM2-001/risk?horizon=abc", 422, "horizon"),
        ("/v1/jobs/nothing", 404, "unknown job"),
        ("/v1/models/99", 404, "no model version 99"),
        ("/v1/nowhere", 404, "Not Found"),
    ],
)
def test_errors_are_problem_details_naming_the_parameter(client, auth, url, status, words):
    r = client.get(url, headers=auth("admin"))
    assert r.status_code == status and r.mimetype == "application/problem+json"
    body = r.get_json()
    assert body["status"] == status and words in body["detail"] + body["title"]
    assert "Traceback" not in r.get_data(as_text=True)


def test_uploads_csv_and_json_with_row_errors(client, auth):
    h = {**auth("analyst"), "Content-Type": "text/csv"}
    body = (
        "event_id,date_start,latitude,longitude,category,fatalities\n"
        "UP-1,2024-12-01,,,attack,2\nUP-2,2024-12-02,,,attack,-1\n"
    )
    r = client.post("/v1/events", data=body.replace(",,,", ",,,"), headers=h)
    assert r.status_code == 400 or r.get_json()["rejected"] >= 1  # UP-1 has no place: both rows invalid
    good = [
        {
            "event_id": "UP-3",
            "date_start": "2024-12-03",
            "district": "SYN-ADM2-002",
            "category": "attack",
            "fatalities": 1,
        },
        {
            "event_id": "UP-4",
            "date_start": "2024-13-03",
            "district": "SYN-ADM2-002",
            "category": "attack",
            "fatalities": 1,
        },
    ]
    r = client.post("/v1/events", json=good, headers=auth("analyst"))
    result = r.get_json()
    assert r.status_code == 200 and (result["accepted"], result["rejected"]) == (1, 1)
    assert result["errors"] == [{"row": 3, "field": "date_start", "reason": "not a valid date: '2024-13-03'"}]
    again = client.post("/v1/events", json=good, headers=auth("analyst")).get_json()
    assert again["already_ingested"] and again["accepted"] == 0
    presence = client.post(
        "/v1/presence",
        json=[{"district": D, "date": "2024-12-15", "indicator": "posts", "value": 3, "source": "api"}],
        headers=auth("analyst"),
    )
    assert presence.status_code == 200 and presence.get_json()["accepted"] == 1
    provisions = client.post(
        "/v1/provisions",
        json=[{"provision_id": "API-1", "title": "t", "scope": "national", "planned_date": "2024-01-01"}],
        headers=auth("analyst"),
    )
    assert provisions.get_json()["accepted"] == 1


@pytest.mark.parametrize(
    ("body", "ctype", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[]", "application/json", 400),
        (b"<xml/>", "application/xml", 415),
        (b"name\nx\n", "text/csv", 400),
    ],
)
def test_bad_uploads(client, auth, body, ctype, status):
    r = client.post("/v1/events", data=body, headers={**auth("analyst"), "Content-Type": ctype})
    assert r.status_code == status and r.mimetype == "application/problem+json"


def test_request_bodies_are_bounded(app, client, auth):
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        r = client.post(
            "/v1/events", data=b"x" * 5000, headers={**auth("analyst"), "Content-Type": "text/csv"}
        )
        assert r.status_code == 413 and r.mimetype == "application/problem+json"
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit


def test_models_listing_gate_and_rollback(client, auth):
    listing = client.get("/v1/models", headers=auth("viewer")).get_json()
    assert listing["production"] == 1 and listing["candidate"] == 2 and len(listing["versions"]) >= 2
    v1 = client.get("/v1/models/1", headers=auth("viewer")).get_json()
    assert len(v1["files"]["booster_h1.ubj"]) == 64 and "production" in v1["aliases"]
    refused = client.post("/v1/models/2/promote", json={}, headers=auth("analyst"))
    assert refused.status_code == 409 and "GATE_REFUSED" in refused.get_json()["detail"]
    forced = client.post("/v1/models/2/promote", json={"force": True}, headers=auth("analyst"))
    assert forced.status_code == 200 and forced.get_json()["production"] == 2
    back = client.post("/v1/models/rollback", headers=auth("analyst"))
    assert back.get_json()["production"] == 1


def test_training_job_adds_a_candidate_and_a_failed_job_changes_nothing(client, auth, monkeypatch):
    r = client.post(
        "/v1/models/train", json={"horizons": [1], "backtest_origins": 0}, headers=auth("analyst")
    )
    assert r.status_code == 202 and r.headers["Location"] == r.get_json()["url"]
    job = _wait(client, auth, r.get_json()["url"])
    assert job["status"] == "succeeded"
    new = job["result"]["version"]
    listing = client.get("/v1/models", headers=auth("viewer")).get_json()
    assert listing["candidate"] == new and listing["production"] == 1

    import service.api.modelling as modelling

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(modelling, "train_bundle", broken)
    failed = client.post("/v1/models/train", json={}, headers=auth("analyst")).get_json()
    job = _wait(client, auth, failed["url"])
    assert job["status"] == "failed" and "out of memory" in job["error"]
    after = client.get("/v1/models", headers=auth("viewer")).get_json()
    assert (after["production"], after["candidate"], len(after["versions"])) == (
        1,
        new,
        len(listing["versions"]),
    )
    assert client.get("/readyz").status_code == 200


def test_backtest_job(client, auth):
    r = client.post(
        "/v1/backtests", json={"start": "2023-01", "end": "2023-02", "horizons": [1]}, headers=auth("analyst")
    )
    job = _wait(client, auth, r.get_json()["url"], timeout=120)
    assert job["status"] == "succeeded", job["error"]
    models = {m["model"] for m in job["result"]["metrics"]}
    assert models == {"xgboost", "persistence", "historical_rate", "logistic"}
    bad = client.post("/v1/backtests", json={"start": "1900-01", "end": "1900-02"}, headers=auth("analyst"))
    assert bad.status_code == 422


def test_openapi_and_docs_use_local_assets(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and "/v1/districts/{district_id}/risk" in spec["paths"]
    assert {"bearer", "apiKey"} <= set(spec["components"]["securitySchemes"])
    page = client.get("/docs/swagger").get_data(as_text=True)
    assert "swagger" in page.lower() and "https://" not in page and "http://" not in page
    assert json.dumps(spec)  # serialisable


# -- who may call what -------------------------------------------------------------------------------------
READ = [
    ("get", "/v1/districts"),
    ("get", f"/v1/districts/{D}"),
    ("get", "/v1/risk"),
    ("get", f"/v1/districts/{D}/risk"),
    ("get", f"/v1/districts/{D}/history"),
]
VIEW = [
    ("get", "/v1/models"),
    ("get", "/v1/models/1"),
    ("get", "/v1/jobs/none"),
    ("get", "/v1/alerts"),
    ("get", "/v1/alert-rules"),
]
ANALYST = [
    ("post", "/v1/events"),
    ("post", "/v1/presence"),
    ("post", "/v1/provisions"),
    ("post", "/v1/models/1/promote"),
    ("post", "/v1/models/rollback"),
    ("post", "/v1/models/train"),
    ("post", "/v1/backtests"),
    ("post", "/v1/alert-rules"),
    ("post", "/v1/alerts/99999/ack"),
    ("delete", "/v1/alert-rules/99999"),
]
OPEN = [("get", "/healthz"), ("get", "/readyz"), ("get", "/openapi.json")]
ROLE_RANK = {None: -1, "revoked": -1, "viewer": 0, "analyst": 1, "admin": 2}


@pytest.mark.parametrize("role", [None, "revoked", "viewer", "analyst", "admin"])
@pytest.mark.parametrize(
    ("method", "url", "needed"),
    [*((m, u, 0) for m, u in READ + VIEW), *((m, u, 1) for m, u in ANALYST), *((m, u, -1) for m, u in OPEN)],
)
def test_auth_matrix(client, auth, role, method, url, needed):
    headers = auth(role)
    # Bodies that permitted callers get 422 for (no job starts); the key is checked before the body.
    body = {"json": {"horizons": []}} if method in ("post", "delete") else {}
    response = getattr(client, method)(url, headers=headers, **body)
    if needed < 0:
        assert response.status_code not in (401, 403)
    elif role is None or role == "revoked":
        assert response.status_code == 401
    elif ROLE_RANK[role] < needed:
        assert response.status_code == 403
    else:
        assert response.status_code not in (401, 403)


def test_x_api_key_header_and_open_read_setting(app, client, keys):
    assert client.get("/v1/risk", headers={"X-API-Key": keys["viewer"]}).status_code == 200
    app.config["OPEN_READ"] = True
    try:
        assert client.get("/v1/risk").status_code == 200
        assert client.get("/v1/models").status_code == 401  # only score reading opens
        assert client.post("/v1/events", json=[{}]).status_code == 401
    finally:
        app.config["OPEN_READ"] = False
