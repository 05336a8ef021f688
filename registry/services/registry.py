"""One method per registration act. Each encodes the contract call and hands it to the writer of
the staff key that must send it (reviewer, registrar or anchorer); holders' consents travel
inside the call as EIP-712 signatures, so the center relays acts it cannot forge."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hexbytes import HexBytes

from registry.certificates.numbers import format_number
from registry.chain.client import BoundContract
from registry.chain.deploy import Registry
from registry.chain.errors import ContractError
from registry.chain.types import (
    DIRECT,
    Application,
    Consent,
    GrantRequest,
    RightKind,
    Standing,
    checksum,
)
from registry.chain.writer import Call, ChainWriter, Operation
from registry.evidence.verifier import Report, verify
from registry.services import holder_acts
from registry.services.holder_acts import HolderAct

# Acts that create something, and where its id is: contract, event, argument, result name.
_CREATES: dict[str, tuple[str, str, str, str]] = {
    "submitApplication": ("assets", "Applied", "assetId", "asset_id"),
    "fileObjection": ("assets", "ObjectionFiled", "objectionId", "objection_id"),
    "issue": ("assets", "RegistrationIssued", "certificateId", "certificate"),
    "grant": ("rights", "RightGranted", "grantId", "grant_id"),
    "registerLicence": ("rights", "LicenceRegistered", "certificateId", "certificate"),
}


_RESULTS_KEPT = 10_000
"""Results of confirmed operations kept in memory (the oldest read goes first)."""


@dataclass(frozen=True)
class Staff:
    """The center's signing keys, one writer each."""

    registrar: ChainWriter
    reviewer: ChainWriter
    anchorer: ChainWriter

    def all(self) -> tuple[ChainWriter, ...]:
        return (self.registrar, self.reviewer, self.anchorer)


class RegistryService:
    def __init__(
        self,
        registry: Registry,
        staff: Staff,
        indexed_block: Callable[[], int | None] | None = None,
    ) -> None:
        """``indexed_block``: how far the index has read the chain. Given, an operation is
        ``confirmed`` only once the index has read its block too, so a client that saw it
        confirmed finds what the act made in every read (the index follows a moment behind);
        until then it is ``sent``."""
        self.registry = registry
        self.staff = staff
        self._indexed_block = indexed_block
        self._results: dict[tuple[str, str, int | None], dict[str, Any] | None] = {}
        self._results_lock = threading.Lock()

    # ------------------------------------------------------------------ reads from the chain

    def standing(self, asset_id: int) -> Standing:
        return self.registry.assets.standing_of(asset_id)

    def chain_time(self) -> int:
        """The latest block's time: the registry's rules (notice, expiry) run on block time,
        not the host's clock."""
        return int(self.registry.chain.w3.eth.get_block("latest")["timestamp"])

    def block_time(self, number: int) -> int:
        """When block ``number`` was mined (Unix seconds)."""
        return int(self.registry.chain.w3.eth.get_block(number)["timestamp"])

    def head(self) -> tuple[int, str, int]:
        """The latest block: its number, hash (0x-hex) and time."""
        block = self.registry.chain.w3.eth.get_block("latest")
        return int(block["number"]), "0x" + bytes(block["hash"]).hex(), int(block["timestamp"])

    def is_contract(self, address: str) -> bool:
        """Whether ``address`` holds code (a contract holder answers EIP-1271 itself)."""
        return bool(self.registry.chain.w3.eth.get_code(checksum(address)))

    def block(self, number: int) -> tuple[str, int]:
        """Block ``number``'s hash (0x-hex) and time."""
        block = self.registry.chain.w3.eth.get_block(number)
        return "0x" + bytes(block["hash"]).hex(), int(block["timestamp"])

    def verify_receipt(self, receipt: dict[str, Any], data_hash: bytes | None) -> Report:
        """The standalone verifier's checks of an evidence receipt, against this chain."""
        return verify(self.registry.chain.w3, receipt, data_hash=data_hash)

    def operation(self, key: str) -> Operation | None:
        return self.operations([key]).get(key)

    def operations(self, keys: Sequence[str]) -> dict[str, Operation]:
        """The operations known under ``keys``, in one query (all writers share the outbox)."""
        found = self.staff.registrar.operations(keys)
        return dict(zip(found, self._seen(list(found.values())), strict=True))

    def _seen(self, ops: list[Operation]) -> list[Operation]:
        """``ops`` as a client may see them: confirmed once indexed (see ``__init__``)."""
        if self._indexed_block is None or all(op.status != "confirmed" for op in ops):
            return ops
        indexed = self._indexed_block()
        return [
            dataclasses.replace(op, status="sent")
            if op.status == "confirmed"
            and (indexed is None or op.block_number is None or op.block_number > indexed)
            else op
            for op in ops
        ]

    def result(self, op: Operation) -> dict[str, Any] | None:
        """What a confirmed act created (the new asset's id, the certificate's number, ...),
        read from its transaction's events once: listings and polling clients ask again."""
        if _CREATES.get(op.kind) is None or op.status != "confirmed" or op.tx_hash is None:
            return None
        cached = (op.key, op.tx_hash, op.block_number)
        with self._results_lock:
            if cached in self._results:
                return self._results[cached]
        found = self._read_result(op, op.tx_hash)
        with self._results_lock:
            if len(self._results) >= _RESULTS_KEPT:
                self._results.pop(next(iter(self._results)))
            self._results[cached] = found
        return found

    def _read_result(self, op: Operation, tx_hash: str) -> dict[str, Any] | None:
        contract_name, event, arg, name = _CREATES[op.kind]
        contract: BoundContract = getattr(self.registry, contract_name)
        receipt = self.registry.chain.w3.eth.get_transaction_receipt(HexBytes(tx_hash))
        found = contract.events(receipt, event)
        rank = self.staff.registrar.rank(op.key)
        if rank >= len(found):
            return None
        value = found[rank]["args"][arg]
        if name == "certificate":
            return {name: format_number(int(value))}
        return {name: "0x" + bytes(value).hex() if isinstance(value, bytes) else int(value)}

    # ------------------------------------------------------------------ application and review

    def submit_application(self, key: str, application: Application, consent: Consent) -> Operation:
        return self._send(
            self.staff.registrar,
            key,
            self.registry.assets,
            "submitApplication",
            application.to_abi(),
            consent.to_abi(),
        )

    def submit_applications(
        self, items: Sequence[tuple[str, Application, Consent]]
    ) -> list[Operation]:
        """Many applications in as few transactions as possible (``multicall``)."""
        assets = self.registry.assets
        calls = [
            Call(
                key,
                "submitApplication",
                assets.address,
                assets.encode("submitApplication", app.to_abi(), consent.to_abi()),
            )
            for key, app, consent in items
        ]
        return self._seen(self.staff.registrar.submit_batch(calls))

    def begin_review(self, key: str, asset_id: int) -> Operation:
        return self._send(self.staff.reviewer, key, self.registry.assets, "beginReview", asset_id)

    def reject(self, key: str, asset_id: int, reason_hash: bytes) -> Operation:
        return self._send(
            self.staff.reviewer, key, self.registry.assets, "reject", asset_id, reason_hash
        )

    def approve(self, key: str, asset_id: int) -> Operation:
        return self._send(self.staff.reviewer, key, self.registry.assets, "approve", asset_id)

    def file_objection(self, key: str, asset_id: int, evidence_hash: bytes) -> Operation:
        return self._send(
            self.staff.registrar,
            key,
            self.registry.assets,
            "fileObjection",
            asset_id,
            evidence_hash,
        )

    def decide_objection(
        self, key: str, objection_id: int, upheld: bool, reason_hash: bytes
    ) -> Operation:
        return self._send(
            self.staff.registrar,
            key,
            self.registry.assets,
            "decideObjection",
            objection_id,
            upheld,
            reason_hash,
        )

    def issue(self, key: str, asset_id: int) -> Operation:
        return self._send(self.staff.registrar, key, self.registry.assets, "issue", asset_id)

    # ------------------------------------------------------------------ acts on issued assets

    def change(
        self,
        key: str,
        asset_id: int,
        manifest_hash: bytes,
        manifest_cid: bytes,
        cid_codec: int,
        consent: Consent,
    ) -> Operation:
        act = holder_acts.change(asset_id, manifest_hash, manifest_cid, cid_codec)
        return self.holder_act(key, act, consent)

    def transfer(
        self, key: str, asset_id: int, new_holder: str, agreement_hash: bytes, consent: Consent
    ) -> Operation:
        return self.holder_act(
            key, holder_acts.transfer(asset_id, new_holder, agreement_hash), consent
        )

    def renew(self, key: str, asset_id: int, consent: Consent) -> Operation:
        return self.holder_act(key, holder_acts.renew(asset_id), consent)

    def pledge(
        self, key: str, asset_id: int, pledgee: str, agreement_hash: bytes, consent: Consent
    ) -> Operation:
        return self.holder_act(key, holder_acts.pledge(asset_id, pledgee, agreement_hash), consent)

    def release_pledge(self, key: str, asset_id: int) -> Operation:
        return self._send(
            self.staff.registrar, key, self.registry.assets, "releasePledge", asset_id
        )

    def freeze(self, key: str, asset_id: int, order_hash: bytes) -> Operation:
        return self._send(
            self.staff.registrar, key, self.registry.assets, "freeze", asset_id, order_hash
        )

    def unfreeze(self, key: str, asset_id: int, order_hash: bytes) -> Operation:
        return self._send(
            self.staff.registrar, key, self.registry.assets, "unfreeze", asset_id, order_hash
        )

    def cancel(self, key: str, asset_id: int, consent: Consent) -> Operation:
        return self.holder_act(key, holder_acts.cancel(asset_id), consent)

    def revoke(self, key: str, asset_id: int, reason_hash: bytes) -> Operation:
        return self._send(
            self.staff.registrar, key, self.registry.assets, "revoke", asset_id, reason_hash
        )

    # ------------------------------------------------------------------ rights

    def grant(self, key: str, request: GrantRequest, consent: Consent) -> Operation:
        return self.holder_act(key, holder_acts.grant(request), consent)

    def revoke_grant(
        self, key: str, grant_id: bytes, reason_hash: bytes, consent: Consent
    ) -> Operation:
        return self._send(
            self.staff.registrar,
            key,
            self.registry.rights,
            "revokeGrant",
            grant_id,
            reason_hash,
            consent.to_abi(),
        )

    def annul_grant(self, key: str, grant_id: bytes, reason_hash: bytes) -> Operation:
        return self._send(
            self.staff.registrar, key, self.registry.rights, "annulGrant", grant_id, reason_hash
        )

    def register_licence(
        self, key: str, asset_id: int, kind: RightKind, grantee: str, scenario: bytes
    ) -> Operation:
        return self._send(
            self.staff.registrar,
            key,
            self.registry.rights,
            "registerLicence",
            asset_id,
            int(kind),
            grantee,
            scenario,
        )

    # ------------------------------------------------------------------ consented acts

    def holder_act(self, key: str, act: HolderAct, consent: Consent) -> Operation:
        """Relays ``act`` with the holder's signed consent."""
        contract: BoundContract = getattr(self.registry, act.contract)
        return self._send(
            self.staff.registrar, key, contract, act.function, *act.args, consent.to_abi()
        )

    def broken_rule(self, act: HolderAct) -> ContractError | None:
        """The rule ``act`` breaks now, not counting the consent it still lacks. It runs from
        the registrar's key with no consent: every contract checks the asset and the act's
        fields first and asks for the holder last (``NotHolder``), so that answer means only
        the holder's signature is missing."""
        contract: BoundContract = getattr(self.registry, act.contract)
        data = contract.encode(act.function, *act.args, DIRECT.to_abi())
        error = contract.dry_run(self.staff.registrar.account.address, data)
        return None if error is None or error.name == "NotHolder" else error

    # ------------------------------------------------------------------ internals

    def _send(
        self, writer: ChainWriter, key: str, contract: BoundContract, fn: str, *args: Any
    ) -> Operation:
        """Submits the call; a key sent before answers with its operation, as seen."""
        (op,) = self._seen(
            [writer.submit(Call(key, fn, contract.address, contract.encode(fn, *args)))]
        )
        return op
