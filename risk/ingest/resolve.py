"""Resolving district references (ids, names, aliases) and region names against the store."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from risk.geo import DistrictLocator, normalise_name
from risk.store.schema import District


@dataclass
class DistrictIndex:
    """Every way a district may be named, mapped to its id; ambiguous names map to nothing."""

    by_key: dict[str, str]
    regions: dict[str, str]
    ambiguous: set[str]

    @classmethod
    def from_session(cls, session: Session) -> DistrictIndex:
        rows = session.execute(select(District.id, District.name, District.aliases, District.parent)).all()
        by_key: dict[str, str] = {}
        ambiguous: set[str] = set()
        for district_id, name, aliases, _ in rows:
            for key in {normalise_name(name), *(normalise_name(a) for a in aliases or [])}:
                if key in by_key and by_key[key] != district_id:
                    ambiguous.add(key)
                by_key[key] = district_id
        for key in ambiguous:
            by_key.pop(key, None)
        for district_id, *_ in rows:  # an exact id always wins over a name
            by_key[district_id] = district_id
        regions = {normalise_name(parent): parent for *_, parent in rows if parent}
        return cls(by_key, regions, ambiguous)

    def resolve(self, references: pd.Series) -> pd.Series:
        """District id for each reference (id, name or alias), or None."""
        # Normalise each distinct reference once: there are few districts, but many rows.
        distinct = pd.unique(references.dropna())
        table = {ref: self.by_key.get(ref) or self.by_key.get(normalise_name(ref)) for ref in distinct}
        return references.map(table).astype(object).where(references.notna(), None)

    def describe_failure(self, reference: str) -> str:
        if normalise_name(reference) in self.ambiguous:
            return f"district {reference!r} is ambiguous (several districts have that name): use the id"
        return f"unknown district {reference!r} (not an id, name or alias of any ingested district)"


def load_locator(session: Session) -> DistrictLocator:
    rows = session.execute(select(District.id, District.geometry)).all()
    return DistrictLocator([r.id for r in rows], [shape(json.loads(r.geometry)) for r in rows])
