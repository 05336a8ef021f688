"""National certificate numbers, as the contracts make them (``contracts/libraries/
CertificateNumbers.sol``; the guide's annex 6).

15 characters: ``SJ`` + the center's province-level code (GB/T 2260, two digits) + the center's
digit + the coding month ``YYYYMM`` in China Standard Time + the serial within the month
(``0001``-``9999``). The 13 digits read as a decimal number are the ERC-721 token id, e.g.
``SJ3702026120001`` is token 3702026120001, the first certificate of December 2026 at center 0
in Shandong.

The 19-character numbers of the registry before the guide (``YYYYMM`` + six-digit region + serial
+ check character) are not read: they were issued only on deployments before the guide, whose
contracts the guide's procedure replaces, and no center issued them to the public.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from registry.regions import Center
from registry.times import BEIJING

MAX_SERIAL = 9999
"""Certificates a center may issue in a month (annex 6)."""
# ASCII digits: ``\d`` would also take other scripts' digits (full-width ３, Arabic-Indic ٣).
_NUMBER = re.compile(r"SJ([0-9]{2})([0-9])([0-9]{4})([0-9]{2})([0-9]{4})")
SHAPE = "SJ and 13 digits: province, center, YYYYMM, serial (e.g. SJ3702026120001)"


@dataclass(frozen=True, order=True)
class CertificateNumber:
    """A certificate number's parts."""

    center: Center
    year: int
    month: int
    serial: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month:02d}: 01 to 12")
        if not 1 <= self.serial <= MAX_SERIAL:
            raise ValueError(f"serial {self.serial:04d}: 0001 to {MAX_SERIAL}")
        if not 0 <= self.year <= 9999:
            raise ValueError(f"year {self.year}: four digits")

    @property
    def token_id(self) -> int:
        return int(str(self)[2:])

    @property
    def year_month(self) -> int:
        """``YYYYMM``, the coding month in China Standard Time."""
        return self.year * 100 + self.month

    def __str__(self) -> str:
        return f"SJ{self.center.code}{self.year:04d}{self.month:02d}{self.serial:04d}"


def parse(number: str) -> CertificateNumber:
    """The parts of a printed number. Raises ValueError naming what is wrong."""
    match = _NUMBER.fullmatch(number)
    if match is None:
        raise ValueError(f"a certificate number is {SHAPE}")
    province, digit, year, month, serial = (int(part) for part in match.groups())
    return CertificateNumber(Center(province, digit), year, month, serial)


def of_token(token_id: int) -> CertificateNumber:
    """The parts of a token id's number. Raises ValueError if no number has this token id."""
    if not 0 < token_id < 10**13:
        raise ValueError(f"not a certificate token id: {token_id}")
    return parse(f"SJ{token_id:013d}")


def format_number(token_id: int) -> str:
    """The printed number of a token id."""
    return str(of_token(token_id))


def parse_number(number: str) -> int:
    """The token id of a printed number. Raises ValueError naming what is wrong."""
    return parse(number).token_id


def center_of(number: str | int) -> Center:
    """The center that issued a certificate, from its number or token id: how a partner tells
    a certificate's province and center without asking anyone."""
    return (parse(number) if isinstance(number, str) else of_token(number)).center


def coding_month(timestamp: int) -> int:
    """``YYYYMM`` of ``timestamp`` (Unix seconds) in China Standard Time, as the contract
    numbers a certificate issued then."""
    moment = datetime.fromtimestamp(timestamp, UTC).astimezone(BEIJING)
    return moment.year * 100 + moment.month
