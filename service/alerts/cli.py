"""``risk alerts`` (rules, outbox, list) and ``risk scheduler`` (re-score, evaluate, deliver)."""

from __future__ import annotations

import datetime as dt
import logging

import click
from sqlalchemy import delete, select

from risk.cli.context import AppContext, pass_app
from risk.store.schema import Alert, AlertRule, OutboxMessage
from service.alerts.conditions import condition_for
from service.alerts.evaluate import evaluate_rules
from service.alerts.outbox import deliver_due, normalise_secret

log = logging.getLogger(__name__)


@click.group(short_help="Alert rules, the webhook outbox and the alerts raised.")
def alerts() -> None:
    """Alerts when a district's risk crosses a line."""


@alerts.group()
def rules() -> None:
    """Add, list and remove alert rules."""


@rules.command("add")
@click.option("--name", help="A short name for the rule.")
@click.option("--horizon", type=click.IntRange(1, 24), default=3, show_default=True)
@click.option(
    "--threshold", type=click.FloatRange(0, 1, min_open=True), help="Alert when the probability reaches it."
)
@click.option(
    "--margin",
    type=click.FloatRange(0, 1),
    default=0.05,
    show_default=True,
    help="Re-arm only below threshold - margin (hysteresis).",
)
@click.option("--band", "band_rise", is_flag=True, help="Alert when the risk band rises.")
@click.option(
    "--delta", type=click.FloatRange(0, 1, min_open=True), help="Alert on a rise this large since last time."
)
@click.option("--cooldown-hours", type=click.FloatRange(0), default=0.0, show_default=True)
@click.option("--webhook", "url", help="URL to POST signed alerts to (else alerts go to the log).")
@click.option("--secret", help="Webhook secret (whsec_… or any passphrase).")
@click.option("--region", help="Only districts of this admin-1 region.")
@click.option("--district", "districts", multiple=True, help="Only these districts (repeat).")
@pass_app
def add(
    app: AppContext,
    name,
    horizon,
    threshold,
    margin,
    band_rise,
    delta,
    cooldown_hours,
    url,
    secret,
    region,
    districts,
) -> None:
    """Add a rule: exactly one of --threshold, --band, --delta."""
    kinds = [
        k
        for k, on in (("threshold", threshold is not None), ("band", band_rise), ("jump", delta is not None))
        if on
    ]
    if len(kinds) != 1:
        raise click.UsageError("give exactly one condition: --threshold, --band or --delta")
    if url and not secret:
        raise click.UsageError("a webhook needs --secret")
    try:
        condition_for(kinds[0], threshold, margin, delta)
        secret = normalise_secret(secret) if secret else None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    rule = create_rule(
        app.store,
        name=name or f"{kinds[0]} h{horizon}",
        horizon=horizon,
        condition=kinds[0],
        threshold=threshold,
        margin=margin,
        delta=delta,
        cooldown_hours=cooldown_hours,
        url=url,
        secret=secret,
        region=region,
        districts=list(districts),
    )
    click.echo(f"rule {rule} added" + (f"; receivers verify with {secret}" if secret else ""))


def create_rule(
    store,
    *,
    name,
    horizon,
    condition,
    threshold=None,
    margin=0.05,
    delta=None,
    cooldown_hours=0.0,
    url=None,
    secret=None,
    region=None,
    districts=(),
) -> int:
    with store.session() as session:
        rule = AlertRule(
            name=name,
            horizon=horizon,
            condition=condition,
            threshold=threshold,
            margin=margin,
            delta=delta,
            cooldown_hours=cooldown_hours,
            channel="webhook" if url else "log",
            url=url,
            secret=secret,
            scope_region=region,
            scope_districts=list(districts),
            created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )
        session.add(rule)
        session.flush()
        return rule.id


@rules.command("list")
@pass_app
def list_rules(app: AppContext) -> None:
    """Every rule."""
    with app.store.session() as session:
        for r in session.scalars(select(AlertRule).order_by(AlertRule.id)):
            scope = r.scope_region or (",".join(r.scope_districts) if r.scope_districts else "all districts")
            what = {"threshold": f">= {r.threshold}", "band": "band rises", "jump": f"+{r.delta}"}[
                r.condition
            ]
            click.echo(f"{r.id}\t{r.name}\th={r.horizon}\t{what}\t{scope}\t{r.channel} {r.url or ''}")


@rules.command("remove")
@click.argument("rule_id", type=int)
@pass_app
def remove(app: AppContext, rule_id: int) -> None:
    """Remove a rule (its alerts and queued webhooks go with it)."""
    with app.store.session() as session:
        if session.execute(delete(AlertRule).where(AlertRule.id == rule_id)).rowcount == 0:
            raise click.ClickException(f"no rule {rule_id}")
    click.echo(f"rule {rule_id} removed")


@alerts.command("deliver")
@pass_app
def deliver(app: AppContext) -> None:
    """Send every webhook that is due (what the scheduler runs)."""
    counts = deliver_due(app.store)
    click.echo(", ".join(f"{k} {v}" for k, v in counts.items()))


@alerts.command("list")
@click.option("--state", type=click.Choice(["open", "acknowledged", "resolved"]))
@click.option("--limit", type=int, default=50, show_default=True)
@pass_app
def list_alerts(app: AppContext, state: str | None, limit: int) -> None:
    """The latest alerts with their delivery status."""
    with app.store.session() as session:
        query = select(Alert, OutboxMessage.status).outerjoin(
            OutboxMessage, OutboxMessage.alert_id == Alert.id
        )
        if state:
            query = query.where(Alert.state == state)
        for alert, delivery in session.execute(query.order_by(Alert.id.desc()).limit(limit)):
            click.echo(
                f"{alert.id}\t{alert.as_of}\t{alert.district_name}\th={alert.horizon}\t"
                f"{alert.probability:.0%}\t{alert.state}\t{delivery or 'log'}"
            )


def after_scoring(app: AppContext, table, model_version: int) -> None:
    """Hook run by `risk score`: evaluate the rules on the new scores, then try delivery at once."""
    created = evaluate_rules(app.store, table, model_version)
    if created:
        click.echo(
            f"{len(created)} alert(s) raised; delivery: "
            + ", ".join(f"{k} {v}" for k, v in deliver_due(app.store).items()),
            err=True,
        )


@click.command(short_help="Re-score on a schedule or when data changes, evaluate alerts, deliver webhooks.")
@click.option(
    "--every",
    "minutes",
    type=click.FloatRange(0.1),
    default=15.0,
    show_default=True,
    help="Minutes between checks.",
)
@click.option("--once", is_flag=True, help="Run one cycle and exit (for cron or tests).")
@pass_app
def scheduler(app: AppContext, minutes: float, once: bool) -> None:
    """A process of its own (never inside web workers): re-score when the data or model changed, evaluate
    the alert rules, flush the webhook outbox."""
    from service.alerts.schedule import run_cycle

    if once:
        click.echo(run_cycle(app))
        return
    from apscheduler.schedulers.blocking import BlockingScheduler

    runner = BlockingScheduler()
    runner.add_job(
        lambda: log.info("%s", run_cycle(app)),
        "interval",
        minutes=minutes,
        next_run_time=dt.datetime.now(),
        max_instances=1,
        coalesce=True,
    )
    click.echo(f"scheduler: a cycle every {minutes:g} minutes (Ctrl-C to stop)")
    try:
        runner.start()
    except (KeyboardInterrupt, SystemExit):
        runner.shutdown(wait=False)
