"""District geometry: adjacency and the one home for assigning events to districts.

Assignment rule (used by every ingest path and by re-assignment after new
boundaries arrive):

* an event whose location is vaguer than a district (``location_precision`` >=
  :data:`MAX_ASSIGNABLE_PRECISION` + 1, i.e. UCDP ``where_prec`` >= 4, ACLED
  ``geo_precision`` 3) is stored but assigned to no district (``imprecise``);
* otherwise the district whose polygon covers the point (a point on a shared
  border goes to the district with the smallest id, so the result never depends on
  input order); a point inside no polygon is ``outside``.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

#: Locations at or below this precision (UCDP where_prec scale) can be placed in a district.
MAX_ASSIGNABLE_PRECISION = 3

ASSIGNED = "assigned"
IMPRECISE = "imprecise"
OUTSIDE = "outside"
NO_DISTRICTS = "no_districts"

#: Two districts are neighbours when their borders run together for more than this (km).
MIN_SHARED_BORDER_KM = 0.05
_KM_PER_DEGREE = 111.32
_SNAP_DEGREES = 1e-5  # tolerance for simplified boundaries that do not meet exactly


def normalise_name(name: str) -> str:
    """Casefold, strip accents and unify punctuation, for matching names across sources."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    for ch in "-_'’`.":
        text = text.replace(ch, " ")
    return " ".join(text.split())


def parse_geometry(geojson: str | dict) -> BaseGeometry:
    data = json.loads(geojson) if isinstance(geojson, str) else geojson
    return shape(data)


def adjacency(ids: list[str], geometries: list[BaseGeometry]) -> pd.DataFrame:
    """Pairs of districts sharing a border, both directions, with the shared length in km.

    Polygons that only touch at a point are not neighbours (rook contiguity).
    """
    geoms = np.asarray(geometries, dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=_SNAP_DEGREES)
    keep = left < right
    left, right = left[keep], right[keep]
    columns = ["district_id", "neighbour_id", "shared_border_km"]
    if len(left) == 0:
        return pd.DataFrame(columns=columns)
    shared = shapely.intersection(shapely.boundary(geoms[left]), shapely.buffer(geoms[right], _SNAP_DEGREES))
    mean_lat = np.radians(shapely.get_y(shapely.centroid(geoms[left])).astype(float))
    # Degrees to km: a rough, latitude-aware scale is enough to tell a border from a point.
    km = shapely.length(shared) * _KM_PER_DEGREE * (1 + np.cos(mean_lat)) / 2
    ok = km > MIN_SHARED_BORDER_KM
    ids_arr = np.asarray(ids, dtype=object)
    a, b, km = ids_arr[left[ok]], ids_arr[right[ok]], np.round(km[ok], 3)
    pairs = pd.DataFrame(
        {"district_id": np.r_[a, b], "neighbour_id": np.r_[b, a], "shared_border_km": np.r_[km, km]}
    )
    return pairs.sort_values(["district_id", "neighbour_id"], ignore_index=True)


@dataclass
class Assignment:
    district_id: pd.Series  # object dtype, None where unassigned
    status: pd.Series  # ASSIGNED | IMPRECISE | OUTSIDE | NO_DISTRICTS


class DistrictLocator:
    """Point-in-polygon lookup of districts, vectorised with an STRtree."""

    def __init__(self, ids: list[str], geometries: list[BaseGeometry]) -> None:
        order = np.argsort(np.asarray(ids, dtype=object))
        self.ids_ = np.asarray(ids, dtype=object)[order]
        self.geometries_ = np.asarray(geometries, dtype=object)[order]
        self.tree_ = shapely.STRtree(self.geometries_) if len(ids) else None

    def locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Id of the district covering each point (None outside all), whatever its precision.

        Only for coarse context (which region a vague event is in); events are placed with
        :meth:`assign`.
        """
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        out = np.full(len(lon), None, dtype=object)
        ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
        if self.tree_ is None or not len(ok):
            return out
        point_idx, poly_idx = self.tree_.query(shapely.points(lon[ok], lat[ok]), predicate="intersects")
        hits = pd.DataFrame({"p": point_idx, "g": poly_idx}).groupby("p")["g"].min()
        out[ok[hits.index.to_numpy()]] = self.ids_[hits.to_numpy()]
        return out

    def assign(self, lon: pd.Series, lat: pd.Series, precision: pd.Series) -> Assignment:
        """Apply the assignment rule to arrays of coordinates and location precisions."""
        index = lon.index
        n = len(lon)
        district = np.full(n, None, dtype=object)
        status = np.full(n, NO_DISTRICTS if self.tree_ is None else OUTSIDE, dtype=object)
        lon_a, lat_a = lon.to_numpy(dtype=float), lat.to_numpy(dtype=float)
        precise = precision.to_numpy(dtype=float) <= MAX_ASSIGNABLE_PRECISION
        has_point = np.isfinite(lon_a) & np.isfinite(lat_a)
        status[~precise] = IMPRECISE
        candidates = np.flatnonzero(precise & has_point)
        if len(candidates):
            found = self.locate(lon_a[candidates], lat_a[candidates])
            hit = found != None  # noqa: E711 - elementwise on an object array
            district[candidates[hit]] = found[hit]
            status[candidates[hit]] = ASSIGNED
        return Assignment(pd.Series(district, index=index), pd.Series(status, index=index))
