"""The reconciler on its own, against a real anvil: receipts recorded, a stored transaction the
node never had sent, a forgotten one sent again, a stuck one replaced with higher fees, a lost
block's transaction sent again, a reverted multicall split; and a log line for each."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

from registry.chain import Registry
from registry.chain.outbox import Call, Outbox
from registry.chain.reconciler import Reconciler
from registry.chain.sender import FEE_BUMP, Sender
from registry.devtools import FAR_DEADLINE
from tests.conftest import Accounts
from tests.test_writer import apply_call


@dataclass
class Parts:
    w3: Web3
    outbox: Outbox
    sender: Sender

    def __post_init__(self) -> None:
        self.reconciler = self.reconciler_with(stuck_after=30.0)

    def reconciler_with(self, stuck_after: float) -> Reconciler:
        """A reconciler of the same key that rechecks sent transactions in every round."""
        return Reconciler(
            self.w3,
            self.sender,
            self.outbox,
            stuck_after=stuck_after,
            recheck_after=0.0,
            poll_interval=0.05,
        )

    def stored(self, call: Call) -> tuple[int, bytes]:
        """``call`` checked, signed and committed, not sent (as a crash right after commit)."""
        outbound: list[tuple[int, bytes]] = []
        assert self.sender.store_one(call, outbound) == {}
        return outbound[0]

    def status(self, key: str) -> str:
        op = self.outbox.operation(key)
        assert op is not None
        return op.status


@pytest.fixture
def parts(registry: Registry, accounts: Accounts, tmp_path: Path) -> Iterator[Parts]:
    w3 = registry.chain.w3
    outbox = Outbox(tmp_path / "outbox.db")
    sender = Sender(
        w3,
        accounts.registrar,
        outbox,
        registry.chain.decoder,
        batch_size=100,
        multicall_targets=(registry.assets.address,),
        multicall_abi=None,
    )
    found = Parts(w3, outbox, sender)
    yield found
    found.reconciler.stop()
    outbox.close()


def rpc(w3: Web3, method: str, *params: Any) -> Any:
    return w3.provider.make_request(method, list(params))["result"]  # type: ignore[arg-type]


@contextmanager
def mining_held(w3: Web3) -> Iterator[None]:
    """Transactions wait in the node's pool until ``evm_mine``."""
    rpc(w3, "evm_setAutomine", False)
    try:
        yield
    finally:
        rpc(w3, "evm_setAutomine", True)


def settled(parts: Parts, key: str) -> str:
    """``key``'s status once the node has mined what was sent: anvil's automine answers a send
    before it mines, so one round right after a send may still find the transaction pending."""
    for _ in range(100):
        parts.reconciler.reconcile()
        status = parts.status(key)
        if status not in ("pending", "sent"):
            return status
        time.sleep(0.05)
    return status


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("registry.chain") and r.levelno >= logging.WARNING
    ]


def test_receipt_of_a_sent_transaction_confirms_it_and_moves_the_head(
    parts: Parts, registry: Registry, accounts: Accounts
) -> None:
    holder = accounts.holder
    parts.sender.send(*parts.stored(apply_call(registry, holder, "a", holder)))
    assert parts.status("a") == "sent"
    assert settled(parts, "a") == "confirmed"
    assert parts.reconciler.head == parts.outbox.head == parts.w3.eth.block_number


def test_stored_transaction_the_node_never_had_is_sent(
    parts: Parts, registry: Registry, accounts: Accounts
) -> None:
    holder = accounts.holder
    before = parts.w3.eth.get_transaction_count(accounts.registrar.address)
    parts.stored(apply_call(registry, holder, "crash", holder))
    assert parts.status("crash") == "pending"
    assert parts.w3.eth.get_transaction_count(accounts.registrar.address) == before
    parts.reconciler.reconcile()
    assert parts.status("crash") == "sent"
    assert settled(parts, "crash") == "confirmed"
    assert registry.assets.asset_count() == 1


def test_transaction_the_node_forgot_is_sent_again_with_a_warning(
    parts: Parts, registry: Registry, accounts: Accounts, caplog: pytest.LogCaptureFixture
) -> None:
    holder = accounts.holder
    with mining_held(parts.w3):
        parts.sender.send(*parts.stored(apply_call(registry, holder, "gone", holder)))
        op = parts.outbox.operation("gone")
        assert op is not None
        rpc(parts.w3, "hardhat_dropTransaction", op.tx_hash)  # anvil answers it too
        parts.reconciler.reconcile()
        assert any("unknown to the node: sending it again" in m for m in warnings_of(caplog))
        assert parts.w3.eth.get_transaction(op.tx_hash) is not None  # type: ignore[arg-type]
        rpc(parts.w3, "evm_mine")
    parts.reconciler.reconcile()
    assert parts.status("gone") == "confirmed"


def test_stuck_transaction_is_replaced_at_its_nonce_with_higher_fees(
    parts: Parts, registry: Registry, accounts: Accounts, caplog: pytest.LogCaptureFixture
) -> None:
    holder = accounts.holder
    impatient = parts.reconciler_with(stuck_after=0.0)
    with mining_held(parts.w3):
        tx_id, raw = parts.stored(apply_call(registry, holder, "stuck", holder))
        first = parts.outbox.transaction(tx_id)
        parts.sender.send(tx_id, raw)
        time.sleep(0.01)
        impatient.reconcile()
        replaced = parts.outbox.transaction(tx_id)
        assert replaced.nonce == first.nonce
        assert replaced.max_fee >= first.max_fee * FEE_BUMP
        assert replaced.priority_fee >= first.priority_fee * FEE_BUMP
        (row,) = parts.outbox.open_transactions(
            accounts.registrar.address, parts.sender.chain_id, first.nonce, 0
        )
        assert len(row.hashes) == 2
        assert any("replaced by" in m for m in warnings_of(caplog))
        rpc(parts.w3, "evm_mine")
    impatient.reconcile()
    op = parts.outbox.operation("stuck")
    assert op is not None
    assert (op.status, op.tx_hash) == ("confirmed", row.hashes[1])
    assert registry.assets.asset_count() == 1


def test_transaction_of_a_lost_block_is_sent_again_with_a_warning(
    parts: Parts, registry: Registry, accounts: Accounts, caplog: pytest.LogCaptureFixture
) -> None:
    holder = accounts.holder
    snapshot = rpc(parts.w3, "evm_snapshot")
    parts.sender.send(*parts.stored(apply_call(registry, holder, "lost", holder)))
    assert settled(parts, "lost") == "confirmed"
    rpc(parts.w3, "evm_revert", snapshot)
    assert registry.assets.asset_count() == 0
    parts.reconciler.reconcile()
    assert any("which the node no longer has" in m for m in warnings_of(caplog))
    assert settled(parts, "lost") == "confirmed"
    assert registry.assets.asset_count() == 1


def test_failed_send_is_logged_and_left_stored_for_reconcile(
    parts: Parts, registry: Registry, accounts: Accounts, caplog: pytest.LogCaptureFixture
) -> None:
    """Fees the node refuses (a priority fee above the max fee): the bytes stay stored."""
    parts.sender.fees = (10**9, 2 * 10**9)
    holder = accounts.holder
    tx_id, raw = parts.stored(apply_call(registry, holder, "cheap", holder))
    parts.sender.send(tx_id, raw)
    (line,) = warnings_of(caplog)
    assert f"send of transaction {Web3.keccak(raw).to_0x_hex()}" in line
    assert f"outbox id {tx_id}" in line
    assert parts.status("cheap") == "pending"


def test_reverted_multicall_is_split_with_a_warning_for_the_refused_call(
    parts: Parts, registry: Registry, accounts: Accounts, caplog: pytest.LogCaptureFixture
) -> None:
    w3, holder = parts.w3, accounts.holder
    # The time the check runs at: EDR keeps a time moved on by evm_increaseTime across an
    # evm_revert, so its next block may be later than the latest one's time suggests.
    now = int(w3.eth.get_block("pending")["timestamp"])
    calls = [
        apply_call(registry, holder, f"split-{i}", holder, deadline)
        for i, deadline in enumerate([FAR_DEADLINE, now + 60, FAR_DEADLINE])
    ]
    with mining_held(w3):
        outbound: list[tuple[int, bytes]] = []
        assert parts.sender.store_chunk(calls, outbound) == {}
        (multicall,) = outbound
        parts.sender.send_all(outbound)
        rpc(w3, "evm_increaseTime", 3600)
        rpc(w3, "evm_mine")
    parts.reconciler.reconcile()  # the revert: each call checked alone, two sent again
    # The two sent again are mined as the node gets to them: a round may see one receipt only.
    for _ in range(100):
        parts.reconciler.reconcile()
        ops = parts.outbox.operations([c.key for c in calls])
        if all(op.status in ("confirmed", "failed") for op in ops.values()):
            break
        time.sleep(0.05)
    assert [ops[c.key].status for c in calls] == ["confirmed", "failed", "confirmed"]
    assert ops["split-1"].error is not None
    assert ops["split-1"].error["name"] == "ConsentExpired"
    assert ops["split-0"].call_index is None  # moved to a transaction of its own
    assert parts.outbox.live_calls(multicall[0]) == []
    lines = warnings_of(caplog)
    assert any("reverted in block" in m for m in lines)
    assert any("call split-1 of reverted transaction" in m and "ConsentExpired" in m for m in lines)
