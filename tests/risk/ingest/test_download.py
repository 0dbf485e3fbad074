"""The UCDP downloader, against a local HTTP server (never the internet)."""

from __future__ import annotations

import io
import zipfile

import pytest

from risk.ingest import DownloadError
from risk.ingest.download import download_release, extract_country, release_url
from tests.risk.ingest.factories import ged_csv, ged_row


def _release_zip() -> bytes:
    rows = [ged_row(1), ged_row(2), ged_row(3, country_id="432", country="Mali")]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("GEDEvent_v23_1.csv", ged_csv(rows))
    return buffer.getvalue()


def test_release_url_follows_ucdp_naming():
    assert release_url("https://host/ged/", "23.1") == "https://host/ged/ged231-csv.zip"
    with pytest.raises(DownloadError, match="not a GED version"):
        release_url("https://host/ged/", "latest")


def test_download_then_extract_one_country(httpserver, tmp_path):
    httpserver.expect_request("/ged/ged231-csv.zip").respond_with_data(
        _release_zip(), content_type="application/zip"
    )
    path = download_release(httpserver.url_for("/ged/"), "23.1", tmp_path, progress=False)
    assert path.name == "ged231-csv.zip" and zipfile.is_zipfile(path)
    mali = extract_country(path, 432, tmp_path)
    assert mali.read_text().count("\n") == 2  # header + the one Mali event
    again = download_release(httpserver.url_for("/ged/"), "23.1", tmp_path, progress=False)
    assert again == path and len(httpserver.log) == 1  # a complete earlier download is reused


def test_http_error_is_reported_and_leaves_nothing(httpserver, tmp_path):
    httpserver.expect_request("/ged/ged231-csv.zip").respond_with_data("gone", status=404)
    with pytest.raises(DownloadError, match="HTTP 404"):
        download_release(httpserver.url_for("/ged/"), "23.1", tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_corrupt_download_is_refused_and_leaves_nothing(httpserver, tmp_path):
    httpserver.expect_request("/ged/ged231-csv.zip").respond_with_data(_release_zip()[:200])
    with pytest.raises(DownloadError, match="not a valid zip"):
        download_release(httpserver.url_for("/ged/"), "23.1", tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_unreachable_server_is_a_download_error(tmp_path):
    with pytest.raises(DownloadError, match="download failed"):
        download_release("http://127.0.0.1:9/ged/", "23.1", tmp_path, progress=False)


def test_cli_download_ingests_the_country(httpserver, runner, monkeypatch):
    from risk.cli import main

    httpserver.expect_request("/ged/ged231-csv.zip").respond_with_data(_release_zip())
    monkeypatch.setenv("RISK_UCDP_BASE_URL", httpserver.url_for("/ged/"))
    result = runner.invoke(main, ["ingest", "ucdp", "--download", "23.1", "--country", "482", "--json"])
    assert result.exit_code == 0, result.output
    assert '"accepted": 2' in result.output
