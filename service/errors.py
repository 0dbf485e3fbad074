"""One error shape for every 4xx and 5xx: RFC 9457 problem details, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, json, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra) -> Response:
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
        **extra,
    }
    return Response(json.dumps(body), status=status, mimetype=PROBLEM)


def validation_problem(error: ValidationError) -> Response:
    """flask-openapi3's hook for bad parameters: name each one and say what is wrong with it."""
    errors = [{"parameter": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in error.errors()]
    names = ", ".join(e["parameter"] for e in errors)
    return problem(422, "Invalid parameter", f"check {names}: {errors[0]['message']}", errors=errors)


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.response is not None and error.response.mimetype == PROBLEM:
            return error.response
        return problem(error.code or 500, error.name, error.description or error.name)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem(500, "Internal Server Error", "the server failed to answer; the error has been logged")
