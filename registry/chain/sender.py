"""One key's transactions: a call is checked and measured on the node, signed at the key's next
nonce, committed to the outbox, and only then sent. Also the gas and fee policy.

Many calls to one contract can share a transaction through its ``multicall``; if the combined
check fails, each call is checked alone, so only the refused ones fail, each with its reason.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from eth_account.datastructures import SignedTransaction
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.types import RPCEndpoint

from registry.chain.capabilities import capabilities
from registry.chain.errors import ContractError, ErrorDecoder, revert_data
from registry.chain.outbox import Call, Operation, Outbox, SignedTx
from registry.chain.rpc import batch

logger = logging.getLogger(__name__)

GAS_MARGIN = 1.25
TX_GAS_CAP = 2**24
"""A transaction's gas limit at most (EIP-7825, from the Osaka hard fork: 16,777,216). EDR
refuses more, as will every node after Osaka, where anvil 1.7.1 takes up to the block's limit: a
multicall measured above it is split in two (100 applications measured 18.9 M gas)."""
FEE_BUMP = 1.125
"""Replacement fees must exceed the old ones by at least 10% on geth; 12.5% leaves room."""

Outbound = list[tuple[int, bytes]]
"""Stored transactions still to send: outbox id and raw bytes."""


def fees_of_block(block: dict[str, Any]) -> tuple[int, int]:
    """Max fee and priority fee: twice the base fee plus 1 gwei, as wallets do."""
    priority = 10**9
    return 2 * int(block.get("baseFeePerGas") or "0x0", 16) + priority, priority


def replacement_fees(max_fee: int, priority_fee: int, market: tuple[int, int]) -> tuple[int, int]:
    """Fees for a replacement at the same nonce: the old ones raised by ``FEE_BUMP``, or the
    market's if higher."""
    market_max, market_priority = market
    new_priority = max(int(priority_fee * FEE_BUMP) + 1, market_priority)
    return max(int(max_fee * FEE_BUMP) + 1, market_max, new_priority), new_priority


def error_json(error: ContractError) -> str:
    """A refusal as the outbox keeps it and a client reads it."""
    return json.dumps({"name": error.name, "args": error.json_args(), "data": error.data})


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


class Sender:
    """Signs, stores and sends the transactions of one key; owns its nonces."""

    def __init__(
        self,
        w3: Web3,
        account: LocalAccount,
        outbox: Outbox,
        decoder: ErrorDecoder,
        *,
        batch_size: int,
        multicall_targets: Iterable[str],
        multicall_abi: list[dict[str, Any]] | None,
    ) -> None:
        self.w3 = w3
        self.account = account
        self.address = account.address
        self.outbox = outbox
        self.decoder = decoder
        self.batch_size = batch_size
        self.multicall_targets = {Web3.to_checksum_address(a) for a in multicall_targets}
        self.chain_id = int(w3.eth.chain_id)
        self._multicall = w3.eth.contract(abi=multicall_abi or _MULTICALL_ABI)
        self._lock = threading.Lock()
        self._nonce: int | None = None
        self.capabilities = capabilities(w3)
        self.fees = self.market_fees()
        """Fees for new transactions; the reconciler refreshes them every round."""

    # -------------------------------------------------------------- storing

    def store_group(self, calls: Sequence[Call], outbound: Outbound) -> dict[str, Operation]:
        """Stores calls in arrival order, one multicall per contract that has it; returns the
        operations already settled: known keys (a concurrent retry is sent once) and refusals."""
        settled = self.outbox.operations([c.key for c in calls])
        fresh: dict[str, list[Call]] = {}
        seen = set(settled)
        for call in calls:
            if call.key not in seen:
                seen.add(call.key)
                fresh.setdefault(call.to, []).append(call)
        for to, group in fresh.items():
            if to in self.multicall_targets:
                settled.update(self.store_chunk(group, outbound))
            else:
                for call in group:
                    settled.update(self.store_one(call, outbound))
        return settled

    def store_one(self, call: Call, outbound: Outbound) -> dict[str, Operation]:
        try:
            gas = self.measure(call.to, call.data)
        except ContractError as error:
            return {call.key: _refusal(call, error)}
        outbound.append(self.store([call], call.to, call.data, gas, batched=False))
        return {}

    def store_chunk(self, chunk: Sequence[Call], outbound: Outbound) -> dict[str, Operation]:
        """One multicall; if it would revert as a whole, each call alone, so that only the
        refused ones fail, each with its own reason."""
        if len(chunk) == 1:
            return self.store_one(chunk[0], outbound)
        data = bytes.fromhex(
            self._multicall.encode_abi("multicall", args=[[c.data for c in chunk]])[2:]
        )
        try:
            gas = self.measure(chunk[0].to, data)
        except ContractError:
            refusals: dict[str, Operation] = {}
            for call in chunk:
                refusals.update(self.store_one(call, outbound))
            return refusals
        if gas > TX_GAS_CAP:
            half = len(chunk) // 2
            return {
                **self.store_chunk(chunk[:half], outbound),
                **self.store_chunk(chunk[half:], outbound),
            }
        outbound.append(self.store(chunk, chunk[0].to, data, gas, batched=True))
        return {}

    def store(
        self,
        calls: Sequence[Call],
        to: str,
        data: bytes,
        gas: int,
        *,
        batched: bool,
        move: bool = False,
    ) -> tuple[int, bytes]:
        """Signs at the next nonce and commits transaction and operations together (``move``:
        operations that exist already now belong to this transaction); returns what to send."""
        with self._lock:
            max_fee, priority_fee = self.fees
            nonce = self._next_nonce()
            signed = self.sign(nonce, to, data, gas, max_fee, priority_fee)
            raw = bytes(signed.raw_transaction)
            tx = SignedTx(
                self.address,
                self.chain_id,
                nonce,
                to,
                data,
                gas,
                max_fee,
                priority_fee,
                raw,
                _hex(signed.hash),
            )
            tx_id = self.outbox.store(tx, calls, batched=batched, move=move)
        return tx_id, raw

    def _next_nonce(self) -> int:
        """The next nonce, held in memory under ``_lock``; read from outbox and node once."""
        if self._nonce is None:
            stored = self.outbox.max_nonce(self.address, self.chain_id)
            pending = int(self.w3.eth.get_transaction_count(self.address, "pending"))
            self._nonce = pending if stored is None else max(stored + 1, pending)
        nonce = self._nonce
        self._nonce += 1
        return nonce

    def sign(
        self, nonce: int, to: str, data: bytes, gas: int, max_fee: int, priority_fee: int
    ) -> SignedTransaction:
        tx: dict[str, Any] = {
            "chainId": self.chain_id,
            "nonce": nonce,
            "to": Web3.to_checksum_address(to),
            "data": data,
            "gas": gas,
            "maxFeePerGas": max_fee,
            "maxPriorityFeePerGas": priority_fee,
            "value": 0,
        }
        return self.account.sign_transaction(tx)

    # -------------------------------------------------------------- the node

    def measure(self, to: str, data: bytes) -> int:
        """Runs the call on the pending block (so an act sent a moment ago counts) and returns a
        gas limit for it; raises the contract's refusal.

        ``eth_createAccessList`` executes once and reports the gas used, where
        ``eth_estimateGas`` re-executes a dozen times to search for it; a node without the
        first (Hardhat's EDR) is asked the second, which refuses the same way.
        """
        call = {
            "from": self.address,
            "to": Web3.to_checksum_address(to),
            "data": "0x" + data.hex(),
        }
        method = "eth_createAccessList" if self.capabilities.access_lists else "eth_estimateGas"
        response = self.w3.provider.make_request(RPCEndpoint(method), [call, "pending"])
        error = response.get("error")
        if error:
            raw = revert_data(error)
            if raw:
                raise self.decoder.decode(raw)
            raise ContractError("Reverted", (str(error),), "0x")
        result = response["result"]
        used = result["gasUsed"] if self.capabilities.access_lists else result
        return int(int(used, 16) * GAS_MARGIN) + 20_000

    def market_fees(self) -> tuple[int, int]:
        return fees_of_block(batch(self.w3, [("eth_getBlockByNumber", ["latest", False])])[0])

    def send_all(self, outbound: Outbound) -> None:
        for tx_id, raw in outbound:
            self.send(tx_id, raw)

    def send(self, tx_id: int, raw: bytes) -> None:
        """Sends stored bytes; a failure leaves the transaction stored, for reconcile to send
        again (the same bytes: they can only ever be mined once)."""
        try:
            self.w3.eth.send_raw_transaction(raw)
        except Exception as exc:  # underpriced or unreachable: reconcile decides
            if "already known" not in str(exc):
                logger.warning(
                    "send of transaction %s (outbox id %d, key %s) failed, to be sent again: %s",
                    _hex(Web3.keccak(raw)),
                    tx_id,
                    self.address,
                    exc,
                )
                return
        self.outbox.mark_sent(tx_id)


def _refusal(call: Call, error: ContractError) -> Operation:
    """Nothing was sent, so nothing is kept: a retry under the same key is judged afresh."""
    return Operation(call.key, call.kind, "failed", error=json.loads(error_json(error)))


_MULTICALL_ABI: list[dict[str, Any]] = [
    {
        "type": "function",
        "name": "multicall",
        "stateMutability": "nonpayable",
        "inputs": [{"name": "data", "type": "bytes[]"}],
        "outputs": [{"name": "results", "type": "bytes[]"}],
    }
]
