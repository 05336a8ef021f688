"""Certificate numbers, as the contracts make them (``contracts/libraries/CertificateNumbers.sol``).

``YYYYMM`` (China Standard Time) + six-digit GB/T 2260 region + six-digit serial within the month,
then an ISO 7064 MOD 11-2 check character (0-9 or X). The 18 digits are the ERC-721 token id.
"""

from __future__ import annotations

import re

# ASCII digits: ``\d`` would also take other scripts' digits (full-width ３, Arabic-Indic ٣).
_NUMBER = re.compile(r"^([0-9]{18})([0-9X])$")


def check_character(digits: str) -> str:
    """ISO 7064 MOD 11-2 over the digits (as in GB 11643)."""
    p = 0
    for d in digits:
        p = ((p + int(d)) * 2) % 11
    value = (12 - p) % 11
    return "X" if value == 10 else str(value)


def format_number(token_id: int) -> str:
    digits = f"{token_id:018d}"
    if len(digits) != 18:
        raise ValueError(f"not a certificate token id: {token_id}")
    return digits + check_character(digits)


def parse_number(number: str) -> int:
    """The token id of a printed number; separators (spaces, hyphens) are ignored.

    Raises ValueError naming what is wrong.
    """
    compact = re.sub(r"[\s-]", "", number).upper()
    match = _NUMBER.match(compact)
    if match is None:
        raise ValueError("a certificate number has 18 digits and a check character (0-9 or X)")
    digits, check = match.groups()
    if check_character(digits) != check:
        raise ValueError("the check character does not match: the number is mistyped")
    return int(digits)
