"""What this registry answers about a partner region's certificate, decided here from the
record on chain and the mediator's journal. Reading an answer changes nothing: a check is
queued only by :meth:`Mediator.request` (``POST .../recheck``) or by the mediator's own rounds
(the partner's events, expiry by the partner's clock).

Every answer says what it rests on (``as_of``: the partner block and its time, and when this
registry last read the partner's chain); ``recognised`` only while that read is younger than
the agreement's ``max_age``, ``stale`` past it. A withdrawal (not recognised, refused) is
given however old: it never overstates."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from registry.certificates.numbers import center_of, format_number
from registry.certificates.view import ManifestNames, manifest_names
from registry.chain.recognition import Agreement, AgreementStatus, Recognition
from registry.chain.types import AnnotationKind, CertificateStatus
from registry.recognition.mediator import Mediator
from registry.regions import region_name

RecognitionStatus = Literal["recognised", "stale", "not_recognised", "refused", "pending"]


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
    max_age: int
    # The origin's Annotations contract, from its descriptor at the agreement (the partners
    # file, not the chain): the third account of the proofs, when given.
    annotations: str | None = None


class AsOf(BaseModel):
    """What an answer rests on: the origin's block and its time (the origin's clock), and when
    this registry last read the origin's chain with every change up to that block recorded
    (Unix seconds); ``age`` is the seconds since, when the answer was made."""

    origin_block: int
    origin_time: int
    checked_at: float
    age: float


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
    # What the origin's proven words and its registrar's signature show besides the status:
    # the annotation kinds in force (seizure, administrative control, ...), the pledgee, and a
    # licence certificate's grant id.
    annotations: list[str]
    pledgee: str | None
    grant_id: str | None

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
            annotations=annotation_names(record.annotations),
            pledgee=None if int(record.pledgee, 16) == 0 else record.pledgee,
            grant_id="0x" + record.grant_id.hex() if any(record.grant_id) else None,
        )


class Period(BaseModel):
    """A stretch of a recognition's history: from ``since`` (this registry's chain time, when
    the standing was recorded here) until the next period's start, what the origin's proofs
    showed (``origin_block`` the first block it rests on)."""

    since: int
    origin_block: int
    recognised: bool
    origin_status: str
    frozen: bool
    annotations: list[str]


def annotation_names(mask: int) -> list[str]:
    """The annotation kinds of a bit mask (bit k for ``AnnotationKind`` k), by name."""
    return [k.name.lower() for k in AnnotationKind if mask >> k & 1]


def history(mediator: Mediator, region: int, token: int) -> list[Period]:
    """The recognition's periods, oldest first: a new one each time what was recorded changes
    (recognised, withdrawn, frozen, unfrozen, annotated), so a freeze and its lift show."""
    periods: list[Period] = []
    for entry in mediator.recognition.history(region, token):
        period = Period(
            since=mediator.block_time(entry.block),
            origin_block=entry.proof_block,
            recognised=entry.recognised,
            origin_status=CertificateStatus(entry.origin_status).name.lower(),
            frozen=entry.frozen,
            annotations=annotation_names(entry.annotations),
        )
        last = periods[-1] if periods else None
        if last is None or last.model_dump(exclude={"since", "origin_block"}) != (
            period.model_dump(exclude={"since", "origin_block"})
        ):
            periods.append(period)
    return periods


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
    # The issuing center (province and digit), read off the number: what a region comparison
    # holds against the partner's center.
    center: str
    agreement: AgreementTerms
    origin_reachable: bool
    as_of: AsOf | None
    record: RecordOut | None
    evidence: Evidence | None
    status: RecognitionStatus
    reason: str | None = None
    since: int | None = None
    detail: str | None = None
    # The recognition's periods (single answers only; a batch leaves it out).
    history: list[Period] | None = None
    # The data's and the holder's names from the origin's public manifest, the one whose
    # SHA-256 is the record's proven ``manifest_hash`` (fetched from the origin's registry and
    # checked by the mediator). Single answers only; none until that manifest is here.
    names: ManifestNames | None = None
    # The certificate's public page at the origin's registry (from the partners file).
    origin_page: str | None = None


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


@dataclass(frozen=True)
class _Partner:
    """What every answer about one partner region reads, read once per request."""

    agreement: Agreement
    in_force: bool
    reachable: bool
    detail: str | None
    annotations: str | None
    api_url: str | None

    @classmethod
    def read(cls, mediator: Mediator, region: int) -> _Partner:
        agreement = mediator.recognition.get_agreement(region)
        if agreement.status == AgreementStatus.NONE:
            raise UnknownPartnerError(region)
        reachable, _since, detail = mediator.reachability(region)
        found = next((p for p in mediator.partners() if p.region == region), None)
        return cls(
            agreement,
            mediator.recognition.in_force(region),
            reachable,
            detail,
            None if found is None else found.annotations,
            None if found is None else found.api_url,
        )


def answer(mediator: Mediator, region: int, token: int) -> RecognitionAnswer:
    """The recognition of partner certificate ``token`` of ``region``: ``recognised``,
    ``stale`` (recognised when last read, but that read is older than the agreement's
    ``max_age`` or the origin is unreachable), ``not_recognised`` (revoked, expired,
    superseded, frozen, agreement not in force), ``refused`` (the mediator's check refused it)
    or ``pending`` (not checked yet). Raises :class:`UnknownPartnerError` without an
    agreement."""
    partner = _Partner.read(mediator, region)
    found = _answer(mediator, region, token, partner)
    found.history = history(mediator, region, token)
    document = None if found.record is None else mediator.manifest(found.record.manifest_hash)
    if found.record is not None and document is not None:
        found.names = manifest_names(document, found.record.holder)
    if partner.api_url is not None:
        found.origin_page = f"{partner.api_url}/c/{format_number(token)}"
    return found


def answer_many(
    mediator: Mediator, items: Iterable[tuple[int, int]]
) -> list[RecognitionAnswer | UnknownPartnerError]:
    """The answers for (region, token) pairs, each region's agreement read once."""
    partners: dict[int, _Partner | UnknownPartnerError] = {}
    found: list[RecognitionAnswer | UnknownPartnerError] = []
    for region, token in items:
        if region not in partners:
            try:
                partners[region] = _Partner.read(mediator, region)
            except UnknownPartnerError as exc:
                partners[region] = exc
        partner = partners[region]
        found.append(
            partner
            if isinstance(partner, UnknownPartnerError)
            else _answer(mediator, region, token, partner)
        )
    return found


def _answer(mediator: Mediator, region: int, token: int, partner: _Partner) -> RecognitionAnswer:
    client = mediator.recognition
    agreement, in_force, reachable = partner.agreement, partner.in_force, partner.reachable
    # Read in this order: what a check rests on is kept before its withdrawal is journaled
    # and before its record goes on chain, so the freshness read last is never older than
    # the record or the withdrawal read before it.
    record = client.recognition(region, token)
    kept = mediator.kept(region, token)
    fresh = mediator.freshness(region, token)
    age = None if fresh is None else max(0.0, time.time() - fresh.checked_at)
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
    # A refusal newer than the record stands over it (the record may still say recognised).
    refused = (
        kept["refused"]
        if kept is not None
        and kept["refused"] is not None
        and (not record.recognised or kept["block"] >= record.proof_block)
        else None
    )
    if not in_force:  # whatever was checked under it
        status, outcome = "not_recognised", {"reason": "agreement-not-in-force"}
    elif refused is not None:
        status, outcome = "refused", {"reason": refused["reason"], "detail": refused["detail"]}
    elif shown is None:
        # A slug a page can word; the node's own words stay in ``detail`` for the API only.
        status, outcome = (
            ("pending", {"reason": "origin-unreachable", "detail": partner.detail})
            if not reachable
            else ("pending", {"reason": "not-checked-yet"})
        )
    elif not record.recognised:
        reason = "frozen" if record.frozen else shown.origin_status
        status, outcome = "not_recognised", {"reason": reason}
    elif (
        kept is not None
        and kept["status"] not in (None, "valid")
        and kept["block"] > record.proof_block
    ):
        # Proven withdrawn at a later block, its record on its way to this chain.
        status, outcome = "not_recognised", {"reason": kept["status"]}
    elif not reachable:
        status, outcome = "stale", {"reason": "origin-unreachable", "detail": partner.detail}
    elif age is None or age >= agreement.max_age:
        status, outcome = (
            "stale",
            {
                "reason": "older-than-max-age",
                "detail": f"the origin was last read {age or 0:.1f} s ago; the agreement "
                f"allows {agreement.max_age} s",
            },
        )
    else:
        status, outcome = "recognised", {"since": record.recognised_since}
    return RecognitionAnswer(
        region=region,
        number=format_number(token),
        center=center_of(token).code,
        agreement=AgreementTerms(
            status=agreement.status.name.lower(),
            in_force=in_force,
            valid_from=agreement.valid_from,
            valid_until=agreement.valid_until,
            chain_id=agreement.chain_id,
            certificates=agreement.certificates,
            assets=agreement.assets,
            max_age=agreement.max_age,
            annotations=partner.annotations,
        ),
        origin_reachable=reachable,
        as_of=None
        if fresh is None or age is None
        else AsOf(
            origin_block=fresh.block,
            origin_time=fresh.block_time,
            checked_at=fresh.checked_at,
            age=round(age, 3),
        ),
        record=shown,
        evidence=None if evidence is None else Evidence.model_validate(evidence),
        status=status,
        **outcome,
    )
