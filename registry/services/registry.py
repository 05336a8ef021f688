"""The registry's service: every registration act (an ``ActCall`` built by ``registry.acts``) is
handed to the writer of the staff key that must send it; holders' consents travel inside the
call as EIP-712 signatures, so the center relays acts it cannot forge. Routes and pages read the
chain through it, never through web3."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from hexbytes import HexBytes

from registry.certificates.numbers import format_number
from registry.chain.client import BoundContract, ConsentingContract
from registry.chain.deploy import Registry
from registry.chain.errors import ContractError
from registry.chain.outbox import Outbox
from registry.chain.signing import Domain, consent_abi
from registry.chain.types import Consent, JointConsent, RightKind, Standing, checksum
from registry.chain.writer import Call, ChainWriter, Operation
from registry.evidence.verifier import FinalAnswers, Report, block_header, verify
from registry.recognition.standing import origin_standing
from registry.services.calls import ActCall, Contract

# Acts that create something, and where its id is: contract, event, argument, result name.
_CREATES: dict[str, tuple[str, str, str, str]] = {
    "submitApplication": ("assets", "Applied", "assetId", "asset_id"),
    "fileObjection": ("assets", "ObjectionFiled", "objectionId", "objection_id"),
    "fileObjectionAfterRegistration": (
        "assets",
        "PostObjectionFiled",
        "objectionId",
        "objection_id",
    ),
    "issue": ("assets", "RegistrationIssued", "certificateId", "certificate"),
    "grant": ("rights", "RightGranted", "grantId", "grant_id"),
    "registerLicence": ("rights", "LicenceRegistered", "certificateId", "certificate"),
    "annotate": ("annotations", "AnnotationRecorded", "annotationId", "annotation_id"),
    "applyTransfer": ("assets", "TransferApplied", "transferId", "transfer_id"),
    "registerTransfer": ("assets", "TransferRegistered", "certificateId", "certificate"),
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
        outbox: Outbox,
        indexed_block: Callable[[], int | None] | None = None,
        answers: FinalAnswers | None = None,
    ) -> None:
        """``outbox``: the one the staff's writers share, where every operation is read.
        ``indexed_block``: how far the index has read the chain. Given, an operation is
        ``confirmed`` only once the index has read its block too, so a client that saw it
        confirmed finds what the act made in every read (the index follows a moment behind);
        until then it is ``sent``. ``answers``: the node's answers about final blocks kept for
        verifications and block look-ups (none kept: None)."""
        self.registry = registry
        self.answers = answers
        self.staff = staff
        self.outbox = outbox
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

    def contracts(self) -> dict[str, str]:
        """The registry's contracts by the names RegistryRoles gives them (a verifier reads the
        same names from RegistryRoles itself: ``nameOf``, ``contractOf``)."""
        return dict(self.registry.contracts)

    def head(self) -> tuple[int, str, int]:
        """The latest block: its number, hash (0x-hex) and time."""
        block = self.registry.chain.w3.eth.get_block("latest")
        return int(block["number"]), "0x" + bytes(block["hash"]).hex(), int(block["timestamp"])

    def signed_standing(self, token_id: int, block: int) -> dict[str, Any] | None:
        """Certificate ``token_id``'s standing at ``block`` of this chain, as its storage shows
        it, signed by the registrar (EIP-712 ``Standing``: what a partner's RecognitionRegistry
        records); None for a block the chain has not reached."""
        w3 = self.registry.chain.w3
        if block > w3.eth.block_number:
            return None
        return origin_standing(w3, self.contracts(), token_id, block, self.staff.registrar.account)

    def is_contract(self, address: str) -> bool:
        """Whether ``address`` holds code (a contract holder answers EIP-1271 itself)."""
        return bool(self.registry.chain.w3.eth.get_code(checksum(address)))

    def block(self, number: int) -> tuple[str, int]:
        """Block ``number``'s hash (0x-hex) and time (kept once final)."""
        block = block_header(self.registry.chain.w3, number, self.answers)
        if block is None:
            raise LookupError(f"block {number} is not on this chain")
        return str(block["hash"]), int(block["timestamp"], 16)

    def verify_receipt(self, receipt: dict[str, Any], data_hash: bytes | None) -> Report:
        """The standalone verifier's checks of an evidence receipt, against this chain and this
        registry's evidence contract (what the registry signs must be its own contract's record)."""
        return verify(
            self.registry.chain.w3,
            receipt,
            data_hash=data_hash,
            evidence_contract=self.registry.evidence.address,
            registry_roles=self.registry.roles.address,
            answers=self.answers,
        )

    def eip712_domains(self) -> dict[str, dict[str, Any]]:
        """The EIP-712 domain of each contract that takes holder consents, by its name in
        ``ActCall.contract``."""
        return {
            "assets": self.registry.assets.domain().to_json(),
            "rights": self.registry.rights.domain().to_json(),
        }

    def domain(self, contract: Contract) -> Domain:
        consenting: ConsentingContract = getattr(self.registry, contract)
        return consenting.domain()

    def nonces(self, account: str) -> dict[str, int]:
        """``account``'s next sequential EIP-712 nonce on each consent-taking contract."""
        return {
            "assets": self.registry.assets.nonces(account),
            "rights": self.registry.rights.nonces(account),
        }

    def operation(self, key: str) -> Operation | None:
        return self.operations([key]).get(key)

    def operations(self, keys: Sequence[str]) -> dict[str, Operation]:
        """The operations known under ``keys``, in one query, whichever key sent them."""
        found = self.outbox.operations(keys)
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
        rank = self.outbox.rank(op.key)
        if rank >= len(found):
            return None
        value = found[rank]["args"][arg]
        if name == "certificate":
            return {name: format_number(int(value))}
        return {name: "0x" + bytes(value).hex() if isinstance(value, bytes) else int(value)}

    # ------------------------------------------------------------------ acts

    def perform(
        self, key: str, call: ActCall, consent: Consent | JointConsent | None = None
    ) -> Operation:
        """Sends ``call`` from its staff key under the operation ``key``, with the holder's
        ``consent`` when the act takes one; a key sent before answers with its operation."""
        contract: BoundContract = getattr(self.registry, call.contract)
        writer: ChainWriter = getattr(self.staff, call.sender)
        (op,) = self._seen([writer.submit(self._call(key, contract, call, consent))])
        return op

    def perform_many(
        self, items: Sequence[tuple[str, ActCall, Consent | JointConsent | None]]
    ) -> list[Operation]:
        """Many calls of one staff key in as few transactions as possible (``multicall``)."""
        senders = {call.sender for _, call, _ in items}
        if len(senders) != 1:
            raise ValueError(f"one staff key per batch, got {sorted(senders)}")
        writer: ChainWriter = getattr(self.staff, senders.pop())
        calls = [
            self._call(key, getattr(self.registry, call.contract), call, consent)
            for key, call, consent in items
        ]
        return self._seen(writer.submit_batch(calls))

    def grant_terms(
        self, asset_id: int, kind: RightKind, grantee: str, scenario: bytes
    ) -> tuple[str, str, bool]:
        """The grant of ``grantee`` under ``scenario``, as the chain holds it now: its id, its
        terms hash and whether a licence is registered on it."""
        rights = self.registry.rights
        grant_id = rights.grant_id_of(asset_id, kind, grantee, scenario)
        registered = rights.get_grant(grant_id).certificate_id != 0
        return "0x" + grant_id.hex(), "0x" + rights.terms_of(grant_id).hex(), registered

    def broken_rule(self, call: ActCall, parties: int = 1) -> ContractError | None:
        """The rule ``call`` breaks now, not counting the consent it still lacks. It runs from
        the registrar's key with no consent: every contract checks the asset and the act's
        fields first and asks for the holder last (``NotHolder``), so that answer means only
        the holder's signature is missing. ``parties``: how many sign a joint act (a
        transfer: each share's transferor and transferee), each left unsigned."""
        contract: BoundContract = getattr(self.registry, call.contract)
        unsigned = JointConsent.of([Consent()] * parties) if parties > 1 else None
        data = contract.encode(call.function, *call.args, consent_abi(call.consent or "", unsigned))
        error = contract.dry_run(self.staff.registrar.account.address, data)
        return None if error is None or error.name == "NotHolder" else error

    def asset_of(
        self, target: Literal["asset", "objection", "grant", "annotation", "transfer"], ident: Any
    ) -> int:
        """The asset an act on ``target`` ``ident`` is about (0 when there is no such one): the
        asset itself, an objection's (of the notice, or after registration: one counter numbers
        both), a grant's (a grant id is 32 bytes), an annotation's or a transfer application's."""
        if target == "transfer":
            return self.registry.assets.get_transfer(int(ident)).asset_id
        if target == "objection":
            assets = self.registry.assets
            return (
                assets.get_objection(int(ident)).asset_id
                or assets.get_post_objection(int(ident)).asset_id
            )
        if target == "annotation":
            return self.registry.annotations.get_annotation(int(ident)).asset_id
        if target == "grant":
            return self.registry.rights.get_grant(bytes(ident)).asset_id
        return int(ident)

    @staticmethod
    def _call(
        key: str, contract: BoundContract, call: ActCall, consent: Consent | JointConsent | None
    ) -> Call:
        args = (*call.args, consent_abi(call.consent, consent)) if call.consent else call.args
        return Call(key, call.function, contract.address, contract.encode(call.function, *args))
