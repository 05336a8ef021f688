"""The content stores: the embedded block store and a real IPFS daemon over its HTTP RPC give the
same CIDs, serve the same bytes, and exchange DAGs as CAR files."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from registry.cli import app
from registry.content import ContentError, LocalStore, MissingContentError, file_digest
from registry.content.cid import CHUNK, MAX_LINKS
from registry.content.kubo import KuboStore
from registry.content.store import read_all
from tests.ipfs_support import ipfs_daemon

# Across the chunk boundary and the 174-link boundary of the balanced DAG.
SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 7, MAX_LINKS * CHUNK, MAX_LINKS * CHUNK + 1]


def _data(size: int) -> bytes:
    return random.Random(size).randbytes(size)


@pytest.fixture(scope="module")
def kubo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KuboStore]:
    with ipfs_daemon(tmp_path_factory.mktemp("ipfs")) as url:
        store = KuboStore(url)
        yield store
        store.close()


@pytest.fixture
def local(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "content")


@pytest.mark.parametrize("version", [0, 1])
@pytest.mark.parametrize("size", SIZES)
def test_add_gives_the_daemons_cid(
    kubo: KuboStore, local: LocalStore, size: int, version: int
) -> None:
    data = _data(size)
    ours = local.add(data, cid_version=version)
    theirs = kubo.add(data, cid_version=version)
    assert theirs.cid == ours.cid == file_digest(data, version).cid
    assert read_all(local, ours.cid) == data
    assert read_all(kubo, ours.cid) == data
    assert local.stat(ours.cid) == kubo.stat(ours.cid)
    assert local.stat(ours.cid).size == size


@pytest.mark.parametrize("version", [0, 1])
def test_export_car_is_what_the_daemon_imports_and_exports(
    kubo: KuboStore, local: LocalStore, version: int
) -> None:
    data = _data(3 * CHUNK + 11)
    cid = local.add(data, cid_version=version).cid
    car = b"".join(local.export_car(cid))
    assert kubo.import_car(io.BytesIO(car)) == [cid]
    assert read_all(kubo, cid) == data
    assert b"".join(kubo.export_car(cid)) == car  # byte for byte what `ipfs dag export` writes


def test_import_car_from_the_daemon(kubo: KuboStore, tmp_path: Path) -> None:
    data = _data(2 * CHUNK + 3)
    cid = kubo.add(data).cid
    store = LocalStore(tmp_path / "other")
    assert store.import_car(io.BytesIO(b"".join(kubo.export_car(cid)))) == [cid]
    assert read_all(store, cid) == data
    assert store.pinned() == [cid]


def test_unknown_cid_is_not_found(kubo: KuboStore, local: LocalStore) -> None:
    missing = file_digest(b"never stored", 1).cid
    with pytest.raises(MissingContentError):
        read_all(local, missing)
    with pytest.raises(MissingContentError):
        local.pin(missing)
    kubo.pin(kubo.add(b"kept").cid)


def test_corrupt_block_is_detected_then_repaired_by_add(local: LocalStore) -> None:
    data = _data(2 * CHUNK)
    cid = local.add(data, cid_version=1).cid
    block = sorted(local.blocks_dir.rglob("*.data"))[0]
    block.write_bytes(b"x" + block.read_bytes()[1:])
    with pytest.raises(ContentError, match="does not match its hash"):
        read_all(local, cid)
    local.add(data, cid_version=1)
    assert read_all(local, cid) == data


def test_import_car_with_tampered_block_is_refused(local: LocalStore, tmp_path: Path) -> None:
    data = _data(CHUNK + 1)
    cid = local.add(data, cid_version=1).cid
    car = bytearray(b"".join(local.export_car(cid)))
    car[-1] ^= 1
    store = LocalStore(tmp_path / "other")
    with pytest.raises(ContentError, match="does not match its hash"):
        store.import_car(io.BytesIO(bytes(car)))
    assert store.pinned() == []


def test_add_twice_stores_each_block_once(local: LocalStore) -> None:
    data = _data(CHUNK)
    local.add(data, cid_version=1)
    local.add(data, cid_version=1)
    assert len(list(local.blocks_dir.rglob("*.data"))) == 1
    assert local.pinned() == [file_digest(data, 1).cid]


def test_cli_add_cat_export_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from registry.config import get_settings

    monkeypatch.setenv("REGISTRY_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    source = tmp_path / "file.bin"
    source.write_bytes(_data(CHUNK + 9))
    runner = CliRunner()
    added = runner.invoke(app, ["content", "add", str(source)])
    assert added.exit_code == 0, added.output
    cid = added.stdout.strip()
    assert cid == str(file_digest(source, 1).cid)
    assert runner.invoke(app, ["content", "cat", cid]).stdout_bytes == source.read_bytes()
    car = tmp_path / "file.car"
    assert runner.invoke(app, ["content", "export", cid, "-o", str(car)]).exit_code == 0
    monkeypatch.setenv("REGISTRY_DATA_DIR", str(tmp_path / "elsewhere"))
    get_settings.cache_clear()
    imported = runner.invoke(app, ["content", "import", str(car)])
    assert imported.stdout.strip() == cid
    assert runner.invoke(app, ["content", "cat", "bafkreinope"]).exit_code == 2
    missing = runner.invoke(app, ["content", "cat", str(file_digest(b"-", 1).cid)])
    assert missing.exit_code == 1
    get_settings.cache_clear()
