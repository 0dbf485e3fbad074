"""API keys with roles: created once (shown once), stored hashed, compared in constant time, revocable.

Roles are ordered: ``viewer`` reads scores and explanations; ``analyst`` also ingests, trains,
backtests and promotes; ``admin`` also manages keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time

from flask import current_app, g, request
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, Unauthorized

from risk.store.db import Store
from risk.store.schema import ApiKey

ROLES = ("viewer", "analyst", "admin")
PREFIX_LENGTH = 8


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(store: Store, role: str, label: str | None = None) -> tuple[int, str]:
    """A new key for ``role``; returns (id, key).  Only the hash is stored."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    key = "rk_" + secrets.token_urlsafe(32)
    with store.session() as session:
        row = ApiKey(
            prefix=key[:PREFIX_LENGTH],
            key_hash=_hash(key),
            role=role,
            label=label,
            created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )
        session.add(row)
        session.flush()
        return row.id, key


def revoke_key(store: Store, key_id: int) -> bool:
    with store.session() as session:
        row = session.get(ApiKey, key_id)
        if row is None or row.revoked_at is not None:
            return False
        row.revoked_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return True


def list_keys(store: Store) -> list[ApiKey]:
    with store.session() as session:
        return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


_ROLE_CACHE: dict[str, tuple[float, str | None]] = {}
#: A revoked key stops working within this many seconds in every worker.
ROLE_CACHE_SECONDS = 2.0


def role_of(store: Store, key: str) -> str | None:
    """The role of a valid, unrevoked key, else None (looked up at most every ROLE_CACHE_SECONDS)."""
    digest = _hash(key)
    now = time.monotonic()
    cached = _ROLE_CACHE.get(digest)
    if cached is not None and now - cached[0] < ROLE_CACHE_SECONDS:
        return cached[1]
    role = _lookup_role(store, key, digest)
    if len(_ROLE_CACHE) > 10_000:
        _ROLE_CACHE.clear()
    _ROLE_CACHE[digest] = (now, role)
    return role


def _lookup_role(store: Store, key: str, digest: str) -> str | None:
    """Constant-time comparison of the hash against every key with the same prefix."""
    with store.session() as session:
        candidates = session.scalars(
            select(ApiKey).where(ApiKey.prefix == key[:PREFIX_LENGTH], ApiKey.revoked_at.is_(None))
        ).all()
    role = None
    for row in candidates:  # compare against every candidate, so timing says nothing
        if hmac.compare_digest(row.key_hash, digest):
            role = row.role
    return role


def presented_key() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("X-API-Key") or None


#: (module, view name) -> (least role, open when reading is open); filled by @require.
REQUIRED: dict[tuple[str, str], tuple[str, bool]] = {}


def require(role: str, *, readable: bool = False):
    """Mark a view as needing a key of at least ``role`` (``readable``: open if the service allows).

    The check itself runs in :func:`check_request`, before the request is parsed or validated, so
    a caller without a key learns nothing about the parameters.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def decorate(view):
        REQUIRED[(view.__module__, view.__name__)] = (role, readable)
        return view

    return decorate


def check_request() -> None:
    """``before_request``: enforce the role the matched view was marked with."""
    blueprint = current_app.blueprints.get(request.blueprint or "")
    if blueprint is None or request.endpoint is None:
        return
    needed = REQUIRED.get((blueprint.import_name, request.endpoint.rsplit(".", 1)[-1]))
    if needed is None:
        return
    role, readable = needed
    if readable and current_app.config["OPEN_READ"]:
        return
    key = presented_key()
    if key is None:
        raise Unauthorized("an API key is required: send 'Authorization: Bearer KEY'")
    found = role_of(current_app.extensions["risk"].store, key)
    if found is None:
        raise Unauthorized("the API key is not valid or has been revoked")
    if ROLES.index(found) < ROLES.index(role):
        raise Forbidden(f"this needs the {role} role; the key has {found}")
    g.role = found


def init_app(app) -> None:
    app.before_request(check_request)
