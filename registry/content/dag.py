"""Reading the UnixFS file DAGs that ``cid.py`` writes: dag-pb nodes and raw leaves.

Only what files need: a node's links (in order) and its UnixFS data. Directories, HAMT shards
and other codecs are refused, since nothing in the registry stores them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from registry.content.cid import DAG_PB, RAW, Cid, _read_varint


class DagError(ValueError):
    """A block that is not what its CID promises, or not a UnixFS file node."""


@dataclass(frozen=True)
class Node:
    links: tuple[tuple[Cid, int], ...]  # child and its cumulative size (Tsize)
    data: bytes  # UnixFS file bytes held in this node itself


def _fields(buf: bytes) -> Iterator[tuple[int, int | bytes]]:
    """Protobuf fields: (number, varint value or length-delimited bytes)."""
    pos = 0
    try:
        while pos < len(buf):
            key, pos = _read_varint(buf, pos)
            wire = key & 7
            if wire == 0:
                value, pos = _read_varint(buf, pos)
                yield key >> 3, value
            elif wire == 2:
                length, pos = _read_varint(buf, pos)
                if pos + length > len(buf):
                    raise DagError("protobuf field runs past the block")
                yield key >> 3, buf[pos : pos + length]
                pos += length
            else:
                raise DagError(f"unexpected protobuf wire type {wire}")
    except IndexError:
        raise DagError("truncated protobuf") from None


def decode(cid: Cid, block: bytes) -> Node:
    """The node in ``block``: a raw leaf is all data; a dag-pb node has links and UnixFS data."""
    if cid.codec == RAW:
        return Node((), block)
    if cid.codec != DAG_PB:
        raise DagError(f"codec {cid.codec:#x} is not a file block")
    links: list[tuple[Cid, int]] = []
    unixfs = b""
    for number, value in _fields(block):
        if number == 2 and isinstance(value, bytes):
            links.append(_link(value))
        elif number == 1 and isinstance(value, bytes):
            unixfs = value
    data = b""
    kind = None
    for number, value in _fields(unixfs):
        if number == 1 and isinstance(value, int):
            kind = value
        elif number == 2 and isinstance(value, bytes):
            data = value
    if kind not in (0, 2):  # Raw (old go-ipfs leaves) or File
        raise DagError(f"UnixFS type {kind} is not a file")
    return Node(tuple(links), data)


def _link(buf: bytes) -> tuple[Cid, int]:
    target: Cid | None = None
    tsize = 0
    for number, value in _fields(buf):
        if number == 1 and isinstance(value, bytes):
            try:
                target = Cid.from_bytes(value)
            except ValueError as exc:
                raise DagError(f"link: {exc}") from None
        elif number == 3 and isinstance(value, int):
            tsize = value
    if target is None:
        raise DagError("link without a hash")
    return target, tsize


def verified(cid: Cid, block: bytes) -> bytes:
    """``block`` if it hashes to ``cid``; a store never serves a block it cannot vouch for."""
    if Cid.of_block(block, cid.codec, cid.version).digest != cid.digest:
        raise DagError(f"block {cid} does not match its hash")
    return block


def walk(root: Cid, get: Callable[[Cid], bytes]) -> Iterator[tuple[Cid, bytes, Node]]:
    """Every block under ``root``, depth first in link order (the order of the file's bytes,
    and the order ``ipfs dag export`` writes)."""
    stack: list[Iterator[tuple[Cid, int]]] = [iter(((root, 0),))]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            continue
        cid = step[0]
        block = get(cid)
        node = decode(cid, block)
        yield cid, block, node
        if node.links:
            stack.append(iter(node.links))


def file_bytes(root: Cid, get: Callable[[Cid], bytes]) -> Iterator[bytes]:
    """The file under ``root``, streamed a block at a time."""
    for _cid, _block, node in walk(root, get):
        if node.data:
            yield node.data
