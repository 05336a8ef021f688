"""What a change registration may change (指引 art. 35): the right-holders' identity details
and the data's description or time span, never who holds the rights (that is a transfer,
art. 34) nor where the data comes from (that is a new registration, art. 33). The chain sees
only the manifests' hashes, so the service compares the manifests themselves before anything
is sent."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

SOURCE_FIELDS = ("kind", "provider_type", "contract_sha256", "public_data_code")
"""The members of a manifest's source that say where the data comes from; its description and
collection route are the data's description, which a change may correct."""


def refused_change(current: dict[str, Any] | None, new: dict[str, Any] | None) -> str | None:
    """The rule a change from manifest ``current`` to ``new`` breaks, if any:
    ``ChangeOfRightHolder`` (the holder's account or credit code differs) or ``ChangeOfSource``
    (a member of ``SOURCE_FIELDS`` differs). A manifest the registry does not keep is not
    compared (an asset applied for directly on chain, say)."""
    if current is None or new is None:
        logger.info("change not compared: a manifest is not kept here")
        return None
    old_holder, new_holder = current.get("holder") or {}, new.get("holder") or {}
    for member in ("account", "credit_code"):
        if str(old_holder.get(member, "")).lower() != str(new_holder.get(member, "")).lower():
            return "ChangeOfRightHolder"
    old_source, new_source = current.get("source") or {}, new.get("source") or {}
    if any(old_source.get(m) != new_source.get(m) for m in SOURCE_FIELDS):
        return "ChangeOfSource"
    return None
