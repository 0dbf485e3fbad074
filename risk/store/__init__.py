"""The store: SQLAlchemy tables and the handle that opens (and upgrades) them."""

from risk.store.db import Store, open_store
from risk.store.schema import (
    District,
    Event,
    IngestRun,
    Neighbour,
    PresenceObservation,
    Provision,
    RejectedRow,
)

__all__ = [
    "District",
    "Event",
    "IngestRun",
    "Neighbour",
    "PresenceObservation",
    "Provision",
    "RejectedRow",
    "Store",
    "open_store",
]
