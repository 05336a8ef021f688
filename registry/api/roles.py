"""Who may call: the roles an API key is bound to, and a caller's principal. Kept apart
from the key store so the command line can name roles without loading the database layer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    REGISTRAR = "registrar"
    REVIEWER = "reviewer"
    HOLDER = "holder"
    AUDITOR = "auditor"
    STATE_ORGAN = "state_organ"
    """A court, procuratorate or police body querying materials for a matter it investigates
    (guide art. 30, second paragraph): it may only ask for and read what it was allowed."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, role and region."""

    key_id: str
    role: Role
    region: int
