"""Evidence batching: many hashes, few transactions, and a receipt for each that the contract
and the Python verifier both accept."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.chain import Registry
from registry.chain.writer import ChainWriter
from registry.evidence import EvidenceBatcher, verify
from tests.conftest import Accounts


@pytest.fixture
def batcher(registry: Registry, accounts: Accounts, tmp_path: Path) -> Iterator[EvidenceBatcher]:
    writer = ChainWriter(
        registry.chain.w3, accounts.anchorer, tmp_path / "outbox.db", registry.chain.decoder
    )
    b = EvidenceBatcher(writer, registry.evidence, tmp_path / "evidence.db", max_wait=3600)
    yield b
    b.close()
    writer.close()


def digest(i: int) -> bytes:
    return hashlib.sha256(f"evidence {i}".encode()).digest()


def test_2500_hashes_take_3_transactions_and_every_receipt_verifies(
    batcher: EvidenceBatcher, registry: Registry
) -> None:
    hashes = [digest(i) for i in range(2500)]
    for h in hashes:
        assert batcher.add(h, "test").status == "queued"
    while batcher.cut(force=True):
        pass
    receipts = [batcher.receipt(h) for h in hashes]
    roots = {r.root for r in receipts if r is not None}
    assert len(roots) == 3
    keys = {f"evidence-root-{root.hex()}" for root in roots if root is not None}
    ops = [batcher.writer.wait(k) for k in keys]
    assert {op.status for op in ops} == {"confirmed"}
    w3 = registry.chain.w3
    gas = sum(int(w3.eth.get_transaction_receipt(op.tx_hash)["gasUsed"]) for op in ops)
    assert gas / len(hashes) <= 100
    for h in hashes[::97]:
        r = batcher.receipt(h)
        assert r is not None
        assert r.status == "anchored"
        assert r.leaf is not None
        assert r.root is not None
        assert verify(r.leaf, r.proof, r.root)
        anchored, anchor = registry.evidence.verify_evidence(h, list(r.proof), r.root)
        assert anchored
        assert anchor.leaf_count == r.leaf_count


def test_a_hash_submitted_twice_keeps_its_first_receipt(batcher: EvidenceBatcher) -> None:
    first = batcher.add(digest(1), "first")
    again = batcher.add(digest(1), "second")
    assert again.submitter == "first"
    assert again.received_at == first.received_at


def test_a_batch_cut_before_a_crash_is_handed_over_on_the_next_round(
    batcher: EvidenceBatcher, registry: Registry, accounts: Accounts, tmp_path: Path
) -> None:
    batcher.add(digest(7), "test")
    batcher._hand_over = lambda root, count: None  # type: ignore[method-assign]  # the crash
    assert batcher.cut(force=True)
    receipt = batcher.receipt(digest(7))
    assert receipt is not None
    assert receipt.status == "batched"
    assert receipt.tx_hash is None
    del batcher._hand_over  # restarted: the class's own hand-over again
    batcher.cut()
    batcher.writer.wait(f"evidence-root-{receipt.root.hex() if receipt.root else ''}")
    after = batcher.receipt(digest(7))
    assert after is not None
    assert after.status == "anchored"
