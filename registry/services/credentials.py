"""The center as an issuer of W3C Verifiable Credentials: its controller document, its
certificates as credentials, and its revocation list, all at the center's own address.

Addresses: the controller document (the credentials' ``issuer``) at ``/v1/credentials/issuer``,
its key ``#`` + the key's Multikey; the revocation list at ``/v1/credentials/status/revocation``;
the registry's context at :data:`~registry.certificates.integrity.CONTEXT_PATH`.

The revocation list is recomputed from the index whenever the index has read a new block (it is
cached by that block), so it follows the chain within the index's lag (about a second); each
recomputation is signed anew. Proofs are dated by the chain's clock, the one the certificates'
``validFrom`` and ``validUntil`` are in.

The addresses are the service's public address (``REGISTRY_PUBLIC_URL``; without it, the one a
request was made to): a center names it so that its credentials name one issuer."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount

from registry.certificates import status_list
from registry.certificates.credential import attestation, credential_document
from registry.certificates.integrity import (
    CONTEXT_PATH,
    CREDENTIALS_V2,
    DID_V1,
    MULTIKEY_V1,
    CredentialKey,
    document_loader,
)
from registry.certificates.view import manifest_at_issue
from registry.chain import Registry
from registry.index.queries import Queries

logger = logging.getLogger(__name__)

ISSUER_PATH = "/v1/credentials/issuer"
STATUS_PATH = f"/v1/credentials/status/{status_list.PURPOSE}"


@dataclass(frozen=True)
class _Places:
    """The revocation list as of one indexed block."""

    block: int | None
    index_of: dict[int, int]
    set_bits: set[int]


class Credentials:
    """Issues the center's credentials with its credential key."""

    def __init__(
        self,
        key: CredentialKey,
        queries: Queries,
        registry: Registry,
        registrar: LocalAccount,
        clock: Callable[[], int],
    ) -> None:
        self.key = key
        self.clock = clock
        self.queries = queries
        self.registry = registry
        self.registrar = registrar
        self._lock = threading.Lock()
        self._places: _Places | None = None
        # One list, of the last block and address asked: the address comes from the request.
        self._list: tuple[str, int | None, dict[str, Any]] | None = None

    def issuer_document(self, base: str) -> dict[str, Any]:
        """The center's controller document: its credential key, for assertions."""
        issuer = base + ISSUER_PATH
        method = self._method(base)
        return {
            "@context": [DID_V1, MULTIKEY_V1],
            "id": issuer,
            "verificationMethod": [
                {
                    "id": method,
                    "type": "Multikey",
                    "controller": issuer,
                    "publicKeyMultibase": self.key.public_multikey,
                }
            ],
            "assertionMethod": [method],
        }

    def published(self, base: str) -> dict[str, str]:
        """Where the credentials are checked, for the registry's published identity."""
        return {
            "issuer": base + ISSUER_PATH,
            "public_key_multibase": self.key.public_multikey,
            "revocation_list": base + STATUS_PATH,
            "context": base + CONTEXT_PATH,
        }

    def _method(self, base: str) -> str:
        """The credential key's id: the controller document's address and the key."""
        return f"{base}{ISSUER_PATH}#{self.key.public_multikey}"

    def _sign(self, document: dict[str, Any], base: str) -> dict[str, Any]:
        loader = document_loader(base + CONTEXT_PATH)
        return self.key.sign(document, self._method(base), self.clock(), loader)

    def _current(self) -> _Places:
        block = self.queries.indexed_block()
        with self._lock:
            if self._places is not None and self._places.block == block:
                return self._places
        issued = self.queries.certificates_in_issue_order()
        places = _Places(
            block,
            {token_id: index for index, (token_id, _) in enumerate(issued)},
            {index for index, (_, s) in enumerate(issued) if s in status_list.ENDED},
        )
        with self._lock:
            self._places = places
        return places

    def place_of(self, token_id: int) -> int:
        """The certificate's index in the revocation list."""
        index = self._current().index_of.get(token_id)
        if index is None:
            # Read from the index a moment ago but not yet in the places cached at that block.
            with self._lock:
                self._places = None
            index = self._current().index_of[token_id]
        return index

    def credential(self, certificate: dict[str, Any], base: str) -> dict[str, Any]:
        """The certificate (an index record) as a credential, signed now."""
        asset_id = int(certificate["asset_id"])
        claims, signed = attestation(
            certificate,
            manifest_at_issue(self.queries, asset_id, int(certificate["issued_at"])),
            self.registrar,
            self.registry.chain.chain_id,
            self.registry.certificates.address,
        )
        index = self.place_of(int(certificate["token_id"]))
        listed = base + STATUS_PATH
        entry = {
            "id": f"{listed}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": status_list.PURPOSE,
            "statusListIndex": str(index),
            "statusListCredential": listed,
        }
        document = credential_document(
            claims,
            signed,
            self.queries.annotations(asset_id),
            base + ISSUER_PATH,
            base + CONTEXT_PATH,
            entry,
        )
        return self._sign(document, base)

    def revocation_list(self, base: str) -> dict[str, Any]:
        """The BitstringStatusListCredential of the certificates' revocation bits, as of the
        index's last block (signed once per block)."""
        places = self._current()
        with self._lock:
            cached = self._list
        if cached is not None and cached[:2] == (base, places.block):
            return cached[2]
        listed = base + STATUS_PATH
        document = {
            "@context": [CREDENTIALS_V2],
            "id": listed,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": base + ISSUER_PATH,
            "credentialSubject": {
                "id": f"{listed}#list",
                "type": "BitstringStatusList",
                "statusPurpose": status_list.PURPOSE,
                "encodedList": status_list.encode(places.set_bits, len(places.index_of)),
            },
        }
        signed = self._sign(document, base)
        with self._lock:
            self._list = (base, places.block, signed)
        logger.info(
            "revocation list signed at block %s: %d of %d set",
            places.block,
            len(places.set_bits),
            len(places.index_of),
        )
        return signed
