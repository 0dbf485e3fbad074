"""District boundaries from GeoJSON: geoBoundaries and OCHA COD files work with no options.

The district id is the file's id field (geoBoundaries ``shapeID``, COD
``ADM2_PCODE``).  Features are numbered from 1 in the order of the file, and a
rejected feature is reported as that "row".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping, shape

from risk.geo import DistrictLocator
from risk.ingest.errors import IngestError
from risk.ingest.parsed import Parsed
from risk.ingest.readers import decode, read_bytes


@dataclass(frozen=True)
class FieldMap:
    """Which feature properties hold the id, name, parent (admin-1) name and country."""

    id: str
    name: str
    parent: str | None = None
    country: str | None = None


GEOBOUNDARIES = FieldMap(id="shapeID", name="shapeName", parent="adm1_name", country="shapeGroup")
OCHA_COD_EN = FieldMap(id="ADM2_PCODE", name="ADM2_EN", parent="ADM1_EN", country="ADM0_EN")
OCHA_COD_FR = FieldMap(id="ADM2_PCODE", name="ADM2_FR", parent="ADM1_FR", country="ADM0_FR")
KNOWN_LAYOUTS = (GEOBOUNDARIES, OCHA_COD_EN, OCHA_COD_FR)


def _detect(properties: list[str], file: str, override: FieldMap | None) -> FieldMap:
    if override is not None:
        missing = [f for f in (override.id, override.name) if f not in properties]
        if missing:
            raise IngestError(
                file, f"no such property: {', '.join(missing)}; features have {', '.join(properties)}"
            )
        return override
    for layout in KNOWN_LAYOUTS:
        if layout.id in properties and layout.name in properties:
            return FieldMap(
                layout.id,
                layout.name,
                layout.parent if layout.parent in properties else None,
                layout.country if layout.country in properties else None,
            )
    raise IngestError(
        file,
        "cannot tell which properties hold the district id and name (not a geoBoundaries or OCHA COD file); "
        f"pass --id-field and --name-field; features have {', '.join(properties)}",
    )


def parse(
    path: Path,
    *,
    encoding: str | None = None,
    fields: FieldMap | None = None,
    parents: Path | None = None,
) -> Parsed:
    file = str(path)
    try:
        data = json.loads(decode(read_bytes(path, member_suffix="json"), file, encoding))
    except json.JSONDecodeError as exc:
        raise IngestError(file, f"not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise IngestError(file, "not a GeoJSON FeatureCollection with features")
    props = pd.DataFrame([f.get("properties") or {} for f in features])
    fieldmap = _detect(list(props.columns), file, fields)
    rows = np.arange(1, len(features) + 1)
    problems: list[tuple[int, str, str]] = []
    geoms = []
    for i, feature in enumerate(features):  # one loop over districts (tens to hundreds), not events
        try:
            geom = shape(feature.get("geometry") or {})
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            problems.append((i + 1, "geometry", f"unreadable geometry: {exc}"))
            geoms.append(None)
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append((i + 1, "geometry", f"expected a Polygon or MultiPolygon, got {geom.geom_type}"))
            geoms.append(None)
            continue
        geoms.append(geom if geom.is_valid else shapely.make_valid(geom))
    ids = props[fieldmap.id].astype("string").str.strip()
    names = props[fieldmap.name].astype("string").str.strip()
    bad = np.zeros(len(features), dtype=bool)
    for row, _, _ in problems:
        bad[row - 1] = True
    for mask, field, reason in (
        (ids.isna() | (ids == ""), fieldmap.id, "district id is missing"),
        (names.isna() | (names == ""), fieldmap.name, "district name is missing"),
        (ids.duplicated(keep="first") & ids.notna(), fieldmap.id, "duplicate district id in the file"),
    ):
        hit = mask.fillna(False).to_numpy() & ~bad
        problems.extend((int(r), field, reason) for r in rows[hit])
        bad |= hit
    good = ~bad
    good_geoms = [g for g, ok in zip(geoms, good, strict=True) if ok]
    parent = (
        props[fieldmap.parent].astype("string") if fieldmap.parent else pd.Series(pd.NA, index=props.index)
    )
    if parents is not None:
        parent = pd.Series(pd.NA, index=props.index, dtype="string")
        parent[good] = _parents_from(parents, good_geoms)
    country = (
        props[fieldmap.country].astype("string") if fieldmap.country else pd.Series(pd.NA, index=props.index)
    )
    aliases = props["aliases"] if "aliases" in props else pd.Series([[]] * len(props))
    centroids = [g.representative_point() for g in good_geoms]
    records = pd.DataFrame(
        {
            "row": rows[good],
            "id": ids[good].to_numpy(),
            "name": names[good].to_numpy(),
            "parent": parent[good].to_numpy(),
            "country": country[good].to_numpy(),
            "centroid_lon": [round(p.x, 6) for p in centroids],
            "centroid_lat": [round(p.y, 6) for p in centroids],
            "geometry": [json.dumps(mapping(g)) for g in good_geoms],
            "aliases": [_alias_list(a) for a in aliases[good]],
        }
    ).replace({pd.NA: None})
    problem_frame = pd.DataFrame(problems, columns=["row", "field", "reason"])
    problem_frame["raw"] = [
        json.dumps(features[r - 1].get("properties"), ensure_ascii=False) for r in problem_frame["row"]
    ]
    return Parsed(
        file=file,
        read=len(features),
        records=records,
        problems=problem_frame.sort_values("row"),
        notes={"fields": fieldmap.__dict__},
    )


def _alias_list(value) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str) and value.strip():
        return [v.strip() for v in value.split(";") if v.strip()]
    return []


def _parents_from(path: Path, geoms: list) -> list[str | None]:
    """Admin-1 name for each district: the admin-1 polygon holding its representative point."""
    parsed = parse(path)
    locator = DistrictLocator(
        list(parsed.records["name"]), [shape(json.loads(g)) for g in parsed.records["geometry"]]
    )
    points = [g.representative_point() for g in geoms]
    lon = pd.Series([p.x for p in points])
    lat = pd.Series([p.y for p in points])
    return list(locator.assign(lon, lat, pd.Series(1, index=lon.index)).district_id)
