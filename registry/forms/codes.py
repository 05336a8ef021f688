"""The identity codes on the national forms, with their check characters: the citizen ID number
(公民身份号码, GB 11643-1999) and the unified social credit code (统一社会信用代码,
GB 32100-2015); and the industry table (GB/T 4754-2017, shipped as ``gbt4754_2017.json``)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import AfterValidator, Field

from registry.forms.errors import refusal

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def uscc_check_character(first17: str) -> str:
    """GB 32100-2015 check character of a unified social credit code (统一社会信用代码)."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def credit_code(code: str) -> str:
    """``code`` upper-cased if it is a unified social credit code whose check character holds."""
    code = code.strip().upper()
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        raise ValueError(
            "a unified social credit code has 18 characters from 0-9 and A-Y (no I, O, S, V, Z)"
        )
    if uscc_check_character(code[:17]) != code[17]:
        raise ValueError("the check character does not match (GB 32100): the code is mistyped")
    return code


def checked_credit_code(value: str) -> str:
    """``credit_code`` as a form field's validator: its refusal in Chinese and English."""
    try:
        return credit_code(value)
    except ValueError as exc:
        raise refusal("credit_code", "统一社会信用代码有误（GB 32100 校验）", str(exc)) from None


CreditCode = Annotated[str, Field(max_length=18), AfterValidator(checked_credit_code)]
"""A unified social credit code in a form or a request body."""


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 check digit (ISO 7064 MOD 11-2) of a citizen ID number."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number(number: str) -> str:
    """``number`` (its check ``X`` upper-cased) if it is an 18-character citizen ID number: a
    region code, a birth date that was, a sequence and a matching check digit."""
    number = number.strip().upper()
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        raise ValueError("a citizen ID number has 17 digits and a check digit (0-9 or X)")
    if number[0] not in "12345678":
        raise ValueError("the ID number's region code is not a GB/T 2260 region")
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError("the ID number's birth date is not a date") from None
    if not dt.date(1900, 1, 1) <= born <= dt.date.today():
        raise ValueError("the ID number's birth date is out of range")
    if id_check_digit(number[:17]) != number[17]:
        raise ValueError("the check digit does not match (GB 11643): the number is mistyped")
    return number


def checked_id_number(value: str) -> str:
    """``id_number`` as a form field's validator: its refusal in Chinese and English."""
    try:
        return id_number(value)
    except ValueError as exc:
        raise refusal("id_number", "公民身份号码有误（GB 11643 校验）", str(exc)) from None


IdNumber = Annotated[str, Field(max_length=18), AfterValidator(checked_id_number)]


@dataclass(frozen=True)
class Division:
    code: str
    name_zh: str
    section: str


@dataclass(frozen=True)
class Section:
    code: str
    name_zh: str
    name_en: str
    divisions: tuple[Division, ...]


@cache
def industry_sections() -> dict[str, Section]:
    """GB/T 4754-2017's sections A-T with their 2-digit divisions, from the shipped table."""
    text = resources.files("registry.forms").joinpath("gbt4754_2017.json").read_text("utf-8")
    return {
        s["code"]: Section(
            s["code"],
            s["name_zh"],
            s["name_en"],
            tuple(Division(d["code"], d["name_zh"], s["code"]) for d in s["divisions"]),
        )
        for s in json.loads(text)["sections"]
    }


def industry_division(section: str, division: str) -> Division:
    """The division ``division`` of section ``section``; ValueError naming what does not fit."""
    found = industry_sections().get(section)
    if found is None:
        raise ValueError(f"{section!r} is not a GB/T 4754-2017 section (A-T)")
    for d in found.divisions:
        if d.code == division:
            return d
    first, last = found.divisions[0].code, found.divisions[-1].code
    raise ValueError(
        f"{division!r} is not a division of section {section} ({found.name_zh}: {first}-{last})"
    )
