"""Typed clients for the registry's contracts: one method per contract function.

Writes sign locally with the sender's key and wait for the receipt; a refusal raises
:class:`~registry.chain.errors.ContractError` named after the contract's custom error, before
anything is sent where the node can tell (gas estimation), or from a replay of a reverted
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_typing import ABIFunction, ChecksumAddress
from eth_utils.abi import (
    function_abi_to_4byte_selector,
    get_abi_input_types,
    get_abi_output_types,
)
from web3 import Web3
from web3.contract.contract import Contract, ContractFunction
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD
from web3.types import EventData, TxParams, TxReceipt

from registry.chain.errors import ContractError, ErrorDecoder, revert_data
from registry.chain.signing import Domain, consent_abi
from registry.chain.types import (
    DIRECT,
    Anchor,
    Annotation,
    AnnotationKind,
    Application,
    Asset,
    Certificate,
    CertificateKind,
    CertificateStatus,
    Consent,
    Deadlines,
    Exclusivity,
    Grant,
    GrantRequest,
    JointConsent,
    Objection,
    Parent,
    PostObjection,
    Procedure,
    RefusalReason,
    RightKind,
    RightTerm,
    Standing,
    Status,
    TransferApplication,
    TransferShare,
    checksum,
)
from registry.regions import Center

GAS_MARGIN = 1.25
RECEIPT_POLL = 0.01
"""Seconds between receipt polls: local nodes mine at once, so web3's default 0.1 s dominates."""


class Chain:
    """A web3 connection and the decoder of every error the registry can raise."""

    def __init__(self, w3: Web3, decoder: ErrorDecoder) -> None:
        self.w3 = w3
        self.decoder = decoder

    @cached_property
    def chain_id(self) -> int:
        """Read once: a node behind the same endpoint never changes chains under a deployment
        (and signing domains, receipts and credentials read it on every request)."""
        return int(self.w3.eth.chain_id)

    def _decoded(self, exc: ContractLogicError) -> ContractError:
        data = revert_data(exc)
        return self.decoder.decode(data) if data else ContractError("Reverted", (str(exc),), "0x")

    def refusal(self, error: dict[str, Any]) -> ContractError:
        """The contract's custom error from a JSON-RPC error answer to a call."""
        data = revert_data(error)
        if data:
            return self.decoder.decode(data)
        return ContractError("Reverted", (str(error.get("message", error)),), "0x")

    def call(self, fn: ContractFunction) -> Any:
        try:
            return fn.call()
        except ContractLogicError as exc:
            raise self._decoded(exc) from None

    def send(self, fn: ContractFunction, sender: LocalAccount) -> TxReceipt:
        params: TxParams = {"from": sender.address}
        try:
            gas = fn.estimate_gas(params)
        except ContractLogicError as exc:
            raise self._decoded(exc) from None
        tx = fn.build_transaction(
            {
                "from": sender.address,
                "nonce": self.w3.eth.get_transaction_count(sender.address, "pending"),
                "gas": int(gas * GAS_MARGIN) + 10_000,
                "chainId": self.chain_id,
            }
        )
        signed = sender.sign_transaction(tx)  # type: ignore[arg-type]
        receipt = self.w3.eth.wait_for_transaction_receipt(
            self.w3.eth.send_raw_transaction(signed.raw_transaction), poll_latency=RECEIPT_POLL
        )
        if receipt["status"] != 1:
            replay: TxParams = {"from": sender.address, "to": tx["to"], "data": tx["data"]}
            try:
                self.w3.eth.call(replay, receipt["blockNumber"] - 1)
            except ContractLogicError as exc:
                raise self._decoded(exc) from None
            raise ContractError("Reverted", (receipt["transactionHash"].hex(),), "0x")
        return receipt


def _checksummed(output: dict[str, Any], value: Any) -> Any:
    kind = str(output["type"])
    if kind.endswith("]"):
        inner = {**output, "type": kind[: kind.rindex("[")]}
        return [_checksummed(inner, v) for v in value]
    if kind == "tuple":
        return tuple(_checksummed(c, v) for c, v in zip(output["components"], value, strict=True))
    if kind == "address":
        return checksum(value)
    return value


class BoundContract:
    """One deployed contract: calls, sends and event decoding."""

    def __init__(self, chain: Chain, address: str, abi: list[dict[str, Any]]) -> None:
        self.chain = chain
        self.address: ChecksumAddress = Web3.to_checksum_address(address)
        self.contract: Contract = chain.w3.eth.contract(address=self.address, abi=abi)
        self._encoders: dict[str, tuple[bytes, list[str]]] = {}
        self._output_abis: dict[str, tuple[list[str], list[dict[str, Any]]]] = {}

    def encode(self, name: str, *args: Any) -> bytes:
        """Calldata of ``name(*args)``. web3's ``encode_abi`` re-hashes every selector of the ABI
        on each call (to validate it), a third of an API write's time; this encodes once-parsed
        types with eth-abi."""
        try:
            selector, types = self._encoders[name]
        except KeyError:
            fn_abi = self._function(name)
            types = get_abi_input_types(fn_abi)
            selector = function_abi_to_4byte_selector(fn_abi)
            self._encoders[name] = (selector, types)
        return selector + abi_encode(types, args)

    def _fn(self, name: str, *args: Any) -> ContractFunction:
        fn: ContractFunction = self.contract.get_function_by_name(name)(*args)
        return fn

    def _call(self, name: str, *args: Any) -> Any:
        """A view call as one raw ``eth_call``: web3's contract machinery re-reads the whole ABI
        on every call (about 15 ms here for AssetRegistry's), while this encodes and decodes
        with once-parsed types. Addresses come back checksummed, as web3 gives them."""
        types, outputs = self._outputs(name)
        values = abi_decode(types, self._eth_call(self.encode(name, *args)))
        values = tuple(_checksummed(o, v) for o, v in zip(outputs, values, strict=True))
        return values[0] if len(values) == 1 else values

    def dry_run(self, sender: str, data: bytes) -> ContractError | None:
        """Runs the call ``data`` from ``sender`` on the latest block without sending it: the
        contract's refusal, or None when it would pass."""
        try:
            self._eth_call(data, sender)
        except ContractError as refusal:
            return refusal
        return None

    def _eth_call(self, data: bytes, sender: str | None = None) -> bytes:
        """One raw ``eth_call`` on the latest block; raises the contract's refusal."""
        call = {"to": self.address, "data": "0x" + data.hex()}
        if sender is not None:
            call["from"] = sender
        answer = self.chain.w3.provider.make_request(
            "eth_call",  # type: ignore[arg-type]
            [call, "latest"],
        )
        if "error" in answer:
            raise self.chain.refusal(dict(answer["error"]))
        return bytes.fromhex(answer["result"][2:])

    def _outputs(self, name: str) -> tuple[list[str], list[dict[str, Any]]]:
        """The output types of ``name`` (tuples spelled out) and its output ABIs."""
        try:
            return self._output_abis[name]
        except KeyError:
            fn_abi = self._function(name)
            outputs = [dict(o) for o in fn_abi.get("outputs", [])]
            self._output_abis[name] = (get_abi_output_types(fn_abi), outputs)
            return self._output_abis[name]

    def _function(self, name: str) -> ABIFunction:
        (fn_abi,) = [
            e for e in self.contract.abi if e.get("name") == name and e["type"] == "function"
        ]
        return fn_abi

    def _send(self, sender: LocalAccount, name: str, *args: Any) -> TxReceipt:
        return self.chain.send(self._fn(name, *args), sender)

    def events(self, receipt: TxReceipt, name: str) -> list[EventData]:
        event = self.contract.events[name]()
        return list(event.process_receipt(receipt, errors=DISCARD))

    def _event_arg(self, receipt: TxReceipt, event: str, arg: str) -> Any:
        return self.events(receipt, event)[-1]["args"][arg]


def contract_name(name: str) -> bytes:
    """A contract's name as RegistryRoles keeps it: ASCII, right-padded with zeros to 32 bytes
    (so that anyone can write it by hand: the hex of the text, then zeros)."""
    raw = name.encode("ascii")
    if not 0 < len(raw) <= 32:
        raise ValueError(f"a contract name is 1 to 32 ASCII characters: {name!r}")
    return raw.ljust(32, b"\0")


class RolesClient(BoundContract):
    """RegistryRoles: OpenZeppelin default-admin rules."""

    def has_role(self, role: bytes, account: str) -> bool:
        return bool(self._call("hasRole", role, account))

    def grant_role(self, sender: LocalAccount, role: bytes, account: str) -> TxReceipt:
        return self._send(sender, "grantRole", role, account)

    def revoke_role(self, sender: LocalAccount, role: bytes, account: str) -> TxReceipt:
        return self._send(sender, "revokeRole", role, account)

    def default_admin(self) -> ChecksumAddress:
        return Web3.to_checksum_address(self._call("defaultAdmin"))

    def name_contract(self, sender: LocalAccount, name: str, address: str) -> TxReceipt:
        return self._send(sender, "nameContract", contract_name(name), address)

    def contract_of(self, name: str) -> ChecksumAddress:
        return Web3.to_checksum_address(self._call("contractOf", contract_name(name)))

    def name_of(self, address: str) -> str:
        """The registry's name of the contract at ``address`` (now or before); '' if none."""
        return bytes(self._call("nameOf", address)).rstrip(b"\0").decode("ascii")

    def default_admin_delay(self) -> int:
        return int(self._call("defaultAdminDelay"))

    def pending_default_admin(self) -> tuple[ChecksumAddress, int]:
        admin, schedule = self._call("pendingDefaultAdmin")
        return Web3.to_checksum_address(admin), int(schedule)

    def begin_default_admin_transfer(self, sender: LocalAccount, new_admin: str) -> TxReceipt:
        return self._send(sender, "beginDefaultAdminTransfer", new_admin)

    def accept_default_admin_transfer(self, sender: LocalAccount) -> TxReceipt:
        return self._send(sender, "acceptDefaultAdminTransfer")

    def cancel_default_admin_transfer(self, sender: LocalAccount) -> TxReceipt:
        return self._send(sender, "cancelDefaultAdminTransfer")


class ConsentingContract(BoundContract):
    """A contract that verifies holders' EIP-712 consents."""

    domain_name: str

    def domain(self) -> Domain:
        return Domain(self.domain_name, "1", self.chain.chain_id, self.address)

    def nonces(self, owner: str, key: int = 0) -> int:
        """The next nonce under ``key`` (0: the sequential one)."""
        fn = self.contract.get_function_by_signature("nonces(address,uint192)")
        return int(self.chain.call(fn(owner, key)))

    def domain_separator(self) -> bytes:
        return bytes(self._call("DOMAIN_SEPARATOR"))


class AssetRegistryClient(ConsentingContract):
    """AssetRegistry: assets and the registration lifecycle."""

    domain_name = "DataAssetRegistry"

    def submit_application(
        self,
        sender: LocalAccount,
        application: Application,
        consent: Consent | JointConsent = DIRECT,
    ) -> int:
        receipt = self.submit_application_tx(sender, application, consent)
        return int(self._event_arg(receipt, "Applied", "assetId"))

    def submit_application_tx(
        self,
        sender: LocalAccount,
        application: Application,
        consent: Consent | JointConsent = DIRECT,
    ) -> TxReceipt:
        """``consent``: a sole applicant's, or every right-holder's in order (JointConsent)."""
        consents = consent_abi("Application", consent)
        return self._send(sender, "submitApplication", application.to_abi(), consents)

    def accept(self, sender: LocalAccount, asset_id: int) -> TxReceipt:
        return self._send(sender, "accept", asset_id)

    def return_for_supplements(
        self, sender: LocalAccount, asset_id: int, list_hash: bytes, deadline: int
    ) -> TxReceipt:
        return self._send(sender, "returnForSupplements", asset_id, list_hash, deadline)

    def supply_supplements(
        self,
        sender: LocalAccount,
        asset_id: int,
        materials_hash: bytes,
        consent: Consent | JointConsent = DIRECT,
    ) -> TxReceipt:
        return self._send(
            sender,
            "supplySupplements",
            asset_id,
            materials_hash,
            consent_abi("Supplements", consent),
        )

    def request_proof(self, sender: LocalAccount, asset_id: int, request_hash: bytes) -> TxReceipt:
        return self._send(sender, "requestProof", asset_id, request_hash)

    def supply_proof(
        self,
        sender: LocalAccount,
        asset_id: int,
        proof_hash: bytes,
        consent: Consent | JointConsent = DIRECT,
    ) -> TxReceipt:
        return self._send(
            sender, "supplyProof", asset_id, proof_hash, consent_abi("Proof", consent)
        )

    def extend(
        self, sender: LocalAccount, asset_id: int, days: int, reason_hash: bytes
    ) -> TxReceipt:
        return self._send(sender, "extend", asset_id, days, reason_hash)

    def terminate(self, sender: LocalAccount, asset_id: int, reason_hash: bytes) -> TxReceipt:
        return self._send(sender, "terminate", asset_id, reason_hash)

    def refuse(
        self, sender: LocalAccount, asset_id: int, reason: RefusalReason, reason_hash: bytes
    ) -> TxReceipt:
        return self._send(sender, "refuse", asset_id, int(reason), reason_hash)

    def approve(self, sender: LocalAccount, asset_id: int) -> TxReceipt:
        return self._send(sender, "approve", asset_id)

    def approve_without_notice(
        self, sender: LocalAccount, asset_id: int, reason_hash: bytes
    ) -> TxReceipt:
        return self._send(sender, "approveWithoutNotice", asset_id, reason_hash)

    def file_objection(self, sender: LocalAccount, asset_id: int, evidence_hash: bytes) -> int:
        receipt = self._send(sender, "fileObjection", asset_id, evidence_hash)
        return int(self._event_arg(receipt, "ObjectionFiled", "objectionId"))

    def decide_objection(
        self,
        sender: LocalAccount,
        objection_id: int,
        upheld: bool,
        reason_hash: bytes,
        reason: RefusalReason = RefusalReason.NONE,
    ) -> TxReceipt:
        """Upheld, ``reason`` is the ground the application is refused on (art. 22)."""
        return self._send(sender, "decideObjection", objection_id, upheld, int(reason), reason_hash)

    def issue(self, sender: LocalAccount, asset_id: int) -> int:
        receipt = self.issue_tx(sender, asset_id)
        return int(self._event_arg(receipt, "RegistrationIssued", "certificateId"))

    def issue_tx(self, sender: LocalAccount, asset_id: int) -> TxReceipt:
        return self._send(sender, "issue", asset_id)

    def change(
        self,
        sender: LocalAccount,
        asset_id: int,
        manifest_hash: bytes,
        manifest_cid: bytes,
        cid_codec: int,
        consent: Consent | JointConsent = DIRECT,
    ) -> int:
        """``consent``: the sole holder's, or every right-holder's (JointConsent), as for
        every act on an asset below."""
        receipt = self._send(
            sender,
            "change",
            asset_id,
            manifest_hash,
            manifest_cid,
            cid_codec,
            consent_abi("Change", consent),
        )
        return int(self._event_arg(receipt, "ManifestChanged", "certificateId"))

    def apply_transfer(
        self,
        sender: LocalAccount,
        asset_id: int,
        shares: Sequence[TransferShare],
        agreement_hash: bytes,
        consent: JointConsent,
    ) -> int:
        """A transfer application (art. 34), every transferor's and transferee's consent in
        ``consent`` (each share's transferor, then its transferee); returns its id."""
        receipt = self.apply_transfer_tx(sender, asset_id, shares, agreement_hash, consent)
        return int(self._event_arg(receipt, "TransferApplied", "transferId"))

    def apply_transfer_tx(
        self,
        sender: LocalAccount,
        asset_id: int,
        shares: Sequence[TransferShare],
        agreement_hash: bytes,
        consent: JointConsent,
    ) -> TxReceipt:
        return self._send(
            sender,
            "applyTransfer",
            asset_id,
            [s.to_abi() for s in shares],
            agreement_hash,
            consent.to_abi(),
        )

    def register_transfer(self, sender: LocalAccount, transfer_id: int) -> TxReceipt:
        return self._send(sender, "registerTransfer", transfer_id)

    def refuse_transfer(
        self, sender: LocalAccount, transfer_id: int, reason: RefusalReason, reason_hash: bytes
    ) -> TxReceipt:
        return self._send(sender, "refuseTransfer", transfer_id, int(reason), reason_hash)

    def get_transfer(self, transfer_id: int) -> TransferApplication:
        return TransferApplication.from_abi(self._call("getTransfer", transfer_id))

    def transfer_count(self) -> int:
        return int(self._call("transferCount"))

    def renew(
        self, sender: LocalAccount, asset_id: int, consent: Consent | JointConsent = DIRECT
    ) -> int:
        receipt = self._send(sender, "renew", asset_id, consent_abi("Renew", consent))
        return int(self._event_arg(receipt, "RegistrationRenewed", "expiresAt"))

    def pledge(
        self,
        sender: LocalAccount,
        asset_id: int,
        pledgee: str,
        agreement_hash: bytes,
        consent: Consent | JointConsent = DIRECT,
    ) -> TxReceipt:
        return self._send(
            sender, "pledge", asset_id, pledgee, agreement_hash, consent_abi("Pledge", consent)
        )

    def release_pledge(self, sender: LocalAccount, asset_id: int) -> TxReceipt:
        return self._send(sender, "releasePledge", asset_id)

    def cancel(
        self, sender: LocalAccount, asset_id: int, consent: Consent | JointConsent = DIRECT
    ) -> TxReceipt:
        return self._send(sender, "cancel", asset_id, consent_abi("Cancel", consent))

    def revoke(self, sender: LocalAccount, asset_id: int, reason_hash: bytes) -> TxReceipt:
        return self._send(sender, "revoke", asset_id, reason_hash)

    def set_validity_period(self, sender: LocalAccount, seconds: int) -> TxReceipt:
        return self._send(sender, "setValidityPeriod", seconds)

    def set_modules(self, sender: LocalAccount, certificates: str, rights: str) -> TxReceipt:
        return self._send(sender, "setModules", certificates, rights)

    def multicall(self, sender: LocalAccount, calls: Sequence[bytes]) -> TxReceipt:
        return self._send(sender, "multicall", list(calls))

    def encode_submit_application(
        self, application: Application, consent: Consent | JointConsent
    ) -> bytes:
        """Calldata of one application, for :meth:`multicall` (``consent`` as in
        :meth:`submit_application_tx`)."""
        return self.encode(
            "submitApplication", application.to_abi(), consent_abi("Application", consent)
        )

    def get_asset(self, asset_id: int) -> Asset:
        return Asset.from_abi(self._call("getAsset", asset_id))

    def standing_of(self, asset_id: int) -> Standing:
        return Standing.from_abi(self._call("standingOf", asset_id))

    def status_of(self, asset_id: int) -> Status:
        return Status(self._call("statusOf", asset_id))

    def has_right(self, asset_id: int, kind: RightKind, account: str, time: int) -> bool:
        """Whether ``account`` holds ``kind`` in the asset's rights configuration at ``time``."""
        return bool(self._call("hasRight", asset_id, int(kind), account, time))

    def rights_of(self, asset_id: int, account: str) -> RightTerm:
        return RightTerm(*self._call("rightsOf", asset_id, account))

    def holder_of(self, asset_id: int) -> ChecksumAddress:
        return Web3.to_checksum_address(self._call("holderOf", asset_id))

    def pledgee_of(self, asset_id: int) -> ChecksumAddress:
        return Web3.to_checksum_address(self._call("pledgeeOf", asset_id))

    def parents_of(self, asset_id: int) -> list[Parent]:
        return [Parent(int(a), bytes(g)) for a, g in self._call("parentsOf", asset_id)]

    def manifest_at(self, asset_id: int, version: int) -> tuple[bytes, bytes, int]:
        h, cid, codec = self._call("manifestAt", asset_id, version)
        return bytes(h), bytes(cid), int(codec)

    def get_objection(self, objection_id: int) -> Objection:
        return Objection.from_abi(self._call("getObjection", objection_id))

    def get_post_objection(self, objection_id: int) -> PostObjection:
        return PostObjection.from_abi(self._call("getPostObjection", objection_id))

    def file_objection_after_registration(
        self, sender: LocalAccount, asset_id: int, form_hash: bytes, evidence_hash: bytes
    ) -> int:
        receipt = self._send(
            sender, "fileObjectionAfterRegistration", asset_id, form_hash, evidence_hash
        )
        return int(self._event_arg(receipt, "PostObjectionFiled", "objectionId"))

    def asset_count(self) -> int:
        return int(self._call("assetCount"))

    def procedure_of(self, asset_id: int) -> Procedure:
        return Procedure.from_abi(self._call("procedureOf", asset_id))

    def deadlines_of(self, asset_id: int) -> Deadlines:
        return Deadlines.from_abi(self._call("deadlinesOf", asset_id))

    def deemed_accepted_at(self, clock: int) -> int:
        return int(self._call("deemedAcceptedAt", clock))

    def calendar(self) -> ChecksumAddress:
        return Web3.to_checksum_address(self._call("calendar"))

    def validity_period(self) -> int:
        return int(self._call("validityPeriod"))

    def modules(self) -> tuple[ChecksumAddress, ChecksumAddress]:
        certificates, rights = self._call("modules")
        return Web3.to_checksum_address(certificates), Web3.to_checksum_address(rights)


class RightsRegistryClient(ConsentingContract):
    """RightsRegistry: processing and operating licences."""

    domain_name = "DataRightsRegistry"

    def grant(
        self, sender: LocalAccount, request: GrantRequest, consent: Consent = DIRECT
    ) -> bytes:
        receipt = self.grant_tx(sender, request, consent)
        return bytes(self._event_arg(receipt, "RightGranted", "grantId"))

    def grant_tx(
        self, sender: LocalAccount, request: GrantRequest, consent: Consent = DIRECT
    ) -> TxReceipt:
        return self._send(sender, "grant", request.to_abi(), consent.to_abi())

    def revoke_grant(
        self,
        sender: LocalAccount,
        grant_id: bytes,
        reason_hash: bytes,
        consent: Consent = DIRECT,
        revoker: str | None = None,
    ) -> TxReceipt:
        """``revoker``: the holder of the operating right who consents (the sender by default)."""
        revoker = revoker or sender.address
        return self._send(sender, "revokeGrant", grant_id, revoker, reason_hash, consent.to_abi())

    def annul_grant(self, sender: LocalAccount, grant_id: bytes, reason_hash: bytes) -> TxReceipt:
        return self._send(sender, "annulGrant", grant_id, reason_hash)

    def register_licence(
        self, sender: LocalAccount, asset_id: int, kind: RightKind, grantee: str, scenario: bytes
    ) -> int:
        receipt = self._send(sender, "registerLicence", asset_id, int(kind), grantee, scenario)
        return int(self._event_arg(receipt, "LicenceRegistered", "certificateId"))

    def has_right(
        self, asset_id: int, kind: RightKind, account: str, scenario: bytes, time: int
    ) -> bool:
        return bool(self._call("hasRight", asset_id, int(kind), account, scenario, time))

    def grant_id_of(self, asset_id: int, kind: RightKind, grantee: str, scenario: bytes) -> bytes:
        return bytes(self._call("grantIdOf", asset_id, int(kind), grantee, scenario))

    def get_grant(self, grant_id: bytes) -> Grant:
        return Grant.from_abi(self._call("getGrant", grant_id))

    def terms_of(self, grant_id: bytes) -> bytes:
        return bytes(self._call("termsOf", grant_id))

    def is_grant_active(self, grant_id: bytes, time: int) -> bool:
        return bool(self._call("isGrantActive", grant_id, time))

    def exclusivity_of(self, asset_id: int, kind: RightKind) -> Exclusivity:
        return Exclusivity(*self._call("exclusivityOf", asset_id, int(kind)))


class CertificatesClient(BoundContract):
    """Certificates: locked ERC-721 certificate tokens."""

    def get_certificate(self, token_id: int) -> Certificate:
        return Certificate.from_abi(self._call("getCertificate", token_id))

    def status_of(self, token_id: int) -> CertificateStatus:
        return CertificateStatus(self._call("statusOf", token_id))

    def grant_of(self, token_id: int) -> bytes:
        return bytes(self._call("grantOf", token_id))

    @cached_property
    def center(self) -> Center:
        """The registration center the certificates are numbered as: set at deploy and
        immutable, so read once."""
        return Center(int(self._call("province")), int(self._call("center")))

    def number_of(self, token_id: int) -> str:
        return str(self._call("numberOf", token_id))

    def token_id_of(self, number: str) -> int:
        return int(self._call("tokenIdOf", number))

    def owner_of(self, token_id: int) -> ChecksumAddress:
        return Web3.to_checksum_address(self._call("ownerOf", token_id))

    def balance_of(self, owner: str) -> int:
        return int(self._call("balanceOf", owner))

    def locked(self, token_id: int) -> bool:
        return bool(self._call("locked", token_id))

    def token_uri(self, token_id: int) -> str:
        return str(self._call("tokenURI", token_id))

    def supports_interface(self, interface_id: bytes) -> bool:
        return bool(self._call("supportsInterface", interface_id))

    def set_base_uri(self, sender: LocalAccount, base_uri: str) -> TxReceipt:
        return self._send(sender, "setBaseURI", base_uri)

    def mint(
        self,
        sender: LocalAccount,
        to: str,
        asset_id: int,
        kind: CertificateKind,
        expires_at: int,
        grant_id: bytes,
        grant_revision: int,
    ) -> int:
        receipt = self._send(
            sender, "mint", to, asset_id, int(kind), expires_at, grant_id, grant_revision
        )
        return int(self._event_arg(receipt, "CertificateIssued", "certificateId"))

    def supersede(self, sender: LocalAccount, token_id: int, successor: int) -> TxReceipt:
        return self._send(sender, "supersede", token_id, successor)

    def revoke(self, sender: LocalAccount, token_id: int) -> TxReceipt:
        return self._send(sender, "revoke", token_id)

    def extend(self, sender: LocalAccount, token_id: int, expires_at: int) -> TxReceipt:
        return self._send(sender, "extend", token_id, expires_at)

    def transfer_from(self, sender: LocalAccount, from_: str, to: str, token_id: int) -> TxReceipt:
        return self._send(sender, "transferFrom", from_, to, token_id)

    def approve(self, sender: LocalAccount, to: str, token_id: int) -> TxReceipt:
        return self._send(sender, "approve", to, token_id)

    def set_approval_for_all(
        self, sender: LocalAccount, operator: str, approved: bool
    ) -> TxReceipt:
        return self._send(sender, "setApprovalForAll", operator, approved)


class EvidenceAnchorClient(BoundContract):
    """EvidenceAnchor: hashes and Merkle roots on chain."""

    def anchor_root(self, sender: LocalAccount, root: bytes, leaf_count: int) -> TxReceipt:
        return self._send(sender, "anchorRoot", root, leaf_count)

    def anchor_hash(self, sender: LocalAccount, data_hash: bytes) -> bytes:
        receipt = self._send(sender, "anchorHash", data_hash)
        return bytes(self._event_arg(receipt, "Anchored", "root"))

    def get_anchor(self, root: bytes) -> Anchor:
        return Anchor.from_abi(self._call("getAnchor", root))

    def leaf_of(self, data_hash: bytes) -> bytes:
        return bytes(self._call("leafOf", data_hash))

    def verify(self, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
        return bool(self._call("verify", leaf, list(proof), root))

    def verify_evidence(
        self, data_hash: bytes, proof: Sequence[bytes], root: bytes
    ) -> tuple[bool, Anchor]:
        ok, anchor = self._call("verifyEvidence", data_hash, list(proof), root)
        return bool(ok), Anchor.from_abi(anchor)


class AnnotationsClient(BoundContract):
    """Annotations (备注): agreed limits, seizures, administrative controls and others."""

    def annotate_tx(
        self,
        sender: LocalAccount,
        asset_id: int,
        kind: AnnotationKind,
        authority_hash: bytes,
        document_hash: bytes,
        text_hash: bytes,
    ) -> TxReceipt:
        return self._send(
            sender, "annotate", asset_id, int(kind), authority_hash, document_hash, text_hash
        )

    def annotate(
        self,
        sender: LocalAccount,
        asset_id: int,
        kind: AnnotationKind,
        authority_hash: bytes,
        document_hash: bytes,
        text_hash: bytes,
    ) -> int:
        """Records the annotation; returns its id."""
        receipt = self.annotate_tx(sender, asset_id, kind, authority_hash, document_hash, text_hash)
        return int(self._event_arg(receipt, "AnnotationRecorded", "annotationId"))

    def lift(self, sender: LocalAccount, annotation_id: int, document_hash: bytes) -> TxReceipt:
        return self._send(sender, "lift", annotation_id, document_hash)

    def get_annotation(self, annotation_id: int) -> Annotation:
        return Annotation.from_abi(self._call("getAnnotation", annotation_id))

    def annotations_of(self, asset_id: int) -> list[int]:
        return [int(i) for i in self._call("annotationsOf", asset_id)]

    def seizures_of(self, asset_id: int) -> int:
        return int(self._call("seizuresOf", asset_id))
