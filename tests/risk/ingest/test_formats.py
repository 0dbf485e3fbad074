"""ACLED layouts and the project's own CSV formats (events, presence, provisions)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from risk.ingest import ingest_file
from risk.store.schema import Event, PresenceObservation, Provision
from tests.risk.ingest.factories import write

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
EAST = {"type": "Polygon", "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]]}
DISTRICTS = (
    '{"type":"FeatureCollection","features":['
    '{"type":"Feature","properties":{"shapeID":"D1","shapeName":"Ségou","adm1_name":"North"},"geometry":%s},'
    '{"type":"Feature","properties":{"shapeID":"D2","shapeName":"Kati","adm1_name":"South"},"geometry":%s}]}'
)


@pytest.fixture
def two_districts(store, tmp_path):
    import json

    ingest_file(
        store, "districts", write(tmp_path, "d.geojson", DISTRICTS % (json.dumps(SQUARE), json.dumps(EAST)))
    )
    return store


ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,"
    "inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,"
    "location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp\n"
)


def _acled(event_id, date, event_type, inter1, inter2, lat, lon, precision, fatalities) -> str:
    return (
        f"{event_id},{date},2022,1,Political violence,{event_type},x,A1,,{inter1},A2,,{inter2},12,,466,"
        f"Western Africa,Mali,Ségou,,,Place,{lat},{lon},{precision},src,National,,{fatalities},,1\n"
    )


def test_acled_current_layout_with_bom_and_categories(two_districts, tmp_path):
    text = (
        "\ufeff"
        + ACLED_HEADER
        + "".join(
            [
                _acled("MLI1", "2022-07-15", "Battles", "State forces", "Rebel group", 0.5, 0.5, 1, 3),
                _acled("MLI2", "15 July 2022", "Battles", "2", "3", 0.5, 1.5, 2, 1),
                _acled("MLI3", "15-Jul-22", "Violence against civilians", "3", "7", 0.5, 0.5, 3, 4),
                _acled("MLI4", "2022-07-16", "Protests", "6", "", 0.5, 0.5, 1, 0),
                _acled("MLI5", "2022-07-16", "Alien landing", "6", "", 0.5, 0.5, 1, 0),
            ]
        )
    )
    report = ingest_file(two_districts, "acled", write(tmp_path, "acled.csv", text))
    assert (report.accepted, report.rejected) == (4, 1)
    assert report.problems[0] == {
        "row": 6,
        "field": "event_type",
        "reason": "unknown ACLED event_type 'Alien landing'",
    }
    with two_districts.session() as session:
        rows = {r.source_id: r for r in session.scalars(select(Event))}
    assert rows["MLI1"].category == "state_fighting" and rows["MLI1"].district_id == "D1"
    assert rows["MLI2"].category == "clash" and rows["MLI2"].district_id == "D2"
    assert rows["MLI3"].category == "attack" and rows["MLI3"].district_id is None  # geo_precision 3
    assert rows["MLI3"].civilian_deaths == 4 and str(rows["MLI3"].date_start) == "2022-07-15"
    assert rows["MLI4"].category == "unrest"


def test_acled_older_layout_skips_the_tag_row(two_districts, tmp_path):
    header = (
        "data_id,iso,event_id_cnty,event_date,event_type,actor1,inter1,actor2,inter2,"
        "latitude,longitude,geo_precision,fatalities\n"
    )
    tags = (
        "#x,#country+code,#event+code,#date,#event+type,#group,#x,#group,#x,"
        "#geo+lat,#geo+lon,#geo+precision,#affected+killed\n"
    )
    row = "1,466,MLI9,2019-03-01,Explosions/Remote violence,JNIM,2,,0,0.5,0.5,1,2\n"
    report = ingest_file(two_districts, "acled", write(tmp_path, "hdx.csv", header + tags + row))
    assert (report.read, report.accepted, report.rejected) == (1, 1, 0)


def test_native_events_by_coordinates_or_district_name(two_districts, tmp_path):
    text = (
        "event_id,date_start,date_end,latitude,longitude,district,category,actor1,fatalities\n"
        "N1,2021-01-05,2021-01-09,0.5,1.5,,attack,Group,2\n"
        "N2,2021-01-05,,,,segou,clash,Group,1\n"
        "N3,2021-01-05,,,,Atlantis,clash,Group,1\n"
        "N4,2021-01-05,,,,,clash,Group,1\n"
        "N5,2021-01-05,,,,Kati,looting,Group,1\n"
    )
    report = ingest_file(two_districts, "events", write(tmp_path, "ev.csv", text))
    assert (report.accepted, report.rejected) == (2, 3)
    problems = {p["row"]: (p["field"], p["reason"]) for p in report.problems}
    assert problems[4] == (
        "district",
        "unknown district 'Atlantis' (not an id, name or alias of any ingested district)",
    )
    assert problems[5][0] == "latitude" and "coordinates or a district" in problems[5][1]
    assert problems[6][0] == "category" and "unknown category 'looting'" in problems[6][1]
    with two_districts.session() as session:
        rows = {r.source_id: r for r in session.scalars(select(Event))}
    assert rows["N1"].district_id == "D2" and str(rows["N1"].date_end) == "2021-01-09"
    assert rows["N2"].district_id == "D1" and rows["N2"].date_end == rows["N2"].date_start


def test_presence_and_provisions(two_districts, tmp_path):
    presence = (
        "district,date,indicator,value,source\n"
        "D1,2020-01-01,security_posts,3,mission\n"
        "Kati,2020-01-01,security_posts,1,mission\n"
        "Nowhere,2020-01-01,security_posts,1,mission\n"
    )
    report = ingest_file(two_districts, "presence", write(tmp_path, "p.csv", presence))
    assert (report.accepted, report.rejected) == (2, 1)
    corrected = presence.replace("Kati,2020-01-01,security_posts,1", "Kati,2020-01-01,security_posts,2")
    again = ingest_file(two_districts, "presence", write(tmp_path, "p2.csv", corrected))
    assert (again.updated, again.duplicate) == (1, 1)
    with two_districts.session() as session:
        assert (
            session.scalar(select(PresenceObservation.value).where(PresenceObservation.district_id == "D2"))
            == 2
        )

    provisions = (
        "provision_id,title,scope,planned_date,completed_date,source\n"
        "P1,Cantonment,national,2016-01-01,,agreement\n"
        "P2,Interim authorities,region:north,2016-06-01,2017-01-01,agreement\n"
        "P3,Local police,districts:D1;Kati,2017-01-01,,agreement\n"
        "P4,Nothing,region:Mars,2017-01-01,,agreement\n"
        "P5,Bad scope,everywhere,2017-01-01,,agreement\n"
    )
    report = ingest_file(two_districts, "provisions", write(tmp_path, "prov.csv", provisions))
    assert (report.accepted, report.rejected) == (3, 2)
    completed = provisions.replace(
        "P1,Cantonment,national,2016-01-01,,", "P1,Cantonment,national,2016-01-01,2018-05-01,"
    )
    later = ingest_file(two_districts, "provisions", write(tmp_path, "prov2.csv", completed))
    assert (later.updated, later.duplicate) == (1, 2)
    with two_districts.session() as session:
        stored = {p.id: p for p in session.scalars(select(Provision))}
    assert stored["P2"].scope_region == "North" and stored["P3"].scope_districts == ["D1", "D2"]
    assert str(stored["P1"].completed_date) == "2018-05-01"
