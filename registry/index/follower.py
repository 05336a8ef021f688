"""Follows the registry's events into the index, surviving restarts, reorgs and lost blocks.

The cursor (last block read and its hash) is stored with the events it covers, in one database
transaction. Each round first checks that the chain still has the cursor's block; if not (a
reorg, or a node restarted from an older state) it steps back to the newest stored block the
chain still agrees with, drops what came after, and rebuilds the projections from the events.
Only the node's answers move it back: an RPC error is "unknown", never "block missing", so a
node that stops answering mid-rewind leaves the index as it was until the next round.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from eth_abi.abi import decode as abi_decode
from eth_typing import ABIEvent
from eth_utils.abi import event_abi_to_log_topic
from hexbytes import HexBytes
from web3 import Web3

from registry.background import Repeater
from registry.chain.compiler import Artifact
from registry.chain.deploy import Deployment
from registry.chain.rpc import batch
from registry.chain.types import checksum
from registry.index import projections, reports
from registry.index.projections import Event
from registry.index.schema import PROJECTIONS, blocks, certificates, create, events, sync

logger = logging.getLogger(__name__)

_REWIND_PAGE = 256  # blocks asked at most per round trip while looking for the newest kept one


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


_DYNAMIC = frozenset({"string", "bytes"})
_STATIC = re.compile(r"address|bool|u?int\d+|bytes\d+")


def _word(kind: str, word: bytes) -> Any:
    """A value of a static type (``_STATIC``) from its 32-byte word, as eth-abi gives it but
    JSON-ready (``_jsonable``: bytes as 0x-hex)."""
    if kind == "address":
        return "0x" + word[12:].hex()
    if kind == "bool":
        return word[31] != 0
    if kind.startswith("uint"):
        return int.from_bytes(word, "big")
    if kind.startswith("int"):
        return int.from_bytes(word, "big", signed=True)
    return "0x" + word[: int(kind[5:])].hex()


@dataclass(frozen=True)
class _Shape:
    """An event's ABI, parsed once. Events of static types, strings and bytes only (all of the
    registry's) are read from their words directly: eth-abi's decoder was most of the indexer's
    time, as web3's ``process_log`` was before it; others go through eth-abi."""

    name: str
    inputs: tuple[tuple[str, str, bool], ...]  # name, type, indexed
    data_types: tuple[str, ...]
    plain: bool

    @classmethod
    def of(cls, item: dict[str, Any]) -> _Shape:
        inputs = tuple((i["name"], i["type"], i["indexed"]) for i in item["inputs"])
        data_types = tuple(t for _, t, indexed in inputs if not indexed)
        plain = all(
            _STATIC.fullmatch(t) or (t in _DYNAMIC and not indexed) for _, t, indexed in inputs
        )
        return cls(item["name"], inputs, data_types, plain)

    def decode(self, topics: list[bytes], data: bytes) -> dict[str, Any]:
        """The event's arguments by name, JSON-ready (``_jsonable``)."""
        words = iter(topics)
        if self.plain:
            values = iter(self._data(data))
        else:
            values = iter(abi_decode(list(self.data_types), data))
        args = {}
        for name, kind, indexed in self.inputs:
            if not indexed:
                value = next(values)
            elif self.plain:
                value = _word(kind, next(words))
            else:
                value = abi_decode([kind], next(words))[0]
            args[name] = checksum(value) if kind == "address" else value
        return args if self.plain else _jsonable(args)

    def _data(self, data: bytes) -> list[Any]:
        values: list[Any] = []
        for i, kind in enumerate(self.data_types):
            word = data[32 * i : 32 * i + 32]
            if kind in _DYNAMIC:
                at = int.from_bytes(word, "big")
                raw = data[at + 32 : at + 32 + int.from_bytes(data[at : at + 32], "big")]
                values.append(raw.decode("utf-8") if kind == "string" else "0x" + raw.hex())
            else:
                values.append(_word(kind, word))
        return values


LOGS_PER_ROUND = 10_000
"""About the most logs a round of the follower asks the node for. A node answers an
``eth_getLogs`` of 200,000 logs (100,000 applications) in about 5 s, and EDR answers nothing
else meanwhile: a direct ``eth_blockNumber`` waited 5.2 s while a new follower caught up on
100,000 assets in one round. Production nodes cap a query's range or results too (Besu's
``--rpc-max-logs-range``, many providers' 10,000 logs)."""

_FIRST_SPAN = 16
"""The blocks a follower's first round asks for: a register grown by full blocks has about
800 logs a block."""


class Follower:
    """Reads events from the deployment block on, in rounds of at most ``chunk`` blocks and
    about ``logs_per_round`` logs, into the index database."""

    def __init__(
        self,
        w3: Web3,
        engine: sa.Engine,
        deployment: Deployment,
        artifacts: dict[str, Artifact],
        *,
        chunk: int = 2_000,
        poll_interval: float = 0.2,
        logs_per_round: int = LOGS_PER_ROUND,
    ) -> None:
        self.w3 = w3
        self.engine = engine
        self.deployment = deployment
        self.chunk = chunk
        self.poll_interval = poll_interval
        self.logs_per_round = logs_per_round
        # The blocks the next round asks for: from a few, doubled while their logs are few,
        # cut to the last round's share of ``logs_per_round`` when they were many.
        self.span = min(chunk, _FIRST_SPAN)
        self.behind = False
        self._names: dict[str, str] = {
            Web3.to_checksum_address(address): name
            for name, address in deployment.addresses.items()
        }
        self._addresses = list(self._names)
        self._shapes: dict[tuple[str, bytes], _Shape] = {
            (address, event_abi_to_log_topic(cast(ABIEvent, item))): _Shape.of(item)
            for address, name in self._names.items()
            for item in artifacts[name].abi
            if item.get("type") == "event"
        }
        create(engine)
        # Straight on while behind; caught up, wait: a tight loop on a fast chain would spend
        # the node on log queries.
        self._loop = Repeater(
            "index-follower", lambda: self.sync_once() > 0 and self.behind, poll_interval
        )

    # ------------------------------------------------------------------ one round

    def cursor(self) -> tuple[int, str | None]:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(sync.c.block_number, sync.c.block_hash)).first()
        if row is None:
            return self.deployment.block - 1, None
        return int(row[0]), row[1]

    def sync_once(self) -> int:
        """Reads up to one chunk of new blocks; returns how many blocks it advanced."""
        number, block_hash = self.cursor()
        # One round trip tells both where the chain is and whether it still has our block.
        head_hex, ours = batch(
            self.w3, [("eth_blockNumber", []), ("eth_getBlockByNumber", [hex(number), False])]
        )
        if block_hash is not None and (ours is None or ours["hash"] != block_hash):
            self._rewind()
            number, block_hash = self.cursor()
        head = int(head_hex, 16)
        self.behind = False
        if head <= number:
            return 0
        to = min(head, number + self.span)
        self.behind = to < head
        # Raw JSON-RPC: web3's log formatters cost more than the indexing itself.
        (logs,) = batch(
            self.w3,
            [
                (
                    "eth_getLogs",
                    [
                        {
                            "fromBlock": hex(number + 1),
                            "toBlock": hex(to),
                            "address": self._addresses,
                        }
                    ],
                )
            ],
        )
        if len(logs) > self.logs_per_round:
            # The share of the blocks asked, which near the head are fewer than the span.
            self.span = max(1, (to - number) * self.logs_per_round // len(logs))
        elif len(logs) < self.logs_per_round // 4:
            self.span = min(self.chunk, self.span * 2)
        numbers = sorted({int(log["blockNumber"], 16) for log in logs} | {to})
        headers = batch(self.w3, [("eth_getBlockByNumber", [hex(n), False]) for n in numbers])
        if None in headers:
            return 0  # the chain lost a block meanwhile: the next round rewinds
        stamps = {
            n: (HexBytes(b["hash"]), int(b["timestamp"], 16))
            for n, b in zip(numbers, headers, strict=True)
        }
        decoded = [self._decode(log, stamps[int(log["blockNumber"], 16)][1]) for log in logs]
        with self.engine.begin() as conn:
            conn.execute(sa.delete(blocks).where(blocks.c.number.in_(list(stamps))))
            conn.execute(
                sa.insert(blocks),
                [
                    {"number": n, "hash": "0x" + h.hex(), "timestamp": ts}
                    for n, (h, ts) in stamps.items()
                ],
            )
            writes = projections.Writes(conn)
            for event in decoded:
                writes.add(events, self._stored(writes, event))
                projections.apply(writes, event)
            writes.flush()
            # The national reporting outbox's records, with the events that show them: none is
            # lost or doubled however the follower is stopped (registry.index.reports).
            reports.record(conn, decoded, self.deployment.chain_id)
            self._set_cursor(conn, to, "0x" + stamps[to][0].hex())
        return to - number

    def sync(self) -> None:
        """Reads until caught up with the chain head."""
        while self.sync_once():
            pass

    # ------------------------------------------------------------------ reorgs and lost blocks

    def _newest_kept(self, stored: list[tuple[int, str]]) -> int:
        """The newest of ``stored`` (number, hash; newest first) that the chain still has, asked
        in batches of growing size (a short reorg is settled in one or two round trips). Only
        an answer counts: the node's block at that height has another hash, or it has none. Any
        error raises (``batch`` raises on every one), so nothing is decided on it."""
        start, size = 0, 1
        while start < len(stored):
            page = stored[start : start + size]
            answers = batch(self.w3, [("eth_getBlockByNumber", [hex(n), False]) for n, _ in page])
            for (number, block_hash), block in zip(page, answers, strict=True):
                if block is not None and block["hash"] == block_hash:
                    return number
            start, size = start + size, min(size * 2, _REWIND_PAGE)
        return self.deployment.block - 1

    def _rewind(self) -> None:
        with self.engine.connect() as conn:
            stored = [
                (int(n), str(h))
                for n, h in conn.execute(
                    sa.select(blocks.c.number, blocks.c.hash).order_by(blocks.c.number.desc())
                )
            ]
        safe = self._newest_kept(stored)
        with self.engine.begin() as conn:
            dropped = conn.execute(sa.delete(events).where(events.c.block_number > safe)).rowcount
            conn.execute(sa.delete(blocks).where(blocks.c.number > safe))
            unreported = reports.drop_unacknowledged_after(conn, safe)
            safe_hash = conn.execute(
                sa.select(blocks.c.hash).where(blocks.c.number == safe)
            ).scalar()
            self._set_cursor(conn, safe, safe_hash)
            self.rebuild(conn)
        # A reorg, or a node restarted from an older state: worth knowing either way.
        logger.warning(
            "the chain no longer has indexed block %d: rewound to block %d, dropped %d events "
            "after it (and %d reports not yet acknowledged) and rebuilt the projections",
            stored[0][0] if stored else safe,
            safe,
            dropped,
            unreported,
        )

    def rebuild(self, conn: sa.Connection) -> None:
        """Recomputes every projection from the stored events, in chain order."""
        for table in reversed(PROJECTIONS):
            conn.execute(sa.delete(table))
        rows = conn.execute(sa.select(events).order_by(events.c.block_number, events.c.log_index))
        writes = projections.Writes(conn)
        for row in rows:
            projections.apply(
                writes,
                Event(
                    row.contract,
                    row.name,
                    row.args,
                    row.block_number,
                    row.block_hash,
                    row.timestamp,
                    row.tx_hash,
                    row.log_index,
                ),
            )
        writes.flush()

    # ------------------------------------------------------------------ helpers

    def _decode(self, log: dict[str, Any], timestamp: int) -> Event:
        """An event from a raw ``eth_getLogs`` entry (hex strings throughout)."""
        address = checksum(log["address"].lower())
        topics = [bytes.fromhex(t[2:]) for t in log["topics"]]
        shape = self._shapes[(address, topics[0])]
        return Event(
            contract=self._names[address],
            name=shape.name,
            args=shape.decode(topics[1:], bytes.fromhex(log["data"][2:])),
            block_number=int(log["blockNumber"], 16),
            block_hash=log["blockHash"].lower(),
            timestamp=timestamp,
            tx_hash=log["transactionHash"].lower(),
            log_index=int(log["logIndex"], 16),
        )

    @staticmethod
    def _stored(writes: projections.Writes, event: Event) -> dict[str, Any]:
        """The event's row in ``events``; a certificate's event names no asset, and is stored
        under its certificate's (projected by an earlier event)."""
        asset_id = event.asset_id
        if asset_id is None and event.contract == "Certificates":
            asset_id = _certificate_asset(writes, event.args.get("certificateId"))
        return {
            "block_number": event.block_number,
            "block_hash": event.block_hash,
            "timestamp": event.timestamp,
            "tx_hash": event.tx_hash,
            "log_index": event.log_index,
            "contract": event.contract,
            "name": event.name,
            "asset_id": asset_id,
            "args": event.args,
        }

    @staticmethod
    def _set_cursor(conn: sa.Connection, number: int, block_hash: str | None) -> None:
        conn.execute(sa.delete(sync))
        conn.execute(sa.insert(sync).values(id=1, block_number=number, block_hash=block_hash))

    # ------------------------------------------------------------------ background loop

    def start(self) -> Follower:
        self._loop.start()
        return self

    def stop(self) -> None:
        self._loop.stop()


def _certificate_asset(writes: projections.Writes, token_id: Any) -> int | None:
    if token_id is None:
        return None
    value = writes.execute(
        sa.select(certificates.c.asset_id).where(certificates.c.token_id == int(token_id))
    ).scalar()
    return int(value) if value is not None else None
