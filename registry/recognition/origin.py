"""A partner certificate's standing, proven from the origin chain's storage: EIP-1186 proofs of
four storage words (the certificate, its owner, and its asset's status word and manifest hash)
against a block's state root, decoded as the origin contracts lay them out. What ``status``
derives mirrors ``Certificates.statusOf`` at that block's time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import Web3

from registry.chain.types import CertificateStatus, Status
from registry.recognition.mpt import prove_account, prove_slot

# Storage slots of the origin contracts (solc's storage layout; tests/test_recognition.py checks
# them against the compiler's).
CERTIFICATES_OWNERS_SLOT = 2  # ERC721._owners
CERTIFICATES_SLOT = 6  # Certificates._certificates
ASSETS_SLOT = 4  # AssetRegistry._assets


def mapping_slot(key: int, base: int) -> int:
    return int.from_bytes(keccak(key.to_bytes(32, "big") + base.to_bytes(32, "big")), "big")


def _field(word: int, offset: int, size: int) -> int:
    return (word >> (8 * offset)) & ((1 << (8 * size)) - 1)


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


def fetch_proofs(
    w3: Web3, certificates: str, assets: str, token_id: int, block: int
) -> dict[str, Any]:
    """The proof material of ``token_id`` at ``block``, as JSON (what anyone re-checks)."""
    cert_slots = [
        mapping_slot(token_id, CERTIFICATES_SLOT),
        mapping_slot(token_id, CERTIFICATES_OWNERS_SLOT),
    ]
    cert = _get_proof(w3, certificates, cert_slots, block)
    asset_id = _field(int(cert["storageProof"][0]["value"], 16), 0, 8)
    base = mapping_slot(asset_id, ASSETS_SLOT)
    asset = _get_proof(w3, assets, [base, base + 1], block)
    return {
        "token_id": str(token_id),
        "block": block,
        "accounts": [_account_json(cert, cert_slots), _account_json(asset, [base, base + 1])],
    }


def _account_json(proof: dict[str, Any], slots: list[int]) -> dict[str, Any]:
    return {
        "address": proof["address"],
        "account_proof": list(proof["accountProof"]),
        "storage": [
            {"slot": _hex(slot), "proof": list(item["proof"])}
            for slot, item in zip(slots, proof["storageProof"], strict=True)
        ],
    }


def _words(state_root: bytes, account: dict[str, Any], expected: list[int]) -> list[int]:
    address = bytes.fromhex(str(account["address"]).removeprefix("0x"))
    _nonce, storage_root = prove_account(
        state_root, address, [bytes.fromhex(n[2:]) for n in account["account_proof"]]
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
) -> OriginState:
    """Checks the material against a state root (raising ProofError or ValueError), and returns
    what it proves. The contract addresses come from the agreement, never from the material."""
    token_id = int(material["token_id"])
    cert_account, asset_account = material["accounts"]
    for account, address in ((cert_account, certificates), (asset_account, assets)):
        if str(account["address"]).lower() != address.lower():
            raise ValueError(f"the proof is for {account['address']}, not {address}")
    word, owner = _words(
        state_root,
        cert_account,
        [
            mapping_slot(token_id, CERTIFICATES_SLOT),
            mapping_slot(token_id, CERTIFICATES_OWNERS_SLOT),
        ],
    )
    asset_id = _field(word, 0, 8)
    base = mapping_slot(asset_id, ASSETS_SLOT)
    asset_word, manifest_hash = _words(state_root, asset_account, [base, base + 1])
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
        manifest_hash="0x" + manifest_hash.to_bytes(32, "big").hex(),
    )
