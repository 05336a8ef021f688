"""Content stores: one interface, an embedded block store and any Kubo-compatible daemon.

Both give the CIDs ``ipfs add`` gives (``cid.py`` computes them; the daemon's answer is checked
against that), so a manifest stored in one is found by the same CID in the other, and a CAR
exported from the embedded store imports into Kubo with ``ipfs dag import``.
"""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from registry.content import car
from registry.content.cid import Cid, FileDigest, file_digest
from registry.content.dag import DagError, decode, file_bytes, verified, walk

Source = Path | BinaryIO | bytes


class ContentError(Exception):
    """Content that is missing, corrupt, or answered wrongly by a daemon."""


class MissingContentError(ContentError):
    """A block the store does not have."""


@dataclass(frozen=True)
class ContentStat:
    cid: Cid
    size: int  # the file's bytes
    cumulative_size: int  # every block of the DAG


class ContentStore(Protocol):
    def add(self, source: Source, *, cid_version: int = 1, pin: bool = True) -> FileDigest:
        """Stores a file; its size, SHA-256 and CID as ``ipfs add`` gives it."""
        ...

    def cat(self, cid: Cid) -> Iterator[bytes]:
        """The file's bytes, streamed; raises MissingContentError."""
        ...

    def stat(self, cid: Cid) -> ContentStat: ...

    def pin(self, cid: Cid) -> None:
        """Keeps the DAG from garbage collection; MissingContentError if a block is absent."""
        ...

    def import_car(self, stream: BinaryIO) -> list[Cid]:
        """Stores every block of a CAR (each checked against its CID); the roots, pinned."""
        ...

    def export_car(self, cid: Cid) -> Iterator[bytes]:
        """The DAG under ``cid`` as a CAR v1."""
        ...

    def close(self) -> None: ...


def read_all(store: ContentStore, cid: Cid) -> bytes:
    return b"".join(store.cat(cid))


class LocalStore:
    """Blocks as files under ``root/blocks``, named by multihash like Kubo's flatfs, so the same
    bytes stored as CIDv0 and CIDv1 take one file. Every block is checked against its hash when
    read: a torn write after a crash is detected and set aside, and adding the file again
    repairs it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.blocks_dir = root / "blocks"
        self.pins_dir = root / "pins"
        self.blocks_dir.mkdir(parents=True, exist_ok=True)
        self.pins_dir.mkdir(parents=True, exist_ok=True)

    def close(self) -> None:
        """Nothing to release: each call opens and closes its own files."""

    def _path(self, cid: Cid) -> Path:
        name = base64.b32encode(cid.multihash).decode().rstrip("=")
        return self.blocks_dir / name[-3:-1] / f"{name}.data"

    def _put(self, cid: Cid, block: bytes) -> None:
        path = self._path(cid)
        if path.exists():
            return
        path.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".put-")
        with os.fdopen(fd, "wb") as out:
            out.write(block)
        os.replace(tmp, path)

    def get(self, cid: Cid) -> bytes:
        try:
            block = self._path(cid).read_bytes()
        except FileNotFoundError:
            raise MissingContentError(f"block {cid} is not in the store") from None
        try:
            return verified(cid, block)
        except DagError as exc:
            # Set the bad copy aside: the next add of the same content writes a good one.
            self._path(cid).replace(self._path(cid).with_suffix(".corrupt"))
            raise ContentError(str(exc)) from None

    def add(self, source: Source, *, cid_version: int = 1, pin: bool = True) -> FileDigest:
        digest = file_digest(source, cid_version, on_block=self._put)
        if pin:
            self.pin(digest.cid)
        return digest

    def cat(self, cid: Cid) -> Iterator[bytes]:
        try:
            yield from file_bytes(cid, self.get)
        except DagError as exc:
            raise ContentError(str(exc)) from None

    def stat(self, cid: Cid) -> ContentStat:
        size = cumulative = 0
        for _cid, block, node in walk(cid, self.get):
            size += len(node.data)
            cumulative += len(block)
        return ContentStat(cid, size, cumulative)

    def pin(self, cid: Cid) -> None:
        for _ in walk(cid, self.get):
            pass
        (self.pins_dir / str(cid)).touch()

    def pinned(self) -> list[Cid]:
        return sorted((Cid.parse(p.name) for p in self.pins_dir.iterdir()), key=str)

    def import_car(self, stream: BinaryIO) -> list[Cid]:
        try:
            roots, blocks = car.read(stream)
            for cid, block in blocks:
                decode(cid, block)
                self._put(cid, block)
        except DagError as exc:
            raise ContentError(str(exc)) from None
        for root in roots:
            self.pin(root)
        return roots

    def export_car(self, cid: Cid) -> Iterator[bytes]:
        return car.write([cid], ((c, b) for c, b, _node in walk(cid, self.get)))
