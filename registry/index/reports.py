"""What the center reports to the national registration service system, and how a record is
made from the chain event that shows it (guide art. 24: the notice is published there; art.
26: the important steps and the result are deposited there; art. 32-37: every registration
type's result).

A record is written by the index follower in the database transaction that indexes its event
(``record``), so an event is indexed with its record or not at all: a follower killed mid-round
indexes the round again and writes the same records. Its idempotency key comes from the chain,
``{tx hash}:{n}``, n the event's place among the registry's events of its transaction: a
rebuilt index, or a transaction mined again in another block after a node lost blocks, gives
the same key (a block-wide log index would change with the block).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from registry import times
from registry.certificates.numbers import format_number
from registry.index.projections import Event
from registry.index.schema import assets, manifests, national_reports, right_holders

logger = logging.getLogger(__name__)

REPORTED: dict[tuple[str, str], str] = {
    ("AssetRegistry", "ApplicationAccepted"): "acceptance",
    ("AssetRegistry", "ApplicationRefused"): "refusal",
    ("AssetRegistry", "ReviewTerminated"): "termination",
    ("AssetRegistry", "NoticeStarted"): "notice",
    ("AssetRegistry", "NoticeWaived"): "notice_waived",
    ("AssetRegistry", "ObjectionDecided"): "objection_decision",
    ("AssetRegistry", "RegistrationIssued"): "deposit",
    ("AssetRegistry", "ManifestChanged"): "change",
    ("AssetRegistry", "IdentityChanged"): "change",
    ("AssetRegistry", "TransferRegistered"): "transfer",
    ("AssetRegistry", "RegistrationRenewed"): "renewal",
    ("AssetRegistry", "RegistrationCancelled"): "cancellation",
    ("AssetRegistry", "RegistrationRevoked"): "revocation",
    ("AssetRegistry", "PostObjectionSettled"): "post_objection_settlement",
    ("Annotations", "AnnotationRecorded"): "annotation",
    ("Annotations", "AnnotationLifted"): "annotation_lifted",
}
"""Each reported event and its kind of record. An application itself is not reported (the
guide publishes nothing before the review); its acceptance is the first step deposited."""

WITH_PUBLIC_PART = frozenset({"notice", "deposit", "change", "transfer", "renewal"})
"""Kinds whose record carries what the notice publishes (art. 24: the applicant, the data's name
and summary, the recorded restrictions), as it stands after the event. A waived notice's
record carries none: the applicant asked, with reason, not to publish (art. 24)."""


def report_key(tx_hash: str, ordinal: int) -> str:
    """The idempotency key of the ``ordinal``-th registry event of transaction ``tx_hash``."""
    return f"{tx_hash.lower()}:{ordinal}"


def record(conn: sa.Connection, events: Sequence[Event], chain_id: int) -> int:
    """Writes the records of ``events`` (one round's, all of each transaction's, in chain order)
    after their projections were applied; a key already stored is left as it is (a rebuilt index
    reads the same events again). Returns how many events were reported."""
    now = time.time()
    ordinals: dict[str, int] = {}
    rows = []
    for event in events:
        ordinal = ordinals.get(event.tx_hash, 0)
        ordinals[event.tx_hash] = ordinal + 1
        kind = REPORTED.get((event.contract, event.name))
        if kind is None:
            continue
        key = report_key(event.tx_hash, ordinal)
        rows.append(
            {
                "key": key,
                "kind": kind,
                "asset_id": event.asset_id,
                "block_number": event.block_number,
                "log_index": event.log_index,
                "payload": payload(conn, event, kind, key, chain_id),
                "created_at": now,
                "attempts": 0,
                "next_attempt_at": now,
            }
        )
    if rows:
        conn.execute(_insert_new(conn), rows)
    return len(rows)


def _insert_new(conn: sa.Connection) -> Any:
    """An insert that skips keys already stored, in the engine's dialect."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(national_reports).on_conflict_do_nothing(index_elements=["key"])
    return sqlite.insert(national_reports).on_conflict_do_nothing(index_elements=["key"])


def payload(
    conn: sa.Connection, event: Event, kind: str, key: str, chain_id: int
) -> dict[str, Any]:
    """The record as sent: the event's facts (all public on chain), where it is on chain, the
    certificate it concerns, and for the kinds that publish it the notice's public part."""
    asset_id = event.asset_id
    row = (
        conn.execute(sa.select(assets).where(assets.c.asset_id == asset_id)).first()
        if asset_id is not None
        else None
    )
    certificate_id = event.args.get("certificateId") or (row.certificate_id if row else None)
    return {
        "key": key,
        "kind": kind,
        "event": event.name,
        "contract": event.contract,
        "chain_id": chain_id,
        "asset_id": asset_id,
        "certificate_number": format_number(int(certificate_id)) if certificate_id else None,
        "block_number": event.block_number,
        "block_hash": event.block_hash,
        "tx_hash": event.tx_hash,
        "log_index": event.log_index,
        "occurred_at": times.iso(event.timestamp),
        "facts": event.args,
        "public": _public_part(conn, row) if kind in WITH_PUBLIC_PART and row else None,
    }


def _public_part(conn: sa.Connection, asset: Any) -> dict[str, Any]:
    """What the notice publishes of the asset (art. 24), and nothing confidential: the
    applicants' names (no identity number, contact or address), the data's names and summary
    from the manifest published to the service, and the recorded restrictions (the form's, else
    each right-holder's public text on chain)."""
    found = conn.execute(
        sa.select(manifests).where(manifests.c.manifest_hash == asset.manifest_hash)
    ).first()
    document: dict[str, Any] = dict(found.document) if found is not None else {}
    # A national form (registry.forms) is published as its public part; the earlier manifest
    # is public as a whole.
    public = document.get("public") if document.get("format") == "national-form/1" else None
    shown: dict[str, Any] = public if isinstance(public, dict) else document
    listed_data = shown.get("data")
    data: dict[str, Any] = listed_data if isinstance(listed_data, dict) else {}
    restrictions = [str(data["restrictions"])] if data.get("restrictions") else []
    if not restrictions:
        restrictions = [
            r
            for (r,) in conn.execute(
                sa.select(right_holders.c.restrictions)
                .where(right_holders.c.asset_id == asset.asset_id)
                .order_by(right_holders.c.position)
            )
            if r
        ]
    summary = data.get("summary") or shown.get("summary") or shown.get("description")
    return {
        "applicants": _applicant_names(shown),
        "data_name": found.name_zh if found is not None else None,
        "data_name_en": (found.name_en or None) if found is not None else None,
        "summary": str(summary) if summary else None,
        "restrictions": restrictions or ["无"],
    }


def _applicant_names(shown: dict[str, Any]) -> list[str]:
    """The applicants' names in order: the national form's list (annex 1) or the earlier
    manifest's one holder."""
    listed = shown.get("applicants")
    if isinstance(listed, list):
        return [str(a.get("name")) for a in listed if isinstance(a, dict) and a.get("name")]
    holder = shown.get("holder")
    return [str(holder["name_zh"])] if isinstance(holder, dict) and holder.get("name_zh") else []


def drop_unacknowledged_after(conn: sa.Connection, block: int) -> int:
    """On a rewind: drops the records not yet acknowledged of events after ``block`` (the chain
    no longer has them; if their transactions come back, so do their records, under the same
    keys). Acknowledged ones stay: the national system has them, and a rebuild keeps them."""
    dropped = conn.execute(
        sa.delete(national_reports).where(
            national_reports.c.block_number > block, national_reports.c.acknowledged_at.is_(None)
        )
    ).rowcount
    kept = conn.execute(
        sa.select(sa.func.count()).where(
            national_reports.c.block_number > block,
            national_reports.c.acknowledged_at.is_not(None),
        )
    ).scalar_one()
    if kept:
        logger.warning(
            "%d records already acknowledged by the national system are of events after block "
            "%d, which the chain no longer has: they stay reported",
            kept,
            block,
        )
    return int(dropped)
