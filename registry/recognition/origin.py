"""A partner certificate's standing, proven from the origin chain's storage: EIP-1186 proofs of
the storage words a partner needs (the certificate, its owner and its licence's grant id; its
asset's status word, manifest hash, pledgee and rights contract; the asset's annotations; for a
licence, its grant) against a block's state root, decoded as the origin contracts lay them out.
What ``status`` derives mirrors ``Certificates.statusOf`` at that block's time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import Web3

from registry.chain.types import AnnotationKind, CertificateStatus, RightKind, Status
from registry.recognition.mpt import prove_account, prove_slot

# Storage slots of the origin contracts (solc's storage layout; tests/test_recognition.py checks
# them against the compiler's).
CERTIFICATES_OWNERS_SLOT = 2  # ERC721._owners
CERTIFICATES_SLOT = 6  # Certificates._certificates
CERTIFICATE_GRANTS_SLOT = 7  # Certificates._grants
ASSETS_SLOT = 4  # AssetRegistry._assets
PLEDGEES_SLOT = 7  # AssetRegistry._pledgees
RIGHTS_SLOT = 13  # AssetRegistry._rights
ANNOTATIONS_SLOT = 0  # Annotations._entries
GRANTS_SLOT = 4  # RightsRegistry._grants
ANNOTATION_ID_BASE = 1000  # Annotations: an asset's n-th annotation is assetId * 1000 + n
ZERO_ADDRESS = "0x" + "00" * 20


def mapping_slot(key: int, base: int) -> int:
    return int.from_bytes(keccak(key.to_bytes(32, "big") + base.to_bytes(32, "big")), "big")


def _field(word: int, offset: int, size: int) -> int:
    return (word >> (8 * offset)) & ((1 << (8 * size)) - 1)


def _address(word: int) -> str:
    return to_checksum_address(_field(word, 0, 20).to_bytes(20, "big"))


@dataclass(frozen=True)
class ProvenAnnotation:
    """An annotation (备注) of the asset as its storage word shows it."""

    kind: AnnotationKind
    recorded_at: int
    lifted_at: int


@dataclass(frozen=True)
class ProvenGrant:
    """A licence certificate's grant as the origin's RightsRegistry stores it."""

    grant_id: str
    kind: RightKind
    start: int
    expiry: int
    exclusive: bool
    revoked: bool


@dataclass(frozen=True)
class OriginState:
    """A certificate as the origin chain's storage shows it at ``block``."""

    token_id: int
    block: int
    timestamp: int
    holder: str
    asset_id: int
    kind: int
    state: int
    issued_at: int
    expires_at: int
    successor: int
    asset_status: int
    frozen: bool
    classification: int
    region: int
    manifest_hash: str
    pledgee: str = ZERO_ADDRESS
    annotations: tuple[ProvenAnnotation, ...] = ()
    grant: ProvenGrant | None = None

    @property
    def status(self) -> CertificateStatus:
        if self.issued_at == 0:
            return CertificateStatus.NONE
        if self.asset_status == Status.REVOKED:
            return CertificateStatus.REVOKED
        if self.asset_status == Status.CANCELLED:
            return CertificateStatus.CANCELLED
        if self.state != CertificateStatus.VALID:
            return CertificateStatus(self.state)
        if self.timestamp >= self.expires_at:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID

    @property
    def annotations_in_force(self) -> int:
        """Bit ``kind`` set while an annotation of that kind is not lifted (a seizure, bit 1;
        an administrative control, bit 2; ...)."""
        mask = 0
        for annotation in self.annotations:
            if annotation.lifted_at == 0:
                mask |= 1 << annotation.kind
        return mask

    @property
    def grant_id(self) -> str:
        return "0x" + "00" * 32 if self.grant is None else self.grant.grant_id


def _hex(slot: int) -> str:
    return "0x" + slot.to_bytes(32, "big").hex()


def _get_proof(w3: Web3, address: str, slots: list[int], block: int) -> dict[str, Any]:
    answer = w3.provider.make_request(
        "eth_getProof",  # type: ignore[arg-type]
        [to_checksum_address(address), [_hex(s) for s in slots], hex(block)],
    )
    if "error" in answer:
        raise ConnectionError(f"eth_getProof: {answer['error']}")
    result: dict[str, Any] = answer["result"]
    return result


def _value(proof: dict[str, Any], i: int) -> int:
    return int(proof["storageProof"][i]["value"], 16)


def _certificate_slots(token_id: int) -> list[int]:
    return [
        mapping_slot(token_id, CERTIFICATES_SLOT),
        mapping_slot(token_id, CERTIFICATES_OWNERS_SLOT),
        mapping_slot(token_id, CERTIFICATE_GRANTS_SLOT),
    ]


def _asset_slots(asset_id: int) -> list[int]:
    base = mapping_slot(asset_id, ASSETS_SLOT)
    return [base, base + 1, mapping_slot(asset_id, PLEDGEES_SLOT), RIGHTS_SLOT]


def _annotation_slots(asset_id: int, count: int) -> list[int]:
    first = asset_id * ANNOTATION_ID_BASE + 1
    return [mapping_slot(first + i, ANNOTATIONS_SLOT) for i in range(max(count, 1))]


def _grant_slots(grant_id: int) -> list[int]:
    return [mapping_slot(grant_id, GRANTS_SLOT)]


def fetch_proofs(
    w3: Web3,
    certificates: str,
    assets: str,
    token_id: int,
    block: int,
    annotations: str | None = None,
) -> dict[str, Any]:
    """The proof material of ``token_id`` at ``block``, as JSON (what anyone re-checks): the
    certificate's and asset's words, the asset's annotations when the origin's Annotations
    contract is known, and a licence's grant."""
    cert_slots = _certificate_slots(token_id)
    cert = _get_proof(w3, certificates, cert_slots, block)
    asset_id = _field(_value(cert, 0), 0, 8)
    grant_id = _value(cert, 2)
    asset_slots = _asset_slots(asset_id)
    asset = _get_proof(w3, assets, asset_slots, block)
    accounts = [_account_json(cert, cert_slots), _account_json(asset, asset_slots)]
    if annotations is not None:
        first = _get_proof(w3, annotations, _annotation_slots(asset_id, 1), block)
        # The asset's count is a byte of its first annotation's word.
        slots = _annotation_slots(asset_id, _field(_value(first, 0), 31, 1))
        entries = first if len(slots) == 1 else _get_proof(w3, annotations, slots, block)
        accounts.append(_account_json(entries, slots))
    if grant_id:
        slots = _grant_slots(grant_id)
        rights = _address(_value(asset, 3))
        accounts.append(_account_json(_get_proof(w3, rights, slots, block), slots))
    return {"token_id": str(token_id), "block": block, "accounts": accounts}


def _account_json(proof: dict[str, Any], slots: list[int]) -> dict[str, Any]:
    return {
        "address": proof["address"],
        "account_proof": list(proof["accountProof"]),
        "storage": [
            {"slot": _hex(slot), "proof": list(item["proof"])}
            for slot, item in zip(slots, proof["storageProof"], strict=True)
        ],
    }


def _words(
    state_root: bytes, account: dict[str, Any], address: str, expected: list[int]
) -> list[int]:
    if str(account["address"]).lower() != address.lower():
        raise ValueError(f"the proof is for {account['address']}, not {address}")
    if len(account["storage"]) != len(expected):
        raise ValueError(f"{len(account['storage'])} storage proofs, {len(expected)} expected")
    _nonce, storage_root = prove_account(
        state_root,
        bytes.fromhex(address.removeprefix("0x")),
        [bytes.fromhex(n[2:]) for n in account["account_proof"]],
    )
    words = []
    for slot, item in zip(expected, account["storage"], strict=True):
        if int(item["slot"], 16) != slot:
            raise ValueError(f"the proof is for slot {item['slot']}, not {_hex(slot)}")
        words.append(prove_slot(storage_root, slot, [bytes.fromhex(n[2:]) for n in item["proof"]]))
    return words


def verify_proofs(
    material: dict[str, Any],
    state_root: bytes,
    timestamp: int,
    certificates: str,
    assets: str,
    annotations: str | None = None,
) -> OriginState:
    """Checks the material against a state root (raising ProofError or ValueError), and returns
    what it proves. The contract addresses come from the agreement (the rights contract from
    the asset registry's proven word), never from the material."""
    token_id = int(material["token_id"])
    accounts = list(material["accounts"])
    expected = 2 + (annotations is not None)
    if len(accounts) < expected:
        raise ValueError(f"{len(accounts)} account proofs, at least {expected} expected")
    word, owner, grant_word = _words(
        state_root, accounts[0], certificates, _certificate_slots(token_id)
    )
    asset_id = _field(word, 0, 8)
    asset_word, manifest_hash, pledgee, rights = _words(
        state_root, accounts[1], assets, _asset_slots(asset_id)
    )
    proven: tuple[ProvenAnnotation, ...] = ()
    rest = accounts[2:]
    if annotations is not None:
        account = rest.pop(0)
        count = len(account["storage"])
        entries = _words(state_root, account, annotations, _annotation_slots(asset_id, count))
        # The first word holds the asset's count; with no annotation it alone is proven, zero.
        recorded = _field(entries[0], 31, 1)
        if recorded != count and (recorded or count != 1):
            raise ValueError(f"{count} annotations proven, the asset has {recorded}")
        proven = tuple(
            ProvenAnnotation(AnnotationKind(_field(e, 25, 1)), _field(e, 20, 5), _field(e, 26, 5))
            for e in entries
            if e
        )
    grant = None
    if grant_word:
        if not rest:
            raise ValueError("a licence certificate's grant is not proven")
        (g,) = _words(state_root, rest.pop(0), _address(rights), _grant_slots(grant_word))
        grant = ProvenGrant(
            grant_id=_hex(grant_word),
            kind=RightKind(_field(g, 18, 1)),
            start=_field(g, 8, 5),
            expiry=_field(g, 13, 5),
            exclusive=bool(_field(g, 19, 1)),
            revoked=bool(_field(g, 21, 1)),
        )
    if rest:
        raise ValueError(f"{len(rest)} account proofs more than the certificate needs")
    return OriginState(
        token_id=token_id,
        block=int(material["block"]),
        timestamp=timestamp,
        holder=to_checksum_address(owner.to_bytes(32, "big")[12:]),
        asset_id=asset_id,
        kind=_field(word, 8, 1),
        state=_field(word, 9, 1),
        issued_at=_field(word, 10, 5),
        expires_at=_field(word, 15, 5),
        successor=_field(word, 24, 8),
        asset_status=_field(asset_word, 20, 1),
        frozen=bool(_field(asset_word, 30, 1)),
        classification=_field(asset_word, 22, 1),
        region=_field(asset_word, 23, 3),
        manifest_hash=_hex(manifest_hash),
        pledgee=_address(pledgee),
        annotations=proven,
        grant=grant,
    )
