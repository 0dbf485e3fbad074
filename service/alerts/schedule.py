"""One scheduler cycle: score the latest period if the data or the model changed, evaluate, deliver."""

from __future__ import annotations

import logging

from risk.cli.context import AppContext
from service.alerts.evaluate import evaluate_rules
from service.alerts.outbox import deliver_due
from service.state import ServiceState

log = logging.getLogger(__name__)
_SEEN: dict[str, tuple] = {}


def run_cycle(app: AppContext) -> str:
    state = ServiceState(app.settings, app.store)
    try:
        model_version = state.production_version()
        key = (model_version, state.data_version())
        raised = 0
        if model_version is not None and _SEEN.get(str(app.settings.home)) != key:
            number, table = state.scores()
            raised = len(evaluate_rules(app.store, table, number))
            _SEEN[str(app.settings.home)] = key
        counts = deliver_due(app.store)
    except LookupError as exc:  # nothing ingested yet
        return f"nothing to do: {exc}"
    return f"alerts raised {raised}; webhooks " + ", ".join(f"{k} {v}" for k, v in counts.items())
