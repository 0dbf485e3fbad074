"""Where heavy work runs: this process, or a Dask cluster (``--engine dask``).

Dask is optional (``pip install district-risk[dask]``); it is imported only when asked for, so the
default single-process path never needs it.  Without a scheduler address a local cluster of worker
processes is started for the duration of the command and stopped after it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from distributed import Client

log = logging.getLogger(__name__)

ENGINES = ("local", "dask")


class EngineUnavailable(RuntimeError):
    """Dask was asked for but is not installed."""


def dask_client(
    address: str | None = None, *, n_workers: int = 2, threads_per_worker: int = 1
) -> AbstractContextManager[Client]:
    """A client of the scheduler at ``address``, or of a local cluster of ``n_workers`` processes
    (started on entry, stopped on exit).

    One thread per worker by default: XGBoost and the feature builders are numeric code, and a
    process per core is what a memory figure per process needs.  Raises :class:`EngineUnavailable`
    at once when Dask is not installed.
    """
    try:
        import distributed  # noqa: F401
    except ImportError as exc:  # depends on the installation
        raise EngineUnavailable(
            "the dask engine needs dask.distributed: pip install 'district-risk[dask]'"
        ) from exc
    if not address and n_workers < 1:
        raise ValueError(f"a local cluster needs at least one worker; got n_workers={n_workers!r}")
    return _client(address, n_workers, threads_per_worker)


@contextmanager
def _client(address: str | None, n_workers: int, threads_per_worker: int) -> Iterator[Client]:
    import dask
    from distributed import Client, LocalCluster

    # Dask logs every connection at INFO; follow this program's level (WARNING unless -v) instead,
    # here and in the worker processes (which inherit the dask config).
    level = logging.getLevelName(max(logging.getLogger().getEffectiveLevel(), logging.WARNING))
    logging.getLogger("distributed").setLevel(level)
    quiet = dask.config.set({"logging.distributed": level.lower()})

    if address:
        log.info("connecting to the Dask scheduler at %s", address)
        with quiet, Client(address) as client:
            yield client
        return
    log.info("starting a local Dask cluster of %d worker processes", n_workers)
    with (
        quiet,
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=threads_per_worker,
            processes=True,
            host="127.0.0.1",  # scheduler, workers and the status page listen on loopback only
            dashboard_address="127.0.0.1:0",  # any free port: never a clash with another cluster
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
