"""Alert conditions as small strategy objects: given what is seen now and before, fire or not.

Each returns a :class:`Decision`.  Cooldown is applied by the evaluator, the same for all.
"""

from __future__ import annotations

from dataclasses import dataclass

BAND_ORDER = ("low", "elevated", "high", "very high")


@dataclass(frozen=True)
class Seen:
    probability: float
    band: str
    previous_probability: float | None
    previous_band: str | None
    armed: bool


@dataclass(frozen=True)
class Decision:
    fire: bool
    armed: bool


class Threshold:
    """Fires when the probability reaches ``threshold`` while armed; re-arms only after it falls below
    ``threshold - margin`` (hysteresis), so a score hovering at the line alerts once."""

    def __init__(self, threshold: float, margin: float = 0.05) -> None:
        if not 0 < threshold <= 1 or not 0 <= margin < threshold:
            raise ValueError(
                f"threshold must be in (0, 1] and margin in [0, threshold); got {threshold}, {margin}"
            )
        self.threshold, self.margin = threshold, margin

    def decide(self, seen: Seen) -> Decision:
        if seen.armed and seen.probability >= self.threshold:
            return Decision(fire=True, armed=False)
        rearm = seen.armed or seen.probability < self.threshold - self.margin
        return Decision(fire=False, armed=rearm)


class BandRise:
    """Fires when the band is higher than at the previous scoring (first scoring: higher than ``low``)."""

    def decide(self, seen: Seen) -> Decision:
        before = BAND_ORDER.index(seen.previous_band) if seen.previous_band in BAND_ORDER else 0
        return Decision(fire=BAND_ORDER.index(seen.band) > before, armed=True)


class Jump:
    """Fires when the probability rose by at least ``delta`` since the previous scoring."""

    def __init__(self, delta: float) -> None:
        if not 0 < delta <= 1:
            raise ValueError(f"delta must be in (0, 1]; got {delta}")
        self.delta = delta

    def decide(self, seen: Seen) -> Decision:
        rose = (
            seen.previous_probability is not None
            and seen.probability - seen.previous_probability >= self.delta
        )
        return Decision(fire=rose, armed=True)


def condition_for(kind: str, threshold: float | None, margin: float, delta: float | None):
    if kind == "threshold":
        if threshold is None:
            raise ValueError("a threshold rule needs --threshold")
        return Threshold(threshold, margin)
    if kind == "band":
        return BandRise()
    if kind == "jump":
        if delta is None:
            raise ValueError("a jump rule needs --delta")
        return Jump(delta)
    raise ValueError(f"unknown condition {kind!r}; expected threshold, band or jump")
