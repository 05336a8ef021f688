"""Request and response bodies. Hex values are 0x-prefixed; field errors name the field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from registry.chain.outbox import Operation, OperationStatus
from registry.chain.types import (
    Application,
    AssetKind,
    Classification,
    Consent,
    GrantRequest,
    JointConsent,
    ParentRef,
    RefusalReason,
    RightHolder,
    RightKind,
    TransferShare,
    rights_mask,
    rights_of_mask,
)
from registry.fields import REGIONS, Address, PlainText, shallow
from registry.forms.codes import CreditCode
from registry.forms.errors import refusal
from registry.licensees import Licensee, PartyKind, licence_text, text_digest

Hash32 = Annotated[
    str,
    Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="32 bytes, 0x and 64 hex digits"),
]
HexBytes = Annotated[str, Field(pattern=r"^(0x)?([0-9a-fA-F]{2})*$", max_length=4096)]
Region = Annotated[
    int,
    Field(ge=REGIONS[0], le=REGIONS[1], description="GB/T 2260 six-digit administrative code"),
]
Uint40 = Annotated[int, Field(ge=0, lt=2**40)]
AssetIdField = Annotated[int, Field(ge=1, lt=2**64)]
ZERO = "0x" + "00" * 32


def b32(value: str) -> bytes:
    return bytes.fromhex(value[2:])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConsentIn(Strict):
    """The holder's EIP-712 signature (empty when the holder sends the act itself)."""

    deadline: Annotated[int, Field(ge=0, lt=2**64)] = 0
    nonce: Annotated[
        int,
        Field(ge=0, lt=2**256, description="key << 64 | sequence; a decimal string is accepted"),
    ] = 0
    signature: HexBytes = ""

    @classmethod
    def of(cls, consent: Consent) -> ConsentIn:
        return cls(
            deadline=consent.deadline, nonce=consent.nonce, signature="0x" + consent.signature.hex()
        )

    def to_consent(self) -> Consent:
        return Consent(self.deadline, self.nonce, bytes.fromhex(self.signature.removeprefix("0x")))


class ParentIn(Strict):
    asset_id: Annotated[int, Field(ge=1, lt=2**64)]
    scenario: Hash32 = ZERO


RightName = Literal["holding", "processing", "operating"]
"""A right by the contract's ``RightKind`` name: holding (持有权), use (使用权, ``processing``),
operating (经营权)."""
MAX_RESTRICTIONS = 300
"""UTF-8 bytes of a right-holder's public restrictions text, as the contract allows."""


def _restrictions_bytes(text: str) -> str:
    if len(text.encode("utf-8")) > MAX_RESTRICTIONS:
        raise ValueError(f"at most {MAX_RESTRICTIONS} UTF-8 bytes (a Chinese character is 3)")
    return text


class RightHolderIn(Strict):
    """One right-holder of the rights configuration (权利配置, 指引 annex 1), in the applicants'
    order: the first is the holder, who acts for the registration and receives the certificate.
    Several right-holders may hold the same right at once (art. 21)."""

    account: Address
    rights: list[RightName] = Field(min_length=1, max_length=3)
    start: Uint40 = Field(0, description="Unix seconds; 0: from the deposit")
    expiry: Uint40 = Field(0, description="Unix seconds (exclusive); 0: with the registration")
    identity_hash: Hash32 = Field(
        description="SHA-256 commitment to the name and credit code or ID number"
        " (registry.chain.types.identity_commitment)"
    )
    restrictions_hash: Hash32 = Field(ZERO, description="hash of the full restrictions")
    restrictions: Annotated[
        str, Field(max_length=MAX_RESTRICTIONS), PlainText, AfterValidator(_restrictions_bytes)
    ] = Field("", description="short public text of the restrictions (at most 300 bytes)")

    @field_validator("rights")
    @classmethod
    def _distinct_rights(cls, rights: list[RightName]) -> list[RightName]:
        if len(set(rights)) != len(rights):
            raise ValueError("each right at most once")
        return rights

    @field_validator("expiry")
    @classmethod
    def _after_start(cls, expiry: int, info: ValidationInfo) -> int:
        if expiry and expiry <= info.data.get("start", 0):
            raise ValueError("the term ends after it starts")
        return expiry

    @classmethod
    def of(cls, holder: RightHolder) -> RightHolderIn:
        return cls(
            account=holder.account,
            rights=[k.name.lower() for k in rights_of_mask(holder.rights)],  # type: ignore[misc]
            start=holder.start,
            expiry=holder.expiry,
            identity_hash="0x" + holder.identity_hash.hex(),
            restrictions_hash="0x" + holder.restrictions_hash.hex(),
            restrictions=holder.restrictions,
        )

    def to_holder(self) -> RightHolder:
        return RightHolder(
            account=self.account,
            rights=rights_mask(RightKind[r.upper()] for r in self.rights),
            start=self.start,
            expiry=self.expiry,
            identity_hash=b32(self.identity_hash),
            restrictions_hash=b32(self.restrictions_hash),
            restrictions=self.restrictions,
        )


class ApplicationIn(Strict):
    """An initial application, one applicant's or several applicants' jointly (共同申请)."""

    holders: list[RightHolderIn] = Field(min_length=1, max_length=16)
    region: Region
    classification: Literal["general", "important"] = Field(
        description="GB/T 43697-2024 level; core data is never registered"
    )
    kind: Literal["resource", "product"] = "resource"
    manifest_hash: Hash32
    manifest_cid: Hash32 = Field(description="sha2-256 digest inside the manifest's CIDv1")
    cid_codec: Literal[85, 112] = Field(85, description="0x55 raw or 0x70 dag-pb")
    parents: list[ParentIn] = Field(default_factory=list, max_length=16)
    # No names here: an asset's names are its published manifest's (POST /v1/manifests), so an
    # application, refused or not, cannot name an asset.
    consent: ConsentIn = Field(
        description="the holder's consent, whose nonce and deadline every right-holder signs"
    )
    co_signatures: list[HexBytes] = Field(
        default_factory=list,
        max_length=15,
        description="each further right-holder's EIP-712 signature of the application under the"
        " holder's nonce and deadline, in the holders' order (empty: it sends the act itself)",
    )

    @field_validator("holders")
    @classmethod
    def _distinct_accounts(cls, holders: list[RightHolderIn]) -> list[RightHolderIn]:
        accounts = [h.account.lower() for h in holders]
        if len(set(accounts)) != len(accounts):
            raise ValueError("each account at most once")
        return holders

    @field_validator("co_signatures")
    @classmethod
    def _one_per_co_holder(cls, signatures: list[str], info: ValidationInfo) -> list[str]:
        holders = info.data.get("holders")
        if holders is not None and len(signatures) != len(holders) - 1:
            raise ValueError(f"one per further right-holder ({len(holders) - 1})")
        return signatures

    @property
    def holder(self) -> str:
        """The first right-holder: the holder."""
        return self.holders[0].account

    @classmethod
    def of(cls, application: Application, consent: Consent | JointConsent) -> ApplicationIn:
        """The request body of a signed application (the inverse of ``to_application``)."""
        joint = consent if isinstance(consent, JointConsent) else JointConsent.of([consent])
        holder, *others = joint.signatures
        return cls(
            holders=[RightHolderIn.of(h) for h in application.holders],
            region=application.region,
            classification=application.classification.name.lower(),  # type: ignore[arg-type]
            kind=application.kind.name.lower(),  # type: ignore[arg-type]
            manifest_hash="0x" + application.manifest_hash.hex(),
            manifest_cid="0x" + application.manifest_cid.hex(),
            cid_codec=application.cid_codec,  # type: ignore[arg-type]
            parents=[
                ParentIn(asset_id=p.asset_id, scenario="0x" + p.scenario.hex())
                for p in application.parents
            ],
            consent=ConsentIn.of(Consent(joint.deadline, joint.nonce, holder)),
            co_signatures=["0x" + s.hex() for s in others],
        )

    def to_application(self) -> Application:
        return Application(
            holders=tuple(h.to_holder() for h in self.holders),
            region=self.region,
            classification=Classification[self.classification.upper()],
            kind=AssetKind[self.kind.upper()],
            manifest_hash=b32(self.manifest_hash),
            manifest_cid=b32(self.manifest_cid),
            cid_codec=self.cid_codec,
            parents=tuple(ParentRef(p.asset_id, b32(p.scenario)) for p in self.parents),
        )

    def to_consent(self) -> JointConsent:
        holder = self.consent.to_consent()
        others = (bytes.fromhex(s.removeprefix("0x")) for s in self.co_signatures)
        return JointConsent(holder.deadline, holder.nonce, (holder.signature, *others))


class CoHolderSignatureIn(Strict):
    """A co-holder's EIP-712 signature of an act on the asset, under the holder's nonce and
    deadline (empty: it sends the act itself)."""

    account: Address
    signature: HexBytes = ""


class CoHolderConsents(Strict):
    """An act on a registered asset takes every right-holder's consent (指引 annexes 2-5 name
    every applicant): the holder's in ``consent``, each co-holder's here (in any order)."""

    consent: ConsentIn
    co_holders: list[CoHolderSignatureIn] = Field(
        default_factory=list,
        max_length=15,
        description="every co-holder's signature of the act under the holder's nonce and"
        " deadline; an asset without co-holders has none",
    )

    def to_consent(self) -> JointConsent:
        holder = self.consent.to_consent()
        # The contract takes the co-holders in ascending address order (so none twice).
        ordered = sorted(self.co_holders, key=lambda c: int(c.account, 16))
        return JointConsent(
            holder.deadline,
            holder.nonce,
            (holder.signature, *(bytes.fromhex(c.signature.removeprefix("0x")) for c in ordered)),
            tuple(c.account for c in ordered),
        )


def consent_of(body: BaseModel | None) -> Consent | JointConsent | None:
    """The consent a request body carries: every party's for a joint act (an application, a
    transfer, an act on a registered asset), else its ``consent`` (None when it has none)."""
    if isinstance(body, ApplicationIn | TransferIn | CoHolderConsents):
        return body.to_consent()
    found: ConsentIn | None = getattr(body, "consent", None)
    return found.to_consent() if found is not None else None


Ground = Literal[
    "harms_security_public_interest_or_others",
    "unlawful_source",
    "ownership_disputed",
    "concealment_or_false_proof",
    "other_legal_grounds",
]
"""A refusal's ground (指引 art. 22), as the contract's ``RefusalReason`` names it."""


def ground(name: str) -> RefusalReason:
    return RefusalReason[name.upper()]


class ApproveIn(Strict):
    """Approval into the public notice of 5 working days; ``notice`` false grants the
    applicant's reasoned request for none (art. 24), whose reasons ``reason_hash`` holds."""

    notice: bool = True
    reason_hash: Hash32 = ZERO


ObjectionGrounds = Literal["ownership_dispute", "registration_error", "unlawful_source", "other"]
"""An ownership dispute or a registration error (art. 29), a source not lawfully obtained
(art. 20), or anything else, said in the reasons."""


class RefuseIn(Strict):
    reason: Ground
    reason_hash: Hash32


class SupplementsRequestIn(Strict):
    """All missing materials at once (art. 17): the hash of their list, and the Beijing date
    by which they are to be supplied (by the end of that day)."""

    list_hash: Hash32
    deadline: dt.date


class SupplementsIn(CoHolderConsents):
    materials_hash: Hash32


class ProofRequestIn(Strict):
    request_hash: Hash32


class ProofIn(CoHolderConsents):
    proof_hash: Hash32


class ExtensionIn(Strict):
    """An extension of the time limit by working days, at most 10 in all (art. 28)."""

    days: Annotated[int, Field(ge=1, le=10)]
    reason_hash: Hash32


class ObjectorIn(Strict):
    """Who objects, for the registration center to reach them: kept in the registry's
    database, never on chain or on a public page."""

    name: Annotated[str, Field(min_length=1, max_length=100), PlainText]
    kind: PartyKind = Field(
        description="natural person, legal person or unincorporated organisation (the national"
        " form's applicant types)"
    )
    contact: Annotated[
        str,
        Field(min_length=1, max_length=200, description="telephone, e-mail or postal address"),
        PlainText,
    ]


class ObjectionIn(Strict):
    evidence_hash: Hash32 = Field(description="SHA-256 of the materials handed in with it")
    objector: ObjectorIn | None = Field(
        None, description="required without an API key; kept confidential, never on chain"
    )
    grounds: ObjectionGrounds | None = Field(
        None, description="required without an API key: what the objection is about (art. 29)"
    )
    reason: Annotated[str, Field(min_length=1, max_length=4000), PlainText] | None = Field(
        None, description="required without an API key: the reasons; kept confidential"
    )

    def missing_for_public(self) -> list[str]:
        """The members an objection from the public (no API key) lacks: the center must be
        able to contact the objector and know what is objected to and why."""
        given = {"objector": self.objector, "grounds": self.grounds, "reason": self.reason}
        return [name for name, value in given.items() if value is None]


class ObjectionDecisionIn(Strict):
    upheld: bool
    reason_hash: Hash32 = ZERO
    reason: Ground | None = Field(
        None, description="upheld: the ground the application is refused on (art. 22)"
    )


class PostObjectionIn(ObjectionIn):
    """An objection after registration (art. 29): the objection form's hash and the initial
    evidence's. From the public (no API key) the form is the statement the center keeps with
    the objector, and its hash is computed from it; staff give ``form_hash``."""

    form_hash: Hash32 = Field(ZERO, description="SHA-256 of the objection form (异议申请表)")


Outcome = Literal["stands", "change", "cancel"]
"""What an objection after registration comes to: the registration stands, is changed or is
cancelled (``ObjectionOutcome``)."""


class ObjectionNoticeIn(Strict):
    """The applicant was told of the objection (art. 29: within 5 working days)."""

    notice_hash: Hash32


class ObjectionAnswerIn(Strict):
    """The applicant's written answer: agreement, with the change or cancellation that
    follows, or dispute (outcome ``stands``)."""

    agrees: bool
    outcome: Outcome = "stands"
    reply_hash: Hash32


class ObjectionConclusionIn(Strict):
    """The center's conclusion on a disputed objection after investigation: upheld, with the
    change or cancellation it calls for, or dismissed (outcome ``stands``)."""

    upheld: bool
    outcome: Outcome = "stands"
    conclusion_hash: Hash32


class JudgmentIn(Strict):
    """An effective court judgment or arbitral award on the dispute, and what it orders."""

    kind: Literal["court_judgment", "arbitral_award"]
    outcome: Outcome
    document_hash: Hash32


class SettlementIn(Strict):
    """The center's written act carrying out the objection's outcome."""

    act_hash: Hash32


class ChangeTerms(Strict):
    manifest_hash: Hash32
    manifest_cid: Hash32
    cid_codec: Literal[85, 112] = 85


class ChangeIn(ChangeTerms, CoHolderConsents):
    pass


class TransferShareIn(Strict):
    """One share of a transfer (art. 34): the transferor transfers some or all of its rights to
    a transferee that is not a right-holder yet, with the transferor's term and restrictions."""

    transferor: Address
    transferee: Address
    rights: list[RightName] = Field(min_length=1, max_length=3)
    identity_hash: Hash32 = Field(
        description="the transferee's commitment to its name and credit code or ID number"
    )

    def to_share(self) -> TransferShare:
        return TransferShare(
            self.transferor,
            self.transferee,
            rights_mask(RightKind[r.upper()] for r in set(self.rights)),
            b32(self.identity_hash),
        )


class TransferIn(Strict):
    """A transfer application (转让登记, annex 2): the transferors and transferees apply
    together, every one consenting."""

    shares: list[TransferShareIn] = Field(min_length=1, max_length=16)
    agreement_hash: Hash32 = Field(description="SHA-256 of the transfer agreement (转让合同)")
    consent: ConsentIn = Field(
        description="the first transferor's consent, whose nonce and deadline every party signs"
    )
    co_signatures: list[HexBytes] = Field(
        default_factory=list,
        max_length=31,
        description="every further party's signature under that nonce and deadline, in order:"
        " the first share's transferee, then each further share's transferor and transferee"
        " (empty: it sends the act itself)",
    )

    @field_validator("co_signatures")
    @classmethod
    def _one_per_party(cls, signatures: list[str], info: ValidationInfo) -> list[str]:
        shares = info.data.get("shares")
        if shares is not None and len(signatures) != 2 * len(shares) - 1:
            raise ValueError(f"one per further party ({2 * len(shares) - 1})")
        return signatures

    def to_shares(self) -> list[tuple[str, str, int, bytes]]:
        return [s.to_share().to_abi() for s in self.shares]

    def to_consent(self) -> JointConsent:
        first = self.consent.to_consent()
        others = (bytes.fromhex(s.removeprefix("0x")) for s in self.co_signatures)
        return JointConsent(first.deadline, first.nonce, (first.signature, *others))


class IdentityChangeIn(Strict):
    """A change of a right-holder's identity details (变更登记, art. 35 (1): a renaming, a new
    legal representative or address): its new identity commitment, with its consent. Who holds
    the rights does not change; that is a transfer."""

    account: Address = Field(description="the right-holder, who consents")
    identity_hash: Hash32 = Field(
        description="its new commitment to its name and credit code or ID number"
    )
    consent: ConsentIn


CancellationGroundName = Literal["data_destroyed", "center_finding", "other_legal_grounds"]
"""Why the center cancels of its own motion (art. 37), the names of ``CancellationGround``."""


class CenterCancellationIn(Strict):
    """The center's cancellation of its own motion (art. 37), with the written reasons and the
    written notice to the applicant; both texts stay with the center, their SHA-256 go on
    chain, and the asset's page shows the notice."""

    ground: CancellationGroundName
    reason: Annotated[str, Field(min_length=1, max_length=2000), PlainText]
    notice: Annotated[str, Field(min_length=1, max_length=2000), PlainText] = Field(
        description="the written notice to the applicant (书面告知)"
    )


class TransferDecisionIn(Strict):
    """The refusal of a transfer application on a ground of art. 22, with the written reasons."""

    reason: Ground
    reason_hash: Hash32


class PledgeTerms(Strict):
    pledgee: Address
    agreement_hash: Hash32


class PledgeIn(PledgeTerms, CoHolderConsents):
    pass


class HolderActIn(CoHolderConsents):
    pass


AnnotationKindName = Literal[
    "agreed_limit", "seizure", "administrative_control", "required_by_law", "other"
]
"""An annotation's kind (guide art. 23), the names of ``registry.chain.types.AnnotationKind``."""
AnnotationText = Annotated[str, Field(max_length=200), PlainText]
BY_AUTHORITY = ("seizure", "administrative_control")
"""The kinds an authority orders, which name it and its document number (guide art. 23)."""


class AnnotationIn(Strict):
    """An annotation (备注). The texts stay with the center; their SHA-256 go on chain."""

    kind: AnnotationKindName
    authority: AnnotationText = Field(
        "", description="the court, procuratorate, police or administrative body that ordered it"
    )
    document_number: AnnotationText = Field(
        "", description="its document's number, e.g. (2026)鲁02执保123号"
    )
    text: Annotated[str, Field(min_length=1, max_length=2000), PlainText] = Field(
        description="what is annotated: the limit, the measure and its scope"
    )

    @model_validator(mode="after")
    def _names_authority(self) -> AnnotationIn:
        if self.kind in BY_AUTHORITY and not (self.authority and self.document_number):
            raise ValueError(f"a {self.kind} names its authority and document_number")
        return self


class LiftIn(Strict):
    """The lifting of an annotation, on the document that ends it (for a seizure, the
    authority's ruling lifting it): its number stays with the center, its SHA-256 goes on chain."""

    document_number: Annotated[str, Field(min_length=1, max_length=200), PlainText]


class ReasonIn(Strict):
    reason_hash: Hash32


class LicenseeIn(Strict):
    """The licensee (被许可人) as the certificate names it beside its account, validated as the
    application form validates a party: a legal person or an unincorporated organisation with
    its unified social credit code (GB 32100 check character), a natural person by name only
    (its ID number stays confidential). Optional: a grant naming none shows the account alone."""

    licensee_name: Annotated[str, Field(max_length=200), PlainText] = Field(
        "", description="the licensee's name in Chinese, as registered"
    )
    licensee_kind: PartyKind = Field("legal_person", description="the licensee's kind (主体类型)")
    licensee_credit_code: CreditCode | None = Field(
        None,
        validate_default=True,
        description="its unified social credit code (统一社会信用代码); none for a natural person",
    )

    @field_validator("licensee_credit_code")
    @classmethod
    def _code_of_its_kind(cls, code: str | None, info: ValidationInfo) -> str | None:
        name, kind = info.data.get("licensee_name", ""), info.data.get("licensee_kind")
        if kind == "natural_person":
            if code is not None:
                raise refusal(
                    "licensee_code",
                    "自然人不填统一社会信用代码",
                    "a natural person is named without a credit code",
                )
        elif name and code is None:
            raise refusal(
                "licensee_code",
                "法人和非法人组织填写统一社会信用代码",
                "a legal person or organisation is named with its unified social credit code",
            )
        if code is not None and not name:
            raise refusal(
                "licensee_code", "统一社会信用代码须与名称一并填写", "give licensee_name with it"
            )
        return code

    def licensee(self) -> Licensee | None:
        """The licensee named, if any."""
        if not self.licensee_name:
            return None
        return Licensee(self.licensee_name, self.licensee_kind, self.licensee_credit_code or "")


class GrantTerms(LicenseeIn):
    grantor: Address = Field(description="a holder of the asset's operating right, who consents")
    asset_id: AssetIdField
    kind: Literal["processing", "operating"]
    grantee: Address
    scenario: Hash32
    start: Uint40
    expiry: Uint40
    exclusive: bool = False
    revocable: bool = True
    terms_hash: Hash32 = Field(ZERO, description="the licence agreement's hash")

    def licence_terms(self) -> str:
        """The licence terms naming the licensee (``registry.licensees``), whose SHA-256 goes
        on chain as the grant's ``termsHash`` so the grantor's consent covers the name; empty
        when no licensee is named, and then ``terms_hash`` goes on chain as given."""
        named = self.licensee()
        return "" if named is None else licence_text(named, self.terms_hash)

    def to_request(self) -> GrantRequest:
        terms = self.licence_terms()
        return GrantRequest(
            grantor=self.grantor,
            asset_id=self.asset_id,
            kind=RightKind[self.kind.upper()],
            grantee=self.grantee,
            scenario=b32(self.scenario),
            start=self.start,
            expiry=self.expiry,
            exclusive=self.exclusive,
            revocable=self.revocable,
            terms_hash=b32(text_digest(terms) if terms else self.terms_hash),
        )


class GrantIn(GrantTerms):
    consent: ConsentIn


class RevokeGrantIn(Strict):
    revoker: Address = Field(description="a holder of the asset's operating right, who consents")
    reason_hash: Hash32 = ZERO
    consent: ConsentIn | None = Field(
        None, description="the revoker's consent; omitted when the registrar annuls the grant"
    )


class LicenceIn(LicenseeIn):
    """A licence registration on a grant. The licensee named here must be the one the grant's
    terms name on chain; on a grant naming none, it is the center's record (not chain-bound)."""

    asset_id: Annotated[int, Field(ge=1, lt=2**64)]
    kind: Literal["processing", "operating"]
    grantee: Address
    scenario: Hash32


class EvidenceIn(Strict):
    hash: Hash32 = Field(description="SHA-256 (or any 32-byte digest) of the evidence")


# A receipt's numbers are JSON integers of their on-chain types (strict: not a string, which
# ``int`` would read in any script's digits, nor a float, NaN or Infinity).
ChainInt = Annotated[int, Field(ge=0, lt=2**256, strict=True)]
BlockInt = Annotated[int, Field(ge=0, lt=2**64, strict=True)]
LeafInt = Annotated[int, Field(ge=0, lt=2**32, strict=True)]


class ReceiptIn(Strict):
    """An evidence receipt as the registry gives it (``GET /v1/evidence/{hash}``), each member
    typed and bounded; the members the checks need are required (null until anchored)."""

    hash: Hash32
    status: Literal["queued", "batched", "sent", "anchored", "failed"] | None = None
    submitter: Annotated[str, Field(max_length=4000), PlainText] | None = None
    received_at: Annotated[float, Field(ge=0, lt=2**40, allow_inf_nan=False)] | None = None
    leaf: Hash32 | None = None
    proof: Annotated[list[Hash32], Field(max_length=64)]
    root: Hash32 | None
    leaf_index: LeafInt | None = None
    leaf_count: LeafInt | None = None
    tx_hash: Hash32 | None
    block_number: BlockInt | None
    error: Annotated[dict[str, Any], AfterValidator(shallow)] | None = None
    contract: Address
    roles: Address | None = Field(
        None, description="the registry's roles contract, which names its evidence contract"
    )
    chain_id: ChainInt
    block_hash: Hash32 | None = None
    block_time: BlockInt | None = None


class OperationOut(BaseModel):
    id: str
    kind: str
    status: OperationStatus
    tx_hash: str | None = None
    nonce: int | None = None
    block_number: int | None = None
    error: dict[str, Any] | None = None
    result: dict[str, Any] | None = Field(
        None, description="what a confirmed act created: asset_id, certificate, grant_id, ..."
    )

    @classmethod
    def of(cls, op: Operation, result: dict[str, Any] | None = None) -> OperationOut:
        return cls(
            id=op.key,
            kind=op.kind,
            status=op.status,
            tx_hash=op.tx_hash,
            nonce=op.nonce,
            block_number=op.block_number,
            error=op.error,
            result=result,
        )
