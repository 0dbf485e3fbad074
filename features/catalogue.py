"""The feature catalogue: a stable name, family, unit and plain-language sentence for every feature.

Explanations speak through this catalogue, so a planner reads "7 attacks in the last 3
months" instead of ``attacks_count_3 = 7``.  :func:`build_catalogue` lists exactly the
features :func:`features.panel.build_panel` makes for a spec (a test checks this).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass

from features.context import NEIGHBOUR_SOURCES, REGION_WINDOW
from features.spec import PanelSpec

FAMILIES = ("attacks", "clashes", "presence", "agreement", "neighbours", "context")


@dataclass(frozen=True)
class FeatureInfo:
    name: str
    family: str
    unit: str
    template: str  # str.format with {value} and {s} (plural ending); see sentence()
    missing: str = "not known"
    template_one: str = ""  # for a value of exactly 1, when the plural is irregular

    def sentence(self, value: float) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self.missing
        if value == 1 and self.template_one:
            return self.template_one.format(value=value)
        return self.template.format(value=value, s="" if value == 1 else "s")

    def to_dict(self) -> dict:
        return asdict(self)


_NOUNS = {  # kind: (singular, plural, family)
    "attacks": ("attack", "attacks", "attacks"),
    "clashes": ("armed-group clash", "armed-group clashes", "clashes"),
    "state_fighting": ("fight involving state forces", "fights involving state forces", "presence"),
}


def _span(w: int, unit: str) -> str:
    return f"this {unit}" if w == 1 else f"the last {w} {unit}s"


def _event_entries(spec: PanelSpec) -> list[FeatureInfo]:
    u, out = spec.unit, []
    for kind, (one, many, family) in _NOUNS.items():
        for w in spec.windows:
            span = _span(w, u)
            out.append(
                FeatureInfo(
                    f"{kind}_count_{w}",
                    family,
                    "events",
                    f"{{value:.0f}} {many} recorded in {span}",
                    template_one=f"1 {one} recorded in {span}",
                )
            )
            if kind != "state_fighting":
                out.append(
                    FeatureInfo(
                        f"{kind}_deaths_{w}",
                        family,
                        "deaths",
                        f"{{value:.0f}} death{{s}} in {many} in {span}",
                    )
                )
        out.append(
            FeatureInfo(
                f"{kind}_decay",
                family,
                "events (decayed)",
                f"recent {many} weigh {{value:.1f}} (each halves in weight every {spec.half_life:g} {u}s)",
            )
        )
        out.append(
            FeatureInfo(
                f"{kind}_since",
                family,
                f"{u}s",
                f"{{value:.0f}} {u}{{s}} since the last {one}",
                missing=f"no {one} recorded so far",
            )
        )
    for w in spec.windows:
        out.append(
            FeatureInfo(
                f"civilian_deaths_{w}",
                "attacks",
                "deaths",
                f"{{value:.0f}} civilian death{{s}} in {_span(w, u)}",
            )
        )
    out.append(
        FeatureInfo(
            f"armed_groups_{spec.group_window}",
            "clashes",
            "groups",
            f"{{value:.0f}} distinct armed group{{s}} active in {_span(spec.group_window, u)}",
        )
    )
    return out


def _presence_entries(spec: PanelSpec, indicators: list[str]) -> list[FeatureInfo]:
    u, out = spec.unit, []
    for slug in indicators:
        label = slug.replace("_", " ")
        out += [
            FeatureInfo(
                f"presence_{slug}",
                "presence",
                slug,
                f"{label}: {{value:g}} at the last observation",
                missing=f"{label} never observed here",
            ),
            FeatureInfo(
                f"presence_{slug}_age",
                "presence",
                f"{u}s",
                f"{label} last observed {{value:.0f}} {u}{{s}} ago",
                missing=f"{label} never observed here",
            ),
            FeatureInfo(
                f"nb_presence_{slug}",
                "presence",
                slug,
                f"{label} in neighbouring districts: {{value:g}} in all",
                missing=f"{label} not observed next door",
            ),
        ]
    return out


def _agreement_entries(spec: PanelSpec) -> list[FeatureInfo]:
    u = spec.unit
    return [
        FeatureInfo(
            "provisions_overdue", "agreement", "provisions", "{value:.0f} agreement provision{s} overdue here"
        ),
        FeatureInfo("provisions_days_overdue", "agreement", "days", "{value:.0f} days overdue in all"),
        FeatureInfo(
            "provisions_mean_days_overdue",
            "agreement",
            "days",
            "overdue provisions are {value:.0f} days late on average",
            missing="no provision overdue",
        ),
        FeatureInfo(
            "provisions_on_time_share",
            "agreement",
            "share",
            "{value:.0%} of provisions due so far were completed on time",
            missing="no provision due yet",
        ),
        FeatureInfo(
            "provisions_since_completion",
            "agreement",
            f"{u}s",
            f"{{value:.0f}} {u}{{s}} since a provision covering this district was completed",
            missing="no provision covering this district completed yet",
        ),
    ]


def _context_entries(spec: PanelSpec) -> list[FeatureInfo]:
    u, out = spec.unit, []
    for source in NEIGHBOUR_SOURCES:
        for w in spec.windows if "{w}" in source else (None,):
            name = source.format(w=w)
            one, many, _ = _NOUNS["attacks" if name.startswith("attacks") else "clashes"]
            if name.endswith("decay"):
                out.append(
                    FeatureInfo(
                        f"nb_{name}",
                        "neighbours",
                        "events",
                        f"recent {many} in neighbouring districts weigh {{value:.1f}}",
                    )
                )
            else:
                span = _span(w, u)
                out.append(
                    FeatureInfo(
                        f"nb_{name}",
                        "neighbours",
                        "events",
                        f"{{value:.0f}} {many} in neighbouring districts in {span}",
                        template_one=f"1 {one} in neighbouring districts in {span}",
                    )
                )
    out += [
        FeatureInfo(
            f"region_unplaced_{REGION_WINDOW}",
            "neighbours",
            "events",
            f"{{value:.0f}} violent event{{s}} in the region in {_span(REGION_WINDOW, u)} "
            "that could not be placed in a district",
        ),
        FeatureInfo("month_of_year", "context", "month", "the period falls in month {value:.0f} of the year"),
        FeatureInfo(
            "longrun_violence_rate",
            "context",
            "share",
            f"fatal violence in {{value:.0%}} of {u}s on record here",
        ),
    ]
    return out


def build_catalogue(spec: PanelSpec, presence_indicators: list[str]) -> list[FeatureInfo]:
    """Every feature of a panel built with ``spec`` and these presence indicators, in column order."""
    return (
        _event_entries(spec)
        + _presence_entries(spec, presence_indicators)
        + _agreement_entries(spec)
        + _context_entries(spec)
    )


def catalogue_digest(catalogue: list[FeatureInfo]) -> str:
    """A short hash of a catalogue (names, families, sentences): models record what they saw."""
    payload = json.dumps([f.to_dict() for f in catalogue], sort_keys=True).encode()
    return hashlib.sha256(payload).hexdigest()[:16]
