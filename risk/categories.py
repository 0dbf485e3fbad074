"""The event vocabulary every later layer counts with, and how each source maps onto it.

Categories
----------
``attack``
    Armed-group violence against state forces, peacekeepers or civilians, and
    violence against civilians by anyone: UCDP one-sided violence (type 3);
    ACLED *Violence against civilians* and *Explosions/Remote violence*.
``clash``
    Fighting between non-state armed groups: UCDP non-state conflict (type 2);
    ACLED *Battles* in which neither actor is a state force or an external
    (e.g. peacekeeping) force.
``state_fighting``
    Fighting in which the state (or an external force on its side) is a party:
    UCDP state-based conflict (type 1); ACLED *Battles* with a state or external
    force among the actors.
``unrest``
    Riots and protests (ACLED *Riots*, *Protests*): kept, but not counted as
    political violence by armed actors.
``other``
    Everything else kept for context (ACLED *Strategic developments*).

Only :data:`VIOLENT` categories count as violence for features and targets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ATTACK = "attack"
CLASH = "clash"
STATE_FIGHTING = "state_fighting"
UNREST = "unrest"
OTHER = "other"

CATEGORIES: tuple[str, ...] = (ATTACK, CLASH, STATE_FIGHTING, UNREST, OTHER)
VIOLENT: frozenset[str] = frozenset({ATTACK, CLASH, STATE_FIGHTING})

#: UCDP GED ``type_of_violence`` code -> category.
UCDP_TYPE_OF_VIOLENCE: dict[int, str] = {1: STATE_FIGHTING, 2: CLASH, 3: ATTACK}

#: ACLED ``event_type`` (casefolded) -> category; *Battles* are refined by the actors.
ACLED_EVENT_TYPE: dict[str, str] = {
    "battles": CLASH,
    "violence against civilians": ATTACK,
    "explosions/remote violence": ATTACK,
    "riots": UNREST,
    "protests": UNREST,
    "strategic developments": OTHER,
}

#: ACLED ``inter1``/``inter2`` values meaning a state or external force, as the older
#: numeric codes (1 state forces, 8 external/other forces) and the newer text labels.
ACLED_STATE_OR_EXTERNAL: frozenset[str] = frozenset(
    {"1", "8", "state forces", "external/other forces", "external forces"}
)


def acled_categories(event_type: pd.Series, inter1: pd.Series, inter2: pd.Series) -> pd.Series:
    """Map ACLED rows to categories; unknown event types give missing values (the caller rejects them)."""
    kind = event_type.str.strip().str.casefold().map(ACLED_EVENT_TYPE)
    state_side = _is_state_or_external(inter1) | _is_state_or_external(inter2)
    battles_with_state = (kind == CLASH) & state_side
    return kind.mask(battles_with_state, STATE_FIGHTING)


def _is_state_or_external(inter: pd.Series) -> pd.Series:
    codes = inter.fillna("").astype(str).str.strip().str.casefold()
    codes = codes.str.replace(r"\.0$", "", regex=True)
    return codes.isin(ACLED_STATE_OR_EXTERNAL)


def is_violent(category: pd.Series | np.ndarray) -> np.ndarray:
    """Boolean mask of categories that count as violence."""
    return np.isin(np.asarray(category, dtype=object), list(VIOLENT))
