"""What this registry answers about a partner region's certificate, decided here from the
record on chain and the mediator's journal. Reading an answer changes nothing: a check is
queued only by :meth:`Mediator.request` (``POST .../recheck``) or by the mediator's own rounds
(the partner's events, expiry by the partner's clock)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from registry.certificates.numbers import format_number
from registry.chain.recognition import AgreementStatus, Recognition
from registry.chain.types import CertificateStatus
from registry.recognition.mediator import Mediator
from registry.regions import region_name

RecognitionStatus = Literal["recognised", "not_recognised", "refused", "pending"]


class UnknownPartnerError(LookupError):
    """This registry has no agreement with the region."""

    def __init__(self, region: int) -> None:
        super().__init__(f"region {region}")
        self.region = region


class AgreementTerms(BaseModel):
    """The agreement with the origin region, as recorded on chain here."""

    status: str
    in_force: bool
    valid_from: int
    valid_until: int
    chain_id: int
    certificates: str
    assets: str


class RecordOut(BaseModel):
    """The partner certificate's standing as recorded here from a proof of its storage."""

    holder: str
    asset_id: int
    manifest_hash: str
    kind: int
    origin_status: str
    frozen: bool
    issued_at: int
    expires_at: int
    recognised_since: int | None
    checked_at: int
    successor: str | None
    proof_block: int
    rights_summary: str

    @classmethod
    def of(cls, record: Recognition) -> RecordOut:
        return cls(
            holder=record.holder,
            asset_id=record.asset_id,
            manifest_hash="0x" + record.manifest_hash.hex(),
            kind=record.kind,
            origin_status=CertificateStatus(record.origin_status).name.lower(),
            frozen=record.frozen,
            issued_at=record.issued_at,
            expires_at=record.expires_at,
            recognised_since=record.recognised_since or None,
            checked_at=record.checked_at,
            successor=format_number(record.successor) if record.successor else None,
            proof_block=record.proof_block,
            rights_summary="0x" + record.rights_summary.hex(),
        )


class RelayedCheckpoint(BaseModel):
    block_hash: str
    state_root: str
    timestamp: int


class StorageProof(BaseModel):
    slot: str
    proof: list[str]


class AccountProof(BaseModel):
    """An EIP-1186 account proof with the storage proofs of its slots."""

    address: str
    account_proof: list[str]
    storage: list[StorageProof]


class ProofMaterial(BaseModel):
    token_id: str
    block: int
    accounts: list[AccountProof]


class Evidence(BaseModel):
    """What the asker checks itself: the origin's block header (it hashes to the relayed block
    hash), and the storage proofs against that header's state root."""

    block: int
    checkpoint: RelayedCheckpoint
    header: str
    proofs: ProofMaterial
    # The origin registry's answer for the asset's rights when the check passed, as it gave it.
    rights: Any = None


class RecognitionAnswer(BaseModel):
    """Whether a partner region's certificate is recognised here, and why. ``reason`` is set
    unless recognised, ``since`` when recognised, ``detail`` for a refusal."""

    model_config = ConfigDict(extra="forbid")

    region: int
    number: str
    agreement: AgreementTerms
    origin_reachable: bool
    record: RecordOut | None
    evidence: Evidence | None
    status: RecognitionStatus
    reason: str | None = None
    since: int | None = None
    detail: str | None = None


class PartnerAgreement(BaseModel):
    """An agreement with a partner region and how far its chain is followed here."""

    region: int
    name: str
    status: str
    in_force: bool
    chain_id: int
    certificates: str
    valid_from: int
    valid_until: int
    keys: list[str]
    relayed_block: int
    relayed_hash: str
    origin_reachable: bool
    unreachable_since: float | None
    detail: str | None


def agreements(mediator: Mediator) -> list[PartnerAgreement]:
    """The partner regions followed here, with their agreements as recorded on chain."""
    client = mediator.recognition
    found = []
    for partner in mediator.partners():
        agreement = client.get_agreement(partner.region)
        reachable, since, detail = mediator.reachability(partner.region)
        relayed, checkpoint = client.head(partner.region)
        found.append(
            PartnerAgreement(
                region=partner.region,
                name=region_name(partner.region),
                status=agreement.status.name.lower(),
                in_force=client.in_force(partner.region),
                chain_id=agreement.chain_id,
                certificates=agreement.certificates,
                valid_from=agreement.valid_from,
                valid_until=agreement.valid_until,
                keys=client.partner_keys(partner.region),
                relayed_block=relayed,
                relayed_hash="0x" + checkpoint.block_hash.hex(),
                origin_reachable=reachable,
                unreachable_since=None if reachable else since,
                detail=detail,
            )
        )
    return found


def answer(mediator: Mediator, region: int, token: int) -> RecognitionAnswer:
    """The recognition of partner certificate ``token`` of ``region``: ``recognised``,
    ``not_recognised`` (revoked, expired, superseded, frozen, agreement not in force),
    ``refused`` (the mediator's check refused it) or ``pending`` (not checked yet, or the
    origin is unreachable). Raises :class:`UnknownPartnerError` without an agreement."""
    client = mediator.recognition
    agreement = client.get_agreement(region)
    if agreement.status == AgreementStatus.NONE:
        raise UnknownPartnerError(region)
    record = client.recognition(region, token)
    kept = mediator.kept(region, token)
    reachable, _since, detail = mediator.reachability(region)
    in_force = client.in_force(region)
    # The proof of the block the record stands on (a newer check may be on its way).
    evidence = (
        mediator.proof(region, token, record.proof_block)
        if record.proof_block
        else None
        if kept is None
        else kept["evidence"]
    )
    shown = RecordOut.of(record) if record.proof_block else None
    status: RecognitionStatus
    outcome: dict[str, Any]
    if not reachable:
        status, outcome = "pending", {"reason": f"origin unreachable: {detail}"}
    elif kept is not None and kept["refused"] is not None and not record.recognised:
        refused = kept["refused"]
        status, outcome = "refused", {"reason": refused["reason"], "detail": refused["detail"]}
    elif shown is None:
        status, outcome = "pending", {"reason": "not checked against the origin yet"}
    elif not in_force:
        status, outcome = "not_recognised", {"reason": "agreement-not-in-force"}
    elif record.recognised:
        status, outcome = "recognised", {"since": record.recognised_since}
    else:
        reason = "frozen" if record.frozen else shown.origin_status
        status, outcome = "not_recognised", {"reason": reason}
    return RecognitionAnswer(
        region=region,
        number=format_number(token),
        agreement=AgreementTerms(
            status=agreement.status.name.lower(),
            in_force=in_force,
            valid_from=agreement.valid_from,
            valid_until=agreement.valid_until,
            chain_id=agreement.chain_id,
            certificates=agreement.certificates,
            assets=agreement.assets,
        ),
        origin_reachable=reachable,
        record=shown,
        evidence=None if evidence is None else Evidence.model_validate(evidence),
        status=status,
        **outcome,
    )
