"""Fetching an official UCDP GED release and cutting it down to one country.

The release file is streamed to a temporary file beside its destination and only
renamed into place once it is complete and a valid zip with a CSV inside, so a
failed or corrupt download never leaves a file that looks usable.
"""

from __future__ import annotations

import logging
import re
import zipfile
from pathlib import Path

import pandas as pd
import requests
from requests.adapters import HTTPAdapter
from tqdm import tqdm
from urllib3.util.retry import Retry

from risk.ingest.errors import DownloadError

log = logging.getLogger(__name__)
_VERSION = re.compile(r"^(\d{2})\.(\d+)$")
TIMEOUT_SECONDS = 60


def release_url(base_url: str, version: str) -> str:
    """URL of the GED release ``version`` (e.g. ``23.1`` -> ``.../ged231-csv.zip``)."""
    match = _VERSION.match(version.strip())
    if not match:
        raise DownloadError(f"not a GED version: {version!r} (expected e.g. 23.1)")
    return f"{base_url.rstrip('/')}/ged{match[1]}{match[2]}-csv.zip"


def _session() -> requests.Session:
    retry = Retry(total=3, backoff_factor=0.5, status_forcelist=(502, 503, 504), allowed_methods=("GET",))
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


def download_release(base_url: str, version: str, dest_dir: Path, *, progress: bool = True) -> Path:
    """Download the release zip into ``dest_dir`` (kept if already complete) and return its path."""
    url = release_url(base_url, version)
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / url.rsplit("/", 1)[1]
    if target.exists() and _valid_zip(target):
        log.info("using the release already downloaded at %s", target)
        return target
    partial = target.with_suffix(".zip.part")
    try:
        with _session().get(url, stream=True, timeout=TIMEOUT_SECONDS) as response:
            if response.status_code != 200:
                raise DownloadError(
                    f"{url}: the server answered HTTP {response.status_code} {response.reason}"
                )
            expected = int(response.headers.get("Content-Length") or 0)
            received = 0
            with (
                open(partial, "wb") as out,
                tqdm(
                    total=expected or None, unit="B", unit_scale=True, desc=target.name, disable=not progress
                ) as bar,
            ):
                for block in response.iter_content(chunk_size=1 << 16):
                    out.write(block)
                    received += len(block)
                    bar.update(len(block))
        if expected and received != expected:
            raise DownloadError(f"{url}: download incomplete ({received} of {expected} bytes)")
        if not _valid_zip(partial):
            raise DownloadError(f"{url}: the file received is not a valid zip archive with a CSV inside")
        partial.replace(target)
    except requests.RequestException as exc:
        raise DownloadError(f"{url}: download failed ({exc.__class__.__name__}: {exc})") from exc
    finally:
        partial.unlink(missing_ok=True)
    return target


def _valid_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None and any(n.lower().endswith(".csv") for n in archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError):
        return False


def extract_country(release: Path, country_id: int, out_dir: Path) -> Path:
    """Write the events of one country (Gleditsch-Ward code) from a release zip to a CSV."""
    with zipfile.ZipFile(release) as archive:
        member = next(n for n in archive.namelist() if n.lower().endswith(".csv"))
        with archive.open(member) as fh:
            frame = pd.read_csv(fh, dtype=object, na_filter=False)
    if "country_id" not in frame:
        raise DownloadError(f"{release}: the CSV has no country_id column")
    subset = frame[frame["country_id"].str.strip() == str(country_id)]
    if subset.empty:
        raise DownloadError(f"{release}: no events with country_id {country_id}")
    out = out_dir / f"{Path(member).stem}_country{country_id}.csv"
    subset.to_csv(out, index=False)
    log.info("extracted %d events of country %d to %s", len(subset), country_id, out)
    return out
