"""EIP-712 consents a holder signs for the registrar to relay.

The type strings here are the contracts' own (``AssetRegistry`` and ``RightsRegistry``); a test
checks both sides agree by having the contracts verify what this module signs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount

from registry.chain.types import Application, Consent, GrantRequest

CONSENT_TERM = 7 * 24 * 3600
"""Seconds a consent stays valid after it is drafted or signed (its EIP-712 deadline)."""

_PARENT = [{"name": "assetId", "type": "uint64"}, {"name": "scenario", "type": "bytes32"}]
_TAIL = [{"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"}]

TYPES: dict[str, list[dict[str, str]]] = {
    "Application": [
        {"name": "holder", "type": "address"},
        {"name": "region", "type": "uint24"},
        {"name": "classification", "type": "uint8"},
        {"name": "kind", "type": "uint8"},
        {"name": "manifestHash", "type": "bytes32"},
        {"name": "manifestCid", "type": "bytes32"},
        {"name": "cidCodec", "type": "uint8"},
        {"name": "parents", "type": "ParentRef[]"},
        *_TAIL,
    ],
    "Change": [
        {"name": "assetId", "type": "uint64"},
        {"name": "manifestHash", "type": "bytes32"},
        {"name": "manifestCid", "type": "bytes32"},
        {"name": "cidCodec", "type": "uint8"},
        *_TAIL,
    ],
    "Transfer": [
        {"name": "assetId", "type": "uint64"},
        {"name": "newHolder", "type": "address"},
        {"name": "agreementHash", "type": "bytes32"},
        *_TAIL,
    ],
    "Renew": [{"name": "assetId", "type": "uint64"}, *_TAIL],
    "Pledge": [
        {"name": "assetId", "type": "uint64"},
        {"name": "pledgee", "type": "address"},
        {"name": "agreementHash", "type": "bytes32"},
        *_TAIL,
    ],
    "Cancel": [{"name": "assetId", "type": "uint64"}, *_TAIL],
    "Grant": [
        {"name": "assetId", "type": "uint64"},
        {"name": "kind", "type": "uint8"},
        {"name": "grantee", "type": "address"},
        {"name": "scenario", "type": "bytes32"},
        {"name": "start", "type": "uint40"},
        {"name": "expiry", "type": "uint40"},
        {"name": "exclusive", "type": "bool"},
        {"name": "revocable", "type": "bool"},
        {"name": "termsHash", "type": "bytes32"},
        *_TAIL,
    ],
    "RevokeGrant": [
        {"name": "grantId", "type": "bytes32"},
        {"name": "reasonHash", "type": "bytes32"},
        *_TAIL,
    ],
}


@dataclass(frozen=True)
class Domain:
    """An EIP-712 domain: the contract's name and version, chain and address."""

    name: str
    version: str
    chain_id: int
    verifying_contract: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": self.verifying_contract,
        }


def typed_data(domain: Domain, primary: str, message: dict[str, Any]) -> dict[str, Any]:
    types: dict[str, list[dict[str, str]]] = {
        "EIP712Domain": [
            {"name": "name", "type": "string"},
            {"name": "version", "type": "string"},
            {"name": "chainId", "type": "uint256"},
            {"name": "verifyingContract", "type": "address"},
        ],
        primary: TYPES[primary],
    }
    if primary == "Application":
        types["ParentRef"] = _PARENT
    return {"types": types, "primaryType": primary, "domain": domain.to_json(), "message": message}


def fresh_nonce() -> int:
    """A nonce under a random key: its consent does not wait for, or block, any other."""
    return secrets.randbits(192) << 64


def sign(
    account: LocalAccount, domain: Domain, primary: str, message: dict[str, Any], deadline: int
) -> Consent:
    """Signs ``message`` (with its ``nonce``; the deadline is added here) as ``primary``."""
    data = typed_data(domain, primary, {**message, "deadline": deadline})
    signed = account.sign_message(encode_typed_data(full_message=data))
    return Consent(
        deadline=deadline, nonce=int(message["nonce"]), signature=bytes(signed.signature)
    )


def application_message(app: Application, nonce: int) -> dict[str, Any]:
    return {
        "holder": app.holder,
        "region": app.region,
        "classification": int(app.classification),
        "kind": int(app.kind),
        "manifestHash": app.manifest_hash,
        "manifestCid": app.manifest_cid,
        "cidCodec": app.cid_codec,
        "parents": [{"assetId": p.asset_id, "scenario": p.scenario} for p in app.parents],
        "nonce": nonce,
    }


def grant_message(request: GrantRequest, nonce: int) -> dict[str, Any]:
    return {
        "assetId": request.asset_id,
        "kind": int(request.kind),
        "grantee": request.grantee,
        "scenario": request.scenario,
        "start": request.start,
        "expiry": request.expiry,
        "exclusive": request.exclusive,
        "revocable": request.revocable,
        "termsHash": request.terms_hash,
        "nonce": nonce,
    }
