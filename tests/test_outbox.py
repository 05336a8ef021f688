"""The outbox on its own: files of earlier schemas open with their data, rows are read by name,
operations are answered by key with their status, and one outbox serves every writer."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.chain import Registry
from registry.chain.outbox import MIGRATIONS, Call, OpenTransaction, Outbox, SignedTx
from registry.chain.writer import ChainWriter
from tests.conftest import Accounts
from tests.test_writer import apply_call

SENDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
TARGET = "0x5FbDB2315678afecb367f032d93F642f64180aa3"

# The outbox as ChainWriter created it before the schema was versioned (user_version 0), and
# before that, without operations.error (added on open by a hand-written check).
BEFORE_VERSIONING = """
CREATE TABLE transactions (
    id INTEGER PRIMARY KEY, sender TEXT NOT NULL, chain_id INTEGER NOT NULL,
    nonce INTEGER NOT NULL, to_address TEXT NOT NULL, data BLOB NOT NULL, gas INTEGER NOT NULL,
    max_fee INTEGER NOT NULL, priority_fee INTEGER NOT NULL, raw BLOB NOT NULL,
    tx_hash TEXT NOT NULL, hashes TEXT NOT NULL, status TEXT NOT NULL, block_number INTEGER,
    block_hash TEXT, error TEXT, created_at REAL NOT NULL, sent_at REAL,
    UNIQUE (sender, chain_id, nonce)
);
CREATE TABLE operations (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, tx_id INTEGER NOT NULL REFERENCES transactions (id),
    call_index INTEGER, created_at REAL NOT NULL, error TEXT
);
CREATE INDEX operations_tx ON operations (tx_id);
CREATE INDEX transactions_status ON transactions (sender, status, nonce);
"""
BEFORE_OPERATION_ERRORS = BEFORE_VERSIONING.replace(
    ", error TEXT\n);\nCREATE INDEX", "\n);\nCREATE INDEX"
)


def old_outbox(path: Path, schema: str) -> None:
    """An outbox file of an earlier schema holding one mined transaction of two calls."""
    db = sqlite3.connect(path)
    db.executescript(schema)
    db.execute(
        "INSERT INTO transactions (id, sender, chain_id, nonce, to_address, data, gas, max_fee,"
        " priority_fee, raw, tx_hash, hashes, status, block_number, block_hash, created_at,"
        " sent_at) VALUES (1, ?, 31337, 7, ?, x'ac9650d8', 90000, 3, 1, x'02f8', '0xaa',"
        " '[\"0xaa\"]', 'mined', 12, '0xbb', 1.0, 2.0)",
        (SENDER, TARGET),
    )
    db.executemany(
        "INSERT INTO operations (key, kind, tx_id, call_index, created_at) VALUES (?,?,1,?,1.0)",
        [("first", "submitApplication", 0), ("second", "submitApplication", 1)],
    )
    db.commit()
    db.close()


def columns(path: Path, table: str) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def signed(nonce: int, tx_hash: str) -> SignedTx:
    return SignedTx(SENDER, 31337, nonce, TARGET, b"\xac\x96", 90_000, 3, 1, b"\x02", tx_hash)


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    box = Outbox(tmp_path / "outbox.db")
    yield box
    box.close()


@pytest.mark.parametrize("schema", [BEFORE_VERSIONING, BEFORE_OPERATION_ERRORS])
def test_outbox_of_an_earlier_schema_opens_with_its_operations(tmp_path: Path, schema: str) -> None:
    path = tmp_path / "outbox.db"
    old_outbox(path, schema)
    assert ("error" in columns(path, "operations")) == (schema == BEFORE_VERSIONING)
    box = Outbox(path)
    try:
        assert box.version == len(MIGRATIONS)
        assert "error" in columns(path, "operations")
        box.head = 12
        first = box.operation("first")
        assert first is not None
        assert (first.status, first.tx_hash, first.nonce, first.block_number) == (
            "confirmed",
            "0xaa",
            7,
            12,
        )
        assert box.rank("second") == 1
        box.fail_call("second", json.dumps({"name": "ConsentExpired", "args": [], "data": "0x"}))
        second = box.operation("second")
        assert second is not None
        assert second.status == "failed"
        assert second.error == {"name": "ConsentExpired", "args": [], "data": "0x"}
    finally:
        box.close()


def test_outbox_opened_again_keeps_its_version_and_data(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    box = Outbox(path)
    box.store(signed(0, "0x01"), [Call("k", "approve", TARGET, b"")], batched=False)
    box.close()
    again = Outbox(path)
    try:
        assert again.version == len(MIGRATIONS)
        assert again.operation("k") is not None
        assert again.max_nonce(SENDER, 31337) == 0
    finally:
        again.close()


def test_outbox_of_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(RuntimeError, match="newer registry"):
        Outbox(path)


def test_operations_are_answered_by_key_and_ranked_by_kind_in_their_transaction(
    outbox: Outbox,
) -> None:
    kinds = ["submitApplication", "fileObjection", "submitApplication"]
    calls = [Call(f"k{i}", kind, TARGET, b"") for i, kind in enumerate(kinds)]
    outbox.store(signed(4, "0x04"), calls, batched=True)
    found = outbox.operations(["k0", "k2", "unknown"])
    assert set(found) == {"k0", "k2"}
    assert [found["k0"].call_index, found["k2"].call_index] == [0, 2]
    assert {op.status for op in found.values()} == {"pending"}
    assert {op.nonce for op in found.values()} == {4}
    assert [outbox.rank(k) for k in ("k0", "k1", "k2")] == [0, 0, 1]
    assert outbox.operation("unknown") is None


def test_many_keys_are_read_in_chunks(outbox: Outbox) -> None:
    calls = [Call(f"k{i}", "submitApplication", TARGET, b"") for i in range(1200)]
    outbox.store(signed(0, "0x00"), calls, batched=True)
    assert len(outbox.operations([c.key for c in calls])) == 1200


def test_operation_status_follows_its_transaction_and_the_head(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.db", confirmations=2)
    try:
        tx_id = box.store(signed(0, "0x01"), [Call("k", "approve", TARGET, b"")], batched=False)

        def status() -> str:
            op = box.operation("k")
            assert op is not None
            return op.status

        assert status() == "pending"
        box.mark_sent(tx_id)
        assert status() == "sent"
        box.record_receipt(tx_id, "mined", "0x01", 10, "0xb1", None)
        assert status() == "sent"  # no head seen yet
        box.head = 10
        assert status() == "sent"  # one block deep of two
        box.head = 11
        assert status() == "confirmed"
        box.unmine(tx_id)
        assert status() == "pending"
        error = json.dumps({"name": "Reverted", "args": [], "data": "0x"})
        box.record_receipt(tx_id, "reverted", "0x01", 12, "0xb2", error)
        op = box.operation("k")
        assert op is not None
        assert (op.status, op.error) == ("failed", json.loads(error))
    finally:
        box.close()


def test_open_transactions_are_named_rows_that_keep_every_hash(outbox: Outbox) -> None:
    tx_id = outbox.store(signed(3, "0x03"), [Call("k", "approve", TARGET, b"")], batched=False)
    outbox.mark_sent(tx_id)
    outbox.replace(tx_id, b"\x02\x03", "0x0333", 4, 2)
    (row,) = outbox.open_transactions(SENDER, 31337, chain_nonce=3, head=5)
    assert row == OpenTransaction(tx_id, 3, b"\x02\x03", ["0x03", "0x0333"], "stored", None, None)
    stored = outbox.transaction(tx_id)
    assert (stored.nonce, stored.to, stored.gas, stored.max_fee, stored.priority_fee) == (
        3,
        TARGET,
        90_000,
        4,
        2,
    )
    assert outbox.has_open(SENDER, 31337, head=5)
    assert not outbox.has_open(SENDER, 1, head=5)


def test_moved_calls_belong_to_their_new_transaction(outbox: Outbox) -> None:
    calls = [Call(f"k{i}", "submitApplication", TARGET, b"") for i in range(3)]
    first = outbox.store(signed(0, "0x00"), calls, batched=True)
    outbox.fail_call("k1", json.dumps({"name": "ConsentExpired", "args": [], "data": "0x"}))
    assert [c.key for c in outbox.live_calls(first)] == ["k0", "k2"]
    outbox.store(signed(1, "0x01"), [calls[2]], batched=False, move=True)
    moved = outbox.operation("k2")
    assert moved is not None
    assert (moved.tx_hash, moved.call_index) == ("0x01", None)
    assert [c.key for c in outbox.live_calls(first)] == ["k0"]


def test_one_outbox_handed_to_every_writer_answers_for_all_of_them(
    registry: Registry, accounts: Accounts, tmp_path: Path
) -> None:
    box = Outbox(tmp_path / "outbox.db")
    w3, decoder = registry.chain.w3, registry.chain.decoder
    registrar = ChainWriter(w3, accounts.registrar, box, decoder)
    anchorer = ChainWriter(w3, accounts.anchorer, box, decoder)
    try:
        assert registrar.outbox is anchorer.outbox is box
        holder = accounts.holder
        registrar.submit(apply_call(registry, holder, "by-registrar", holder))
        data = registry.evidence.encode("anchorHash", b"\x11" * 32)
        anchorer.submit(Call("by-anchorer", "anchorHash", registry.evidence.address, data))
        assert registrar.wait("by-registrar").status == "confirmed"
        assert anchorer.wait("by-anchorer").status == "confirmed"
        assert set(box.operations(["by-registrar", "by-anchorer"])) == {
            "by-registrar",
            "by-anchorer",
        }
        with pytest.raises(ValueError, match="confirmations"):
            ChainWriter(w3, accounts.reviewer, box, decoder, confirmations=3)
    finally:
        registrar.close()
        anchorer.close()
    assert box.operation("by-anchorer") is not None  # a shared outbox is closed by its owner
    box.close()
