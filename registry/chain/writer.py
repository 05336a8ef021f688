"""The chain writer: every intended transaction is durable before it is sent.

One writer owns one signing key and its nonces, and composes three parts:

- the :class:`~registry.chain.outbox.Outbox`, where an operation is recorded under its
  idempotency key together with the signed raw transaction (fixed nonce) in one commit, before
  anything is sent; one outbox is shared by every writer of a service, and read for operations;
- the :class:`~registry.chain.group_commit.GroupCommit` queue, which lets calls submitted
  concurrently share one check, one commit and one ``multicall`` transaction
  (:class:`~registry.chain.sender.Sender` checks, signs, stores and sends them);
- the :class:`~registry.chain.reconciler.Reconciler`, which brings the outbox in line with the
  chain: receipts, sending again what the node lost or never had, replacing what is stuck, and
  splitting a multicall that reverted when mined.

So a retried request with the same key never makes a second transaction, and no act is lost.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3 import Web3

from registry.chain.errors import ErrorDecoder
from registry.chain.group_commit import GroupCommit
from registry.chain.outbox import Call, Operation, OperationStatus, Outbox
from registry.chain.reconciler import Reconciler
from registry.chain.sender import Outbound, Sender

__all__ = ["Call", "ChainWriter", "Operation", "OperationStatus", "Outbox"]


class ChainWriter:
    """Sends the transactions of one key, durably and exactly once."""

    def __init__(
        self,
        w3: Web3,
        account: LocalAccount,
        outbox: Outbox | Path,
        decoder: ErrorDecoder,
        *,
        confirmations: int | None = None,
        stuck_after: float = 30.0,
        recheck_after: float = 1.0,
        poll_interval: float = 0.05,
        batch_size: int = 100,
        multicall_targets: Iterable[str] = (),
        multicall_abi: list[dict[str, Any]] | None = None,
    ) -> None:
        """``outbox``: the service's shared outbox, or a file for an outbox of this writer's
        own (closed with it). ``confirmations`` is the outbox's: given with a shared outbox,
        it must agree with it."""
        if isinstance(outbox, Outbox):
            if confirmations is not None and confirmations != outbox.confirmations:
                raise ValueError(
                    f"{confirmations} confirmations for a writer of an outbox that counts"
                    f" {outbox.confirmations}"
                )
            self.outbox, self._owns_outbox = outbox, False
        else:
            self.outbox = Outbox(
                outbox, confirmations=1 if confirmations is None else confirmations
            )
            self._owns_outbox = True
        self.w3 = w3
        self.account = account
        self.sender: ChecksumAddress = account.address
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self._outgoing = Sender(
            w3,
            account,
            self.outbox,
            decoder,
            batch_size=batch_size,
            multicall_targets=multicall_targets,
            multicall_abi=multicall_abi,
        )
        self.reconciler = Reconciler(
            w3,
            self._outgoing,
            self.outbox,
            stuck_after=stuck_after,
            recheck_after=recheck_after,
            poll_interval=poll_interval,
        )
        self._group: GroupCommit[Call, Operation] = GroupCommit(self._stage, batch_size=batch_size)

    # ------------------------------------------------------------------ submitting

    def submit(self, call: Call) -> Operation:
        """Records and sends one call; the same key again returns the first operation.

        Calls submitted concurrently are coalesced (group commit), as one ``multicall`` per
        contract that has it; alone, a call goes at once.
        """
        existing = self.outbox.operation(call.key)
        if existing is not None:
            return existing
        return self._group.submit(call)

    def _stage(self, calls: list[Call]) -> Callable[[], list[Operation]]:
        """Checks and stores a group under the lead; what it returns sends the group and answers
        each call, once the next group is being stored."""
        outbound: Outbound = []
        try:
            settled = self._outgoing.store_group(calls, outbound)
        except BaseException:
            self._outgoing.send_all(outbound)  # what was stored before the failure goes now
            raise

        def deliver() -> list[Operation]:
            self._outgoing.send_all(outbound)
            stored = self.outbox.operations([c.key for c in calls if c.key not in settled])
            return [settled.get(c.key) or stored[c.key] for c in calls]

        return deliver

    def submit_batch(self, calls: Sequence[Call]) -> list[Operation]:
        """Records many calls to one contract as ``multicall`` transactions of at most
        ``batch_size`` calls each, so that every transaction fits in a block."""
        if len({c.to for c in calls}) > 1:
            raise ValueError("a batch goes to one contract")
        settled = self.outbox.operations([c.key for c in calls])
        fresh = [c for c in calls if c.key not in settled]
        for start in range(0, len(fresh), self.batch_size):
            outbound: Outbound = []
            chunk = fresh[start : start + self.batch_size]
            settled.update(self._outgoing.store_chunk(chunk, outbound))
            self._outgoing.send_all(outbound)
        stored = self.outbox.operations([c.key for c in calls if c.key not in settled])
        return [settled.get(c.key) or stored[c.key] for c in calls]

    # ------------------------------------------------------------------ reading

    def operation(self, key: str) -> Operation | None:
        return self.outbox.operation(key)

    def operations(self, keys: Sequence[str]) -> dict[str, Operation]:
        return self.outbox.operations(keys)

    def rank(self, key: str) -> int:
        return self.outbox.rank(key)

    def wait(self, key: str, timeout: float = 30.0) -> Operation:
        """Blocks until the operation is confirmed or failed."""
        deadline = time.monotonic() + timeout
        while True:
            op = self.outbox.operation(key)
            assert op is not None, key
            if op.status in ("confirmed", "failed") or time.monotonic() > deadline:
                return op
            if not self.reconciler.running:
                self.reconcile()
            time.sleep(self.poll_interval)

    # ------------------------------------------------------------------ reconciling

    def reconcile(self) -> None:
        self.reconciler.reconcile()

    def start(self) -> ChainWriter:
        """Reconciles now, then keeps reconciling in a background thread."""
        self.reconciler.start()
        return self

    def stop(self) -> None:
        self.reconciler.stop()

    def close(self) -> None:
        """Stops; closes the outbox if it is this writer's own (a shared one is its owner's)."""
        self.stop()
        if self._owns_outbox:
            self.outbox.close()
