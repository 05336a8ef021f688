"""CIDs equal the reference JavaScript importer's (Kubo's `ipfs add` defaults), from 0 B to
50 MiB, across the chunk and the 174-link tree-width boundaries."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
from pathlib import Path

import pytest

from registry.content.cid import CHUNK, MAX_LINKS, Cid, file_digest
from tests.conftest import ROOT

SIZES = [
    0,
    1,
    CHUNK - 1,
    CHUNK,
    CHUNK + 1,
    3 * CHUNK + 17,
    MAX_LINKS * CHUNK,
    MAX_LINKS * CHUNK + 1,
    (MAX_LINKS + 1) * CHUNK,
    50 * 1024 * 1024,
]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("cid")
    out = {}
    for size in SIZES:
        path = folder / f"{size}.bin"
        path.write_bytes(random.Random(size).randbytes(size))
        out[size] = path
    return out


@pytest.fixture(scope="module")
def reference(files: dict[int, Path]) -> dict[int, dict[str, str]]:
    result = subprocess.run(
        [
            str(ROOT / "node_modules" / "node" / "bin" / "node"),
            str(ROOT / "tests" / "js" / "unixfs_cids.mjs"),
            *(str(p) for p in files.values()),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    by_path = {row["path"]: row for row in map(json.loads, result.stdout.splitlines())}
    return {size: by_path[str(path)] for size, path in files.items()}


@pytest.mark.parametrize("size", SIZES)
def test_cid_equals_reference_importer(
    files: dict[int, Path], reference: dict[int, dict[str, str]], size: int
) -> None:
    v0 = file_digest(files[size], 0)
    v1 = file_digest(files[size], 1)
    assert str(v0.cid) == reference[size]["v0"]
    assert str(v1.cid) == reference[size]["v1"]
    assert v0.size == v1.size == size
    assert v0.sha256 == hashlib.sha256(files[size].read_bytes()).digest()


def test_cid_parses_what_it_prints() -> None:
    for version in (0, 1):
        cid = file_digest(b"data", version).cid
        assert Cid.parse(str(cid)) == cid
    for bad in ("Qm123", "zb2rh", "bafy!!!", "b" + "a" * 10):
        with pytest.raises(ValueError, match=r"."):
            Cid.parse(bad)


def test_blocks_are_handed_over_once_each() -> None:
    blocks: dict[Cid, bytes] = {}
    data = random.Random(7).randbytes(3 * CHUNK)
    root = file_digest(data, 1, on_block=lambda cid, block: blocks.setdefault(cid, block)).cid
    assert root in blocks
    assert all(hashlib.sha256(block).digest() == cid.digest for cid, block in blocks.items())
    assert sum(len(b) for c, b in blocks.items() if c.codec == 0x55) == len(data)
