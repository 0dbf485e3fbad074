"""Alerts and alert rules over the API."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag
from pydantic import Field
from sqlalchemy import select
from werkzeug.exceptions import NotFound, UnprocessableEntity

from risk.store.schema import Alert, AlertRule
from service.alerts.cli import create_rule
from service.alerts.conditions import condition_for
from service.alerts.outbox import normalise_secret
from service.api.common import AUTH_ERRORS, SECURITY, state
from service.auth import require
from service.schemas import BaseModel, Problem

bp = APIBlueprint("alerting", __name__, url_prefix="/v1", abp_security=SECURITY, abp_responses=AUTH_ERRORS)
TAG = Tag(name="alerts", description="Alerts raised when risk crosses a line, and their rules")


class AlertQuery(BaseModel):
    state: str | None = Field(None, pattern="^(open|acknowledged|resolved)$")
    district_id: str | None = Field(None, max_length=64)
    rule_id: int | None = Field(None, ge=1)
    since: str | None = Field(
        None, pattern=r"^\d{4}-\d{2}(-\d{2})?$", description="as-of period from (YYYY-MM)"
    )
    limit: int = Field(100, ge=1, le=1000)


class AlertPath(BaseModel):
    alert_id: int = Field(ge=1, le=10**9)


class RulePath(BaseModel):
    rule_id: int = Field(ge=1, le=10**9)


class AlertOut(BaseModel):
    id: int
    rule_id: int
    district_id: str
    district_name: str
    as_of: str
    horizon: int
    probability: float
    previous_probability: float | None
    band: str
    top_drivers: str
    model_version: int
    state: str
    created_at: str


class AlertList(BaseModel):
    alerts: list[AlertOut]


class RuleIn(BaseModel):
    name: str = Field(max_length=200)
    horizon: int = Field(3, ge=1, le=24)
    condition: str = Field(pattern="^(threshold|band|jump)$")
    threshold: float | None = Field(None, gt=0, le=1)
    margin: float = Field(0.05, ge=0, lt=1)
    delta: float | None = Field(None, gt=0, le=1)
    cooldown_hours: float = Field(0.0, ge=0, le=24 * 365)
    webhook_url: str | None = Field(None, max_length=2000, pattern="^https?://")
    secret: str | None = Field(None, min_length=8, max_length=200)
    region: str | None = Field(None, max_length=200)
    districts: list[str] = Field([], max_length=1000)


class RuleOut(BaseModel):
    id: int
    name: str
    horizon: int
    condition: str
    threshold: float | None
    margin: float
    delta: float | None
    cooldown_hours: float
    channel: str
    webhook_url: str | None
    region: str | None
    districts: list[str]


class RuleList(BaseModel):
    rules: list[RuleOut]


def _alert(a: Alert) -> AlertOut:
    return AlertOut(
        id=a.id,
        rule_id=a.rule_id,
        district_id=a.district_id,
        district_name=a.district_name,
        as_of=a.as_of,
        horizon=a.horizon,
        probability=a.probability,
        previous_probability=a.previous_probability,
        band=a.band,
        top_drivers=a.top_drivers,
        model_version=a.model_version,
        state=a.state,
        created_at=a.created_at.isoformat(),
    )


def _rule(r: AlertRule) -> RuleOut:
    return RuleOut(
        id=r.id,
        name=r.name,
        horizon=r.horizon,
        condition=r.condition,
        threshold=r.threshold,
        margin=r.margin,
        delta=r.delta,
        cooldown_hours=r.cooldown_hours,
        channel=r.channel,
        webhook_url=r.url,
        region=r.scope_region,
        districts=r.scope_districts or [],
    )


@bp.get("/alerts", tags=[TAG], responses={200: AlertList})
@require("viewer")
def list_alerts(query: AlertQuery):
    """Alerts, newest first, filtered by state, district, rule and as-of period."""
    statement = select(Alert).order_by(Alert.id.desc()).limit(query.limit)
    for column, value in (
        (Alert.state, query.state),
        (Alert.district_id, query.district_id),
        (Alert.rule_id, query.rule_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if query.since:
        statement = statement.where(Alert.as_of >= query.since[:7])
    with state().store.session() as session:
        return AlertList(alerts=[_alert(a) for a in session.scalars(statement)]).model_dump()


@bp.post("/alerts/<int:alert_id>/ack", tags=[TAG], responses={200: AlertOut, 404: Problem})
@require("analyst")
def acknowledge(path: AlertPath):
    """Acknowledge an alert (someone is on it)."""
    with state().store.session() as session:
        alert = session.get(Alert, path.alert_id)
        if alert is None:
            raise NotFound(f"no alert {path.alert_id}")
        alert.state = "acknowledged"
        return _alert(alert).model_dump()


@bp.get("/alert-rules", tags=[TAG], responses={200: RuleList})
@require("viewer")
def list_rules():
    """Every alert rule (secrets are never shown)."""
    with state().store.session() as session:
        return RuleList(
            rules=[_rule(r) for r in session.scalars(select(AlertRule).order_by(AlertRule.id))]
        ).model_dump()


@bp.post("/alert-rules", tags=[TAG], responses={201: RuleOut})
@require("analyst")
def add_rule(body: RuleIn):
    """Add a rule; a webhook needs a secret (receivers verify Standard Webhooks signatures with it)."""
    try:
        condition_for(body.condition, body.threshold, body.margin, body.delta)
        if body.webhook_url and not body.secret:
            raise ValueError("a webhook_url needs a secret")
        secret = normalise_secret(body.secret) if body.secret else None
    except ValueError as exc:
        raise UnprocessableEntity(str(exc)) from exc
    rule_id = create_rule(
        state().store,
        name=body.name,
        horizon=body.horizon,
        condition=body.condition,
        threshold=body.threshold,
        margin=body.margin,
        delta=body.delta,
        cooldown_hours=body.cooldown_hours,
        url=body.webhook_url,
        secret=secret,
        region=body.region,
        districts=body.districts,
    )
    with state().store.session() as session:
        return _rule(session.get(AlertRule, rule_id)).model_dump(), 201


@bp.delete("/alert-rules/<int:rule_id>", tags=[TAG], responses={204: None, 404: Problem})
@require("analyst")
def delete_rule(path: RulePath):
    """Remove a rule with its alerts and queued webhooks."""
    with state().store.session() as session:
        rule = session.get(AlertRule, path.rule_id)
        if rule is None:
            raise NotFound(f"no rule {path.rule_id}")
        session.delete(rule)
    return "", 204
