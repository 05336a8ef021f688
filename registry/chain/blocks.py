"""The embedded chain's block journal: anvil mines only when this says so, and a block counts as
durable once its transactions are in the journal, so a kill -9 of any process loses nothing
confirmed.

anvil keeps its state in memory and rebuilds its whole state trie for every block it mines
(about 30 us per asset per block here: 26 ms at 1,200 assets, 318 ms at 10,200), and with
``--state-interval`` it rewrites its whole state file every interval (6.4 MB, 2.6 s at 10,200
assets). So the embedded node runs with ``--no-mining`` and no periodic dump, and this journal:

- mines the pending transactions as one block as soon as the previous one is done (a block
  carries everything that came while the last one was mined: blocks grow as they get dearer);
- appends each mined block (number, hash, timestamp, raw transactions) to an SQLite journal
  before telling the outbox that the block is durable (:attr:`Outbox.durable_head`): an
  operation is confirmed only in a block the journal holds;
- writes a snapshot of the state (``anvil_dumpState``) every ``snapshot_every`` seconds when
  blocks were added, and anvil dumps it at a clean stop (``--state``);
- after a restart, replays the journal's blocks after the snapshot's, each at its timestamp, so
  the chain is back as it was; a block mined but not yet journaled is lost with its
  transactions, none of which was reported confirmed, and the writers send theirs again from
  the outbox.

The disk grows by what the new acts add (their raw transactions), plus a snapshot rewritten
once per ``snapshot_every`` at most, not once a second.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

import rlp
from eth_account.typed_transactions.typed_transaction import TypedTransaction
from web3 import Web3
from web3.types import RPCEndpoint

from registry.background import Repeater
from registry.chain.capabilities import Capabilities, capabilities
from registry.chain.rpc import batch
from registry.journal import open_journal

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS blocks (
    number INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    raws TEXT NOT NULL,
    mined_ms REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def raw_transaction(tx: dict[str, Any]) -> str:
    """A mined transaction's signed bytes, rebuilt from the node's fields where it has no
    ``eth_getRawTransactionByHash`` (EDR): RLP for a legacy transaction, EIP-2718 for a typed
    one; checked against the transaction's hash, so a field the node reports differently fails
    here instead of in a replay."""

    def number(key: str) -> int:
        return int(tx[key], 16)

    data = bytes.fromhex(tx["input"].removeprefix("0x"))
    kind = number("type")
    if kind == 0:
        to = bytes.fromhex(tx["to"].removeprefix("0x")) if tx.get("to") else b""
        fields = [number("nonce"), number("gasPrice"), number("gas"), to, number("value"), data]
        raw = bytes(rlp.encode([*fields, number("v"), number("r"), number("s")]))
    else:
        typed: dict[str, Any] = {
            "type": kind,
            "chainId": number("chainId"),
            "nonce": number("nonce"),
            "gas": number("gas"),
            "value": number("value"),
            "data": data,
            "accessList": tx.get("accessList") or [],
            "v": number("yParity") if "yParity" in tx else number("v"),
            "r": number("r"),
            "s": number("s"),
        }
        if tx.get("to"):
            typed["to"] = Web3.to_checksum_address(tx["to"])
        if kind == 1:
            typed["gasPrice"] = number("gasPrice")
        else:
            typed["maxFeePerGas"] = number("maxFeePerGas")
            typed["maxPriorityFeePerGas"] = number("maxPriorityFeePerGas")
        raw = TypedTransaction.from_dict(typed).encode()
    if Web3.keccak(raw).to_0x_hex() != tx["hash"]:
        raise ReplayError(f"transaction {tx['hash']} could not be rebuilt from its fields")
    return "0x" + raw.hex()


class ReplayError(RuntimeError):
    """The node's chain and the journal disagree: a state file of another chain, say."""


class BlockJournal:
    """Mines, journals and replays the blocks of an anvil started with ``--no-mining``."""

    def __init__(
        self,
        w3: Web3,
        path: Path,
        *,
        state_file: Path | None = None,
        snapshot_every: float = 600.0,
        poll_interval: float = 0.02,
    ) -> None:
        self.w3 = w3
        self.path = path
        self.state_file = state_file
        self.snapshot_every = snapshot_every
        self._db = open_journal(path, SCHEMA)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[int], None]] = []
        self._last_snapshot = time.monotonic()
        self._unsnapshotted = False
        self._loop = Repeater("block-journal", self._round, poll_interval)
        self.durable_head = self._journaled_head()
        """The highest block in the journal (or in the state file the node loaded)."""
        self.last_mined_ms: float | None = None

    # -------------------------------------------------------------- genesis

    def genesis_timestamp(self, first: int | None = None) -> int:
        """The chain's genesis time, fixed at the first start (``first``, or now): a replay
        from an empty node must start before the journal's first block."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'genesis'").fetchone()
            if row is not None:
                return int(row[0])
            chosen = int(time.time()) if first is None else first
            self._db.execute("INSERT INTO meta (key, value) VALUES ('genesis', ?)", (str(chosen),))
            return chosen

    # -------------------------------------------------------------- mining

    def on_durable(self, listener: Callable[[int], None]) -> None:
        """Calls ``listener(block)`` with each new durable head (the outbox's setter)."""
        self._listeners.append(listener)
        listener(self.durable_head)

    def mine(self) -> int:
        """Mines what is pending as one block, journals it (and any block before it the journal
        lacks), and returns the node's head."""
        start = time.perf_counter()
        self.w3.provider.make_request(RPCEndpoint("evm_mine"), [])
        mined_ms = (time.perf_counter() - start) * 1000
        self.last_mined_ms = mined_ms
        return self._journal_to_head(mined_ms)

    def _journal_to_head(self, mined_ms: float) -> int:
        """Journals every block after the durable head up to the node's latest: the one just
        mined, and any the journal missed: one another process mined (``registry admin``'s
        ``evm_mine`` when it moves time on) or one whose journaling failed after ``evm_mine``.
        Without them a replay would mine the next journaled block at the wrong height."""
        latest = int(self.w3.eth.block_number)
        numbers = range(self.durable_head + 1, latest + 1)
        full = not self._node.raw_transactions
        blocks = batch(self.w3, [("eth_getBlockByNumber", [hex(n), full]) for n in numbers])
        for block in blocks:
            raws = (
                [raw_transaction(tx) for tx in block["transactions"]]
                if full
                else batch(
                    self.w3,
                    [("eth_getRawTransactionByHash", [h]) for h in block["transactions"]],
                )
            )
            number = int(block["number"], 16)
            with self._lock:
                self._db.execute(
                    "INSERT OR REPLACE INTO blocks (number, hash, timestamp, raws, mined_ms)"
                    " VALUES (?,?,?,?,?)",
                    (
                        number,
                        block["hash"],
                        int(block["timestamp"], 16),
                        json.dumps(raws),
                        mined_ms if number == latest else 0.0,
                    ),
                )
            self._unsnapshotted = True
            self._durable(number)
        return latest

    def _durable(self, number: int) -> None:
        self.durable_head = number
        for listener in self._listeners:
            listener(number)

    @cached_property
    def _node(self) -> Capabilities:
        return capabilities(self.w3)

    def _pending_block(self) -> list[str]:
        block = self.w3.provider.make_request(
            RPCEndpoint("eth_getBlockByNumber"), ["pending", False]
        )["result"]
        return list(block["transactions"])

    def _pending_count(self) -> int:
        """How many transactions wait in the node's pool: ``txpool_status`` (anvil), or the
        pending block's where the node has no ``txpool_`` methods (EDR)."""
        if self._node.txpool:
            status = self.w3.provider.make_request(RPCEndpoint("txpool_status"), [])["result"]
            return int(status["pending"], 16)
        return len(self._pending_block())

    def _drop_pending(self) -> None:
        if self._node.anvil_methods:
            self._rpc("anvil_dropAllTransactions", [])
        elif self._node.hardhat_methods:
            for tx_hash in self._pending_block():
                self._rpc("hardhat_dropTransaction", [tx_hash])
        else:
            raise ReplayError(f"{self._node.client} cannot drop pending transactions for a replay")

    def _round(self) -> bool:
        if self._pending_count() > 0:
            self.mine()
            return True
        if self._unsnapshotted and time.monotonic() - self._last_snapshot > self.snapshot_every:
            self.snapshot()
        return False

    def start(self) -> BlockJournal:
        self._loop.start()
        return self

    def stop(self) -> None:
        self._loop.stop()

    def close(self) -> None:
        self.stop()
        with self._lock:
            self._db.close()

    # -------------------------------------------------------------- snapshots and replay

    def snapshot(self) -> None:
        """Writes the node's whole state to the state file (atomically: a kill during the write
        leaves the last one), for the next start to replay from."""
        if self.state_file is None:
            return
        start = time.perf_counter()
        dumped = self.w3.provider.make_request(RPCEndpoint("anvil_dumpState"), [])["result"]
        state = gzip.decompress(bytes.fromhex(dumped.removeprefix("0x")))
        partial = self.state_file.with_suffix(".partial")
        with open(partial, "wb") as file:
            file.write(state)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, self.state_file)
        self._last_snapshot, self._unsnapshotted = time.monotonic(), False
        logger.info(
            "state snapshot of %d bytes written in %.1f s",
            len(state),
            time.perf_counter() - start,
        )

    def replay(self) -> int:
        """Mines again, each at its timestamp, the journal's blocks the node does not have
        (those after its state file's); returns how many. Call before anything else sends."""
        head = int(self.w3.eth.block_number)
        if head > 0:
            self._check(head)
        with self._lock:
            rows = self._db.execute(
                "SELECT number, hash, timestamp, raws FROM blocks WHERE number > ? ORDER BY number",
                (head,),
            ).fetchall()
        for number, _, timestamp, raws in rows:
            sent = json.loads(raws)
            # Only the journal's transactions go in: one another sender slipped in would run
            # before the later journaled ones and could change what they did (an asset's id).
            self._drop_pending()
            self._rpc("evm_setNextBlockTimestamp", [timestamp])
            for raw in sent:
                self._rpc("eth_sendRawTransaction", [raw])
            self._rpc("evm_mine", [])
            block = self.w3.provider.make_request(
                RPCEndpoint("eth_getBlockByNumber"), ["latest", False]
            )["result"]
            expected = [Web3.keccak(hexstr=raw).to_0x_hex() for raw in sent]
            if int(block["number"], 16) != number or block["transactions"] != expected:
                raise ReplayError(
                    f"journal block {number} of {len(expected)} transactions replayed as block"
                    f" {int(block['number'], 16)} of {len(block['transactions'])}, not the same"
                )
            with self._lock:
                self._db.execute(
                    "UPDATE blocks SET hash = ? WHERE number = ?", (block["hash"], number)
                )
        if rows:
            logger.warning("replayed %d blocks from the block journal after a restart", len(rows))
            self._unsnapshotted = True
        self._durable(max(head, self._journaled_head()))
        return len(rows)

    def _check(self, head: int) -> None:
        """The node's block ``head`` (from its state file) must be the journal's."""
        with self._lock:
            row = self._db.execute("SELECT hash FROM blocks WHERE number = ?", (head,)).fetchone()
        if row is None:
            return  # a journal started on a chain that had blocks already
        actual = self.w3.provider.make_request(
            RPCEndpoint("eth_getBlockByNumber"), [hex(head), False]
        )["result"]["hash"]
        if actual != row[0]:
            raise ReplayError(
                f"block {head} of the node's state file is {actual}, the journal's {row[0]}:"
                f" {self.path} belongs to another chain"
            )

    def _rpc(self, method: str, params: list[Any]) -> Any:
        answer = self.w3.provider.make_request(RPCEndpoint(method), params)
        if "error" in answer:
            raise ReplayError(f"{method} refused during replay: {answer['error']}")
        return answer["result"]

    # -------------------------------------------------------------- figures

    def _journaled_head(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT MAX(number) FROM blocks").fetchone()
        return int(row[0] or 0)

    def probe_ms(self) -> float:
        """Mines one empty block and returns its time: anvil's cost per block, which grows with
        the state it holds."""
        self.mine()
        assert self.last_mined_ms is not None
        return self.last_mined_ms
