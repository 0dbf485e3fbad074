"""The same store and ingest on PostgreSQL (``postgresql+psycopg://``)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from risk.ingest import ingest_file
from risk.store import open_store
from risk.store.schema import Event, Neighbour
from tests.risk.ingest.factories import ged_csv, ged_row, write

SQUARE = '{"type":"Polygon","coordinates":[[[18,4],[19,4],[19,5],[18,5],[18,4]]]}'


@pytest.mark.postgres
def test_ingest_and_reingest_on_postgres(postgres_url, tmp_path):
    store = open_store(postgres_url)
    try:
        geojson = (
            '{"type":"FeatureCollection","features":[{"type":"Feature",'
            f'"properties":{{"shapeID":"B1","shapeName":"Bangui"}},"geometry":{SQUARE}}}]}}'
        )
        ingest_file(store, "districts", write(tmp_path, "d.geojson", geojson))
        path = write(tmp_path, "ged.csv", ged_csv([ged_row(1), ged_row(2), ged_row(3, best="-1")]))
        report = ingest_file(store, "ucdp", path)
        assert (report.accepted, report.rejected, report.assigned) == (2, 1, 2)
        forced = ingest_file(store, "ucdp", path, force=True)
        assert (forced.accepted, forced.duplicate) == (0, 2)
        with store.session() as session:
            assert session.scalar(select(func.count()).select_from(Event)) == 2
            assert session.scalar(select(func.count()).select_from(Neighbour)) == 0
    finally:
        store.dispose()
