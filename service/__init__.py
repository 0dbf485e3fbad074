"""The Flask service: district risk API with explanations, roles, background jobs and OpenAPI.

``create_app(config=None)`` builds the application; each concern has its module and its
``init_app``: errors (problem details), the API blueprints, the service state and jobs.
"""

from __future__ import annotations

from flask_openapi3 import Info, OpenAPI

from risk import __version__
from risk.config import Settings, load_settings
from service import auth, errors
from service.jobs import JobRunner
from service.state import ServiceState

SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer KEY"},
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
}


OPEN_ENDPOINTS = {"health.healthz", "health.readyz", "openapi_json", "index", "static"}


def _check_every_view_is_guarded(app: OpenAPI) -> None:
    """Fail at start-up, not in production, if an API view was added without @require."""
    for endpoint in app.view_functions:
        blueprint = endpoint.rsplit(".", 1)[0] if "." in endpoint else None
        if endpoint in OPEN_ENDPOINTS or blueprint not in ("risk", "data", "modelling", "alerting"):
            continue
        module = app.blueprints[blueprint].import_name
        if (module, endpoint.rsplit(".", 1)[-1]) not in auth.REQUIRED:
            raise RuntimeError(f"API view {endpoint} has no @require(role)")


def create_app(config: dict | None = None) -> OpenAPI:
    """Build the app; ``config`` may hold ``SETTINGS`` (a :class:`~risk.config.Settings`), ``STORE``,
    ``OPEN_READ`` and ``MAX_CONTENT_LENGTH`` (tests use it)."""
    config = dict(config or {})
    settings: Settings = config.pop("SETTINGS", None) or load_settings()
    app = OpenAPI(
        __name__,
        info=Info(
            title="District risk API",
            version=__version__,
            description="Calibrated district risk scores of fatal political violence, with explanations.",
        ),
        security_schemes=SECURITY_SCHEMES,
        validation_error_status=422,
        validation_error_callback=errors.validation_problem,
        doc_prefix="/docs",
        doc_url="/openapi.json",
    )
    app.config.update(
        OPEN_READ=settings.open_read, MAX_CONTENT_LENGTH=settings.max_request_bytes, JSON_SORT_KEYS=False
    )
    store = config.pop("STORE", None)
    app.config.update(config)
    service = ServiceState(settings, store)
    service.jobs = JobRunner(service.store)
    app.extensions["risk"] = service

    errors.init_app(app)
    auth.init_app(app)
    from service import api, web

    api.init_app(app)
    web.init_app(app)
    _check_every_view_is_guarded(app)
    app.add_url_rule("/openapi.json", "openapi_json", lambda: app.api_doc)
    return app
