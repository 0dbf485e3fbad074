"""Registry: verified immutable versions, atomic writes, aliases, promotion gate, rollback."""

from __future__ import annotations

import json
import os

import pytest

from models.bundle import check_gate, promote
from models.registry import FileModelStore, RegistryError


def _meta(ap: float, brier: float) -> dict:
    return {"backtest": {"origins": ["2019-01", "2019-12"], "1": {"average_precision": ap, "brier": brier}}}


@pytest.fixture
def store(tmp_path):
    return FileModelStore(tmp_path / "registry")


def test_versions_are_numbered_verified_and_immutable(store):
    v1 = store.create_version({"booster_h1.ubj": b"abc", "metadata.json": b"{}"}, _meta(0.3, 0.1))
    v2 = store.create_version({"booster_h1.ubj": b"def", "metadata.json": b"{}"}, _meta(0.3, 0.1))
    assert (v1, v2) == (1, 2) and store.versions() == [1, 2]
    assert store.read_files(1)["booster_h1.ubj"] == b"abc"
    manifest = store.manifest(2)
    assert (
        set(manifest["files"]) == {"booster_h1.ubj", "metadata.json"}
        and len(manifest["files"]["metadata.json"]) == 64
    )


def test_a_tampered_file_is_refused(store):
    store.create_version({"booster_h1.ubj": b"abc"}, {})
    (store.root / "versions" / "00001" / "booster_h1.ubj").write_bytes(b"abd")
    with pytest.raises(RegistryError, match=r"TAMPERED: version 1: booster_h1\.ubj"):
        store.read_files(1)
    (store.root / "versions" / "00001" / "booster_h1.ubj").unlink()
    with pytest.raises(RegistryError) as info:
        store.read_files(1)
    assert info.value.code == "TAMPERED"


def test_a_crash_mid_write_leaves_no_half_version(store, monkeypatch):
    store.create_version({"booster_h1.ubj": b"good"}, {})
    calls = {"n": 0}

    def failing_fsync(fd):
        calls["n"] += 1
        if calls["n"] == 2:  # the second file of the new version
            raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        store.create_version({"a.json": b"1", "b.json": b"2", "c.json": b"3"}, {})
    monkeypatch.undo()
    assert store.versions() == [1] and store.read_files(1) == {"booster_h1.ubj": b"good"}
    assert not [p for p in store.root.iterdir() if p.name.startswith(".staging")]  # cleaned up
    assert store.create_version({"x.json": b"{}"}, {}) == 2


def test_names_are_validated_before_they_become_paths(store):
    with pytest.raises(RegistryError, match="INVALID_NAME"):
        store.create_version({"../escape.json": b"{}"}, {})
    with pytest.raises(RegistryError, match="INVALID_NAME"):
        store.set_alias("staging", 1)
    with pytest.raises(RegistryError, match="NOT_FOUND: no model version 7"):
        store.manifest(7)


def test_promotion_gate_and_rollback(store):
    v1 = store.create_version({"m.json": b"1"}, _meta(0.40, 0.080))
    v2 = store.create_version({"m.json": b"2"}, _meta(0.30, 0.085))  # worse
    v3 = store.create_version({"m.json": b"3"}, _meta(0.42, 0.079))  # better
    promote(store, v1)
    with pytest.raises(RegistryError) as refused:
        promote(store, v2)
    assert refused.value.code == "GATE_REFUSED" and "average_precision 0.3000 is worse" in str(refused.value)
    assert store.alias("production") == v1
    promote(store, v3)
    promote(store, v2, force=True)
    assert store.alias("production") == v2
    assert store.rollback() == v3 and store.rollback() == v1
    with pytest.raises(RegistryError, match="NO_HISTORY"):
        store.rollback()
    aliases = json.loads((store.root / "aliases.json").read_text())
    assert aliases["current"]["production"] == v1


def test_gate_tolerance():
    assert check_gate(_meta(0.395, 0.0801), _meta(0.40, 0.080), tolerance=0.01) == []
    assert len(check_gate(_meta(0.35, 0.095), _meta(0.40, 0.080), tolerance=0.01)) == 2


def test_staging_left_by_a_killed_process_is_swept(store):
    stale = store.root / ".staging-killed"
    stale.mkdir()
    (stale / "booster_h1.ubj").write_bytes(b"half")
    old = 1_000_000_000
    os.utime(stale, (old, old))
    fresh = store.root / ".staging-running"
    fresh.mkdir()
    store.create_version({"x.json": b"{}"}, {})
    assert not stale.exists() and fresh.exists()  # a staging folder in use now is left alone
    assert store.versions() == [1]
