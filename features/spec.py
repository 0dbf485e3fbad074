"""What a panel is built with: period length, look-back windows, decay, targets.

All parameters live in :class:`PanelSpec` and are validated in one declarative
place (:data:`_RULES`), in the manner of scikit-learn's parameter constraints.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from risk.categories import CATEGORIES, VIOLENT
from risk.periods import FREQUENCIES

UNIT = {"month": "month", "week": "week"}


@dataclass(frozen=True)
class PanelSpec:
    """Parameters of a district x period panel.

    freq
        Period length: ``"month"`` (default) or ``"week"``.
    windows
        Look-back windows, in periods, for counts and sums (e.g. the last 1, 3, 6, 12 months).
    half_life
        Half-life, in periods, of the exponentially decayed event counts.
    group_window
        Look-back window for "distinct armed groups active".
    horizons
        Target horizons h: ``y_h(t)`` looks at periods t+1 .. t+h.
    target_categories, target_min_deaths
        What counts as violence for the target: an event of these categories with at
        least this many deaths (best estimate).
    """

    freq: str = "month"
    windows: tuple[int, ...] = (1, 3, 6, 12)
    half_life: float = 3.0
    group_window: int = 6
    horizons: tuple[int, ...] = (1, 3)
    target_categories: tuple[str, ...] = tuple(sorted(VIOLENT))
    target_min_deaths: int = 1
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        for name, check, expected in _RULES:
            value = getattr(self, name)
            if not check(value):
                raise ValueError(f"PanelSpec.{name} must be {expected}; got {value!r}")

    @property
    def unit(self) -> str:
        return UNIT[self.freq]

    def digest(self) -> str:
        """A short stable hash of the parameters (for caches and model manifests)."""
        payload = {k: v for k, v in asdict(self).items() if k != "extra"}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _positive_ints(values) -> bool:
    return isinstance(values, tuple) and len(values) > 0 and all(isinstance(v, int) and v > 0 for v in values)


_RULES = (
    ("freq", lambda v: v in FREQUENCIES, f"one of {sorted(FREQUENCIES)}"),
    ("windows", _positive_ints, "a non-empty tuple of positive whole numbers"),
    ("half_life", lambda v: isinstance(v, (int, float)) and v > 0, "a positive number"),
    ("group_window", lambda v: isinstance(v, int) and v > 0, "a positive whole number"),
    ("horizons", _positive_ints, "a non-empty tuple of positive whole numbers"),
    ("target_categories", lambda v: bool(v) and set(v) <= set(CATEGORIES), f"a subset of {CATEGORIES}"),
    ("target_min_deaths", lambda v: isinstance(v, int) and v >= 0, "a whole number >= 0"),
)
