"""Background jobs (training, backtests): recorded in the store, run on a worker thread.

A job that fails records its error and changes nothing else: a training job only ever adds a new
version (marked ``candidate``), never touches ``production``.  A job whose process died (a worker
killed or restarted) is marked failed as *interrupted* when it is next looked at, and when a
service process starts, so it never shows as running for ever; its partial work was never
visible (the registry writes a version whole or not at all).
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select, update

from risk.processes import process_gone, process_name
from risk.store.db import Store
from risk.store.schema import Job

log = logging.getLogger(__name__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


INTERRUPTED = "interrupted: the service process running this job stopped; submit it again"
UNFINISHED = ("queued", "running")


class JobRunner:
    def __init__(self, store: Store, max_workers: int = 1) -> None:
        self.store = store
        self.pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="risk-job")
        self.sweep_interrupted()

    def submit(self, kind: str, params: dict, work: Callable[[], dict]) -> str:
        job_id = str(uuid.uuid4())
        with self.store.session() as session:
            session.add(
                Job(
                    id=job_id,
                    kind=kind,
                    status="queued",
                    params=params,
                    created_at=_now(),
                    runner=process_name(),
                )
            )
        self.pool.submit(self._run, job_id, work)
        return job_id

    def sweep_interrupted(self) -> int:
        """Mark failed the unfinished jobs whose process is gone; returns how many."""
        with self.store.session() as session:
            runners = session.scalars(select(Job.runner).where(Job.status.in_(UNFINISHED)).distinct()).all()
            dead = [r for r in runners if process_gone(r)]
            if not dead:
                return 0
            swept = session.execute(
                update(Job)
                .where(Job.status.in_(UNFINISHED), Job.runner.in_(dead))
                .values(status="failed", error=INTERRUPTED, finished_at=_now())
            ).rowcount
        log.warning("%d job(s) of stopped processes %s marked interrupted", swept, dead)
        return swept

    def _run(self, job_id: str, work: Callable[[], dict]) -> None:
        self._update(job_id, status="running")
        try:
            result = work()
        except Exception as exc:  # the job's failure is its result; the service goes on
            log.error("job %s failed: %s\n%s", job_id, exc, traceback.format_exc())
            self._update(
                job_id, status="failed", error=f"{exc.__class__.__name__}: {exc}", finished_at=_now()
            )
            return
        self._update(job_id, status="succeeded", result=result, finished_at=_now())

    def _update(self, job_id: str, **values) -> None:
        with self.store.session() as session:
            job = session.get(Job, job_id)
            for name, value in values.items():
                setattr(job, name, value)

    def get(self, job_id: str) -> dict | None:
        self.sweep_interrupted()
        with self.store.session() as session:
            job = session.get(Job, job_id)
            if job is None:
                return None
            return {
                "id": job.id,
                "kind": job.kind,
                "status": job.status,
                "params": job.params,
                "result": job.result,
                "error": job.error,
                "created_at": job.created_at.isoformat(),
                "finished_at": job.finished_at.isoformat() if job.finished_at else None,
            }

    def shutdown(self, cancel_pending: bool = True) -> None:
        """Stop taking jobs; queued ones are cancelled, the running one finishes."""
        self.pool.shutdown(wait=True, cancel_futures=cancel_pending)
