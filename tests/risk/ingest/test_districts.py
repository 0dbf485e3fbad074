"""District boundaries: layouts, options, bad features, adjacency, and the transaction rule."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from risk.ingest import IngestError, ingest_file, loaders
from risk.store.schema import District, Event, IngestRun, Neighbour
from tests.risk.ingest.factories import ged_csv, ged_row, write


def _square(x: float, y: float, size: float = 1.0) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _collection(features: list[tuple[dict, dict]]) -> str:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features],
        }
    )


def test_ocha_cod_layout_needs_no_options(store, tmp_path):
    text = _collection(
        [
            (
                {"ADM2_PCODE": "ML0101", "ADM2_FR": "Kayes", "ADM1_FR": "Kayes", "ADM0_FR": "Mali"},
                _square(0, 0),
            ),
            (
                {"ADM2_PCODE": "ML0102", "ADM2_FR": "Bafoulabé", "ADM1_FR": "Kayes", "ADM0_FR": "Mali"},
                _square(1, 0),
            ),
            (
                {"ADM2_PCODE": "ML0103", "ADM2_FR": "Diéma", "ADM1_FR": "Kayes", "ADM0_FR": "Mali"},
                _square(2, 2),
            ),
        ]
    )
    report = ingest_file(store, "districts", write(tmp_path, "cod.geojson", text))
    assert report.accepted == 3 and report.extra["neighbour_pairs"] == 1  # corner contact is no border
    with store.session() as session:
        kayes = session.get(District, "ML0101")
        links = session.execute(select(Neighbour.district_id, Neighbour.neighbour_id)).all()
    assert (kayes.name, kayes.parent, kayes.country) == ("Kayes", "Kayes", "Mali")
    assert sorted(links) == [("ML0101", "ML0102"), ("ML0102", "ML0101")]


def test_other_layouts_take_field_options_and_parents_from_admin1(store, tmp_path):
    text = _collection(
        [({"code": "A", "label": "Alpha"}, _square(0, 0)), ({"code": "B", "label": "Beta"}, _square(1, 0))]
    )
    path = write(tmp_path, "custom.geojson", text)
    with pytest.raises(IngestError, match="pass --id-field and --name-field; features have code, label"):
        ingest_file(store, "districts", path)
    regions = write(
        tmp_path, "adm1.geojson", _collection([({"shapeID": "R1", "shapeName": "West"}, _square(0, 0, 1.2))])
    )
    from risk.ingest.districts import FieldMap

    report = ingest_file(store, "districts", path, fields=FieldMap(id="code", name="label"), parents=regions)
    assert report.accepted == 2
    with store.session() as session:
        assert session.get(District, "A").parent == "West"
        assert session.get(District, "B").parent is None  # its representative point lies outside West


def test_bad_features_are_named_and_good_ones_kept(store, tmp_path):
    line = {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}
    text = _collection(
        [
            ({"shapeID": "G1", "shapeName": "Good"}, _square(0, 0)),
            ({"shapeID": "", "shapeName": "No id"}, _square(1, 0)),
            ({"shapeID": "G3", "shapeName": "Line"}, line),
            ({"shapeID": "G1", "shapeName": "Again"}, _square(3, 0)),
        ]
    )
    report = ingest_file(store, "districts", write(tmp_path, "b.geojson", text))
    assert (report.accepted, report.rejected) == (1, 3)
    assert [(p["row"], p["field"]) for p in report.problems] == [
        (2, "shapeID"),
        (3, "geometry"),
        (4, "shapeID"),
    ]
    assert "duplicate district id" in report.problems[2]["reason"]


def test_not_geojson_is_a_named_error(store, tmp_path):
    with pytest.raises(IngestError, match="not valid JSON"):
        ingest_file(store, "districts", write(tmp_path, "x.geojson", "{oops"))


def test_a_failure_mid_load_leaves_the_store_untouched(store, tmp_path, monkeypatch):
    path = write(tmp_path, "ged.csv", ged_csv([ged_row(1), ged_row(2)]))

    def explode(session):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loaders, "load_locator", explode)  # after dedupe, before insert
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_file(store, "ucdp", path)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 0
        assert session.scalar(select(func.count()).select_from(IngestRun)) == 0
    monkeypatch.undo()
    assert ingest_file(store, "ucdp", path).accepted == 2  # and the same file can then go in
