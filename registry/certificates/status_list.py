"""W3C Bitstring Status List v1.0: the certificates' revocation bits as one published list.

Each certificate has one bit, at its place in the chain's order of issue (the n-th
``CertificateIssued`` event holds index n): a place never changes, as the chain's past does not,
and it takes no column of its own. The bit is set when the chain's status of the certificate
is revoked (撤销), cancelled (注销) or superseded (被替代): the three ways the registry ends a
certificate, none of them undone, as the list's ``revocation`` purpose requires. An expired
certificate keeps its bit clear: its ``validUntil`` says so to any verifier, and a renewal
(``CertificateExtended``) would have to clear it.

The list is at least 131,072 bits (16 KiB, the specification's floor for herd privacy), more in
whole bytes when more certificates were issued; GZIP-compressed and written in multibase
base64url without padding (``u...``). Bit 0 is the most significant bit of the first byte."""

from __future__ import annotations

import base64
import gzip

from registry.chain.types import CertificateStatus

MIN_BITS = 131_072
PURPOSE = "revocation"
ENDED = frozenset(
    {CertificateStatus.REVOKED, CertificateStatus.CANCELLED, CertificateStatus.SUPERSEDED}
)
"""The statuses whose bit is set."""


def encode(set_bits: set[int], count: int) -> str:
    """The ``encodedList`` of a list of ``count`` places (at least MIN_BITS) with ``set_bits``."""
    size = max(MIN_BITS, -(-count // 8) * 8)
    bits = bytearray(size // 8)
    for index in set_bits:
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime 0: the same list is the same bytes, so an unchanged chain serves an unchanged list.
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode(encoded: str) -> bytes:
    """The bytes of an ``encodedList``; ValueError if it is not one."""
    if not encoded.startswith("u"):
        raise ValueError("an encodedList is multibase base64url (u...)")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def is_set(encoded: str, index: int) -> bool:
    """Whether place ``index`` of the list is set."""
    return bool(decode(encoded)[index // 8] & (0x80 >> (index % 8)))
