"""Python mirrors of the contracts' enums and structs, with their ABI tuple forms."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import astuple, dataclass, field
from enum import IntEnum
from typing import Any, Self

from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address


@functools.lru_cache(maxsize=4096)
def checksum(address: str) -> ChecksumAddress:
    """EIP-55 form. It costs a keccak per call, and a registry names the same few accounts over
    and over (its staff, its holders), so answers are remembered."""
    return to_checksum_address(address)


class AssetKind(IntEnum):
    RESOURCE = 0
    PRODUCT = 1


class Classification(IntEnum):
    GENERAL = 0
    IMPORTANT = 1
    CORE = 2


class Status(IntEnum):
    """The contract's ``Status``: the national procedure's steps. ``UNDER_REVIEW`` is an
    accepted application; ``EXPIRED``, ``DEEMED_ACCEPTED`` and ``WITHDRAWN`` are derived by the
    contract's views, never stored."""

    NONE = 0
    APPLIED = 1
    UNDER_REVIEW = 2
    REJECTED = 3
    IN_NOTICE = 4
    ISSUED = 5
    CANCELLED = 6
    REVOKED = 7
    EXPIRED = 8
    SUPPLEMENTING = 9
    DEEMED_ACCEPTED = 10
    WITHDRAWN = 11
    AWAITING_PROOF = 12
    TERMINATED = 13


class RefusalReason(IntEnum):
    """The grounds of a refusal (不予登记), 指引 art. 22."""

    NONE = 0
    HARMS_SECURITY_PUBLIC_INTEREST_OR_OTHERS = 1
    UNLAWFUL_SOURCE = 2
    OWNERSHIP_DISPUTED = 3
    CONCEALMENT_OR_FALSE_PROOF = 4
    OTHER_LEGAL_GROUNDS = 5


class ObjectionStatus(IntEnum):
    NONE = 0
    OPEN = 1
    UPHELD = 2
    DISMISSED = 3


class PostObjectionStatus(IntEnum):
    """Where an objection after registration (art. 29) stands."""

    NONE = 0
    FILED = 1
    MATERIALS_COMPLETE = 2
    NOTIFIED = 3
    AGREED = 4
    DISPUTED = 5
    CONCLUDED = 6
    JUDGED = 7
    SETTLED = 8


class ObjectionOutcome(IntEnum):
    """What an objection after registration comes to: its name is the API's ``outcome``."""

    STANDS = 0
    CHANGE = 1
    CANCEL = 2


class JudgmentKind(IntEnum):
    """The document a dispute ends in: its name is the API's ``kind``."""

    NONE = 0
    COURT_JUDGMENT = 1
    ARBITRAL_AWARD = 2


class AnnotationKind(IntEnum):
    """What an annotation (备注) records (guide art. 23): its name is the API's ``kind``."""

    AGREED_LIMIT = 0
    SEIZURE = 1
    ADMINISTRATIVE_CONTROL = 2
    REQUIRED_BY_LAW = 3
    OTHER = 4


class RightKind(IntEnum):
    """The three rights (指引 art. 3): holding (持有权), use (使用权, named ``processing`` as the
    licences always were) and operating (经营权). A right-holder's rights are a mask of
    ``1 << kind``."""

    HOLDING = 0
    PROCESSING = 1
    OPERATING = 2

    @property
    def bit(self) -> int:
        return 1 << self.value

    @property
    def names(self) -> tuple[str, str]:
        """The right's name in Chinese and English, as the national guide names it."""
        return RIGHT_NAMES[self]


RIGHT_NAMES: dict[RightKind, tuple[str, str]] = {
    RightKind.HOLDING: ("数据持有权", "holding right"),
    RightKind.PROCESSING: ("数据使用权", "use right"),
    RightKind.OPERATING: ("数据经营权", "operating right"),
}
"""The three rights' names (指引 art. 3), in Chinese and English: the one table the pages, the
certificate, its PDF and the CLI print them from."""


ALL_RIGHTS = 0b111
"""The mask of all three rights."""


def rights_mask(kinds: Iterable[RightKind]) -> int:
    mask = 0
    for kind in kinds:
        mask |= kind.bit
    return mask


def rights_of_mask(mask: int) -> tuple[RightKind, ...]:
    """The rights a mask holds, in the enum's order."""
    return tuple(kind for kind in RightKind if mask & kind.bit)


def identity_commitment(name: str, identifier: str, salt: bytes = b"") -> bytes:
    """What a right-holder's ``identityHash`` commits to: SHA-256 over the UTF-8 of its name, a
    newline, its unified social credit code or ID number, a newline and the salt's hex. A
    natural person's ID number is hidden by a random salt of 16 bytes or more, which the center
    keeps with the name; a legal person whose name and code its published manifest shows
    anyway needs none, and then anyone can check the commitment against the manifest."""
    if salt and len(salt) < 16:
        raise ValueError("a salt is at least 16 bytes")
    return hashlib.sha256(f"{name}\n{identifier}\n{salt.hex()}".encode()).digest()


class CertificateKind(IntEnum):
    REGISTRATION = 0
    LICENCE = 1
    TRANSFER = 2


class CertificateStatus(IntEnum):
    NONE = 0
    VALID = 1
    EXPIRED = 2
    SUPERSEDED = 3
    REVOKED = 4
    CANCELLED = 5


CODEC_RAW = 0x55
CODEC_DAG_PB = 0x70
ZERO32 = b"\x00" * 32


@dataclass(frozen=True)
class Consent:
    """An empty signature means the holder sends the act itself. ``nonce`` is keyed
    (``key << 64 | sequence``): consents under different keys may be used in any order."""

    deadline: int = 0
    nonce: int = 0
    signature: bytes = b""

    def to_abi(self) -> tuple[int, int, bytes]:
        return (self.deadline, self.nonce, self.signature)


DIRECT = Consent()


@dataclass(frozen=True)
class JointConsent:
    """Every party's consent to a joint act: one ``nonce`` (the first signer's, spent once) and
    ``deadline`` that all sign, and each signer's signature in order (empty: that signer sends
    the act itself). The signers: an application's right-holders; each transfer share's
    transferor then transferee; for an act on a registered asset its holder, then every
    co-holder, named in ``co_holders`` in ascending address order."""

    deadline: int
    nonce: int
    signatures: tuple[bytes, ...]
    co_holders: tuple[str, ...] = ()

    @classmethod
    def of(cls, consents: Iterable[Consent], co_holders: Iterable[str] = ()) -> Self:
        """The joint consent of each signer's ``Consent`` (all under one nonce and deadline;
        the first's); ``co_holders`` the accounts of an asset's co-holders, in ascending order,
        whose consents follow the holder's."""
        first, *rest = consents
        if any((c.nonce, c.deadline) != (first.nonce, first.deadline) for c in rest if c.signature):
            raise ValueError("every right-holder signs under the holder's nonce and deadline")
        return cls(
            first.deadline,
            first.nonce,
            (first.signature, *(c.signature for c in rest)),
            tuple(co_holders),
        )

    def to_abi(self) -> tuple[int, int, list[bytes], list[str]]:
        return (self.deadline, self.nonce, list(self.signatures), list(self.co_holders))


@dataclass(frozen=True)
class RightHolder:
    """One right-holder of a rights configuration (权利配置): ``rights`` a mask of
    ``1 << RightKind``; ``start``/``expiry`` Unix seconds, 0 for from the deposit / with the
    registration; ``restrictions`` a short public text (at most 300 UTF-8 bytes)."""

    account: str
    rights: int = ALL_RIGHTS
    start: int = 0
    expiry: int = 0
    identity_hash: bytes = ZERO32
    restrictions_hash: bytes = ZERO32
    restrictions: str = ""

    def to_abi(self) -> tuple[Any, ...]:
        return astuple(self)


@dataclass(frozen=True)
class RightTerm:
    """A right-holder's rights as the contract stores them (``rights`` 0: not one);
    ``certificate_id`` the transfer certificate of its own a transferee received (0: named on
    the holder's certificate)."""

    rights: int
    start: int
    expiry: int
    certificate_id: int = 0

    @property
    def kinds(self) -> tuple[RightKind, ...]:
        return rights_of_mask(self.rights)


@dataclass(frozen=True)
class ParentRef:
    asset_id: int
    scenario: bytes = ZERO32


@dataclass(frozen=True)
class Application:
    """An initial application: ``holders`` is the rights configuration in the applicants'
    order, the first the holder (who acts for the registration and receives its certificate)."""

    holders: tuple[RightHolder, ...]
    region: int
    classification: Classification
    kind: AssetKind
    manifest_hash: bytes
    manifest_cid: bytes
    cid_codec: int = CODEC_RAW
    parents: tuple[ParentRef, ...] = field(default_factory=tuple)

    @property
    def holder(self) -> str:
        return self.holders[0].account

    def to_abi(self) -> tuple[Any, ...]:
        return (
            [h.to_abi() for h in self.holders],
            self.region,
            int(self.classification),
            int(self.kind),
            self.manifest_hash,
            self.manifest_cid,
            self.cid_codec,
            [astuple(p) for p in self.parents],
        )


@dataclass(frozen=True)
class Asset:
    holder: str
    status: Status
    kind: AssetKind
    classification: Classification
    region: int
    version: int
    open_objections: int
    frozen: bool
    cid_codec: int
    manifest_hash: bytes
    manifest_cid: bytes
    applied_at: int
    notice_ends_at: int
    issued_at: int
    expires_at: int
    holder_rights: int
    holder_start: int
    holder_expiry: int
    co_holder_count: int
    certificate_id: int

    @classmethod
    def from_abi(cls, t: tuple[Any, ...]) -> Self:
        return cls(checksum(t[0]), Status(t[1]), AssetKind(t[2]), Classification(t[3]), *t[4:])


@dataclass(frozen=True)
class Standing:
    holder: str
    status: Status
    frozen: bool
    region: int
    expires_at: int

    @classmethod
    def from_abi(cls, t: tuple[Any, ...]) -> Self:
        return cls(checksum(t[0]), Status(t[1]), *t[2:])


@dataclass(frozen=True)
class Parent:
    asset_id: int
    grant_id: bytes


@dataclass(frozen=True)
class Objection:
    asset_id: int
    objector: str
    status: ObjectionStatus
    evidence_hash: bytes
    filed_at: int
    investigation_due: int
    decided_at: int

    @classmethod
    def from_abi(cls, t: tuple[Any, ...]) -> Self:
        return cls(t[0], checksum(t[1]), ObjectionStatus(t[2]), *t[3:])


@dataclass(frozen=True)
class PostObjection:
    """An objection after registration as the contract stores it (Unix seconds, 0: not yet);
    ``status`` NONE: no such objection."""

    filed_by: str
    filed_at: int
    completed_at: int
    status: PostObjectionStatus
    outcome: ObjectionOutcome
    asset_id: int
    notification_due: int
    notified_at: int
    answered_at: int
    concluded_at: int
    version_at_filing: int
    judgment: JudgmentKind
    judged_at: int
    settled_at: int

    @classmethod
    def from_abi(cls, t: tuple[Any, ...]) -> Self:
        return cls(
            filed_by=checksum(t[0]),
            filed_at=t[1],
            completed_at=t[2],
            status=PostObjectionStatus(t[3]),
            outcome=ObjectionOutcome(t[4]),
            asset_id=t[5],
            notification_due=t[6],
            notified_at=t[7],
            answered_at=t[8],
            concluded_at=t[9],
            version_at_filing=t[10],
            judgment=JudgmentKind(t[11]),
            judged_at=t[12],
            settled_at=t[13],
        )


@dataclass(frozen=True)
class Procedure:
    """An application's clocks as the contract stores them (Unix seconds, 0: not yet)."""

    resubmitted_at: int
    accepted_at: int
    paused_at: int
    supplements_due: int
    last_decision_at: int
    paused_days: int
    extension_days: int
    notice_waived: bool

    @classmethod
    def from_abi(cls, t: tuple[Any, ...]) -> Self:
        return cls(*t)


@dataclass(frozen=True)
class Deadlines:
    """An application's deadlines now, as the contract counts them in working days (Unix
    seconds; a ``*_due`` is the end of its Beijing day; 0: not applicable)."""

    acceptance_due: int
    deemed_accepted_at: int
    accepted_at: int
    processing_due: int
    paused_days: int
    extension_days: int
    paused: bool
    supplements_due: int
    notice_ends_at: int
    expires_at: int

    @classmethod
    def from_abi(cls, t: tuple[Any, ...]) -> Self:
        return cls(*t)


class CancellationGround(IntEnum):
    """Why the center cancels of its own motion (art. 37)."""

    NONE = 0
    DATA_DESTROYED = 1
    CENTER_FINDING = 2
    OTHER_LEGAL_GROUNDS = 3


class TransferState(IntEnum):
    NONE = 0
    APPLIED = 1
    REGISTERED = 2
    REFUSED = 3


@dataclass(frozen=True)
class TransferShare:
    """One share of a transfer (转让, art. 34): ``from_`` transfers ``rights`` (a mask of
    ``1 << RightKind``, some or all of its own) to ``to``, a new right-holder whose identity
    commitment (``identity_commitment``) is ``identity_hash``."""

    from_: str
    to: str
    rights: int
    identity_hash: bytes

    def to_abi(self) -> tuple[str, str, int, bytes]:
        return (self.from_, self.to, self.rights, self.identity_hash)


@dataclass(frozen=True)
class TransferApplication:
    asset_id: int
    state: TransferState
    filed_at: int
    decided_at: int
    agreement_hash: bytes
    shares: tuple[TransferShare, ...]

    @classmethod
    def from_abi(cls, t: tuple[Any, ...]) -> Self:
        shares = tuple(
            TransferShare(checksum(f), checksum(to), int(r), bytes(i)) for f, to, r, i in t[5]
        )
        return cls(int(t[0]), TransferState(t[1]), int(t[2]), int(t[3]), bytes(t[4]), shares)


@dataclass(frozen=True)
class GrantRequest:
    """A licence, granted by ``grantor``, a holder of the operating right."""

    grantor: str
    asset_id: int
    kind: RightKind
    grantee: str
    scenario: bytes
    start: int
    expiry: int
    exclusive: bool = False
    revocable: bool = True
    terms_hash: bytes = ZERO32

    def to_abi(self) -> tuple[Any, ...]:
        return (
            self.grantor,
            self.asset_id,
            int(self.kind),
            self.grantee,
            self.scenario,
            self.start,
            self.expiry,
            self.exclusive,
            self.revocable,
            self.terms_hash,
        )


@dataclass(frozen=True)
class Grant:
    asset_id: int
    start: int
    expiry: int
    kind: RightKind
    exclusive: bool
    revocable: bool
    revoked: bool
    revision: int
    certificate_id: int

    @classmethod
    def from_abi(cls, t: tuple[Any, ...]) -> Self:
        return cls(t[0], t[1], t[2], RightKind(t[3]), *t[4:])


@dataclass(frozen=True)
class Exclusivity:
    shared_from: int
    shared_until: int
    shared_live: int
    exclusive_from: int
    exclusive_until: int


@dataclass(frozen=True)
class Certificate:
    asset_id: int
    kind: CertificateKind
    state: CertificateStatus
    issued_at: int
    expires_at: int
    grant_revision: int
    successor: int

    @classmethod
    def from_abi(cls, t: tuple[Any, ...]) -> Self:
        return cls(t[0], CertificateKind(t[1]), CertificateStatus(t[2]), *t[3:])


@dataclass(frozen=True)
class Anchor:
    submitter: str
    anchored_at: int
    leaf_count: int

    @classmethod
    def from_abi(cls, t: tuple[Any, ...]) -> Self:
        return cls(checksum(t[0]), t[1], t[2])


@dataclass(frozen=True)
class Annotation:
    """An annotation as the contract's view answers it; ``recorded_at`` 0: no such annotation."""

    asset_id: int
    kind: AnnotationKind
    recorded_by: str
    recorded_at: int
    lifted_by: str
    lifted_at: int

    @classmethod
    def from_abi(cls, t: tuple[Any, ...]) -> Self:
        return cls(t[0], AnnotationKind(t[1]), checksum(t[2]), t[3], checksum(t[4]), t[5])
