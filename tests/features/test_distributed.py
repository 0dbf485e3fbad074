"""The Dask engine builds exactly the panel the single process builds, block by block."""

from __future__ import annotations

import pandas as pd
import pytest

from features.cache import cache_key, load_panel
from features.distributed import build_panel_distributed, district_blocks
from features.inputs import load_inputs
from features.panel import build_panel
from features.spec import PanelSpec
from risk.store import open_store
from risk.synth import generate, ingest_scenario
from tests.features.factories import small_inputs


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    home = tmp_path_factory.mktemp("dask-home")
    store = open_store(f"sqlite:///{home / 'risk.sqlite3'}")
    ingest_scenario(store, generate(home / "scenario", seed=3))
    yield home, load_inputs(store)
    store.dispose()


def test_blocks_are_contiguous_even_and_cover_every_district():
    ids = pd.Series([f"D{i:02d}" for i in range(10)])
    blocks = district_blocks(ids, 3)
    assert [len(b) for b in blocks] == [4, 3, 3]
    assert list(pd.Series([i for b in blocks for i in b])) == list(ids)
    assert len(district_blocks(ids, 50)) == 10  # never an empty block


@pytest.mark.parametrize("n_blocks", [1, 6])
def test_one_district_per_block_still_sees_its_neighbours(dask_cluster_client, n_blocks):
    # Six districts in a row with presence, provisions covering a district list and two regions:
    # with one district per block every neighbour and every region count crosses a block edge.
    inputs = small_inputs(seed=4)
    expected = build_panel(inputs).frame
    got = build_panel_distributed(dask_cluster_client, inputs, n_blocks=n_blocks).gather().frame
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.slow
@pytest.mark.parametrize(("n_blocks", "as_of"), [(4, None), (7, "2020-06")])
def test_synthetic_scenario_matches_cell_by_cell(dask_cluster_client, scenario, n_blocks, as_of):
    _, inputs = scenario
    expected = build_panel(inputs, as_of=as_of).frame
    panel = build_panel_distributed(dask_cluster_client, inputs, as_of=as_of, n_blocks=n_blocks)
    pd.testing.assert_frame_equal(panel.gather().frame, expected)
    description = panel.describe()
    assert description["districts"] == expected.index.get_level_values(0).nunique()
    assert description["target_rates"]["y_3"] == pytest.approx(expected["y_3"].mean())


@pytest.mark.slow
def test_cli_build_with_dask_writes_the_cache_entry_the_local_engine_reads(
    dask_cluster_client, scenario, monkeypatch
):
    from click.testing import CliRunner

    from risk.cli import main

    home, inputs = scenario
    monkeypatch.setenv("RISK_HOME", str(home))
    monkeypatch.delenv("RISK_DATABASE_URL", raising=False)
    runner = CliRunner()
    address = dask_cluster_client.scheduler.address
    result = runner.invoke(
        main, ["features", "build", "--engine", "dask", "--scheduler", address, "--blocks", "5"]
    )
    assert result.exit_code == 0, result.output
    assert "(built)" in result.output and "50 districts" in result.output
    key = cache_key(inputs, PanelSpec())
    assert (home / "features" / f"panel-{key}.parquet").is_dir()  # parts written by the workers
    cached = load_panel(home / "features", key, PanelSpec())
    expected = build_panel(inputs).frame
    pd.testing.assert_frame_equal(cached.frame, expected, check_index_type=False)

    again = runner.invoke(main, ["features", "build"])  # the local engine finds the same entry
    assert again.exit_code == 0 and "(from cache)" in again.output, again.output
    assert again.output.split(":", 1)[1] == result.output.split(":", 1)[1]  # same description


@pytest.mark.realdata
@pytest.mark.slow
def test_real_car_events_on_a_half_degree_grid_match(dask_cluster_client, data_dir, tmp_path):
    """PRIO-GRID-like cells over the Central African Republic with the real GED events: the same
    panel from both engines, in blocks that cut through rows of cells and regions."""
    import json

    from risk.grid import make_grid
    from risk.ingest import ingest_file

    grid = tmp_path / "caf_grid.geojson"
    cells = make_grid((14.0, 2.0, 28.0, 11.5), 0.5, boundary=data_dir / "caf_adm1_geoboundaries.geojson")
    grid.write_text(json.dumps(cells))
    store = open_store(f"sqlite:///{tmp_path / 'grid.sqlite3'}")
    parents = data_dir / "caf_adm1_geoboundaries.geojson"
    assert ingest_file(store, "districts", grid, parents=parents).accepted == len(cells["features"])
    assert ingest_file(store, "ucdp", data_dir / "ucdp_ged231_caf_events_1991_2020.csv").rejected == 0
    inputs = load_inputs(store)
    store.dispose()
    # Border cells whose centre lies outside the country have no region: both engines must agree there too.
    assert len(inputs.districts) > 200 and inputs.districts["parent"].notna().mean() > 0.5
    expected = build_panel(inputs).frame
    got = build_panel_distributed(dask_cluster_client, inputs, n_blocks=9).gather().frame
    pd.testing.assert_frame_equal(got, expected)
    assert expected["attacks_count_12"].sum() > 0 and expected["region_unplaced_3"].sum() > 0
