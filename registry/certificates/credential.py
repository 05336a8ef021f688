"""A certificate as a W3C Verifiable Credential 2.0, with two signatures.

- A ``DataIntegrityProof`` (``eddsa-rdfc-2022``, :mod:`registry.certificates.integrity`) by the
  center's Ed25519 credential key over the whole credential, so any standard verifier checks
  it: the W3C credentials context and the registry's own (every term defined, ``@protected``).
  Its status is a ``BitstringStatusListEntry`` in the center's revocation list
  (:mod:`registry.certificates.status_list`), which follows the chain.
- The registrar's EIP-712 signature of the core claims (number, holder, asset, manifest hash,
  kind, issue and expiry times) as one struct under a domain bound to the certificates contract
  and chain, in ``attestation``: what the partner centers' contracts and any EIP-712 library
  check, and a copy cannot be replayed for another registry. The Data Integrity proof covers it.

A credential is signed when it is served, with the registration's annotations at that moment
(the proof's ``created``); the claims and their attestation never change.
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount

from registry.certificates.integrity import CREDENTIALS_V2
from registry.times import iso

DOMAIN_NAME = "DataRegistryCertificate"
TYPES = {
    "Certificate": [
        {"name": "number", "type": "string"},
        {"name": "holder", "type": "address"},
        {"name": "assetId", "type": "uint64"},
        {"name": "manifestHash", "type": "bytes32"},
        {"name": "kind", "type": "uint8"},
        {"name": "issuedAt", "type": "uint40"},
        {"name": "expiresAt", "type": "uint40"},
    ]
}


ANNOTATION_FIELDS = (
    "annotation_id",
    "kind_name",
    "in_force",
    "recorded_at",
    "lifted_at",
    "authority",
    "document_number",
)
"""What the credential says of an annotation (the registry's context defines each): the public
facts, never the hashes the index keeps beside them."""


def _did(chain_id: int, address: str) -> str:
    return f"did:pkh:eip155:{chain_id}:{address}"


def _typed(claims: dict[str, Any], domain: dict[str, Any]) -> dict[str, Any]:
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            **TYPES,
        },
        "primaryType": "Certificate",
        "domain": domain,
        "message": claims,
    }


def attestation(
    certificate: dict[str, Any],
    manifest_hash: str,
    registrar: LocalAccount,
    chain_id: int,
    contract: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The certificate's core claims and the registrar's EIP-712 attestation of them (what the
    partner centers' contracts check), as the credential's ``attestation``."""
    claims = {
        "number": certificate["number"],
        "holder": certificate["holder"],
        "assetId": int(certificate["asset_id"]),
        "manifestHash": manifest_hash,
        "kind": int(certificate["kind"]),
        "issuedAt": int(certificate["issued_at"]),
        "expiresAt": int(certificate["expires_at"]),
    }
    domain = {
        "name": DOMAIN_NAME,
        "version": "1",
        "chainId": chain_id,
        "verifyingContract": contract,
    }
    signature = registrar.sign_message(encode_typed_data(full_message=_typed(claims, domain)))
    return claims, {
        "type": "Eip712RegistrarAttestation",
        "signer": _did(chain_id, registrar.address),
        "eip712Domain": domain,
        "eip712Types": TYPES,
        "primaryType": "Certificate",
        "signatureValue": "0x" + bytes(signature.signature).hex(),
    }


def credential_document(
    claims: dict[str, Any],
    signed: dict[str, Any],
    annotations: list[dict[str, Any]],
    issuer: str,
    registry_context: str,
    status: dict[str, Any],
) -> dict[str, Any]:
    """The credential, before its Data Integrity proof: the claims with the registration's
    ``annotations`` now (index rows; their ANNOTATION_FIELDS, and as JSON-LD has no null, a
    missing member is one not recorded), its ``status`` entry (a BitstringStatusListEntry) and
    the attestation."""
    chain_id = int(signed["eip712Domain"]["chainId"])
    notes = [
        {k: note[k] for k in ANNOTATION_FIELDS if note.get(k) is not None} for note in annotations
    ]
    return {
        "@context": [CREDENTIALS_V2, registry_context],
        "id": f"urn:data-registry:certificate:{claims['number']}",
        "type": ["VerifiableCredential", "DataRegistrationCertificate"],
        "issuer": issuer,
        "validFrom": iso(claims["issuedAt"]),
        "validUntil": iso(claims["expiresAt"]),
        "credentialSubject": {
            "id": _did(chain_id, claims["holder"]),
            **claims,
            "annotations": notes,
        },
        "credentialStatus": status,
        "attestation": signed,
    }


def signer_of(credential: dict[str, Any]) -> str:
    """The address whose EIP-712 signature the credential's ``attestation`` carries, over its
    subject's core claims (compare it with the registrar's)."""
    subject = credential["credentialSubject"]
    claims = {field["name"]: subject[field["name"]] for field in TYPES["Certificate"]}
    signed = credential["attestation"]
    typed = _typed(claims, signed["eip712Domain"])
    recovered: str = Account.recover_message(
        encode_typed_data(full_message=typed), signature=signed["signatureValue"]
    )
    return recovered


def is_authentic(credential: dict[str, Any]) -> bool:
    """The subject's core claims are signed (EIP-712) by the signer the attestation names."""
    try:
        signer: str = credential["attestation"]["signer"]
        return signer.endswith(":" + signer_of(credential))
    except (KeyError, TypeError, ValueError):
        return False
