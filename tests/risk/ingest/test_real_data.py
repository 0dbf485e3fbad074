"""Acceptance on the real CAR and Mali data in ../shared/data."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from risk.categories import UCDP_TYPE_OF_VIOLENCE
from risk.ingest import ingest_file
from risk.store.schema import District, Event, IngestRun, Neighbour

pytestmark = pytest.mark.realdata

GED_FILE = "ucdp_ged231_caf_events_1991_2020.csv"


@pytest.fixture
def car_store(store, data_dir):
    ingest_file(store, "districts", data_dir / "caf_adm2_geoboundaries.geojson")
    report = ingest_file(store, "ucdp", data_dir / GED_FILE)
    return store, report


def test_every_car_event_row_is_accounted_for(car_store, data_dir):
    store, report = car_store
    rows_in_file = len(pd.read_csv(data_dir / GED_FILE, dtype=str))
    assert report.read == rows_in_file
    assert report.accepted + report.rejected + report.duplicate == rows_in_file
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == report.accepted


def test_precise_car_events_get_a_district(car_store, data_dir):
    store, _ = car_store
    raw = pd.read_csv(data_dir / GED_FILE, dtype={"id": str})
    precise_ids = set(raw.loc[raw["where_prec"] <= 3, "id"])
    with store.session() as session:
        stored = pd.DataFrame(
            session.execute(select(Event.source_id, Event.district_id, Event.assignment)).all()
        )
    precise = stored[stored["source_id"].isin(precise_ids)]
    share = precise["district_id"].notna().mean()
    assert len(precise) == len(precise_ids)
    assert share >= 0.95, f"only {share:.1%} of precise events were placed in a district"
    vague = stored[~stored["source_id"].isin(precise_ids)]
    assert vague["district_id"].isna().all() and (vague["assignment"] == "imprecise").all()


def test_violence_type_counts_match_the_file(car_store, data_dir):
    store, _ = car_store
    raw = pd.read_csv(data_dir / GED_FILE)
    expected = raw["type_of_violence"].map(UCDP_TYPE_OF_VIOLENCE).value_counts().to_dict()
    with store.session() as session:
        stored = dict(session.execute(select(Event.category, func.count()).group_by(Event.category)).all())
    assert stored == expected


def test_reingesting_the_real_file_adds_nothing(car_store, data_dir):
    store, _ = car_store
    again = ingest_file(store, "ucdp", data_dir / GED_FILE)
    assert again.already_ingested and again.accepted == 0
    forced = ingest_file(store, "ucdp", data_dir / GED_FILE, force=True)
    assert forced.accepted == 0 and forced.duplicate == forced.read
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == again.read
        assert session.scalar(select(func.count()).select_from(IngestRun)) == 3  # districts, first, forced


def test_mali_cercles_give_fifty_districts_with_adjacency(store, data_dir):
    report = ingest_file(store, "districts", data_dir / "mli_adm2_cercles_geoboundaries.geojson")
    assert report.accepted == 50
    with store.session() as session:
        names = dict(session.execute(select(District.id, District.name)).all())
        assert len(names) == 50
        bamako = next(i for i, n in names.items() if n == "Bamako")
        around = {
            names[n]
            for n in session.scalars(select(Neighbour.neighbour_id).where(Neighbour.district_id == bamako))
        }
        assert "Kati" in around
        links = session.execute(select(Neighbour.district_id, Neighbour.neighbour_id)).all()
    assert {(b, a) for a, b in links} == set(links)  # symmetric
    assert all(a != b for a, b in links)
    again = ingest_file(store, "districts", data_dir / "mli_adm2_cercles_geoboundaries.geojson")
    assert again.already_ingested


def test_districts_ingested_after_events_reassign_them(store, data_dir):
    first = ingest_file(store, "ucdp", data_dir / GED_FILE)
    assert first.assigned == 0 and set(first.unassigned_reasons) == {"imprecise", "no_districts"}
    report = ingest_file(store, "districts", data_dir / "caf_adm2_geoboundaries.geojson")
    assert report.extra["events_reassigned"] == first.unassigned_reasons["no_districts"]
    with store.session() as session:
        assert session.scalar(select(func.count()).where(Event.assignment == "no_districts")) == 0


@pytest.mark.parametrize(
    ("kind", "name", "troops"),
    [
        ("geopko", "geopko_minusma_mali_2014_2018.csv", "No.troops"),
        ("radpko", "radpko_minusma_bases_mali_2014_2019.csv", "untrp"),
    ],
)
def test_peacekeeping_deployments_become_presence_by_district(store, data_dir, kind, name, troops):
    from risk.store.schema import PresenceObservation

    ingest_file(store, "districts", data_dir / "mli_adm2_cercles_geoboundaries.geojson")
    report = ingest_file(store, kind, data_dir / name)
    raw = pd.read_csv(data_dir / name)
    assert report.read == len(raw) == report.accepted and report.rejected == 0
    dates = (
        pd.to_datetime(raw[["year", "month"]].assign(day=1))
        if kind == "geopko"
        else pd.to_datetime(raw["date"])
    )
    raw = raw[["gb_adm2_shapeID", troops]].assign(when=dates.dt.date)
    # the file's own point-in-polygon column (gb_adm2_shapeID) is an independent check of ours
    expected = raw.groupby(["gb_adm2_shapeID", "when"])[troops].sum()
    with store.session() as session:
        stored = pd.DataFrame(
            session.execute(
                select(
                    PresenceObservation.district_id, PresenceObservation.date, PresenceObservation.value
                ).where(PresenceObservation.indicator == f"{kind}_troops")
            ).all(),
            columns=["district", "when", "value"],
        )
    observed = stored.set_index(["district", "when"])["value"]
    assert len(observed) == 50 * raw["when"].nunique()  # every cercle on every report date
    pd.testing.assert_series_equal(
        observed.loc[expected.index].astype(float), expected.astype(float), check_names=False, rtol=1e-9
    )
    assert (observed.drop(expected.index) == 0).all()  # no deployment reported: zero, not stale
