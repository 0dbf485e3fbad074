"""Alerts: rules, crossings with hysteresis and cooldown, and signed webhooks through an outbox."""

from service.alerts.evaluate import evaluate_rules
from service.alerts.outbox import RetryPolicy, deliver_due

__all__ = ["RetryPolicy", "deliver_due", "evaluate_rules"]
