"""The ``/v1`` API, one blueprint per concern."""

from flask_openapi3 import OpenAPI

from service.api import alerting, data, health, modelling, risk


def init_app(app: OpenAPI) -> None:
    for module in (health, risk, data, modelling, alerting):
        app.register_api(module.bp)
