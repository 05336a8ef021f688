"""The reconciler: brings one key's transactions in the outbox in line with the chain.

- a mined transaction's receipt is recorded; one that reverted gets its reason, and if it was a
  multicall, each of its calls is checked again alone (split);
- a stored transaction the node does not know is sent again, byte for byte (after a crash
  between commit and send, or a node restarted without it);
- after the node lost blocks (restart from an older state, or a reorg) the key's chain nonce
  falls below nonces seen mined, and those transactions are sent again;
- a transaction pending longer than ``stuck_after`` is replaced at its nonce with higher fees.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from eth_abi.abi import decode as abi_decode
from web3 import Web3
from web3.exceptions import ContractLogicError
from web3.types import TxParams

from registry.background import Repeater
from registry.chain.errors import ContractError, revert_data
from registry.chain.outbox import MINED, REVERTED, SENT, STORED, Call, OpenTransaction, Outbox
from registry.chain.rpc import batch
from registry.chain.sender import Outbound, Sender, error_json, fees_of_block, replacement_fees

logger = logging.getLogger(__name__)

IDLE_ROUND = 1.0
"""Seconds between reconciliations of a key with nothing open."""


class Reconciler:
    """Reconciles one key's transactions, on demand or in a background loop."""

    def __init__(
        self,
        w3: Web3,
        sender: Sender,
        outbox: Outbox,
        *,
        stuck_after: float,
        recheck_after: float,
        poll_interval: float,
    ) -> None:
        self.w3 = w3
        self.sender = sender
        self.outbox = outbox
        self.stuck_after = stuck_after
        self.recheck_after = recheck_after
        self.head: int | None = None
        self._last_round = 0.0
        # Named by its key: the three staff writers' loops log apart.
        self._loop = Repeater(f"chain-writer {sender.address}", self._round, poll_interval)

    def reconcile(self) -> None:
        """Brings the outbox in line with the chain; safe to call at any time, from one thread.

        A round costs two JSON-RPC round trips however many transactions are open: one batch for
        the head, the key's nonce and the fees, one for every receipt and pending check needed.
        """
        address = self.sender.address
        head_hex, nonce_hex, latest = batch(
            self.w3,
            [
                ("eth_blockNumber", []),
                ("eth_getTransactionCount", [address, "latest"]),
                ("eth_getBlockByNumber", ["latest", False]),
            ],
        )
        head, chain_nonce = int(head_hex, 16), int(nonce_hex, 16)
        rows = self.outbox.open_transactions(address, self.sender.chain_id, chain_nonce, head)
        now = time.time()
        # Mined (nonce used): their receipts. Sent a while ago and still pending: is the node
        # still holding them? Freshly sent ones are left alone until the next rounds.
        mined = [t for t in rows if t.nonce < chain_nonce]
        aging = [
            t
            for t in rows
            if t.nonce >= chain_nonce
            and t.status == SENT
            and now - (t.sent_at or 0) > self.recheck_after
        ]
        answers = iter(
            batch(
                self.w3,
                [("eth_getTransactionReceipt", [h]) for t in mined for h in t.hashes]
                + [("eth_getTransactionByHash", [h]) for t in aging for h in t.hashes],
            )
        )
        receipts = {h: next(answers) for t in mined for h in t.hashes}
        known = {h: next(answers) is not None for t in aging for h in t.hashes}
        aging_ids = {t.id for t in aging}
        for t in rows:
            if t.nonce < chain_nonce:
                self._record_receipt(t, receipts)
            elif t.status in (MINED, REVERTED):
                logger.warning(
                    "transaction %s (nonce %d) was mined in block %s, which the node no longer"
                    " has: sending it again",
                    t.hashes[-1],
                    t.nonce,
                    t.block_number,
                )
                self.outbox.unmine(t.id)
                self.sender.send(t.id, t.raw)
            elif t.status == STORED:
                self.sender.send(t.id, t.raw)
            elif t.id in aging_ids:
                if not any(known[h] for h in t.hashes):
                    logger.warning(
                        "transaction %s (nonce %d) unknown to the node: sending it again",
                        t.hashes[-1],
                        t.nonce,
                    )
                    self.sender.send(t.id, t.raw)
                elif now - (t.sent_at or 0) > self.stuck_after:
                    self._replace(t)
        self.head = self.outbox.head = head
        self.sender.fees = fees_of_block(latest)

    def _record_receipt(self, t: OpenTransaction, receipts: dict[str, Any]) -> None:
        for tx_hash in t.hashes:
            receipt = receipts.get(tx_hash)
            if receipt is None:
                continue
            block_number = int(receipt["blockNumber"], 16)
            new_status = MINED if int(receipt["status"], 16) == 1 else REVERTED
            if t.block_number == block_number and t.status == new_status:
                return
            error = None if new_status == MINED else self._revert_reason(t.id, block_number)
            self.outbox.record_receipt(
                t.id, new_status, tx_hash, block_number, receipt["blockHash"], error
            )
            if new_status == REVERTED and t.status != REVERTED:
                logger.warning(
                    "transaction %s (nonce %d) reverted in block %d: %s",
                    tx_hash,
                    t.nonce,
                    block_number,
                    error,
                )
                self._split(t.id)
            return

    def _split(self, tx_id: int) -> None:
        """A multicall that reverted when mined (state changed after its check) takes no call
        down with it: each is checked again alone, sent alone if it passes, and failed with its
        own reason if not."""
        calls = self.outbox.live_calls(tx_id)
        if not calls:
            return
        tx = self.outbox.transaction(tx_id)
        (inner,) = abi_decode(["bytes[]"], tx.data[4:])
        outbound: Outbound = []
        for stored in calls:
            call = Call(stored.key, stored.kind, tx.to, bytes(inner[stored.call_index]))
            try:
                gas = self.sender.measure(tx.to, call.data)
            except ContractError as error:
                logger.warning(
                    "call %s of reverted transaction %d is refused alone: %s",
                    call.key,
                    tx_id,
                    error,
                )
                self.outbox.fail_call(call.key, error_json(error))
                continue
            outbound.append(
                self.sender.store([call], tx.to, call.data, gas, batched=False, move=True)
            )
        self.sender.send_all(outbound)

    def _revert_reason(self, tx_id: int, block_number: int) -> str:
        """The reverted transaction run again on the state before its block, for its error."""
        tx = self.outbox.transaction(tx_id)
        params: TxParams = {
            "from": self.sender.address,
            "to": Web3.to_checksum_address(tx.to),
            "data": tx.data,
        }
        try:
            self.w3.eth.call(params, block_number - 1)
        except ContractLogicError as exc:
            raw = revert_data(exc)
            reason = self.sender.decoder.decode(raw) if raw else ContractError("Reverted", (), "0x")
            return error_json(reason)
        logger.info(
            "transaction %d reverted in block %d but passes on the block before: reason unknown",
            tx_id,
            block_number,
        )
        return error_json(ContractError("Reverted", (), "0x"))

    def _replace(self, t: OpenTransaction) -> None:
        tx = self.outbox.transaction(t.id)
        max_fee, priority_fee = replacement_fees(
            tx.max_fee, tx.priority_fee, self.sender.market_fees()
        )
        signed = self.sender.sign(t.nonce, tx.to, tx.data, tx.gas, max_fee, priority_fee)
        raw, new_hash = bytes(signed.raw_transaction), "0x" + bytes(signed.hash).hex()
        logger.warning(
            "transaction %s (nonce %d) pending over %.0f s: replaced by %s (max fee %d wei)",
            t.hashes[-1],
            t.nonce,
            self.stuck_after,
            new_hash,
            max_fee,
        )
        self.outbox.replace(t.id, raw, new_hash, max_fee, priority_fee)
        self.sender.send(t.id, raw)

    # -------------------------------------------------------------- background loop

    @property
    def running(self) -> bool:
        return self._loop.running

    def start(self) -> None:
        """Reconciles now, then keeps reconciling in a background thread."""
        self.reconcile()
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()

    def _round(self) -> bool:
        """Reconciles every ``poll_interval`` while anything is open (stored, sent, or mined
        but not yet confirmed); an idle key only every ``IDLE_ROUND`` seconds, which still
        notices a node that lost blocks, without keeping the node busy for nothing."""
        if (
            self.outbox.has_open(self.sender.address, self.sender.chain_id, self.head or 0)
            or time.monotonic() - self._last_round >= IDLE_ROUND
        ):
            self.reconcile()
            self._last_round = time.monotonic()
        return False
