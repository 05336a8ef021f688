"""CIDs exactly as Kubo's ``ipfs add`` makes them, computed in one streaming pass.

Kubo's defaults: fixed 262,144-byte chunks; a balanced DAG of at most 174 links per node;
sha2-256. CIDv0 (the default): leaves are dag-pb nodes holding UnixFS ``File`` data, written
base58btc (``Qm...``). CIDv1 (``--cid-version=1``, which implies raw leaves): leaves are raw
blocks, written base32 (``bafk...``/``bafy...``). A file of one chunk is its own leaf.

Memory stays constant: the builder keeps at most one partial node (up to 174 links) per level.
Every block can be handed to ``on_block`` as it is made, so a block store can keep the DAG.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 262_144
MAX_LINKS = 174
RAW = 0x55
DAG_PB = 0x70
SHA2_256 = 0x12
_UNIXFS_FILE = 2
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _uint_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


@dataclass(frozen=True)
class Cid:
    """A content identifier: version, multicodec and sha2-256 digest."""

    version: int
    codec: int
    digest: bytes

    @classmethod
    def of_block(cls, block: bytes, codec: int, version: int) -> Cid:
        return cls(version, codec, hashlib.sha256(block).digest())

    @property
    def multihash(self) -> bytes:
        return bytes([SHA2_256, len(self.digest)]) + self.digest

    def to_bytes(self) -> bytes:
        if self.version == 0:
            return self.multihash
        return _varint(1) + _varint(self.codec) + self.multihash

    def __str__(self) -> str:
        if self.version == 0:
            return b58encode(self.multihash)
        return "b" + base64.b32encode(self.to_bytes()).decode().lower().rstrip("=")

    @classmethod
    def from_bytes(cls, raw: bytes) -> Cid:
        """The binary form: a bare sha2-256 multihash (v0) or version, codec, multihash (v1)."""
        if raw[:2] == bytes([SHA2_256, 32]) and len(raw) == 34:
            return cls(0, DAG_PB, raw[2:])
        try:
            version, pos = _read_varint(raw, 0)
            codec, pos = _read_varint(raw, pos)
        except IndexError:
            raise ValueError("truncated CID") from None
        if version != 1 or raw[pos : pos + 2] != bytes([SHA2_256, 32]) or len(raw) != pos + 34:
            raise ValueError("not a sha2-256 CID")
        return cls(1, codec, raw[pos + 2 :])

    @classmethod
    def parse(cls, text: str) -> Cid:
        """Parses ``Qm...`` (v0) or base32 ``b...`` (v1); raises ValueError naming the problem."""
        if text.startswith("Qm") and len(text) == 46:
            raw = b58decode(text)
            if raw[:2] != bytes([SHA2_256, 32]):
                raise ValueError("not a sha2-256 CIDv0")
            return cls(0, DAG_PB, raw[2:])
        if not text.startswith("b"):
            raise ValueError("a CID is Qm... (v0) or base32 b... (v1)")
        body = text[1:].upper()
        try:
            raw = base64.b32decode(body + "=" * (-len(body) % 8))
        except ValueError:
            raise ValueError("not valid base32") from None
        if raw[:1] != b"\x01":
            raise ValueError("not a CIDv1")
        return cls.from_bytes(raw)


def b58encode(data: bytes) -> str:
    """Base58 (Bitcoin's alphabet), as CIDv0 and multibase ``z`` (base58btc) write bytes."""
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, rem = divmod(n, 58)
        out = _B58[rem] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text: str) -> bytes:
    """The bytes of base58 ``text``; raises ValueError for a character outside the alphabet."""
    n = 0
    for ch in text:
        index = _B58.find(ch)
        if index < 0:
            raise ValueError(f"not base58: {ch!r}")
        n = n * 58 + index
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def _unixfs_file(data: bytes, filesize: int, blocksizes: Iterable[int] = ()) -> bytes:
    out = _uint_field(1, _UNIXFS_FILE)
    if data:
        out += _field(2, data)
    out += _uint_field(3, filesize)
    for size in blocksizes:
        out += _uint_field(4, size)
    return out


def _dag_pb(links: Iterable[tuple[Cid, int]], data: bytes) -> bytes:
    """A dag-pb node: links (hash, empty name, cumulative size) first, then data."""
    out = b""
    for cid, tsize in links:
        out += _field(2, _field(1, cid.to_bytes()) + _field(2, b"") + _uint_field(3, tsize))
    return out + _field(1, data)


@dataclass(frozen=True)
class _Link:
    cid: Cid
    tsize: int  # the child's block and everything under it
    content: int  # file bytes under the child


Block = Callable[[Cid, bytes], None]


class _Builder:
    """The balanced layout: levels of up to 174 links, each full one closed at once."""

    def __init__(self, version: int, on_block: Block | None) -> None:
        self.version = version
        self.on_block = on_block
        self.levels: list[list[_Link]] = [[]]

    def _emit(self, block: bytes, codec: int) -> Cid:
        cid = Cid.of_block(block, codec, self.version)
        if self.on_block is not None:
            self.on_block(cid, block)
        return cid

    def add_chunk(self, chunk: bytes) -> None:
        if self.version == 1:
            link = _Link(self._emit(chunk, RAW), len(chunk), len(chunk))
        else:
            block = _dag_pb((), _unixfs_file(chunk, len(chunk)))
            link = _Link(self._emit(block, DAG_PB), len(block), len(chunk))
        self._push(0, link)

    def _push(self, level: int, link: _Link) -> None:
        self.levels[level].append(link)
        if len(self.levels[level]) == MAX_LINKS:
            self._close(level)

    def _close(self, level: int) -> None:
        links = self.levels[level]
        self.levels[level] = []
        data = _unixfs_file(b"", sum(x.content for x in links), (x.content for x in links))
        block = _dag_pb(((x.cid, x.tsize) for x in links), data)
        parent = _Link(
            self._emit(block, DAG_PB),
            len(block) + sum(x.tsize for x in links),
            sum(x.content for x in links),
        )
        if level + 1 == len(self.levels):
            self.levels.append([])
        self._push(level + 1, parent)

    def root(self) -> Cid:
        """Closes partial nodes bottom-up until one link is left alone at the top."""
        level = 0
        while True:
            pending = self.levels[level]
            if len(pending) == 1 and not any(self.levels[level + 1 :]):
                return pending[0].cid
            if pending:
                self._close(level)
            level += 1


@dataclass(frozen=True)
class FileDigest:
    """What one read of a file yields: its size, SHA-256 and CID."""

    size: int
    sha256: bytes
    cid: Cid


class Digester:
    """Size, SHA-256 and CID of bytes fed in any pieces; ``finish`` once at the end."""

    def __init__(
        self,
        cid_version: int = 0,
        on_block: Block | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        if cid_version not in (0, 1):
            raise ValueError("cid_version is 0 or 1")
        self._builder = _Builder(cid_version, on_block)
        self._sha = hashlib.sha256()
        self._pending = bytearray()
        self._chunks = 0
        self._on_progress = on_progress
        self.size = 0

    def update(self, data: bytes) -> None:
        self._sha.update(data)
        self.size += len(data)
        if not self._pending and len(data) == CHUNK:
            self._add(data)
            return
        self._pending += data
        while len(self._pending) >= CHUNK:
            self._add(bytes(self._pending[:CHUNK]))
            del self._pending[:CHUNK]

    def _add(self, chunk: bytes) -> None:
        self._builder.add_chunk(chunk)
        self._chunks += 1
        if self._on_progress is not None:
            self._on_progress(len(chunk))

    def finish(self) -> FileDigest:
        if self._pending or not self._chunks:
            self._add(bytes(self._pending))
            self._pending.clear()
        return FileDigest(self.size, self._sha.digest(), self._builder.root())


def file_digest(
    source: Path | BinaryIO | bytes,
    cid_version: int = 0,
    on_block: Block | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> FileDigest:
    """Size, SHA-256 and Kubo's CID of a file, stream or bytes, reading it once."""
    if isinstance(source, bytes):
        import io

        return file_digest(io.BytesIO(source), cid_version, on_block, on_progress)
    if isinstance(source, Path):
        with source.open("rb") as stream:
            return file_digest(stream, cid_version, on_block, on_progress)
    digester = Digester(cid_version, on_block, on_progress)
    while chunk := _read_full(source, CHUNK):
        digester.update(chunk)
    return digester.finish()


def _read_full(stream: BinaryIO, n: int) -> bytes:
    """Reads exactly ``n`` bytes unless the stream ends (pipes may return less per read)."""
    parts = []
    remaining = n
    while remaining:
        part = stream.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)
