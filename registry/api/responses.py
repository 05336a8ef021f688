"""Response bodies of the public, verification, report and recognition routes, so the OpenAPI
document types every answer. Each matches the JSON the route has always given; an open member
(``dict[str, Any]``) is one whose shape is not the registry's to fix (a receipt as presented,
the checks' raw values, EIP-712 typed data, a partner registry's answer)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from registry.api.index_models import LicenseeOut

# ---------------------------------------------------------------------- certificates


class CertificateOut(BaseModel):
    """A certificate as indexed, with its status read from the chain now."""

    token_id: str
    number: str
    asset_id: int
    holder: str
    kind: int
    state: int
    issued_at: int
    expires_at: int
    successor: str | None
    grant_id: str | None
    status: str
    licensee: LicenseeOut | None = Field(
        default=None, description="a licence certificate's holder as its grant names it"
    )
    predecessor: dict[str, Any] | None = Field(
        default=None,
        description="for a certificate a predecessor center handed over: its chain id, "
        "region, the stated block and the storage proofs it was imported with",
    )


class CertificateStatusOut(BaseModel):
    number: str
    status: str = Field(description="valid, revoked, superseded, expired or cancelled, now")


class LinkedAnnotation(BaseModel):
    """An annotation (备注) of the registration, as the credential and verification answer it:
    a seizure with its authority and document number."""

    annotation_id: int
    kind_name: str
    in_force: bool
    recorded_at: int
    lifted_at: int | None = None
    authority: str | None = None
    document_number: str | None = None


class CredentialSubject(BaseModel):
    """The certificate's claims (the attestation covers all but ``id`` and ``annotations``)."""

    id: str
    number: str
    holder: str
    asset_id: int = Field(alias="assetId")
    manifest_hash: str = Field(alias="manifestHash")
    kind: int
    issued_at: int = Field(alias="issuedAt")
    expires_at: int = Field(alias="expiresAt")
    annotations: list[LinkedAnnotation] = Field(
        description="the registration's annotations when signed, lifted ones too"
    )


class StatusEntry(BaseModel):
    """A BitstringStatusListEntry: the certificate's bit in the center's revocation list."""

    id: str
    type: Literal["BitstringStatusListEntry"]
    status_purpose: Literal["revocation"] = Field(alias="statusPurpose")
    status_list_index: str = Field(alias="statusListIndex")
    status_list_credential: str = Field(alias="statusListCredential")


class Attestation(BaseModel):
    """The registrar's EIP-712 signature of the subject's core claims."""

    type: Literal["Eip712RegistrarAttestation"]
    signer: str = Field(description="did:pkh of the registrar's address")
    eip712_domain: dict[str, Any] = Field(alias="eip712Domain")
    eip712_types: dict[str, Any] = Field(alias="eip712Types")
    primary_type: str = Field(alias="primaryType")
    signature_value: str = Field(alias="signatureValue")


class DataIntegrityProof(BaseModel):
    type: Literal["DataIntegrityProof"]
    cryptosuite: Literal["eddsa-rdfc-2022"]
    created: str
    verification_method: str = Field(alias="verificationMethod")
    proof_purpose: Literal["assertionMethod"] = Field(alias="proofPurpose")
    proof_value: str = Field(alias="proofValue", description="multibase base58btc (z...)")


class CredentialOut(BaseModel):
    """A W3C Verifiable Credential 2.0; members the data model allows beyond these are kept."""

    model_config = ConfigDict(extra="allow")

    context: list[str] = Field(alias="@context")
    id: str
    type: list[str]
    issuer: str
    valid_from: str = Field(alias="validFrom")
    valid_until: str = Field(alias="validUntil")
    credential_subject: CredentialSubject = Field(alias="credentialSubject")
    credential_status: StatusEntry = Field(alias="credentialStatus")
    attestation: Attestation
    proof: DataIntegrityProof


class StatusList(BaseModel):
    id: str
    type: Literal["BitstringStatusList"]
    status_purpose: Literal["revocation"] = Field(alias="statusPurpose")
    encoded_list: str = Field(alias="encodedList", description="GZIP, multibase base64url (u...)")


class StatusListOut(BaseModel):
    """A BitstringStatusListCredential, signed like the credentials."""

    context: list[str] = Field(alias="@context")
    id: str
    type: list[str]
    issuer: str
    credential_subject: StatusList = Field(alias="credentialSubject")
    proof: DataIntegrityProof


class VerificationMethod(BaseModel):
    id: str
    type: Literal["Multikey"]
    controller: str
    public_key_multibase: str = Field(alias="publicKeyMultibase")


class JsonLdContext(BaseModel):
    """A JSON-LD context: term definitions, every one ``@protected``."""

    context: dict[str, Any] = Field(
        alias="@context", json_schema_extra={"properties": {"@protected": {"type": "boolean"}}}
    )


class ControllerDocument(BaseModel):
    """The issuer of the center's credentials and its key (W3C Controlled Identifiers)."""

    context: list[str] = Field(alias="@context")
    id: str
    verification_method: list[VerificationMethod] = Field(alias="verificationMethod")
    assertion_method: list[str] = Field(alias="assertionMethod")


# ---------------------------------------------------------------------- evidence


class ReceiptOut(BaseModel):
    """An evidence hash's receipt with what a verifier needs of the chain; ``block_hash`` and
    ``block_time`` once anchored."""

    hash: str
    status: Literal["queued", "batched", "sent", "anchored", "failed"]
    submitter: str
    received_at: float
    leaf: str | None
    proof: list[str]
    root: str | None
    leaf_index: int | None
    leaf_count: int | None
    tx_hash: str | None
    block_number: int | None
    error: dict[str, Any] | None
    contract: str
    roles: str = Field(
        description="the registry's roles contract: it names the evidence contract (nameOf)"
    )
    chain_id: int
    block_hash: str | None = None
    block_time: int | None = None


class AnchoredFile(BaseModel):
    sha256: str
    size: int
    receipt: ReceiptOut


# ---------------------------------------------------------------------- verification


class CheckOut(BaseModel):
    name: str
    passed: bool
    values: dict[str, Any] = Field(description="the raw values compared, by the check's terms")


class LinkedCertificate(BaseModel):
    number: str
    status_now: str


class LinkedAsset(BaseModel):
    """A registered asset whose manifest, or one of whose files, is the verified evidence."""

    asset_id: int
    role: str = Field(alias="as", description="manifest, or file <path>")
    status_now: str
    status_then: str | None = Field(description="when the evidence was anchored")
    name_zh: str | None
    name_en: str | None
    holder: str | None
    holder_name_zh: str | None
    certificate: LinkedCertificate | None
    annotations: list[LinkedAnnotation] = Field(description="its annotations, lifted ones too")


class AnchoringOut(BaseModel):
    """The anchoring as the chain records it, stated only once every check passed."""

    hash: str
    root: str
    contract: str
    chain_id: int
    tx_hash: str
    block_number: int
    block_hash: str
    block_time: int = Field(description="the time of the block the transaction is in")
    anchored_by: str = Field(description="the account that anchored the root, from the chain")
    registry_roles: str = Field(
        description="the roles contract that names the evidence contract as the registry's and"
        " in which the anchoring account held the anchorer role at the anchoring block"
    )
    leaf_count: int


class StatedOut(BaseModel):
    """What the receipt states that the chain did not confirm: never a verified fact."""

    by: Literal["requester", "registry"] = Field(
        description="who stated it: the requester's receipt, or the registry's own records"
    )
    values: dict[str, Any]


class VerificationStatement(BaseModel):
    zh: str
    en: str


class VerificationOut(BaseModel):
    verified: bool = Field(description="every check passed")
    verdict: Literal["verified", "receipt_on_chain", "not_verified"] = Field(
        description="verified: the evidence matches the receipt, which is on chain; "
        "receipt_on_chain: every check passed, but no evidence was compared with the receipt"
    )
    statement: VerificationStatement = Field(description="the verdict in words")
    evidence_checked: bool = Field(description="whether evidence_matches_receipt was checked")
    failed: list[str]
    checks: list[CheckOut]
    proven: str | None
    not_proven: str
    anchored: AnchoringOut | None = Field(None, description="from the chain, once verified")
    stated: StatedOut | None = Field(None, description="not verified: printed apart")
    receipt: dict[str, Any] = Field(description="the receipt checked, as given or looked up")
    linked: list[LinkedAsset]


# ---------------------------------------------------------------------- reports


class IssuedReport(BaseModel):
    id: str = Field(description="the PDF's SHA-256, hex")
    number: str = Field(description="the report's number, printed in it (HY...)")
    verified: bool
    report_hash: str
    pdf: str
    signature: str


class DetachedSignature(BaseModel):
    scheme: str
    statement: str
    file_sha256: str
    content_sha256: str
    signer: str
    signature: str


class ReportSignature(BaseModel):
    signature: DetachedSignature
    content: dict[str, Any] = Field(description="the report whose canonical JSON is hashed")


class DocumentChecks(BaseModel):
    file_unaltered: bool
    signature_valid: bool
    signed_by_service: bool


class ReportCheck(BaseModel):
    authentic: bool
    checks: DocumentChecks


# ---------------------------------------------------------------------- recognition


class FederationContracts(BaseModel):
    certificates: str = Field(alias="Certificates")
    asset_registry: str = Field(alias="AssetRegistry")
    recognition_registry: str | None = Field(alias="RecognitionRegistry")
    annotations: str | None = Field(None, alias="Annotations")


class SignedStanding(BaseModel):
    """A certificate's standing at one block, signed by the registrar (EIP-712 typed data, as
    ``eth_signTypedData_v4`` takes it, with the signer and the signature)."""

    domain: dict[str, Any]
    types: dict[str, list[dict[str, str]]]
    primaryType: str  # noqa: N815 - the EIP-712 field's own name
    message: dict[str, Any]
    signer: str
    signature: str


class BlockRef(BaseModel):
    number: int
    hash: str


class FederationDescriptor(BaseModel):
    """What a partner needs to make an agreement with this registry."""

    region: int
    name: str
    center: str = Field(description="the center's code, the 3 digits after SJ of its numbers")
    chain_id: int
    contracts: FederationContracts
    registrar_keys: list[str]
    anchor: BlockRef
    api_url: str


class RecheckQueued(BaseModel):
    region: int
    number: str
    queued: bool


class RecognitionRefused(BaseModel):
    """A batch item this registry cannot answer for (e.g. no agreement with its region)."""

    model_config = ConfigDict(extra="forbid")

    region: int
    number: str
    status: Literal["refused"]
    reason: str
    detail: str


# ---------------------------------------------------------------------- system


class RegistryIdentity(BaseModel):
    """The registry as its registration center publishes it, for verifiers: the chain and the
    roles contract to trust, which names every other contract of the registry on chain."""

    chain_id: int
    region: int = Field(description="the registration center's region (GB/T 2260)")
    roles: str = Field(
        description="RegistryRoles: nameOf(address) gives the registry's name of each of its"
        " contracts (ASCII, zero-padded), and an evidence receipt's contract must be named"
        " EvidenceAnchor there"
    )
    contracts: dict[str, str] = Field(description="every contract of the registry, by name")
    credentials: CredentialsPublished


class CredentialsPublished(BaseModel):
    """Where the center's Verifiable Credentials are checked: the issuer every credential
    names, its key, the revocation list and the registry's JSON-LD context."""

    issuer: str = Field(description="the controller document (the credentials' issuer)")
    public_key_multibase: str = Field(description="the Ed25519 credential key, as a Multikey")
    revocation_list: str = Field(description="the BitstringStatusListCredential")
    context: str = Field(description="the registry's JSON-LD context")


class Health(BaseModel):
    status: Literal["ok"]
    chain_head: int
    chain_time: int = Field(description="what consent deadlines are measured against")
    indexed_block: int | None


# ---------------------------------------------------------------------- objections


class ObjectorOut(BaseModel):
    """Who filed an objection (confidential: for the registrars of the asset's region)."""

    operation: str = Field(description="the objection's operation; its result names the id")
    asset_id: int
    evidence_hash: str
    name: str
    contact: str
    statement: dict[str, Any] | None = Field(
        None, description="the public form's statement, whose SHA-256 is the evidence hash"
    )
    filed_at: float


# ---------------------------------------------------------------------- files


def file_answer(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route answering a file (PDF, text) rather than JSON."""
    schema = {"type": "string"} if media_type.startswith("text/") else BINARY_SCHEMA
    return {200: {"description": description, "content": {media_type: {"schema": schema}}}}


BINARY_SCHEMA = {"type": "string", "format": "binary"}


# ---------------------------------------------------------------------- deadlines


class ObjectionDueOut(BaseModel):
    objection_id: int
    filed_on: str | None = Field(description="Beijing date the objection was filed")
    investigation_due: str | None = Field(
        description="last Beijing date of its investigation (10 working days, art. 25)"
    )
    overdue: bool


class PostObjectionDueOut(BaseModel):
    objection_id: int
    status: str = Field(description="where the objection after registration stands")
    filed_on: str = Field(description="Beijing date it was filed")
    notification_due: str | None = Field(
        description="last Beijing date to tell the applicant (5 working days from the materials"
        " being complete, art. 29)"
    )
    notified_on: str | None = Field(description="Beijing date the applicant was told")
    overdue: bool


class DeadlineOut(BaseModel):
    """An open application's deadlines now, as the contract counts them in working days;
    each date is a Beijing date, the last day in time."""

    asset_id: int
    status: str = Field(description="the status now, derived ones (deemed_accepted) included")
    acceptance_due: str | None = Field(description="3 working days after applying (art. 17)")
    deemed_accepted_on: str | None = Field(description="accepted from this day if unanswered")
    accepted_on: str | None
    processing_due: str | None = Field(
        description="10 working days after acceptance plus the paused and extension days"
    )
    paused: bool = Field(description="the clock is paused (proof asked for, notice, objections)")
    paused_days: int
    extension_days: int = Field(description="at most 10 in all (art. 28)")
    extension_reasons: list[str] = Field(description="the reason hash of each extension")
    supplements_due: str | None = Field(description="the applicant's deadline for supplements")
    notice_ends: str | None = Field(description="last day of the notice (5 working days)")
    objections: list[ObjectionDueOut] = Field(description="the open objections")
    post_objections: list[PostObjectionDueOut] = Field(
        description="the objections after registration not yet settled (art. 29)"
    )
    overdue: bool = Field(description="a deadline the center must meet has passed")
    next_due: int | None = Field(description="the soonest running deadline, Unix seconds")
    unavailable: str | None = Field(
        None, description="why the chain could not count (CalendarNotPublished)"
    )


# ---------------------------------------------------------------------- review


class DuplicateOut(BaseModel):
    """An earlier registration or application of the same data (a possible duplicate): a
    different applicant's is co-holding (guide art. 3), for the reviewer to look at."""

    asset_id: int
    holder: str
    status: str
    certificate_number: str | None = Field(description="the earlier registration's number")
    shared: str = Field(description="what is the same: manifest, or file <path>")


class ReviewOut(BaseModel):
    """What the reviewer is shown of an application beyond its manifest."""

    asset_id: int
    possible_duplicates: list[DuplicateOut] = Field(
        description="registrations, not closed, of the same manifest hash or a same file hash"
    )
    source_kind: str | None = Field(description="the manifest's source type (annex 1)")
    provider_type: str | None = Field(description="who holds the data at its source")
    public_data_code: str | None = Field(
        description="a public data product's public data resource registration code"
    )
    name_hints: list[dict[str, str]] = Field(
        default_factory=list,
        description="what the data's name seems to lack (art. 19, a national form's): hints,"
        " each {element, zh, en}, never a refusal",
    )


# ---------------------------------------------------------------------- national reporting


class PendingReportOut(BaseModel):
    """A record for the national system not yet acknowledged; times are Beijing time."""

    key: str = Field(description="its idempotency key: the transaction hash and the event's place")
    kind: str = Field(description="notice, deposit, change, annotation, cancellation, ...")
    asset_id: int | None
    certificate_number: str | None
    block_number: int
    created_at: str = Field(description="when the index saw its event")
    attempts: int
    next_attempt_at: str
    last_error: str | None = Field(description="why the last attempt was not acknowledged")


class PendingReportsOut(BaseModel):
    """What the national system has not yet acknowledged, oldest first."""

    count: int = Field(description="all records not yet acknowledged")
    sender: str = Field(description="jsonl (the feed under the data directory) or http")
    items: list[PendingReportOut] = Field(description="the oldest, at most `limit`")
