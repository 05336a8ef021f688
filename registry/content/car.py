"""CAR v1 (Content Addressable aRchive), the file ``ipfs dag import`` and ``dag export`` use.

A CAR is a varint-prefixed DAG-CBOR header ``{"roots": [CID], "version": 1}`` followed by
varint-prefixed sections of CID bytes and block bytes. The header is written by hand: it is the
only CBOR the registry needs, and its bytes are fixed by DAG-CBOR's canonical form.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from registry.content.cid import Cid, _read_varint, _varint
from registry.content.dag import DagError, verified

_MAX_SECTION = 4 << 20  # a block is at most 2 MiB in Kubo; refuse anything far beyond


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    if n < 256:
        return bytes([major << 5 | 24, n])
    return bytes([major << 5 | 25]) + n.to_bytes(2, "big")


def _cbor_cid(cid: Cid) -> bytes:
    """A CID in DAG-CBOR: tag 42 over its bytes behind a zero byte (the identity multibase)."""
    raw = b"\0" + cid.to_bytes()
    return b"\xd8\x2a" + _cbor_head(2, len(raw)) + raw


def header(roots: Iterable[Cid]) -> bytes:
    """The varint-prefixed DAG-CBOR header (map keys in DAG-CBOR order: shorter first)."""
    items = [_cbor_cid(c) for c in roots]
    body = (
        b"\xa2"
        + _cbor_head(3, 5)
        + b"roots"
        + _cbor_head(4, len(items))
        + b"".join(items)
        + _cbor_head(3, 7)
        + b"version\x01"
    )
    return _varint(len(body)) + body


def section(cid: Cid, block: bytes) -> bytes:
    raw = cid.to_bytes()
    return _varint(len(raw) + len(block)) + raw + block


def write(roots: Iterable[Cid], blocks: Iterable[tuple[Cid, bytes]]) -> Iterator[bytes]:
    """A CAR, piece by piece; each block is written once even if the DAG repeats it."""
    yield header(roots)
    seen: set[bytes] = set()
    for cid, block in blocks:
        if cid.multihash in seen:
            continue
        seen.add(cid.multihash)
        yield section(cid, block)


def _read_prefixed(stream: BinaryIO) -> bytes | None:
    first = stream.read(1)
    if not first:
        return None
    prefix = bytearray(first)
    while prefix[-1] & 0x80:
        more = stream.read(1)
        if not more or len(prefix) > 9:
            raise DagError("CAR: truncated length")
        prefix += more
    length, _ = _read_varint(bytes(prefix), 0)
    if length > _MAX_SECTION:
        raise DagError(f"CAR: section of {length} bytes is too large")
    body = stream.read(length)
    if len(body) != length:
        raise DagError("CAR: truncated section")
    return body


def read(stream: BinaryIO) -> tuple[list[Cid], Iterator[tuple[Cid, bytes]]]:
    """The roots and the verified blocks of a CAR v1."""
    head = _read_prefixed(stream)
    if head is None or not head.startswith(b"\xa2") or b"version\x01" not in head:
        raise DagError("CAR: not a version 1 header")
    roots = []
    pos = head.find(b"\xd8\x2a")
    while pos >= 0:
        length = head[pos + 3] if head[pos + 2] == 0x58 else head[pos + 2] & 0x1F
        start = pos + (4 if head[pos + 2] == 0x58 else 3)
        try:
            roots.append(Cid.from_bytes(head[start + 1 : start + length]))
        except ValueError as exc:
            raise DagError(f"CAR: root {exc}") from None
        pos = head.find(b"\xd8\x2a", start + length)

    def blocks() -> Iterator[tuple[Cid, bytes]]:
        while (body := _read_prefixed(stream)) is not None:
            cid, block = _split(body)
            yield cid, verified(cid, block)

    return roots, blocks()


def _split(body: bytes) -> tuple[Cid, bytes]:
    if body[:2] == b"\x12\x20":
        return Cid.from_bytes(body[:34]), body[34:]
    try:
        _, pos = _read_varint(body, 0)
        _, pos = _read_varint(body, pos)
    except IndexError:
        raise DagError("CAR: truncated CID") from None
    end = pos + 34
    return Cid.from_bytes(body[:end]), body[end:]
