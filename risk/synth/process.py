"""The stated violence process of the synthetic scenario (see ``docs/synthetic.md``).

Month by month, each district's expected number of events of each kind is

    log rate = base + self-excitation (own events last month and decayed history)
             + neighbour excitation + clash spill-over - presence effect
             + overdue-provision effect + seasonal wave,

and counts are Poisson draws.  The coefficients below are the ground truth the
tests check the features and models against: their signs are published in
``scenario.json``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Effects:
    """Coefficients on the log rate (per month).  Signs are the documented ground truth."""

    own_attacks_last_month: float = 0.35
    own_attacks_decayed: float = 0.25
    neighbour_attacks_last_month: float = 0.20
    clashes_last_3_months: float = 0.30
    state_presence: float = -1.6
    overdue_provisions: float = 0.5
    season_amplitude: float = 0.35
    season_peak_month: int = 3  # dry-season peak in March
    decay_half_life_months: float = 4.0

    def signs(self) -> dict[str, str]:
        return {
            k: ("+" if v > 0 else "-")
            for k, v in asdict(self).items()
            if k not in ("season_peak_month", "decay_half_life_months", "season_amplitude")
        }


@dataclass
class Simulation:
    months: pd.PeriodIndex
    attacks: np.ndarray  # (months, districts) counts
    clashes: np.ndarray
    state_fighting: np.ndarray
    presence: np.ndarray  # (months, districts) true presence index in [0, 1]
    overdue: np.ndarray  # (months, districts) overdue provisions covering the district


def presence_paths(
    rng: np.random.Generator, n_months: int, n_districts: int, capital_like: np.ndarray
) -> np.ndarray:
    """State presence in [0, 1]: high near the capital, drifting, with occasional withdrawals."""
    start = np.clip(rng.beta(2, 3, n_districts) + 0.45 * capital_like, 0.02, 0.98)
    logit = np.log(start / (1 - start))
    steps = rng.normal(0, 0.12, (n_months, n_districts))
    shocks = (rng.random((n_months, n_districts)) < 0.01) * rng.normal(-1.2, 0.4, (n_months, n_districts))
    path = logit + np.cumsum(steps + shocks, axis=0)
    return 1 / (1 + np.exp(-path))


def simulate(
    rng: np.random.Generator,
    months: pd.PeriodIndex,
    neighbours: np.ndarray,
    region_risk: np.ndarray,
    presence: np.ndarray,
    overdue: np.ndarray,
    effects: Effects,
) -> Simulation:
    """Draw monthly counts per district; one step per month, vectorised over districts."""
    n_months, n = len(months), neighbours.shape[0]
    base_attack = -2.9 + region_risk + rng.normal(0, 0.35, n)
    base_clash = -3.5 + 0.8 * region_risk + rng.normal(0, 0.35, n)
    base_state = -3.7 + 0.6 * region_risk + rng.normal(0, 0.3, n)
    degree = np.maximum(neighbours.sum(1), 1)
    decay = 0.5 ** (1 / effects.decay_half_life_months)
    attacks = np.zeros((n_months, n), dtype=int)
    clashes = np.zeros((n_months, n), dtype=int)
    state = np.zeros((n_months, n), dtype=int)
    decayed = np.zeros(n)
    for t in range(n_months):
        last_a = attacks[t - 1] if t else np.zeros(n)
        last_c3 = clashes[max(t - 3, 0) : t].sum(0) if t else np.zeros(n)
        neighbour_a = neighbours @ last_a / degree
        season = effects.season_amplitude * np.cos(
            2 * np.pi * (months[t].month - effects.season_peak_month) / 12
        )
        shared = (
            effects.own_attacks_last_month * np.log1p(last_a)
            + effects.own_attacks_decayed * np.log1p(decayed)
            + effects.neighbour_attacks_last_month * np.log1p(neighbour_a) * 2
            + effects.clashes_last_3_months * np.log1p(last_c3)
            + effects.state_presence * presence[t]
            + effects.overdue_provisions * overdue[t]
            + season
        )
        attacks[t] = rng.poisson(np.minimum(np.exp(base_attack + shared), 12))
        clash_drive = shared - effects.clashes_last_3_months * np.log1p(last_c3) + 0.4 * np.log1p(last_c3)
        clashes[t] = rng.poisson(np.minimum(np.exp(base_clash + clash_drive), 8))
        state[t] = rng.poisson(np.minimum(np.exp(base_state + 0.5 * np.log1p(last_a) + 0.6 * presence[t]), 6))
        decayed = decay * decayed + attacks[t]
    return Simulation(months, attacks, clashes, state, presence, overdue)
