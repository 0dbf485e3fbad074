"""Districts and their risk: ranked scores, one district's score and explanation, its history."""

from __future__ import annotations

import numpy as np
from flask_openapi3 import APIBlueprint, Tag
from werkzeug.exceptions import NotFound, UnprocessableEntity

from models.explain import explain, score_districts, score_history
from models.registry import RegistryError
from service.api.common import AUTH_ERRORS, SECURITY, known_district, period_param, state
from service.auth import require
from service.schemas import (
    District,
    DistrictList,
    DistrictPath,
    DistrictRisk,
    DistrictRiskQuery,
    Explanation,
    History,
    HistoryPoint,
    HistoryQuery,
    Problem,
    RiskItem,
    RiskList,
    RiskQuery,
    Score,
)

bp = APIBlueprint("risk", __name__, url_prefix="/v1", abp_security=SECURITY, abp_responses=AUTH_ERRORS)
TAG = Tag(name="risk", description="District risk scores and explanations")
NOT_FOUND = {404: Problem}


def _scores(as_of=None):
    try:
        return state().scores(as_of)
    except RegistryError as exc:
        raise NotFound(str(exc)) from exc


def _check_horizon(bundle_horizons, horizon: int) -> None:
    available = sorted(int(h) for h in bundle_horizons)
    if horizon not in available:
        raise UnprocessableEntity(f"horizon: the model in service has horizons {available}, not {horizon}")


def _district(district_id: str, table) -> District:
    ctx = state().context()
    mine = table[table["district_id"] == district_id]
    latest = [
        Score(horizon=int(r.horizon), probability=float(r.probability), band=r.band)
        for r in mine.itertuples()
    ]
    return District(
        id=district_id, name=ctx.names[district_id], region=ctx.regions.get(district_id), latest=latest
    )


@bp.get("/districts", tags=[TAG], responses={200: DistrictList})
@require("viewer", readable=True)
def districts():
    """Every district with its region and latest score per horizon."""
    ctx = state().context()
    try:
        number, table = state().scores()
        as_of = str(table["as_of"].iloc[0])
    except RegistryError:  # no model yet: districts are still worth listing
        number, table, as_of = None, None, None
    items = [
        _district(d, table) if table is not None else District(id=d, name=n, region=ctx.regions.get(d))
        for d, n in sorted(ctx.names.items())
    ]
    return DistrictList(as_of=as_of, model_version=number, districts=items).model_dump()


@bp.get("/districts/<district_id>", tags=[TAG], responses={200: District, **NOT_FOUND})
@require("viewer", readable=True)
def district(path: DistrictPath):
    """One district with its latest scores."""
    known_district(path.district_id)
    _, table = _scores()
    return _district(path.district_id, table).model_dump()


@bp.get("/risk", tags=[TAG], responses={200: RiskList, **NOT_FOUND})
@require("viewer", readable=True)
def ranked_risk(query: RiskQuery):
    """Districts ranked by risk, filtered by region and minimum probability, paged."""
    number, table = _scores(period_param(query.as_of))
    _check_horizon(sorted(table["horizon"].unique()), query.horizon)
    ctx = state().context()
    rows = table[(table["horizon"] == query.horizon) & (table["probability"] >= query.min_probability)]
    rows = rows.assign(region=rows["district_id"].map(ctx.regions))
    if query.region:
        rows = rows[rows["region"].fillna("").str.casefold() == query.region.casefold()]
    page = rows.iloc[query.offset : query.offset + query.limit]
    items = [
        RiskItem(
            district_id=r.district_id,
            district_name=r.district_name,
            region=r.region,
            probability=float(r.probability),
            band=r.band,
            top_drivers=r.top_drivers,
        )
        for r in page.itertuples()
    ]
    as_of = str(table["as_of"].iloc[0])
    return RiskList(
        as_of=as_of, horizon=query.horizon, model_version=number, total=len(rows), items=items
    ).model_dump()


@bp.get("/districts/<district_id>/risk", tags=[TAG], responses={200: DistrictRisk, **NOT_FOUND})
@require("viewer", readable=True)
def district_risk(path: DistrictPath, query: DistrictRiskQuery):
    """One district's probability, band and model version; with ``explain=true`` the drivers in plain
    words, their family totals and the events behind the score."""
    known_district(path.district_id)
    as_of = period_param(query.as_of)
    number, table = _scores(as_of)
    _check_horizon(sorted(table["horizon"].unique()), query.horizon)
    service = state()
    key = (
        "district_risk",
        number,
        service.context().data_version,
        path.district_id,
        str(as_of),
        query.horizon,
        query.explain,
    )
    return service.cached_response(key, lambda: _district_risk(number, table, path, query, as_of))


def _district_risk(number, table, path: DistrictPath, query: DistrictRiskQuery, as_of) -> dict:
    row = table[(table["district_id"] == path.district_id) & (table["horizon"] == query.horizon)].iloc[0]
    result = DistrictRisk(
        district_id=path.district_id,
        district_name=row["district_name"],
        as_of=str(row["as_of"]),
        horizon=query.horizon,
        probability=float(row["probability"]),
        band=row["band"],
        model_version=number,
        top_drivers=row["top_drivers"],
    )
    if query.explain:
        ctx = state().context()
        _, bundle = state().model(number)
        period = as_of or state().latest_period()
        details = explain(bundle, ctx.panel, ctx.inputs, path.district_id, period, query.horizon)
        result.explanation = Explanation(**{k: details[k] for k in Explanation.model_fields})
    return result.model_dump()


@bp.get("/districts/<district_id>/history", tags=[TAG], responses={200: History, **NOT_FOUND})
@require("viewer", readable=True)
def history(path: DistrictPath, query: HistoryQuery):
    """The district's score in every period (from the model in service) beside what actually happened."""
    known_district(path.district_id)
    try:
        number, bundle = state().model()
    except RegistryError as exc:
        raise NotFound(str(exc)) from exc
    _check_horizon(bundle.horizons, query.horizon)
    past = score_history(bundle, state().context().panel, path.district_id, query.horizon)
    points = [
        HistoryPoint(period=p, probability=float(q), violence=None if np.isnan(o) else float(o))
        for p, q, o in past.itertuples(index=False)
    ]
    return History(
        district_id=path.district_id, horizon=query.horizon, model_version=number, points=points
    ).model_dump()


__all__ = ["bp", "score_districts"]
