"""Regular grids as "districts": the same pipeline at PRIO-GRID-like scale.

``make_grid`` covers a bounding box (optionally only where a boundary file has land) with square
cells of ``cell`` degrees, numbered like PRIO-GRID (``gid = row * columns + col + 1``, rows from the
south pole, columns from the antimeridian; at 0.5 degrees these are PRIO-GRID's own ids).  It writes
a geoBoundaries-style GeoJSON, so ``risk ingest districts`` takes it as it takes any boundaries.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape


def make_grid(
    bbox: tuple[float, float, float, float], cell: float, boundary: Path | None = None, clip: bool = False
) -> dict:
    """A FeatureCollection of grid cells over ``bbox`` = (min lon, min lat, max lon, max lat)."""
    minx, miny, maxx, maxy = bbox
    if not (0 < cell <= 10) or minx >= maxx or miny >= maxy:
        raise ValueError(f"need 0 < cell <= 10 and a non-empty box; got cell {cell}, box {bbox}")
    columns = round(360 / cell)
    col = np.arange(np.floor((minx + 180) / cell), np.ceil((maxx + 180) / cell)).astype(int)
    row = np.arange(np.floor((miny + 90) / cell), np.ceil((maxy + 90) / cell)).astype(int)
    cc, rr = np.meshgrid(col, row)
    cc, rr = cc.ravel(), rr.ravel()
    x0, y0 = cc * cell - 180, rr * cell - 90
    cells = shapely.box(x0, y0, x0 + cell, y0 + cell)
    keep = np.ones(len(cells), dtype=bool)
    if boundary is not None:
        data = json.loads(Path(boundary).read_text(encoding="utf-8"))
        land = shapely.union_all([shape(f["geometry"]) for f in data["features"]])
        keep = shapely.intersects(cells, land) & ~shapely.touches(cells, land)
        if clip:
            cells = np.where(keep, shapely.intersection(cells, land), cells)
    gid = rr * columns + cc + 1
    features = [
        {
            "type": "Feature",
            "properties": {"shapeID": f"PG-{g}", "shapeName": f"cell {g}", "row": int(r), "col": int(c)},
            "geometry": mapping(geom),
        }
        for g, r, c, geom, k in zip(gid, rr, cc, cells, keep, strict=True)
        if k  # one entry per cell
    ]
    return {"type": "FeatureCollection", "features": features}
