"""A certificate as a W3C Verifiable Credential 2.0, signed by the registrar's key (EIP-712).

The signature covers the certificate's core claims as one EIP-712 struct (number, holder, asset,
manifest hash, kind, issue and expiry times), under a domain bound to the certificates contract
and chain, so a wallet or any EIP-712 library can check it, and a copy cannot be replayed for
another registry. Its status is not in the signature: it is read from the chain when the
credential is served, and anyone can read it again (``credentialStatus``).
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount

from registry.times import iso

CONTEXT = "https://www.w3.org/ns/credentials/v2"
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


def issue_credential(
    certificate: dict[str, Any],
    manifest_hash: str,
    registrar: LocalAccount,
    chain_id: int,
    contract: str,
    status: str,
    status_url: str,
) -> dict[str, Any]:
    """The credential of ``certificate`` (an index record), signed by ``registrar``."""
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
    return {
        "@context": [CONTEXT],
        "id": f"urn:data-registry:certificate:{certificate['number']}",
        "type": ["VerifiableCredential", "DataRegistrationCertificate"],
        "issuer": _did(chain_id, registrar.address),
        "validFrom": iso(claims["issuedAt"]),
        "validUntil": iso(claims["expiresAt"]),
        "credentialSubject": {"id": _did(chain_id, certificate["holder"]), **claims},
        "credentialStatus": {
            "id": status_url,
            "type": "EthereumContractStatus",
            "chainId": chain_id,
            "contract": contract,
            "tokenId": str(certificate["token_id"]),
            "status": status,
        },
        "proof": {
            "type": "EthereumEip712Signature2021",
            "proofPurpose": "assertionMethod",
            "verificationMethod": f"{_did(chain_id, registrar.address)}#blockchainAccountId",
            "created": iso(claims["issuedAt"]),
            "proofValue": "0x" + bytes(signature.signature).hex(),
            "eip712": {"domain": domain, "types": TYPES, "primaryType": "Certificate"},
        },
    }


def signer_of(credential: dict[str, Any]) -> str:
    """The address that signed the credential's claims (compare it with the issuer's)."""
    subject = dict(credential["credentialSubject"])
    subject.pop("id", None)
    typed = _typed(subject, credential["proof"]["eip712"]["domain"])
    recovered: str = Account.recover_message(
        encode_typed_data(full_message=typed), signature=credential["proof"]["proofValue"]
    )
    return recovered


def is_authentic(credential: dict[str, Any]) -> bool:
    """The claims are signed by the issuer the credential names."""
    try:
        issuer: str = credential["issuer"]
        return issuer.endswith(":" + signer_of(credential))
    except (KeyError, TypeError, ValueError):
        return False
