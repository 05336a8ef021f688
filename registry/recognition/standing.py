"""A certificate's standing at one origin block, signed by the origin's registrar (EIP-712).

The partner's ``RecognitionRegistry.record`` accepts a standing only with this signature, by a
registrar key its agreement names, over exactly what it records: the certificate's claims, its
status, freeze, annotations in force, pledgee and grant at ``originBlock``, and the hash of that
block as relayed there. The mediator, which relays headers and sends the record, cannot make it:
it holds no registrar key. The origin signs only what its own chain's storage shows at the
block (:func:`origin_standing`), read with the same proofs a partner checks.

The domain is the origin's certificate domain (its chain and Certificates contract), the one its
Verifiable Credentials use; the type differs, so neither signature passes for the other."""

from __future__ import annotations

import logging
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from web3 import Web3

from registry.certificates.credential import DOMAIN_NAME
from registry.recognition.origin import OriginState, fetch_proofs, verify_proofs

logger = logging.getLogger(__name__)

PRIMARY_TYPE = "Standing"
STANDING_FIELDS = [
    {"name": "certificateId", "type": "uint256"},
    {"name": "holder", "type": "address"},
    {"name": "assetId", "type": "uint64"},
    {"name": "manifestHash", "type": "bytes32"},
    {"name": "kind", "type": "uint8"},
    {"name": "classification", "type": "uint8"},
    {"name": "issuedAt", "type": "uint40"},
    {"name": "expiresAt", "type": "uint40"},
    {"name": "status", "type": "uint8"},
    {"name": "frozen", "type": "bool"},
    {"name": "successor", "type": "uint64"},
    {"name": "annotations", "type": "uint16"},
    {"name": "pledgee", "type": "address"},
    {"name": "grantId", "type": "bytes32"},
    {"name": "originBlock", "type": "uint64"},
    {"name": "blockHash", "type": "bytes32"},
]
_DOMAIN_FIELDS = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def domain_of(chain_id: int, certificates: str) -> dict[str, Any]:
    """The origin's certificate domain."""
    return {
        "name": DOMAIN_NAME,
        "version": "1",
        "chainId": chain_id,
        "verifyingContract": Web3.to_checksum_address(certificates),
    }


def standing_message(state: OriginState, block_hash: bytes) -> dict[str, Any]:
    """The EIP-712 message of a proven standing at the block whose hash is ``block_hash``."""
    return {
        "certificateId": state.token_id,
        "holder": state.holder,
        "assetId": state.asset_id,
        "manifestHash": state.manifest_hash,
        "kind": state.kind,
        "classification": state.classification,
        "issuedAt": state.issued_at,
        "expiresAt": state.expires_at,
        "status": int(state.status),
        "frozen": state.frozen,
        "successor": state.successor,
        "annotations": state.annotations_in_force,
        "pledgee": state.pledgee,
        "grantId": state.grant_id,
        "originBlock": state.block,
        "blockHash": "0x" + block_hash.hex(),
    }


def _typed(message: dict[str, Any], domain: dict[str, Any]) -> dict[str, Any]:
    return {
        "types": {"EIP712Domain": _DOMAIN_FIELDS, PRIMARY_TYPE: STANDING_FIELDS},
        "primaryType": PRIMARY_TYPE,
        "domain": domain,
        "message": message,
    }


def sign_standing(message: dict[str, Any], signer: LocalAccount, domain: dict[str, Any]) -> bytes:
    signed = signer.sign_message(encode_typed_data(full_message=_typed(message, domain)))
    return bytes(signed.signature)


def standing_signer(message: dict[str, Any], domain: dict[str, Any], signature: bytes) -> str:
    """The address that signed ``message`` under ``domain``."""
    recovered: str = Account.recover_message(
        encode_typed_data(full_message=_typed(message, domain)), signature=signature
    )
    return recovered


def origin_standing(
    w3: Web3,
    contracts: dict[str, str],
    token_id: int,
    block: int,
    registrar: LocalAccount,
) -> dict[str, Any]:
    """What the origin signs for ``token_id`` at its own ``block``: its storage there, proven
    against that block's state root as a partner proves it (so both read the same words), and
    the registrar's signature. Raises ValueError for a block the chain has not reached."""
    header = w3.eth.get_block(block)
    material = fetch_proofs(
        w3,
        contracts["Certificates"],
        contracts["AssetRegistry"],
        token_id,
        block,
        contracts.get("Annotations"),
    )
    state = verify_proofs(
        material,
        bytes(header["stateRoot"]),
        int(header["timestamp"]),
        contracts["Certificates"],
        contracts["AssetRegistry"],
        contracts.get("Annotations"),
    )
    domain = domain_of(int(w3.eth.chain_id), contracts["Certificates"])
    message = standing_message(state, bytes(header["hash"]))
    signature = sign_standing(message, registrar, domain)
    logger.debug("standing of %s at block %s signed", token_id, block)
    return {
        "domain": domain,
        "types": {PRIMARY_TYPE: STANDING_FIELDS},
        "primaryType": PRIMARY_TYPE,
        "message": message,
        "signer": registrar.address,
        "signature": "0x" + signature.hex(),
    }
