"""Models and jobs: list, show, promote and roll back versions; train and backtest in the background."""

from __future__ import annotations

from flask import url_for
from flask_openapi3 import APIBlueprint, Tag
from werkzeug.exceptions import Conflict, NotFound, UnprocessableEntity

from features.inputs import fingerprint
from models.backtest import origins_between, run_backtest
from models.bundle import promote, register, train_bundle
from models.metrics import score_predictions
from models.registry import RegistryError
from models.spec import TrainSpec
from service.api.common import AUTH_ERRORS, SECURITY, period_param, state
from service.auth import require
from service.schemas import (
    BacktestBody,
    JobAccepted,
    JobPath,
    JobStatus,
    ModelList,
    ModelVersion,
    Problem,
    PromoteBody,
    TrainBody,
    VersionPath,
)

bp = APIBlueprint("modelling", __name__, url_prefix="/v1", abp_security=SECURITY, abp_responses=AUTH_ERRORS)
TAG = Tag(name="models", description="Model registry and background jobs")


def _version(number: int) -> ModelVersion:
    store = state().registry
    try:
        manifest = store.manifest(number)
    except RegistryError as exc:
        raise NotFound(str(exc)) from exc
    meta = manifest["metadata"]
    aliases = [a for a in ("production", "candidate") if store.alias(a) == number]
    return ModelVersion(
        version=number,
        created_at=manifest["created_at"],
        aliases=aliases,
        training_window=meta.get("training_window", {}),
        horizons=meta.get("horizons", []),
        backtest=meta.get("backtest", {}),
        files=manifest["files"],
    )


@bp.get("/models", tags=[TAG], responses={200: ModelList})
@require("viewer")
def list_models():
    """Every model version, newest first, with its aliases and backtest metrics."""
    return _model_list()


def _model_list() -> dict:
    store = state().registry
    versions = [_version(v) for v in reversed(store.versions())]
    return ModelList(
        production=store.alias("production"), candidate=store.alias("candidate"), versions=versions
    ).model_dump()


@bp.get("/models/<int:version>", tags=[TAG], responses={200: ModelVersion, 404: Problem})
@require("viewer")
def show_model(path: VersionPath):
    """One version: files with their SHA-256, training window, backtest metrics."""
    return _version(path.version).model_dump()


@bp.post("/models/<int:version>/promote", tags=[TAG], responses={200: ModelList, 404: Problem, 409: Problem})
@require("analyst")
def promote_model(path: VersionPath, body: PromoteBody):
    """Make a version production; refused (409) if its backtest is worse, unless forced."""
    _version(path.version)
    try:
        promote(state().registry, path.version, force=body.force, tolerance=body.tolerance)
    except RegistryError as exc:
        raise Conflict(str(exc)) from exc
    return _model_list()


@bp.post("/models/rollback", tags=[TAG], responses={200: ModelList, 409: Problem})
@require("analyst")
def rollback_model():
    """Point production back at the version it had before."""
    try:
        state().registry.rollback("production")
    except RegistryError as exc:
        raise Conflict(str(exc)) from exc
    return _model_list()


def _accepted(job_id: str):
    url = url_for("modelling.job_status", job_id=job_id)
    return JobAccepted(job_id=job_id, status="queued", url=url).model_dump(), 202, {"Location": url}


@bp.post("/models/train", tags=[TAG], responses={202: JobAccepted})
@require("analyst")
def train_model(body: TrainBody):
    """Start training a new version (it becomes `candidate`; production is never touched)."""
    service = state()
    until = period_param(body.until, "until")
    spec = TrainSpec(horizons=tuple(sorted(set(body.horizons))))

    def work() -> dict:
        ctx = service.context()
        cutoff = until or ctx.panel.frame.index.levels[1].max()
        bundle = train_bundle(
            ctx.panel,
            spec,
            cutoff,
            data_fingerprint=fingerprint(ctx.inputs),
            backtest_origins=body.backtest_origins,
        )
        version, _ = register(service.registry, bundle, promote_if_first=False)  # production untouched
        return {"version": version, "backtest": bundle.metadata["backtest"]}

    return _accepted(service.jobs.submit("train", body.model_dump(), work))


@bp.post("/backtests", tags=[TAG], responses={202: JobAccepted})
@require("analyst")
def start_backtest(body: BacktestBody):
    """Start a rolling-origin backtest; the job's result holds the metrics."""
    service = state()
    try:
        origins = origins_between(service.context().panel, body.start[:7], body.end[:7])
    except ValueError as exc:
        raise UnprocessableEntity(f"start/end: {exc}") from exc
    spec = TrainSpec(horizons=tuple(sorted(set(body.horizons))))

    def work() -> dict:
        predictions, _ = run_backtest(service.context().panel, origins, spec, n_jobs=1, progress=False)
        metrics = score_predictions(predictions)
        return {"metrics": metrics.astype(object).where(metrics.notna(), None).to_dict(orient="records")}

    return _accepted(service.jobs.submit("backtest", body.model_dump(), work))


@bp.get("/jobs/<job_id>", tags=[TAG], responses={200: JobStatus, 404: Problem})
@require("viewer")
def job_status(path: JobPath):
    """A background job: queued, running, succeeded (with its result) or failed (with its error)."""
    job = state().jobs.get(path.job_id)
    if job is None:
        raise NotFound(f"unknown job {path.job_id!r}")
    return JobStatus(**job).model_dump()
