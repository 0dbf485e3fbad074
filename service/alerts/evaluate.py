"""Evaluating the rules after a scoring: one alert per crossing, stored once, queued for delivery.

Scoring the same period again changes nothing (each rule remembers the last period it saw per
district, and an alert is unique per rule, district, period and horizon).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from models.spec import DEFAULT_BANDS
from risk.store.db import Store
from risk.store.schema import Alert, AlertRule, AlertTrack, District, OutboxMessage
from service.alerts.conditions import BAND_ORDER, Seen, condition_for

log = logging.getLogger(__name__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _band_of(probability: float | None) -> str | None:
    if probability is None:
        return None
    return next(name for name, bound in DEFAULT_BANDS if probability >= bound)


def in_scope(rule: AlertRule, scores: pd.DataFrame, parents: dict[str, str]) -> pd.DataFrame:
    rows = scores[scores["horizon"] == rule.horizon]
    if rule.scope_districts:
        rows = rows[rows["district_id"].isin(rule.scope_districts)]
    if rule.scope_region:
        rows = rows[
            rows["district_id"].map(parents).fillna("").str.casefold() == rule.scope_region.casefold()
        ]
    return rows


def evaluate_rules(
    store: Store, scores: pd.DataFrame, model_version: int, now: dt.datetime | None = None
) -> list[int]:
    """Apply every rule to a scoring (columns district_id, district_name, as_of, horizon, probability, band,
    top_drivers); returns the ids of new alerts (their webhooks are in the outbox).

    Two evaluators racing on the same store (two schedulers, a scheduler and a web worker): the
    loser's transaction fails on the store's uniqueness, and its retry finds the period evaluated.
    """
    for attempt in range(3):
        try:
            return _evaluate(store, scores, model_version, now or _now())
        except (IntegrityError, OperationalError):
            if attempt == 2:
                raise
            log.info("alert evaluation raced with another process; evaluating again")
    return []


def _evaluate(store: Store, scores: pd.DataFrame, model_version: int, now: dt.datetime) -> list[int]:
    created: list[int] = []
    with store.session() as session:
        rules = session.scalars(select(AlertRule).order_by(AlertRule.id)).all()
        parents = dict(session.execute(select(District.id, District.parent)).all())
        for rule in rules:
            condition = condition_for(rule.condition, rule.threshold, rule.margin, rule.delta)
            tracks = {
                t.district_id: t
                for t in session.scalars(select(AlertTrack).where(AlertTrack.rule_id == rule.id))
            }
            for row in in_scope(rule, scores, parents).itertuples():  # one rule, its districts
                track = tracks.get(row.district_id) or AlertTrack(
                    rule_id=rule.id, district_id=row.district_id, armed=True
                )
                if track.last_as_of == str(row.as_of) and row.district_id in tracks:
                    continue  # this period was seen already: no second alert
                seen = Seen(
                    float(row.probability),
                    row.band,
                    track.last_probability,
                    _band_of(track.last_probability),
                    track.armed,
                )
                decision = condition.decide(seen)
                cooling = track.last_alert_at is not None and now - track.last_alert_at < dt.timedelta(
                    hours=rule.cooldown_hours
                )
                fire = decision.fire and not cooling
                if not (decision.fire and cooling):  # held back by the cooldown: stay armed for later
                    if decision.armed and track.armed is False:  # risk fell back below the line: resolved
                        session.execute(
                            update(Alert)
                            .where(
                                Alert.rule_id == rule.id,
                                Alert.district_id == row.district_id,
                                Alert.state != "resolved",
                            )
                            .values(state="resolved")
                        )
                    track.armed = decision.armed
                track.last_probability, track.last_as_of = float(row.probability), str(row.as_of)
                if fire:
                    track.last_alert_at = now
                    alert_id = _store_alert(session, rule, row, seen.previous_probability, model_version, now)
                    if alert_id is not None:
                        created.append(alert_id)
                session.merge(track)
    if created:
        log.info("%d new alert(s): %s", len(created), created)
    return created


def _store_alert(
    session, rule: AlertRule, row, previous: float | None, model_version: int, now
) -> int | None:
    alert = Alert(
        rule_id=rule.id,
        district_id=row.district_id,
        district_name=str(row.district_name),
        as_of=str(row.as_of),
        horizon=int(row.horizon),
        probability=float(row.probability),
        previous_probability=previous,
        band=row.band,
        top_drivers=str(row.top_drivers),
        model_version=model_version,
        state="open",
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError:
        return None  # the same crossing was stored before
    if rule.channel == "webhook" and rule.url:
        payload = {
            "type": "district.risk_alert",
            "timestamp": now.isoformat() + "Z",
            "data": {
                "alert_id": alert.id,
                "rule": rule.name,
                "district_id": alert.district_id,
                "district_name": alert.district_name,
                "as_of": alert.as_of,
                "horizon": alert.horizon,
                "probability": round(alert.probability, 4),
                "previous_probability": None if previous is None else round(previous, 4),
                "band": alert.band,
                "top_drivers": alert.top_drivers,
                "model_version": model_version,
            },
        }
        session.add(
            OutboxMessage(
                webhook_id=f"msg_{uuid.uuid4().hex}",
                alert_id=alert.id,
                url=rule.url,
                payload=json.dumps(payload),
                status="pending",
                attempts=0,
                next_attempt_at=now,
            )
        )
    else:
        log.warning(
            "ALERT %s: %s (%s) %.0f%% over %d period(s); %s",
            rule.name,
            alert.district_name,
            alert.district_id,
            100 * alert.probability,
            alert.horizon,
            alert.top_drivers,
        )
    return alert.id


__all__ = ["BAND_ORDER", "evaluate_rules", "in_scope"]
