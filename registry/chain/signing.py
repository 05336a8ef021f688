"""EIP-712 consents a holder signs for the registrar to relay.

The type strings here are the contracts' own (``AssetRegistry`` and ``RightsRegistry``); a test
checks both sides agree by having the contracts verify what this module signs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from registry.chain.types import DIRECT, Application, Consent, GrantRequest, JointConsent

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

CONSENT_TERM = 7 * 24 * 3600
"""Seconds a consent stays valid after it is drafted or signed (its EIP-712 deadline)."""

_STRUCTS: dict[str, list[dict[str, str]]] = {
    "ParentRef": [{"name": "assetId", "type": "uint64"}, {"name": "scenario", "type": "bytes32"}],
    "RightHolder": [
        {"name": "account", "type": "address"},
        {"name": "rights", "type": "uint8"},
        {"name": "start", "type": "uint40"},
        {"name": "expiry", "type": "uint40"},
        {"name": "identityHash", "type": "bytes32"},
        {"name": "restrictionsHash", "type": "bytes32"},
        {"name": "restrictions", "type": "string"},
    ],
    "TransferShare": [
        {"name": "from", "type": "address"},
        {"name": "to", "type": "address"},
        {"name": "rights", "type": "uint8"},
        {"name": "identityHash", "type": "bytes32"},
    ],
}
"""Struct types that consents refer to."""
JOINT: frozenset[str] = frozenset(
    {
        "Application",
        "Transfer",
        "Change",
        "IdentityChange",
        "Renew",
        "Pledge",
        "Cancel",
        "Supplements",
        "Proof",
    }
)
"""Consent types that every party signs under the first signer's nonce (an application's
right-holders, a transfer's transferors and transferees, an asset's holder and co-holders): the
function takes a ``JointConsent``."""
_TAIL = [{"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"}]

TYPES: dict[str, list[dict[str, str]]] = {
    "Application": [
        {"name": "holders", "type": "RightHolder[]"},
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
        {"name": "shares", "type": "TransferShare[]"},
        {"name": "agreementHash", "type": "bytes32"},
        *_TAIL,
    ],
    "IdentityChange": [
        {"name": "assetId", "type": "uint64"},
        {"name": "account", "type": "address"},
        {"name": "identityHash", "type": "bytes32"},
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
    "Supplements": [
        {"name": "assetId", "type": "uint64"},
        {"name": "materialsHash", "type": "bytes32"},
        *_TAIL,
    ],
    "Proof": [
        {"name": "assetId", "type": "uint64"},
        {"name": "proofHash", "type": "bytes32"},
        *_TAIL,
    ],
    "Grant": [
        {"name": "grantor", "type": "address"},
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
        {"name": "revoker", "type": "address"},
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
    for field in TYPES[primary]:
        struct = field["type"].removesuffix("[]")
        if struct in _STRUCTS:
            types[struct] = _STRUCTS[struct]
    return {"types": types, "primaryType": primary, "domain": domain.to_json(), "message": message}


def consent_abi(primary: str, consent: Consent | JointConsent | None) -> Any:
    """The consent argument of an act taking ``primary``: a ``Consent``, or for a joint type a
    ``JointConsent`` (a single consent standing for a sole applicant's)."""
    if primary not in JOINT:
        if isinstance(consent, JointConsent):
            raise ValueError(f"{primary} takes one consent, not a joint one")
        return (consent or DIRECT).to_abi()
    if isinstance(consent, JointConsent):
        return consent.to_abi()
    return JointConsent.of([consent or DIRECT]).to_abi()


def fresh_nonce() -> int:
    """A nonce under a random key: its consent does not wait for, or block, any other."""
    return secrets.randbits(192) << 64


def sign(
    account: LocalAccount, domain: Domain, primary: str, message: dict[str, Any], deadline: int
) -> Consent:
    """Signs ``message`` (with its ``nonce``; the deadline is added here) as ``primary``."""
    # Imported here: the act table reads this module's types, and the command line loads the
    # table on every start; eth-account costs it about 0.4 s.
    from eth_account.messages import encode_typed_data

    data = typed_data(domain, primary, {**message, "deadline": deadline})
    signed = account.sign_message(encode_typed_data(full_message=data))
    return Consent(
        deadline=deadline, nonce=int(message["nonce"]), signature=bytes(signed.signature)
    )


def message_of(primary: str, values: tuple[Any, ...]) -> dict[str, Any]:
    """The EIP-712 message of ``primary`` from a contract call's arguments, in the order of its
    fields (without ``nonce`` and ``deadline``). A single struct argument (an application, a
    grant request) stands for the fields it holds; struct-array fields (``ParentRef[]``) are
    built the same way from each element."""
    fields = [f for f in TYPES[primary] if f["name"] not in ("nonce", "deadline")]
    if len(values) == 1 and len(fields) > 1 and isinstance(values[0], tuple | list):
        values = tuple(values[0])
    if len(values) != len(fields):
        raise ValueError(f"{primary} has {len(fields)} fields, got {len(values)} values")
    return {f["name"]: _value(f["type"], v) for f, v in zip(fields, values, strict=True)}


def _value(kind: str, value: Any) -> Any:
    struct = kind.removesuffix("[]")
    if struct in _STRUCTS:
        return [dict(zip((f["name"] for f in _STRUCTS[struct]), v, strict=True)) for v in value]
    return value


def jsonable(message: dict[str, Any]) -> dict[str, Any]:
    """``message`` as JSON carries it: bytes as 0x-hex."""

    def convert(value: Any) -> Any:
        if isinstance(value, bytes):
            return "0x" + value.hex()
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        return value

    return {k: convert(v) for k, v in message.items()}


def application_message(app: Application, nonce: int) -> dict[str, Any]:
    return {**message_of("Application", app.to_abi()), "nonce": nonce}


def grant_message(request: GrantRequest, nonce: int) -> dict[str, Any]:
    return {**message_of("Grant", request.to_abi()), "nonce": nonce}
