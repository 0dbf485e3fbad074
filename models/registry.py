"""The model registry: immutable versions, movable aliases, verified files, atomic writes.

Modelled on MLflow's registry store: an abstract :class:`ModelStore` and a file implementation.
A version is a folder written in full under a temporary name and renamed into place, so a crash
never leaves half a version; its manifest lists the SHA-256 of every file, checked on every read.
Versions never change.  Aliases (``production``, ``candidate``) point at versions and keep their
history, so production can be rolled back.  Nothing is ever unpickled: files are XGBoost UBJ and JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from pathlib import Path

ALIASES = ("production", "candidate")
_FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")


class RegistryError(Exception):
    """A registry failure with a stable code: NOT_FOUND, TAMPERED, INVALID_NAME, GATE_REFUSED, NO_HISTORY."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(f"{code}: {message}")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def validate_file_name(name: str) -> str:
    if not _FILE_NAME.match(name):
        raise RegistryError("INVALID_NAME", f"not an acceptable file name: {name!r}")
    return name


def validate_alias(alias: str) -> str:
    if alias not in ALIASES:
        raise RegistryError("INVALID_NAME", f"unknown alias {alias!r}; expected one of {', '.join(ALIASES)}")
    return alias


class ModelStore(ABC):
    @abstractmethod
    def create_version(self, files: dict[str, bytes], metadata: dict) -> int: ...

    @abstractmethod
    def manifest(self, version: int) -> dict: ...

    @abstractmethod
    def read_files(self, version: int) -> dict[str, bytes]: ...

    @abstractmethod
    def versions(self) -> list[int]: ...

    @abstractmethod
    def alias(self, alias: str) -> int | None: ...

    @abstractmethod
    def set_alias(self, alias: str, version: int) -> None: ...

    @abstractmethod
    def rollback(self, alias: str = "production") -> int: ...


class FileModelStore(ModelStore):
    """``root/versions/<n>/`` folders and ``root/aliases.json``."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        (self.root / "versions").mkdir(parents=True, exist_ok=True)

    # -- versions ---------------------------------------------------------------------------------------
    def _folder(self, version: int) -> Path:
        if not isinstance(version, int) or version < 1:
            raise RegistryError("INVALID_NAME", f"not a version number: {version!r}")
        return self.root / "versions" / f"{version:05d}"

    def versions(self) -> list[int]:
        return sorted(int(p.name) for p in (self.root / "versions").iterdir() if p.name.isdigit())

    def create_version(self, files: dict[str, bytes], metadata: dict) -> int:
        for name in files:
            validate_file_name(name)
        self._sweep_stale_staging()
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.root))
        try:
            digests = {}
            for name, data in files.items():
                _write_synced(staging / name, data)
                digests[name] = _sha256(data)
            while True:
                version = (self.versions() or [0])[-1] + 1
                manifest = {
                    "version": version,
                    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "files": digests,
                    "metadata": metadata,
                }
                _write_synced(
                    staging / "manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode()
                )
                try:
                    os.rename(
                        staging, self._folder(version)
                    )  # atomic: the version appears whole or not at all
                    return version
                except OSError:
                    if not self._folder(version).exists():
                        raise  # anything but losing a race for the number is a real error
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _sweep_stale_staging(self, older_than_seconds: float = 3600.0) -> None:
        """Remove staging folders a killed process left behind (never a version: those are renamed whole)."""
        cutoff = time.time() - older_than_seconds
        for folder in self.root.glob(".staging-*"):
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)

    def manifest(self, version: int) -> dict:
        path = self._folder(version) / "manifest.json"
        if not path.exists():
            raise RegistryError("NOT_FOUND", f"no model version {version}")
        return json.loads(path.read_text())

    def read_files(self, version: int) -> dict[str, bytes]:
        """Every file of a version, each checked against the SHA-256 in its manifest."""
        manifest = self.manifest(version)
        out = {}
        for name, digest in manifest["files"].items():
            path = self._folder(version) / validate_file_name(name)
            data = path.read_bytes() if path.exists() else b""
            if _sha256(data) != digest:
                raise RegistryError(
                    "TAMPERED", f"version {version}: {name} does not match its manifest checksum"
                )
            out[name] = data
        return out

    # -- aliases ----------------------------------------------------------------------------------------
    def _aliases(self) -> dict:
        path = self.root / "aliases.json"
        return json.loads(path.read_text()) if path.exists() else {"current": {}, "history": {}}

    def _save_aliases(self, data: dict) -> None:
        tmp = self.root / f".aliases-{uuid.uuid4().hex}.json"
        _write_synced(tmp, json.dumps(data, indent=1, sort_keys=True).encode())
        os.replace(tmp, self.root / "aliases.json")

    def alias(self, alias: str) -> int | None:
        return self._aliases()["current"].get(validate_alias(alias))

    def set_alias(self, alias: str, version: int) -> None:
        validate_alias(alias)
        self.manifest(version)  # must exist
        data = self._aliases()
        data["current"][alias] = version
        data["history"].setdefault(alias, []).append(version)
        self._save_aliases(data)

    def rollback(self, alias: str = "production") -> int:
        """Point ``alias`` back at the version it had before; returns that version."""
        data = self._aliases()
        history = data["history"].get(validate_alias(alias), [])
        if len(history) < 2:
            raise RegistryError("NO_HISTORY", f"{alias} has no earlier version to roll back to")
        history.pop()
        data["current"][alias] = history[-1]
        self._save_aliases(data)
        return history[-1]


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
