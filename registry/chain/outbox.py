"""The outbox: every intended transaction and the operations it carries, in one SQLite file.

Writers store a signed transaction and its operations in one commit before sending it, and the
reconciler moves transactions through their states; readers ask it for operations by key. One
``Outbox`` is opened once and handed to every writer of the service, so an operation is read
from the same place whichever key sent it.

The schema is versioned: ``PRAGMA user_version`` records how many of ``MIGRATIONS`` the file has
had, and opening applies the missing ones in order, each in its own transaction.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

from registry.journal import open_journal

logger = logging.getLogger(__name__)

# Transaction states: stored (signed, maybe not sent), sent, mined (receipt seen; the operation
# is confirmed once deep enough), reverted (mined with status 0).
STORED, SENT, MINED, REVERTED = "stored", "sent", "mined", "reverted"

OperationStatus = Literal["pending", "sent", "confirmed", "failed"]


@dataclass(frozen=True)
class Operation:
    """What a client polls: pending, sent (with its hash), confirmed, or failed with the reason."""

    key: str
    kind: str
    status: OperationStatus
    tx_hash: str | None = None
    nonce: int | None = None
    block_number: int | None = None
    call_index: int | None = None
    error: dict[str, Any] | None = None


@dataclass(frozen=True)
class Call:
    """One intended contract call under an idempotency key."""

    key: str
    kind: str
    to: str
    data: bytes


@dataclass(frozen=True)
class SignedTx:
    """A transaction signed at a fixed nonce, as it is stored before being sent (and read back
    to re-check, explain or re-sign it)."""

    sender: str
    chain_id: int
    nonce: int
    to: str
    data: bytes
    gas: int
    max_fee: int
    priority_fee: int
    raw: bytes
    tx_hash: str


@dataclass(frozen=True)
class OpenTransaction:
    """A transaction the reconciler still has to look at (its reconcile columns)."""

    id: int
    nonce: int
    raw: bytes
    hashes: list[str]
    status: str
    block_number: int | None
    sent_at: float | None


@dataclass(frozen=True)
class StoredCall:
    """A call of a multicall transaction, by its place in it."""

    key: str
    kind: str
    call_index: int


class _OperationRow(NamedTuple):
    """A row of the operations query, under its column names."""

    key: str
    kind: str
    call_index: int | None
    status: str
    tx_hash: str
    nonce: int
    block_number: int | None
    error: str | None
    refused_alone: int


_Row = TypeVar("_Row", bound=NamedTuple)


def _named(cursor: sqlite3.Cursor, row: type[_Row]) -> list[_Row]:
    """The cursor's rows as ``row``, whose fields are the query's column names in order."""
    names = tuple(column[0] for column in cursor.description)
    assert names == row._fields, names
    return [row._make(r) for r in cursor.fetchall()]


# ------------------------------------------------------------------ schema


@dataclass(frozen=True)
class Migration:
    """One named step of the schema; applied once, in order, inside a transaction."""

    name: str
    apply: Callable[[sqlite3.Connection], None]


def _statements(*sql: str) -> Callable[[sqlite3.Connection], None]:
    # One statement per execute: executescript would commit the migration's transaction.
    def apply(db: sqlite3.Connection) -> None:
        for statement in sql:
            db.execute(statement)

    return apply


def _add_operation_error(db: sqlite3.Connection) -> None:
    # Outboxes written between this column's addition and the schema's versioning have it
    # already (at version 0): the hand-written check this step replaces added it on open.
    columns = {row["name"] for row in db.execute("PRAGMA table_info(operations)")}
    if "error" not in columns:
        db.execute("ALTER TABLE operations ADD COLUMN error TEXT")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "transactions and their operations",
        # IF NOT EXISTS: files from before versioning hold these tables at version 0.
        _statements(
            """CREATE TABLE IF NOT EXISTS transactions (
                id INTEGER PRIMARY KEY,
                sender TEXT NOT NULL,
                chain_id INTEGER NOT NULL,
                nonce INTEGER NOT NULL,
                to_address TEXT NOT NULL,
                data BLOB NOT NULL,
                gas INTEGER NOT NULL,
                max_fee INTEGER NOT NULL,
                priority_fee INTEGER NOT NULL,
                raw BLOB NOT NULL,
                tx_hash TEXT NOT NULL,
                hashes TEXT NOT NULL,
                status TEXT NOT NULL,
                block_number INTEGER,
                block_hash TEXT,
                error TEXT,
                created_at REAL NOT NULL,
                sent_at REAL,
                UNIQUE (sender, chain_id, nonce)
            )""",
            """CREATE TABLE IF NOT EXISTS operations (
                key TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                tx_id INTEGER NOT NULL REFERENCES transactions (id),
                call_index INTEGER,
                created_at REAL NOT NULL
            )""",
            "CREATE INDEX IF NOT EXISTS operations_tx ON operations (tx_id)",
            "CREATE INDEX IF NOT EXISTS transactions_status"
            " ON transactions (sender, status, nonce)",
        ),
    ),
    Migration("operations.error: a call of a multicall fails alone", _add_operation_error),
)


def migrate(db: sqlite3.Connection, path: Path) -> int:
    """Applies the steps of ``MIGRATIONS`` the database lacks; returns its version."""
    while True:
        db.execute("BEGIN IMMEDIATE")  # re-read under the write lock: another process may open it
        try:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > len(MIGRATIONS):
                raise RuntimeError(
                    f"outbox {path} has schema version {version}; this registry knows"
                    f" {len(MIGRATIONS)}: open it with a newer registry"
                )
            if version == len(MIGRATIONS):
                db.execute("COMMIT")
                return version
            step = MIGRATIONS[version]
            step.apply(db)
            db.execute(f"PRAGMA user_version = {version + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        logger.info("outbox %s: schema version %d (%s)", path, version + 1, step.name)


# ------------------------------------------------------------------ the outbox


class Outbox:
    """The transactions and operations of every key of a service, behind one lock."""

    def __init__(self, path: Path, *, confirmations: int = 1) -> None:
        """``confirmations``: blocks (the transaction's own included) before an operation is
        confirmed."""
        self.path = path
        self.confirmations = confirmations
        self.head: int | None = None
        """The latest head a reconciler saw: the depth of mined operations is counted from it."""
        self.durable_head: int | None = None
        """The highest block the node cannot lose, where something says so (the embedded
        chain's :class:`~registry.chain.blocks.BlockJournal`): no operation is confirmed in a
        block above it. None: the node's head is taken at its word (a real network)."""
        self._lock = threading.Lock()
        self._db = open_journal(path, "")
        self._db.row_factory = sqlite3.Row
        self.version = migrate(self._db, path)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -------------------------------------------------------------- operations

    def operation(self, key: str) -> Operation | None:
        return self.operations([key]).get(key)

    def operations(self, keys: Sequence[str]) -> dict[str, Operation]:
        """The operations known under ``keys``: one query per 500 keys, not one per key."""
        rows: list[_OperationRow] = []
        with self._lock:
            cursor = self._db.cursor()
            # Plain tuples read into a named tuple (under 2 us for 8 rows): sqlite3.Row's
            # lookups by name cost 14 us for 8 rows, more than the query, which clients poll.
            cursor.row_factory = None
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                cursor.execute(
                    "SELECT o.key, o.kind, o.call_index, t.status, t.tx_hash, t.nonce,"
                    " t.block_number, COALESCE(o.error, t.error) AS error,"
                    " o.error IS NOT NULL AS refused_alone"
                    " FROM operations o JOIN transactions t ON t.id = o.tx_id"
                    f" WHERE o.key IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
                rows += _named(cursor, _OperationRow)
        head, durable = self.head, self.durable_head
        if head is not None and durable is not None:
            head = min(head, durable)
        return {row.key: self._operation(row, head) for row in rows}

    def _operation(self, row: _OperationRow, head: int | None) -> Operation:
        status: OperationStatus
        block = row.block_number
        if row.status == REVERTED or row.refused_alone:
            status = "failed"
        elif row.status == MINED:
            confirmed = (
                head is not None and block is not None and head - block + 1 >= self.confirmations
            )
            status = "confirmed" if confirmed else "sent"
        else:
            status = "sent" if row.status == SENT else "pending"
        return Operation(
            row.key,
            row.kind,
            status,
            row.tx_hash,
            row.nonce,
            block,
            row.call_index,
            json.loads(row.error) if row.error else None,
        )

    def rank(self, key: str) -> int:
        """How many calls of the same kind come before this one in its transaction: the index
        of its event among that transaction's events of the kind."""
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) AS rank FROM operations o JOIN operations s ON s.tx_id = o.tx_id"
                " WHERE o.key = ? AND s.kind = o.kind AND s.call_index < o.call_index",
                (key,),
            ).fetchone()
        return int(row["rank"])

    # -------------------------------------------------------------- storing and sending

    def max_nonce(self, sender: str, chain_id: int) -> int | None:
        """The highest nonce stored for the key, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT MAX(nonce) AS nonce FROM transactions WHERE sender = ? AND chain_id = ?",
                (sender, chain_id),
            ).fetchone()
        return None if row["nonce"] is None else int(row["nonce"])

    def store(
        self, tx: SignedTx, calls: Sequence[Call], *, batched: bool, move: bool = False
    ) -> int:
        """Commits the transaction and its operations together (``move``: operations that exist
        already now belong to this transaction); returns the transaction's id."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cur = self._db.execute(
                    "INSERT INTO transactions (sender, chain_id, nonce, to_address, data, gas,"
                    " max_fee, priority_fee, raw, tx_hash, hashes, status, created_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        tx.sender,
                        tx.chain_id,
                        tx.nonce,
                        tx.to,
                        tx.data,
                        tx.gas,
                        tx.max_fee,
                        tx.priority_fee,
                        tx.raw,
                        tx.tx_hash,
                        json.dumps([tx.tx_hash]),
                        STORED,
                        now,
                    ),
                )
                tx_id = cur.lastrowid
                if move:
                    self._db.executemany(
                        "UPDATE operations SET tx_id = ?, call_index = ? WHERE key = ?",
                        [(tx_id, i if batched else None, c.key) for i, c in enumerate(calls)],
                    )
                else:
                    self._db.executemany(
                        "INSERT INTO operations (key, kind, tx_id, call_index, created_at)"
                        " VALUES (?,?,?,?,?)",
                        [
                            (c.key, c.kind, tx_id, i if batched else None, now)
                            for i, c in enumerate(calls)
                        ],
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        assert tx_id is not None
        return tx_id

    def mark_sent(self, tx_id: int) -> None:
        """The node took the stored transaction."""
        with self._lock:
            self._db.execute(
                "UPDATE transactions SET status = ?, sent_at = ? WHERE id = ? AND status = ?",
                (SENT, time.time(), tx_id, STORED),
            )

    # -------------------------------------------------------------- reconciling

    def open_transactions(
        self, sender: str, chain_id: int, chain_nonce: int, head: int
    ) -> list[OpenTransaction]:
        """The key's transactions not yet settled, by nonce: stored or sent; and mined ones at
        or above the chain's nonce (their block was lost) or not yet deep enough."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, nonce, raw, hashes, status, block_number, sent_at FROM transactions"
                " WHERE sender = ? AND chain_id = ? AND (status IN (?, ?) OR"
                " (status IN (?, ?) AND (nonce >= ? OR block_number > ? - ?)))"
                " ORDER BY nonce",
                (
                    sender,
                    chain_id,
                    STORED,
                    SENT,
                    MINED,
                    REVERTED,
                    chain_nonce,
                    head,
                    self.confirmations + 1,
                ),
            ).fetchall()
        return [
            OpenTransaction(
                row["id"],
                row["nonce"],
                bytes(row["raw"]),
                json.loads(row["hashes"]),
                row["status"],
                row["block_number"],
                row["sent_at"],
            )
            for row in rows
        ]

    def has_open(self, sender: str, chain_id: int, head: int) -> bool:
        """Whether the key has anything stored, sent, or mined but not yet deep enough."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM transactions WHERE sender = ? AND chain_id = ? AND"
                " (status IN (?, ?) OR (status IN (?, ?) AND block_number > ? - ?)) LIMIT 1",
                (sender, chain_id, STORED, SENT, MINED, REVERTED, head, self.confirmations + 1),
            ).fetchone()
        return row is not None

    def transaction(self, tx_id: int) -> SignedTx:
        """The transaction as last signed."""
        with self._lock:
            row = self._db.execute(
                "SELECT sender, chain_id, nonce, to_address, data, gas, max_fee, priority_fee,"
                " raw, tx_hash FROM transactions WHERE id = ?",
                (tx_id,),
            ).fetchone()
        return SignedTx(
            row["sender"],
            row["chain_id"],
            row["nonce"],
            row["to_address"],
            bytes(row["data"]),
            row["gas"],
            row["max_fee"],
            row["priority_fee"],
            bytes(row["raw"]),
            row["tx_hash"],
        )

    def record_receipt(
        self,
        tx_id: int,
        status: str,
        tx_hash: str,
        block_number: int,
        block_hash: str,
        error: str | None,
    ) -> None:
        """The transaction was mined (``status`` mined or reverted) as ``tx_hash``."""
        with self._lock:
            self._db.execute(
                "UPDATE transactions SET status = ?, tx_hash = ?, block_number = ?,"
                " block_hash = ?, error = ? WHERE id = ?",
                (status, tx_hash, block_number, block_hash, error, tx_id),
            )

    def unmine(self, tx_id: int) -> None:
        """The node lost the transaction's block: it is stored again, to be sent again."""
        with self._lock:
            self._db.execute(
                "UPDATE transactions SET status = ?, block_number = NULL, block_hash = NULL,"
                " error = NULL WHERE id = ?",
                (STORED, tx_id),
            )

    def replace(
        self, tx_id: int, raw: bytes, tx_hash: str, max_fee: int, priority_fee: int
    ) -> None:
        """The transaction is signed again at its nonce with higher fees; every hash it had is
        kept, since any of them may be the one mined."""
        with self._lock:
            row = self._db.execute(
                "SELECT hashes FROM transactions WHERE id = ?", (tx_id,)
            ).fetchone()
            self._db.execute(
                "UPDATE transactions SET raw = ?, tx_hash = ?, hashes = ?, max_fee = ?,"
                " priority_fee = ?, status = ?, sent_at = NULL WHERE id = ?",
                (
                    raw,
                    tx_hash,
                    json.dumps([*json.loads(row["hashes"]), tx_hash]),
                    max_fee,
                    priority_fee,
                    STORED,
                    tx_id,
                ),
            )

    def live_calls(self, tx_id: int) -> list[StoredCall]:
        """The calls of a multicall transaction that have not failed alone, in order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, kind, call_index FROM operations WHERE tx_id = ? AND error IS NULL"
                " AND call_index IS NOT NULL ORDER BY call_index",
                (tx_id,),
            ).fetchall()
        return [StoredCall(row["key"], row["kind"], row["call_index"]) for row in rows]

    def fail_call(self, key: str, error: str) -> None:
        """The call under ``key`` failed alone (``error``: the contract's refusal as JSON)."""
        with self._lock:
            self._db.execute("UPDATE operations SET error = ? WHERE key = ?", (error, key))
