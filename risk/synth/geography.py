"""A made-up country: district polygons (a relaxed Voronoi tiling) grouped into regions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon
from shapely.geometry.base import BaseGeometry

_SYLLABLES = ("ba", "ko", "ma", "ni", "se", "ga", "ti", "du", "la", "ke", "so", "ra", "fa", "mo", "zi", "we")


@dataclass
class Geography:
    ids: list[str]
    names: list[str]
    regions: list[str]
    polygons: list[BaseGeometry]
    region_names: list[str]


def _outline(rng: np.random.Generator) -> Polygon:
    """A lumpy country outline around (4E, 13N), roughly 8 by 6 degrees."""
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    radius = 1 + 0.12 * rng.standard_normal(24)
    lon = 4 + 4.0 * radius * np.cos(angles)
    lat = 13 + 3.0 * radius * np.sin(angles)
    return Polygon(np.round(np.c_[lon, lat], 4))


def _name(rng: np.random.Generator, taken: set[str]) -> str:
    while True:
        parts = rng.choice(_SYLLABLES, size=rng.integers(2, 4))
        name = "".join(parts).capitalize()
        if name not in taken:
            taken.add(name)
            return name


def _kmeans(points: np.ndarray, k: int, iterations: int = 25) -> np.ndarray:
    """Deterministic k-means (farthest-point start) grouping districts into regions."""
    centres = [points[np.argmin(points[:, 0])]]
    for _ in range(1, k):
        dist = np.min(((points[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
        centres.append(points[np.argmax(dist)])
    centres = np.array(centres)
    for _ in range(iterations):
        labels = np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
        centres = np.array(
            [points[labels == j].mean(0) if (labels == j).any() else centres[j] for j in range(k)]
        )
    return labels


def make_geography(rng: np.random.Generator, n_districts: int = 50, n_regions: int = 8) -> Geography:
    outline = _outline(rng)
    minx, miny, maxx, maxy = outline.bounds
    seeds = np.empty((0, 2))
    while len(seeds) < n_districts:
        cand = np.c_[rng.uniform(minx, maxx, 4 * n_districts), rng.uniform(miny, maxy, 4 * n_districts)]
        inside = shapely.contains_xy(outline, cand[:, 0], cand[:, 1])
        seeds = np.vstack([seeds, cand[inside]])[:n_districts]
    cells: list[BaseGeometry] = []
    for _ in range(4):  # Lloyd relaxation: evenly sized, compact districts
        voronoi = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=outline.buffer(5))
        by_seed = {}
        for cell in voronoi.geoms:
            hit = np.flatnonzero(shapely.contains_xy(cell, seeds[:, 0], seeds[:, 1]))
            by_seed[int(hit[0])] = cell.intersection(outline)
        cells = [by_seed[i] for i in range(len(seeds))]
        seeds = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    cells = [shapely.set_precision(c, 1e-5) for c in cells]
    centroids = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    labels = _kmeans(centroids, n_regions)
    taken: set[str] = set()
    region_names = [_name(rng, taken) for _ in range(n_regions)]
    order = np.lexsort((centroids[:, 0], -centroids[:, 1]))  # number districts north to south
    return Geography(
        ids=[f"SYN-ADM2-{i + 1:03d}" for i in range(len(order))],
        names=[_name(rng, taken) for _ in order],
        regions=[region_names[labels[j]] for j in order],
        polygons=[cells[j] for j in order],
        region_names=region_names,
    )
