"""The writer under concurrency: calls arriving together share transactions (group commit), a
refused call fails alone, and one idempotency key sent many times at once is one operation."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from registry.chain import Registry
from registry.chain.sender import TX_GAS_CAP
from registry.chain.writer import Call, ChainWriter, Operation
from registry.devtools import FAR_DEADLINE, signed_application
from tests.conftest import Accounts, application


@pytest.fixture
def writer(registry: Registry, accounts: Accounts, tmp_path: Path) -> Iterator[ChainWriter]:
    w = ChainWriter(
        registry.chain.w3,
        accounts.registrar,
        tmp_path / "outbox.db",
        registry.chain.decoder,
        multicall_targets=(registry.assets.address,),
    )
    yield w
    w.close()


def apply_call(
    registry: Registry,
    holder: LocalAccount,
    key: str,
    signer: LocalAccount,
    deadline: int = FAR_DEADLINE,
) -> Call:
    """An application of ``holder`` under ``key``, its consent signed by ``signer`` and valid
    until ``deadline``."""
    app = application(holder.address, key)
    consent = signed_application(registry.assets, signer, app, deadline=deadline)
    data = registry.assets.encode_submit_application(app, consent)
    return Call(key, "submitApplication", registry.assets.address, data)


def at_once(jobs: list[Callable[[], Operation]]) -> list[Operation]:
    """Runs every job in its own thread, released together."""
    start = threading.Barrier(len(jobs))
    results: list[Operation | None] = [None] * len(jobs)

    def run(i: int) -> None:
        start.wait()
        results[i] = jobs[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def test_concurrent_calls_share_transactions(
    writer: ChainWriter, registry: Registry, accounts: Accounts
) -> None:
    holder = accounts.holder
    calls = [apply_call(registry, holder, f"c{i}", holder) for i in range(48)]
    before = registry.assets.asset_count()
    ops = at_once([lambda c=c: writer.submit(c) for c in calls])  # type: ignore[misc]
    assert [op.key for op in ops] == [c.key for c in calls]
    done = [writer.wait(op.key) for op in ops]
    assert {op.status for op in done} == {"confirmed"}
    assert registry.assets.asset_count() == before + 48
    transactions = {op.tx_hash for op in done}
    assert len(transactions) < 48  # coalesced; how far depends on the thread schedule
    nonces = sorted({op.nonce for op in done if op.nonce is not None})
    assert nonces == list(range(nonces[0], nonces[0] + len(nonces)))


def test_callers_that_keep_coming_back_share_transactions(
    writer: ChainWriter, registry: Registry, accounts: Accounts
) -> None:
    """8 clients, each sending its next call when the last was accepted (as API clients do):
    the leader waits for the callers on their way back, so groups stay large (about 7 calls
    per transaction when measured; a fixed 4 ms wait gave 3.6)."""
    holder = accounts.holder
    calls = [
        [apply_call(registry, holder, f"k{c}-{i}", holder) for i in range(10)] for c in range(8)
    ]

    def client(mine: list[Call]) -> Operation:
        return [writer.submit(call) for call in mine][-1]

    at_once([lambda mine=mine: client(mine) for mine in calls])  # type: ignore[misc]
    done = [writer.wait(call.key) for mine in calls for call in mine]
    assert {op.status for op in done} == {"confirmed"}
    assert len({op.tx_hash for op in done}) <= 30  # 80 calls: at least 2.7 per transaction


def test_refused_call_among_concurrent_ones_fails_alone(
    writer: ChainWriter, registry: Registry, accounts: Accounts
) -> None:
    holder = accounts.holder
    calls = [apply_call(registry, holder, f"ok{i}", holder) for i in range(7)]
    forged = apply_call(registry, holder, "forged", accounts.outsider)
    ops = at_once([lambda c=c: writer.submit(c) for c in [*calls, forged]])  # type: ignore[misc]
    refused = ops[-1]
    assert refused.status == "failed"
    assert refused.tx_hash is None
    assert refused.error is not None
    assert refused.error["name"] == "InvalidConsent"
    assert {writer.wait(op.key).status for op in ops[:-1]} == {"confirmed"}
    assert writer.operation("forged") is None  # nothing kept: a retry is judged afresh


def test_one_key_sent_many_times_at_once_is_one_operation(
    writer: ChainWriter, registry: Registry, accounts: Accounts
) -> None:
    call = apply_call(registry, accounts.holder, "same", accounts.holder)
    before = registry.assets.asset_count()
    ops = at_once([lambda: writer.submit(call)] * 8)
    assert len({op.tx_hash for op in ops}) == 1
    assert writer.wait("same").status == "confirmed"
    assert registry.assets.asset_count() == before + 1


def test_a_batch_measured_above_the_transaction_gas_cap_is_split_under_it(
    writer: ChainWriter, registry: Registry, accounts: Accounts
) -> None:
    """100 applications measure about 18.9 M gas with the margin: over EIP-7825's 16,777,216,
    which EDR (and every node after Osaka) refuses to take; the writer sends them in parts."""
    holder = accounts.holder
    calls = [apply_call(registry, holder, f"cap-{i}", holder) for i in range(100)]
    done = [writer.wait(op.key) for op in writer.submit_batch(calls)]
    assert {op.status for op in done} == {"confirmed"}
    hashes = {op.tx_hash for op in done}
    assert len(hashes) >= 2
    w3 = registry.chain.w3
    assert all(w3.eth.get_transaction(h)["gas"] <= TX_GAS_CAP for h in hashes)  # type: ignore[arg-type]


def test_batch_reverting_when_mined_fails_only_the_call_that_broke_it(
    writer: ChainWriter, registry: Registry, accounts: Accounts
) -> None:
    """One consent expires between the check and the block: the other calls are sent again
    alone and confirmed; the expired one fails with its own reason."""
    w3 = registry.chain.w3
    holder = accounts.holder
    # The time the check runs at: EDR keeps a time moved on by evm_increaseTime across an
    # evm_revert, so its next block may be later than the latest one's time suggests.
    now = int(w3.eth.get_block("pending")["timestamp"])
    calls = [
        apply_call(registry, holder, f"late-{i}", holder, deadline)
        for i, deadline in enumerate([FAR_DEADLINE, now + 60, FAR_DEADLINE])
    ]
    w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
    try:
        first = writer.submit_batch(calls)
        assert len({op.tx_hash for op in first}) == 1
        w3.provider.make_request("evm_increaseTime", [3600])  # type: ignore[arg-type]
        w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    finally:
        w3.provider.make_request("evm_setAutomine", [True])  # type: ignore[arg-type]
    writer.reconcile()  # sees the revert, checks each call alone, resends the good ones
    done = [writer.wait(c.key) for c in calls]
    assert [op.status for op in done] == ["confirmed", "failed", "confirmed"]
    assert done[1].error is not None
    assert done[1].error["name"] == "ConsentExpired"
    assert done[0].tx_hash != first[0].tx_hash
    assert registry.assets.asset_count() == 2
