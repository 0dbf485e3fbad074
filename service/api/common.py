"""Helpers shared by the blueprints: the service state, periods, errors, standard responses."""

from __future__ import annotations

import pandas as pd
from flask import current_app
from werkzeug.exceptions import NotFound, UnprocessableEntity

from risk.periods import parse_period
from service.schemas import Problem
from service.state import ServiceState

SECURITY = [{"bearer": []}, {"apiKey": []}]
AUTH_ERRORS = {401: Problem, 403: Problem, 422: Problem}


def state() -> ServiceState:
    return current_app.extensions["risk"]


def period_param(text: str | None, name: str = "as_of") -> pd.Period | None:
    if text is None:
        return None
    try:
        period = parse_period(text[:7] if len(text) == 10 else text, "month")
    except ValueError as exc:
        raise UnprocessableEntity(f"{name}: {exc}") from exc
    periods = state().context().panel.frame.index.levels[1]
    if not periods.min() <= period <= periods.max():
        raise UnprocessableEntity(
            f"{name}: {period} is outside the data ({periods.min()} .. {periods.max()})"
        )
    return period


def known_district(district_id: str) -> str:
    if district_id not in state().context().names:
        raise NotFound(f"unknown district {district_id!r}")
    return district_id
