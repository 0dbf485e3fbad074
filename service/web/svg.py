"""SVG drawn on the server: the district map and the two charts of the district view.

No tile server and no front-end library: district polygons are projected (equirectangular, scaled by
the cosine of the mean latitude), simplified, and written as ``<path>`` elements that the page's
own script makes interactive.
"""

from __future__ import annotations

import html
import math

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

WIDTH = 800
#: Colours of the risk bands, light to dark (the map's legend).
BAND_COLOURS = {"low": "#fef0d9", "elevated": "#fdcc8a", "high": "#fc8d59", "very high": "#d7301f"}


def _rings(geometry: BaseGeometry):
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        if polygon.geom_type != "Polygon":
            continue
        yield np.asarray(polygon.exterior.coords)
        for hole in polygon.interiors:
            yield np.asarray(hole.coords)


class MapProjection:
    """Fits all districts into WIDTH pixels; returns SVG path data per district."""

    def __init__(self, geometries: list[BaseGeometry]) -> None:
        minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(geometries, dtype=object))
        self.kx = math.cos(math.radians((miny + maxy) / 2))
        self.minx, self.maxy = minx, maxy
        self.scale = WIDTH / ((maxx - minx) * self.kx)
        self.height = math.ceil((maxy - miny) * self.scale)
        self.tolerance = 1.0 / self.scale  # one pixel

    def path(self, geometry: BaseGeometry) -> str:
        simple = shapely.simplify(geometry, self.tolerance, preserve_topology=True)
        parts = []
        for ring in _rings(simple):
            x = (ring[:, 0] - self.minx) * self.kx * self.scale
            y = (self.maxy - ring[:, 1]) * self.scale
            points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y, strict=True))
            parts.append(f"M{points}Z")
        return "".join(parts)


def district_map(
    paths: dict[str, str], names: dict[str, str], scores: dict[str, tuple[float, str]], height: int
) -> str:
    """The map: one ``<path class="district">`` per district, filled by band, with data for the script."""
    shapes = []
    for district_id, d in paths.items():
        probability, band = scores.get(district_id, (float("nan"), "unknown"))
        label = f"{names.get(district_id, district_id)}: " + (
            "no score" if math.isnan(probability) else f"{probability:.0%} ({band})"
        )
        shapes.append(
            f'<path class="district" tabindex="0" role="button" d="{d}" fill="{BAND_COLOURS.get(band, "#ccc")}" '
            f'data-id="{html.escape(district_id)}" data-name="{html.escape(names.get(district_id, district_id))}" '
            f'data-probability="{"" if math.isnan(probability) else round(probability, 4)}" data-band="{band}">'
            f"<title>{html.escape(label)}</title></path>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" class="map" role="img" '
        f'aria-label="Districts coloured by risk">{"".join(shapes)}</svg>'
    )


def history_chart(periods: list[str], probability: list[float], violence: list[float | None]) -> str:
    """The score over time (line) against observed fatal violence (bars under it)."""
    w, h, pad = 640, 200, 30
    n = max(len(periods), 2)
    xs = [pad + i * (w - 2 * pad) / (n - 1) for i in range(len(periods))]
    line = " ".join(
        f"{x:.1f},{h - pad - p * (h - 2 * pad):.1f}" for x, p in zip(xs, probability, strict=True)
    )
    bars = "".join(
        f'<rect x="{x - 1:.1f}" y="{h - pad - 8}" width="2" height="8" fill="#d7301f"/>'
        for x, v in zip(xs, violence, strict=True)
        if v == 1
    )
    ticks = "".join(
        f'<text x="{xs[i]:.1f}" y="{h - 8}" font-size="10" text-anchor="middle">{periods[i][:4]}</text>'
        for i in range(0, len(periods), max(len(periods) // 6, 1))
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="chart" role="img" '
        f'aria-label="Risk over time against observed violence">'
        f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#888"/>'
        f'<text x="{pad}" y="{pad - 10}" font-size="11">probability (line); fatal violence that followed (red)</text>'
        f'<polyline fill="none" stroke="#2c3e50" stroke-width="1.5" points="{line}"/>{bars}{ticks}</svg>'
    )


def drivers_chart(drivers: list[dict]) -> str:
    """The explanation: one bar per driver, right raises the risk, left lowers it, with its sentence."""
    w, row, mid = 640, 34, 320
    biggest = max((abs(d["contribution"]) for d in drivers), default=1) or 1
    parts = []
    for i, d in enumerate(drivers):
        length = abs(d["contribution"]) / biggest * (mid - 20)
        x = mid if d["contribution"] >= 0 else mid - length
        colour = "#d7301f" if d["contribution"] >= 0 else "#2c7bb6"
        y = i * row
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 4}" width="{length:.1f}" height="12" fill="{colour}"/>'
            f'<text x="4" y="{y + 30}" font-size="11">{html.escape(d["sentence"])} '
            f"({d['direction']} risk, {d['family']})</text>"
        )
    height = max(len(drivers), 1) * row + 4
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {height}" class="chart drivers" role="img" '
        f'aria-label="What drives this score"><line x1="{mid}" y1="0" x2="{mid}" y2="{height}" stroke="#888"/>'
        f"{''.join(parts)}</svg>"
    )
