"""Evidence hashes batched into Merkle roots on chain, each with a receipt anyone can check.

A hash is durable once accepted (SQLite, before the answer). A batch is cut when it holds
``max_hashes`` or its oldest hash has waited ``max_wait`` seconds; its root is anchored with one
``anchorRoot`` transaction through the anchorer's writer (exactly once: the operation's key is
the root). After a crash, batches cut but not yet handed to the writer are handed over again.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.background import Repeater
from registry.chain.client import BoundContract
from registry.chain.writer import Call, ChainWriter
from registry.evidence.merkle import MerkleTree, leaf_hash
from registry.journal import open_journal

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS hashes (
    hash BLOB PRIMARY KEY,
    submitter TEXT NOT NULL,
    received_at REAL NOT NULL,
    batch INTEGER REFERENCES batches (id),
    leaf_index INTEGER
);
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY,
    root BLOB NOT NULL UNIQUE,
    leaf_count INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS hashes_unbatched ON hashes (batch, received_at);
"""


_TREES_KEPT = 64  # recent batches' trees, so receipts need no rebuild while they are asked for


@dataclass(frozen=True)
class Receipt:
    """Everything needed to check one hash against the chain without trusting the registry."""

    hash: bytes
    status: str  # queued, batched, sent, anchored or failed
    submitter: str
    received_at: float
    leaf: bytes | None = None
    proof: tuple[bytes, ...] = ()
    root: bytes | None = None
    leaf_index: int | None = None
    leaf_count: int | None = None
    tx_hash: str | None = None
    block_number: int | None = None
    error: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        def hex_(b: bytes | None) -> str | None:
            return None if b is None else "0x" + b.hex()

        return {
            "hash": hex_(self.hash),
            "status": self.status,
            "submitter": self.submitter,
            "received_at": self.received_at,
            "leaf": hex_(self.leaf),
            "proof": [hex_(p) for p in self.proof],
            "root": hex_(self.root),
            "leaf_index": self.leaf_index,
            "leaf_count": self.leaf_count,
            "tx_hash": self.tx_hash,
            "block_number": self.block_number,
            "error": self.error,
        }


class EvidenceBatcher:
    def __init__(
        self,
        writer: ChainWriter,
        anchor: BoundContract,
        db_path: Path,
        *,
        max_hashes: int = 1000,
        max_wait: float = 2.0,
        interval: float = 0.1,
    ) -> None:
        self.writer = writer
        self.anchor = anchor
        self.max_hashes = max_hashes
        self.max_wait = max_wait
        self._db = open_journal(db_path, _SCHEMA)
        self._lock = threading.Lock()
        self._trees: dict[int, MerkleTree] = {}
        self._loop = Repeater("evidence-batcher", self.cut, interval)

    # ------------------------------------------------------------------ accepting

    def add(self, data_hash: bytes, submitter: str) -> Receipt:
        """Accepts a hash (durably); the same hash again keeps its first submission."""
        if len(data_hash) != 32:
            raise ValueError("an evidence hash has 32 bytes")
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO hashes (hash, submitter, received_at) VALUES (?, ?, ?)",
                (data_hash, submitter, time.time()),
            )
        receipt = self.receipt(data_hash)
        assert receipt is not None
        return receipt

    # ------------------------------------------------------------------ batching

    def cut(self, *, force: bool = False) -> bool:
        """Cuts one batch if one is due (full, or its oldest hash waited long enough) and hands
        it to the writer; returns whether it cut one. Also re-hands batches a crash left."""
        self._hand_over_orphans()
        with self._lock:
            rows = self._db.execute(
                "SELECT hash, received_at FROM hashes WHERE batch IS NULL"
                " ORDER BY received_at, rowid LIMIT ?",
                (self.max_hashes,),
            ).fetchall()
            if not rows:
                return False
            due = len(rows) >= self.max_hashes or time.time() - rows[0][1] >= self.max_wait
            if not (due or force):
                return False
            tree = MerkleTree.from_hashes([bytes(r[0]) for r in rows])
            self._db.execute("BEGIN IMMEDIATE")
            try:
                batch = self._db.execute(
                    "INSERT INTO batches (root, leaf_count, created_at) VALUES (?, ?, ?)",
                    (tree.root, tree.count, time.time()),
                ).lastrowid
                self._db.executemany(
                    "UPDATE hashes SET batch = ?, leaf_index = ? WHERE hash = ?",
                    [(batch, i, r[0]) for i, r in enumerate(rows)],
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        assert batch is not None
        logger.debug(
            "cut evidence batch %d: %d hashes, root 0x%s", batch, tree.count, tree.root.hex()
        )
        self._remember(batch, tree)
        self._hand_over(tree.root, tree.count)
        return True

    def _operation_key(self, root: bytes) -> str:
        return f"evidence-root-{root.hex()}"

    def _hand_over(self, root: bytes, count: int) -> None:
        data = self.anchor.encode("anchorRoot", root, count)
        self.writer.submit(Call(self._operation_key(root), "anchorRoot", self.anchor.address, data))

    def _hand_over_orphans(self) -> None:
        with self._lock:
            batches = self._db.execute(
                "SELECT root, leaf_count FROM batches ORDER BY id DESC LIMIT 20"
            ).fetchall()
        for root, count in batches:
            if self.writer.operation(self._operation_key(bytes(root))) is None:
                # Cut, but the process stopped (or the writer refused it) before the writer had
                # it: anchored late rather than never.
                logger.warning(
                    "evidence batch with root 0x%s (%d hashes) was not with the writer: "
                    "handing it over again",
                    bytes(root).hex(),
                    count,
                )
                self._hand_over(bytes(root), int(count))

    # ------------------------------------------------------------------ receipts

    def receipt(self, data_hash: bytes) -> Receipt | None:
        with self._lock:
            row = self._db.execute(
                "SELECT h.submitter, h.received_at, h.batch, h.leaf_index, b.root, b.leaf_count"
                " FROM hashes h LEFT JOIN batches b ON b.id = h.batch WHERE h.hash = ?",
                (data_hash,),
            ).fetchone()
        if row is None:
            return None
        submitter, received_at, batch, index, root, count = row
        if batch is None:
            return Receipt(data_hash, "queued", submitter, received_at)
        op = self.writer.operation(self._operation_key(bytes(root)))
        if op is None:
            status = "batched"  # cut, not yet with the writer (it will be, next round)
        else:
            status = {"confirmed": "anchored", "failed": "failed"}.get(op.status, "sent")
        tree = self._tree(int(batch))
        return Receipt(
            data_hash,
            status,
            submitter,
            received_at,
            leaf=leaf_hash(data_hash),
            proof=tuple(tree.proof(int(index))),
            root=bytes(root),
            leaf_index=int(index),
            leaf_count=int(count),
            tx_hash=op.tx_hash if op else None,
            block_number=op.block_number if op else None,
            error=op.error if op else None,
        )

    def _tree(self, batch: int) -> MerkleTree:
        tree = self._trees.get(batch)
        if tree is None:
            with self._lock:
                hashes = self._db.execute(
                    "SELECT hash FROM hashes WHERE batch = ? ORDER BY leaf_index", (batch,)
                ).fetchall()
            tree = MerkleTree.from_hashes([bytes(h[0]) for h in hashes])
            self._remember(batch, tree)
        return tree

    def _remember(self, batch: int, tree: MerkleTree) -> None:
        self._trees[batch] = tree
        while len(self._trees) > _TREES_KEPT:
            del self._trees[next(iter(self._trees))]

    # ------------------------------------------------------------------ background loop

    def start(self) -> EvidenceBatcher:
        self._loop.start()
        return self

    def stop(self) -> None:
        self._loop.stop()

    def close(self) -> None:
        self.stop()
        self._db.close()
