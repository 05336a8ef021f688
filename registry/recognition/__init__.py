"""Cross-region mutual recognition (跨区域互认): partner certificates proven from the partner's
own chain (EIP-1186 storage proofs against relayed headers) and its registrar's attestation."""

from registry.recognition.mediator import (
    Mediator,
    Partner,
    RefusedError,
    load_partners,
    save_partner,
)
from registry.recognition.mpt import ProofError
from registry.recognition.origin import OriginState, verify_proofs

__all__ = [
    "Mediator",
    "OriginState",
    "Partner",
    "ProofError",
    "RefusedError",
    "load_partners",
    "save_partner",
    "verify_proofs",
]
