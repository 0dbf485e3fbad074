"""What the service keeps between requests: the store, the panel and the model in service.

Every request asks for the current data version (the newest ingest run, a cheap query) and the
production alias (a small file): when either moved, the panel or the model is reloaded, so a
promotion reaches every worker within a request, without a restart.  Scores of the latest period
are computed once per model version and data version and stored; other periods are computed on
demand and kept in a small in-process cache.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import delete, func, insert, select

from features.cache import panel_from_store
from features.inputs import Inputs, load_inputs
from features.panel import Panel
from models.bundle import ModelBundle, load_bundle
from models.explain import score_districts
from models.registry import FileModelStore, RegistryError
from risk.config import Settings
from risk.geo import parse_geometry
from risk.store.db import Store, open_store
from risk.store.schema import District, IngestRun, StoredScore
from service.alerts.evaluate import evaluate_rules

log = logging.getLogger(__name__)
AS_OF_CACHE_SIZE = 32
RESPONSE_CACHE_SIZE = 2048
#: How long a worker trusts its view of the data version and the production alias (seconds).
RECHECK_SECONDS = 1.0


@dataclass
class Context:
    data_version: str
    inputs: Inputs
    panel: Panel
    names: dict[str, str]
    regions: dict[str, str]


class ServiceState:
    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or open_store(settings.database_url)
        self.registry = FileModelStore(settings.registry_dir)
        self._lock = threading.RLock()
        self._context: Context | None = None
        self._bundles: dict[int, ModelBundle] = {}
        self._as_of_cache: OrderedDict = OrderedDict()
        self._latest_scores: dict[tuple, pd.DataFrame] = {}
        self._responses: OrderedDict = OrderedDict()
        self._checked: dict[str, tuple[float, object]] = {}

    def _recent(self, name: str, read):
        """``read()``, re-read at most every RECHECK_SECONDS: promotions and ingests show within a second."""
        now = time.monotonic()
        seen = self._checked.get(name)
        if seen is None or now - seen[0] > RECHECK_SECONDS:
            seen = (now, read())
            self._checked[name] = seen
        return seen[1]

    def production_version(self) -> int | None:
        return self._recent("production", lambda: self.registry.alias("production"))

    def cached_response(self, key: tuple, compute):
        """A response body computed once per key (keys include model and data versions)."""
        with self._lock:
            if key in self._responses:
                self._responses.move_to_end(key)
                return self._responses[key]
        value = compute()
        with self._lock:
            self._responses[key] = value
            while len(self._responses) > RESPONSE_CACHE_SIZE:
                self._responses.popitem(last=False)
        return value

    # -- data -------------------------------------------------------------------------------------------
    def data_version(self) -> str:
        def read() -> str:
            with self.store.session() as session:
                newest = session.scalar(select(func.max(IngestRun.id)).where(IngestRun.status == "ok"))
            return str(newest or 0)

        return self._recent("data", read)

    def context(self) -> Context:
        version = self.data_version()
        with self._lock:
            if self._context is None or self._context.data_version != version:
                inputs = load_inputs(self.store)
                if inputs.events.empty:
                    raise LookupError("no events have been ingested yet")
                panel, _, _ = panel_from_store(self.store, self.settings.features_dir, inputs=inputs)
                districts = inputs.districts
                self._context = Context(
                    version,
                    inputs,
                    panel,
                    dict(zip(districts["id"], districts["name"], strict=True)),
                    dict(zip(districts["id"], districts["parent"], strict=True)),
                )
                self._as_of_cache.clear()
                log.info("loaded data version %s", version)
            return self._context

    def map_paths(self) -> tuple[dict[str, str], int]:
        """SVG path data of every district, and the map's height (recomputed when the data change)."""
        from service.web.svg import MapProjection

        version = self.data_version()
        with self._lock:
            cached = self._checked.get("map_paths")
            if cached is None or cached[0] != version:
                with self.store.session() as session:
                    rows = session.execute(select(District.id, District.geometry).order_by(District.id)).all()
                geometries = [parse_geometry(g) for _, g in rows]
                projection = MapProjection(geometries)
                paths = {d: projection.path(g) for (d, _), g in zip(rows, geometries, strict=True)}
                self._checked["map_paths"] = cached = (version, (paths, projection.height))
            return cached[1]

    def latest_period(self) -> pd.Period:
        return self.context().panel.frame.index.levels[1].max()

    # -- models -----------------------------------------------------------------------------------------
    def model(self, version: int | None = None) -> tuple[int, ModelBundle]:
        """The production model (or ``version``), loaded once per version and verified."""
        wanted = version or self.production_version()
        if wanted is None:
            raise RegistryError("NOT_FOUND", "no model is in production yet: train and promote one")
        with self._lock:
            if wanted not in self._bundles:
                number, bundle = load_bundle(self.registry, wanted)
                self._bundles[number] = bundle
            return wanted, self._bundles[wanted]

    # -- scores -----------------------------------------------------------------------------------------
    def scores(self, as_of: pd.Period | None = None) -> tuple[int, pd.DataFrame]:
        """All districts x horizons at ``as_of`` (default: the latest period) for the production model."""
        number, bundle = self.model()
        ctx = self.context()
        latest = ctx.panel.frame.index.levels[1].max()
        if as_of is None or as_of == latest:
            key = (number, ctx.data_version)
            # Read the cache once: another thread may replace it (after a promotion) at any moment.
            table = self._latest_scores.get(key)
            if table is None:
                table = self._stored_scores(number, bundle, ctx, latest)
                self._latest_scores = {key: table}
            return number, table
        key = (number, ctx.data_version, str(as_of))
        with self._lock:
            if key not in self._as_of_cache:
                self._as_of_cache[key] = score_districts(bundle, ctx.panel, as_of, names=ctx.names)
                while len(self._as_of_cache) > AS_OF_CACHE_SIZE:
                    self._as_of_cache.popitem(last=False)
            self._as_of_cache.move_to_end(key)
            return number, self._as_of_cache[key]

    def _stored_scores(
        self, number: int, bundle: ModelBundle, ctx: Context, latest: pd.Period
    ) -> pd.DataFrame:
        columns = ["district_id", "as_of", "horizon", "probability", "band", "top_drivers"]
        query = select(*(getattr(StoredScore, c) for c in columns)).where(
            StoredScore.model_version == number, StoredScore.data_version == ctx.data_version
        )
        with self.store.session() as session:
            rows = session.execute(query).all()
        if not rows:
            with self._lock:  # one worker thread computes; the store keeps it for every worker
                table = score_districts(bundle, ctx.panel, latest, names=ctx.names)
                records = table[columns].assign(model_version=number, data_version=ctx.data_version)
                with self.store.session() as session:
                    session.execute(
                        delete(StoredScore).where(
                            StoredScore.model_version == number, StoredScore.data_version == ctx.data_version
                        )
                    )
                    session.execute(insert(StoredScore.__table__), records.to_dict(orient="records"))
                # A new scoring: evaluate the alert rules (delivery is the scheduler's job, not a worker's).
                evaluate_rules(self.store, table, number)
            return table
        table = pd.DataFrame(rows, columns=columns)
        table.insert(1, "district_name", table["district_id"].map(ctx.names))
        return table.sort_values(["horizon", "probability"], ascending=[True, False], ignore_index=True)
