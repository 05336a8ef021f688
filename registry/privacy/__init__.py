"""What applicants hand in that stays confidential: the center's key-encryption key, the
encrypted materials, and per-field salted commitments of the confidential part of a form."""

from __future__ import annotations

from registry.privacy.keys import CenterKeys, KeystoreError, UnwrapError, wrap_for
from registry.privacy.materials import Envelope, MaterialError, MaterialStore

__all__ = [
    "CenterKeys",
    "Envelope",
    "KeystoreError",
    "MaterialError",
    "MaterialStore",
    "UnwrapError",
    "wrap_for",
]
