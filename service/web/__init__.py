"""The planners' page at ``/``: a risk map, a ranked table, the district view and the alerts inbox.

Everything is served from this app (no CDN, no tiles): the page shell and our own small script
and stylesheet, SVG drawn on the server, and the JSON of ``/v1``.  The page asks for an API key
once and keeps it in the browser's session storage.
"""

from __future__ import annotations

import math

import pandas as pd
from flask import Blueprint, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import NotFound, UnprocessableEntity

from models.explain import explain, score_history
from service.auth import require
from service.state import ServiceState
from service.web.svg import BAND_COLOURS, district_map, drivers_chart, history_chart

bp = Blueprint(
    "web", __name__, static_folder="static", template_folder="templates", static_url_path="/ui/static"
)


def _state() -> ServiceState:
    return current_app.extensions["risk"]


def _svg(body: str) -> Response:
    return Response(body, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=60"})


def _horizon() -> int:
    try:
        return int(request.args.get("horizon", 3))
    except ValueError as exc:
        raise UnprocessableEntity("horizon must be a whole number") from exc


def _as_of() -> pd.Period | None:
    text = request.args.get("as_of") or None
    if text is None:
        return None
    try:
        return pd.Period(text[:7], "M")
    except ValueError as exc:
        raise UnprocessableEntity(f"as_of: not a month: {text!r}") from exc


@bp.get("/")
def index():
    return render_template("index.html", bands=BAND_COLOURS)


@bp.get("/ui/meta")
@require("viewer", readable=True)
def meta():
    """Periods and horizons the page may offer."""
    state = _state()
    periods = [str(p) for p in state.context().panel.frame.index.levels[1]][-36:]
    _, bundle = state.model()
    return jsonify({"periods": periods[::-1], "horizons": bundle.horizons, "bands": BAND_COLOURS})


@bp.get("/ui/map.svg")
@require("viewer", readable=True)
def map_svg():
    state = _state()
    horizon, as_of = _horizon(), _as_of()
    number, table = state.scores(as_of)
    key = ("map", number, state.context().data_version, horizon, str(as_of))

    def draw() -> str:
        rows = table[table["horizon"] == horizon]
        scores = {r.district_id: (float(r.probability), r.band) for r in rows.itertuples()}
        paths, height = state.map_paths()
        return district_map(paths, state.context().names, scores, height)

    return _svg(state.cached_response(key, draw))


def _district_model(district_id: str):
    """The service state, the district's context and the model in service, with the horizon checked."""
    state = _state()
    ctx = state.context()
    if district_id not in ctx.names:
        raise NotFound(f"unknown district {district_id!r}")
    _, bundle = state.model()
    horizon = _horizon()
    if horizon not in bundle.models:
        raise UnprocessableEntity(f"horizon: the model has {bundle.horizons}")
    return state, ctx, bundle, horizon


@bp.get("/ui/districts/<district_id>/history.svg")
@require("viewer", readable=True)
def history_svg(district_id: str):
    _, ctx, bundle, horizon = _district_model(district_id)
    past = score_history(bundle, ctx.panel, district_id, horizon)
    violence = [None if math.isnan(v) else v for v in past["violence"]]
    return _svg(history_chart(list(past["period"]), list(map(float, past["probability"])), violence))


@bp.get("/ui/districts/<district_id>/drivers.svg")
@require("viewer", readable=True)
def drivers_svg(district_id: str):
    state, ctx, bundle, horizon = _district_model(district_id)
    period = _as_of() or state.latest_period()
    result = explain(bundle, ctx.panel, ctx.inputs, district_id, period, horizon)
    return _svg(drivers_chart(result["drivers"]))


def init_app(app) -> None:
    app.register_blueprint(bp)
