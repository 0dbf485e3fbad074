"""Tables of the store (SQLAlchemy 2.x declarative models).

The schema is created and upgraded by the Alembic migrations in
``risk/store/migrations``; a test checks that the migrations and these models agree.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class District(Base):
    """An admin-2 unit (cercle, sous-préfecture): the unit every score is about."""

    __tablename__ = "districts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent: Mapped[str | None] = mapped_column(String(200), doc="admin-1 name")
    country: Mapped[str | None] = mapped_column(String(100))
    centroid_lon: Mapped[float] = mapped_column(Float)
    centroid_lat: Mapped[float] = mapped_column(Float)
    geometry: Mapped[str] = mapped_column(Text, doc="GeoJSON geometry, WGS84")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    ingest_run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id"))


class Neighbour(Base):
    """Adjacency: two districts sharing a border (stored in both directions)."""

    __tablename__ = "neighbours"

    district_id: Mapped[str] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), primary_key=True)
    neighbour_id: Mapped[str] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), primary_key=True
    )
    shared_border_km: Mapped[float] = mapped_column(Float)


class Event(Base):
    """One conflict event from any source, in the project's vocabulary."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_events_source_id"),
        Index("ix_events_district_start", "district_id", "date_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(64))
    date_start: Mapped[dt.date] = mapped_column(Date)
    date_end: Mapped[dt.date] = mapped_column(Date)
    district_id: Mapped[str | None] = mapped_column(ForeignKey("districts.id"))
    assignment: Mapped[str] = mapped_column(String(16), doc="assigned|imprecise|outside|no_districts")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    location_precision: Mapped[int] = mapped_column(Integer, doc="1 exact .. 7, UCDP where_prec scale")
    admin1: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))
    actor1: Mapped[str | None] = mapped_column(String(300))
    actor2: Mapped[str | None] = mapped_column(String(300))
    fatalities_best: Mapped[int] = mapped_column(Integer)
    fatalities_low: Mapped[int | None] = mapped_column(Integer)
    fatalities_high: Mapped[int | None] = mapped_column(Integer)
    civilian_deaths: Mapped[int | None] = mapped_column(Integer)
    raw: Mapped[str] = mapped_column(Text, doc="the source row, as a JSON object")
    ingest_run_id: Mapped[int] = mapped_column(ForeignKey("ingest_runs.id"))


class PresenceObservation(Base):
    """A dated measurement of state presence in a district (posts, troops, officials...)."""

    __tablename__ = "presence"
    __table_args__ = (UniqueConstraint("district_id", "date", "indicator", "source", name="uq_presence_obs"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    district_id: Mapped[str] = mapped_column(ForeignKey("districts.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    indicator: Mapped[str] = mapped_column(String(100))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200))
    ingest_run_id: Mapped[int] = mapped_column(ForeignKey("ingest_runs.id"))


class Provision(Base):
    """A peace-agreement provision with its planned and (if any) actual completion date."""

    __tablename__ = "provisions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    scope_kind: Mapped[str] = mapped_column(String(16), doc="national|region|districts")
    scope_region: Mapped[str | None] = mapped_column(String(200))
    scope_districts: Mapped[list[str]] = mapped_column(JSON, default=list)
    planned_date: Mapped[dt.date] = mapped_column(Date)
    completed_date: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(200))
    ingest_run_id: Mapped[int] = mapped_column(ForeignKey("ingest_runs.id"))


class IngestRun(Base):
    """One ingest of one file: what was read and what became of it."""

    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    file: Mapped[str] = mapped_column(String(1000))
    checksum: Mapped[str] = mapped_column(String(64), index=True, doc="SHA-256 of the file bytes")
    status: Mapped[str] = mapped_column(String(16), doc="ok|failed")
    read: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    duplicate: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    assigned: Mapped[int] = mapped_column(Integer, default=0)
    unassigned: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class RejectedRow(Base):
    """A row that failed validation, with the field and the reason, and its raw text."""

    __tablename__ = "rejected_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("ingest_runs.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)


class ApiKey(Base):
    """A service API key: only its SHA-256 is kept; the key itself is shown once, at creation."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    prefix: Mapped[str] = mapped_column(String(16), index=True, doc="first characters, to find the key")
    key_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16), doc="viewer|analyst|admin")
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Job(Base):
    """A background job (training, backtest) and what became of it."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), doc="queued|running|succeeded|failed")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    runner: Mapped[str | None] = mapped_column(String(200), doc="host:pid of the process running it")


class StoredScore(Base):
    """Scores of the latest period, computed once per model version and data state."""

    __tablename__ = "scores"
    __table_args__ = (Index("ix_scores_lookup", "model_version", "data_version", "horizon"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_version: Mapped[int] = mapped_column(Integer)
    data_version: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[str] = mapped_column(String(16))
    horizon: Mapped[int] = mapped_column(Integer)
    district_id: Mapped[str] = mapped_column(String(64))
    probability: Mapped[float] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(16))
    top_drivers: Mapped[str] = mapped_column(Text)


class AlertRule(Base):
    """When to alert: scope, horizon, a condition (threshold / band / jump), hysteresis, cooldown, channel."""

    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    scope_region: Mapped[str | None] = mapped_column(String(200))
    scope_districts: Mapped[list[str]] = mapped_column(JSON, default=list)
    horizon: Mapped[int] = mapped_column(Integer)
    condition: Mapped[str] = mapped_column(String(16), doc="threshold|band|jump")
    threshold: Mapped[float | None] = mapped_column(Float)
    margin: Mapped[float] = mapped_column(Float, default=0.05, doc="re-arm below threshold - margin")
    delta: Mapped[float | None] = mapped_column(Float, doc="jump: rise since the previous scoring")
    cooldown_hours: Mapped[float] = mapped_column(Float, default=0.0)
    channel: Mapped[str] = mapped_column(String(16), doc="webhook|log")
    url: Mapped[str | None] = mapped_column(String(2000))
    secret: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AlertTrack(Base):
    """Per rule and district: the last probability seen, whether the rule is armed, the last alert time."""

    __tablename__ = "alert_tracks"

    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"), primary_key=True)
    district_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    armed: Mapped[bool] = mapped_column(default=True)
    last_probability: Mapped[float | None] = mapped_column(Float)
    last_as_of: Mapped[str | None] = mapped_column(String(16))
    last_alert_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Alert(Base):
    """One crossing: stored once (rule, district, period, horizon), then open / acknowledged / resolved."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("rule_id", "district_id", "as_of", "horizon", name="uq_alert_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"), index=True)
    district_id: Mapped[str] = mapped_column(String(64), index=True)
    district_name: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[str] = mapped_column(String(16))
    horizon: Mapped[int] = mapped_column(Integer)
    probability: Mapped[float] = mapped_column(Float)
    previous_probability: Mapped[float | None] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(16))
    top_drivers: Mapped[str] = mapped_column(Text)
    model_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class OutboxMessage(Base):
    """A webhook to send: survives restarts; retried with backoff; dead-lettered after too many tries."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(String(64), unique=True, doc="the receiver's idempotency key")
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", doc="pending|delivered|dead")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(200), doc="host:pid of the sender holding it")
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime, doc="the claim's lease (wall clock)")


class DeliveryAttempt(Base):
    """Every attempt at delivering an outbox message, with its outcome."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
