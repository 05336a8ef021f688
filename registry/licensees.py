"""The licensee (被许可人) of a grant, named on the certificates as a right-holder is: its name
and, for a legal person or an unincorporated organisation, its unified social credit code (a
natural person's ID number stays confidential, as on the application form).

The chain's grant records only the licensee's account, so the name is bound to it through the
grant's ``termsHash``, which the grantor's EIP-712 consent covers: a grant naming its licensee
puts on chain the SHA-256 of its *licence terms*, the canonical JSON (RFC 8785) of
``{"format": "licence-terms/1", "licensee": {"name", "kind", "credit_code"}, "terms": the
agreement's hash}``. The center keeps that text under its hash (``Queries.keep_texts``); a page
shows the name only when the kept text hashes to the chain's ``termsHash``, and anyone given the
text checks it against ``termsOf(grantId)``. A licence registered on a grant that names no
licensee may name one: that is the center's record (``source`` ``center``), not bound to the
chain, and the documents say so."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any, Literal, get_args

from registry.content.canonical import canonical_json

logger = logging.getLogger(__name__)

FORMAT = "licence-terms/1"
PartyKind = Literal["natural_person", "legal_person", "unincorporated"]
"""A party's kind on the national forms (主体类型): 自然人, 法人, 非法人组织."""
KIND_ZH: dict[str, str] = {
    "natural_person": "自然人",
    "legal_person": "法人",
    "unincorporated": "非法人组织",
}
Source = Literal["grant", "center"]
"""Where a licensee's name comes from: the grant's terms on chain (``grant``), or the center's
record of the licence registration (``center``), which the chain does not bind."""


@dataclass(frozen=True)
class Licensee:
    name: str
    kind: PartyKind
    credit_code: str = ""
    """Empty for a natural person."""
    source: Source = "grant"

    def to_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "kind": self.kind,
            "credit_code": self.credit_code,
            "source": self.source,
        }


def licence_text(licensee: Licensee, agreement_hash: str) -> str:
    """The licence terms naming ``licensee`` over the agreement's hash (0x-hex; zero: none)."""
    party: dict[str, Any] = {"name": licensee.name, "kind": licensee.kind}
    if licensee.credit_code:
        party["credit_code"] = licensee.credit_code
    document = {"format": FORMAT, "licensee": party, "terms": agreement_hash.lower()}
    return canonical_json(document).decode("utf-8")


def text_digest(text: str) -> str:
    """The 0x-hex SHA-256 of a text's UTF-8, as acts put it on chain."""
    return "0x" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def named_by(text: str, terms_hash: str) -> Licensee | None:
    """The licensee ``text`` names, if ``text`` is licence terms whose SHA-256 is the chain's
    ``terms_hash``; None for any other text."""
    if text_digest(text) != terms_hash.lower():
        return None
    try:
        document = json.loads(text)
        party = document["licensee"]
        kind = party["kind"]
        if document["format"] != FORMAT or kind not in get_args(PartyKind):
            raise ValueError(f"not {FORMAT}")
        return Licensee(str(party["name"]), kind, str(party.get("credit_code", "")))
    except (ValueError, TypeError, KeyError) as exc:
        # A grant's terms may be any agreement's hash whose text the center happens to keep.
        logger.debug("terms %s name no licensee: %s", terms_hash, exc)
        return None
