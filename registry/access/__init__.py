"""Query and copy of registration materials (guide art. 30) and the log of who saw them."""

from __future__ import annotations

from registry.access.anchoring import AccessLogAnchor
from registry.access.store import (
    AccessError,
    AccessRegister,
    AccessRequest,
    Entry,
    RequesterKind,
    Verified,
    chain_hash,
)

__all__ = [
    "AccessError",
    "AccessLogAnchor",
    "AccessRegister",
    "AccessRequest",
    "Entry",
    "RequesterKind",
    "Verified",
    "chain_hash",
]
