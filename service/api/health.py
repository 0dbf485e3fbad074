"""Health checks: the process is up (``/healthz``); the store and a production model answer (``/readyz``)."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag

from risk.store.db import ping
from service.api.common import state
from service.schemas import Health

bp = APIBlueprint("health", __name__)
TAG = Tag(name="health", description="Liveness and readiness")


@bp.get("/healthz", tags=[TAG], responses={200: Health})
def healthz():
    """The process is up."""
    return Health(status="ok").model_dump()


@bp.get("/readyz", tags=[TAG], responses={200: Health, 503: Health})
def readyz():
    """Ready when the store answers and a production model loads."""
    checks = {}
    try:
        checks["store"] = "ok" if ping(state().store) else "failed"
    except Exception as exc:  # a readiness probe reports, never raises
        checks["store"] = f"failed: {exc.__class__.__name__}"
    try:
        number, _ = state().model()
        checks["model"] = f"version {number}"
    except Exception as exc:
        checks["model"] = f"failed: {exc}"
    ready = checks["store"] == "ok" and checks["model"].startswith("version")
    return Health(status="ready" if ready else "not ready", checks=checks).model_dump(), 200 if ready else 503
