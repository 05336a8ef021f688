"""The shapes every input is held to at the edge (API bodies, query strings, forms, manifests):
plain text (bounded, without NUL, other control characters or bidirectional overrides),
0x-prefixed addresses, numbers written in ASCII digits, and certificate numbers."""

from __future__ import annotations

import re
from typing import Annotated, Any

from eth_utils.address import is_address
from pydantic import AfterValidator, Field

from registry.certificates import numbers
from registry.chain.types import checksum

# C0 and C1 controls but tab, line feed and carriage return (NUL ends strings in C and in
# PostgreSQL text), and the bidirectional formatting characters of Unicode's UAX #9: they make a
# name read differently from what is stored ("Trojan Source", CVE-2021-42574).
_REFUSED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_DIGITS = re.compile(r"[0-9]+")
# GB/T 2260 codes of this country's regions: provinces 11 (Beijing) to 82 (Macao).
REGIONS = (110000, 829999)


def plain_text(value: str) -> str:
    """``value`` if it holds no control or bidirectional formatting character."""
    found = _REFUSED.search(value)
    if found is not None:
        raise ValueError(
            f"U+{ord(found.group()):04X} at {found.start()}: control and bidirectional "
            "formatting characters are refused"
        )
    return value


def address(value: str) -> str:
    """An Ethereum address, ``0x`` and 40 hex digits (EIP-55 checked when mixed case), in
    EIP-55 form."""
    if not _ADDRESS.fullmatch(value) or not is_address(value):
        raise ValueError("not an Ethereum address (0x and 40 hex digits, EIP-55 when mixed case)")
    return checksum(value)


def ascii_int(text: str, low: int, high: int) -> int:
    """The integer ``text`` writes in ASCII digits, between ``low`` and ``high`` inclusive
    (Python's ``int`` and ``str.isdigit`` also take other scripts' digits, and superscripts)."""
    if not _DIGITS.fullmatch(text) or len(text) > len(str(high)):
        raise ValueError(f"{low} to {high}, in ASCII digits")
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"{low} to {high}, in ASCII digits")
    return value


def certificate_number(value: str) -> str:
    """``value`` if it is a national certificate number: ``SJ`` and 13 ASCII digits whose
    province, month and serial can be (``registry.certificates.numbers``)."""
    numbers.parse(value)
    return value


def shallow(value: Any, depth: int = 8) -> Any:
    """``value`` if its JSON arrays and objects nest no deeper than ``depth`` (a deep value
    costs a frame a level wherever it is encoded or compared)."""
    level = [value]
    for _ in range(depth):
        level = [
            inner
            for item in level
            if isinstance(item, dict | list)
            for inner in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return value
    if any(isinstance(item, dict | list) and item for item in level):
        raise ValueError(f"nested deeper than {depth} levels")
    return value


PlainText = AfterValidator(plain_text)
"""Add to ``Annotated[str, Field(max_length=...), PlainText]`` for a text field."""
CertificateNo = Annotated[
    str,
    Field(min_length=15, max_length=15, description=numbers.SHAPE),
    AfterValidator(certificate_number),
]
"""A certificate number in a body or query; ``Annotated[CertificateNo, Path(...)]`` in a path."""
Address = Annotated[
    str,
    Field(pattern=r"^0x[0-9a-fA-F]{40}$", description="0x and 40 hex digits (EIP-55)"),
    AfterValidator(address),
]
