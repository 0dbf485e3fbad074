"""Delivering alerts: a persistent outbox, Standard Webhooks signatures, backoff, dead letters.

Each message is signed (HMAC-SHA256, ``webhook-id`` / ``webhook-timestamp`` / ``webhook-signature``)
with its rule's secret.  A failed attempt is recorded and retried after ``base_delay * 2**attempts``
(capped); after ``max_attempts`` the message is dead-lettered, kept for inspection.  Because the
outbox lives in the store, a restarted process resumes where the last one stopped; a message whose
sending was cut short is sent again with the same ``webhook-id``, which receivers use to ignore a
repeat.

Several senders (schedulers on other machines, a manual ``risk alerts deliver``) may run at once:
each message is *claimed* before it is sent, by one conditional UPDATE that only one of them can
win (on SQLite and PostgreSQL alike), so two senders never send the same message at the same time.
A claim is a lease on the wall clock; a sender that dies holding one loses it when the lease runs
out, or at once when another sender on the same host sees that its process is gone.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from dataclasses import dataclass

import requests
from sqlalchemy import or_, select, update
from standardwebhooks.webhooks import Webhook

from risk.processes import process_gone, process_name
from risk.store.db import Store
from risk.store.schema import Alert, AlertRule, DeliveryAttempt, OutboxMessage

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10
#: How long a claim holds: well beyond one request's timeout.
CLAIM_LEASE = dt.timedelta(seconds=3 * TIMEOUT_SECONDS)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay_seconds: float = 30.0
    max_delay_seconds: float = 6 * 3600.0

    def delay(self, attempts: int) -> dt.timedelta:
        return dt.timedelta(
            seconds=min(self.base_delay_seconds * 2 ** (attempts - 1), self.max_delay_seconds)
        )


def normalise_secret(secret: str) -> str:
    """Standard Webhooks secrets are ``whsec_`` + base64; a plain passphrase is turned into one."""
    if secret.startswith("whsec_"):
        base64.b64decode(secret[6:], validate=True)  # refuse a malformed one now, not at delivery
        return secret
    return "whsec_" + base64.b64encode(secret.encode()).decode()


def signed_headers(secret: str, webhook_id: str, body: str, now: dt.datetime) -> dict[str, str]:
    stamp = now.replace(tzinfo=dt.UTC)
    return {
        "content-type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, stamp, body),
    }


def _wall_clock() -> dt.datetime:
    """The signature's timestamp is the real moment of sending (receivers reject stale ones)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _claim(store: Store, message_id: int, due_by: dt.datetime, owner: str) -> bool:
    """Take ``message_id`` for ``owner`` unless another live sender holds it; True if taken."""
    wall = _wall_clock()
    with store.session() as session:
        holder = session.scalar(select(OutboxMessage.claimed_by).where(OutboxMessage.id == message_id))
        free = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < wall)
        if holder and process_gone(holder):
            free = or_(free, OutboxMessage.claimed_by == holder)
        taken = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == "pending",
                OutboxMessage.next_attempt_at <= due_by,
                free,
            )
            .values(claimed_by=owner, claimed_until=wall + CLAIM_LEASE)
            .execution_options(synchronize_session=False)
        )
        return taken.rowcount == 1


def deliver_due(
    store: Store,
    now: dt.datetime | None = None,
    policy: RetryPolicy | None = None,
    http: requests.Session | None = None,
) -> dict[str, int]:
    """Try every message that is due; returns counts of delivered, retried and dead-lettered (and
    ``skipped``: due, but being sent by another sender)."""
    policy = policy or RetryPolicy()
    http = http or requests.Session()
    owner = process_name()
    counts = {"delivered": 0, "retry": 0, "dead": 0, "skipped": 0}
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with store.session() as session:
        due = session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.webhook_id,
                OutboxMessage.url,
                OutboxMessage.payload,
                AlertRule.secret,
            )
            .join(Alert, Alert.id == OutboxMessage.alert_id)
            .join(AlertRule, AlertRule.id == Alert.rule_id)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
        ).all()
    for message_id, webhook_id, url, payload, secret in due:  # one message at a time, each its own record
        if not _claim(store, message_id, now, owner):
            counts["skipped"] += 1
            continue
        status_code, error = None, None
        try:
            response = http.post(
                url,
                data=payload.encode(),
                timeout=TIMEOUT_SECONDS,
                headers=signed_headers(secret or "", webhook_id, payload, _wall_clock()),
            )
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except requests.RequestException as exc:
            error = f"{exc.__class__.__name__}: {exc}"
        with store.session() as session:
            message = session.get(OutboxMessage, message_id)
            message.claimed_by, message.claimed_until = None, None
            message.attempts += 1
            session.add(DeliveryAttempt(message_id=message_id, at=now, status_code=status_code, error=error))
            if error is None:
                message.status, message.delivered_at, message.last_error = "delivered", now, None
                counts["delivered"] += 1
            elif message.attempts >= policy.max_attempts:
                message.status, message.last_error = "dead", error
                counts["dead"] += 1
                log.error(
                    "webhook %s dead-lettered after %d attempts: %s", webhook_id, message.attempts, error
                )
            else:
                message.next_attempt_at = now + policy.delay(message.attempts)
                message.last_error = error
                counts["retry"] += 1
    return counts
