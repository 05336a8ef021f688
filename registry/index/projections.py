"""How each contract event changes the projected tables. Replaying every event in chain order
from empty tables gives the same state as following them live."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from registry.certificates.numbers import format_number
from registry.chain.types import (
    CertificateStatus,
    JudgmentKind,
    ObjectionOutcome,
    ObjectionStatus,
    PostObjectionStatus,
    Status,
)
from registry.index.schema import (
    anchors,
    asset_annotations,
    assets,
    certificates,
    grants,
    objections,
    parents,
    post_objections,
    right_holders,
)


@dataclass(frozen=True)
class Event:
    """A decoded contract event; ``args`` is JSON-ready (bytes as 0x-hex, addresses checksummed)."""

    contract: str
    name: str
    args: dict[str, Any]
    block_number: int
    block_hash: str
    timestamp: int
    tx_hash: str
    log_index: int

    @property
    def asset_id(self) -> int | None:
        value = self.args.get("assetId")
        return int(value) if value is not None else None


class Writes:
    """A round's database connection for the projections. Rows given to ``add`` wait, each
    table's (with the same columns) together, and go as one executemany when anything else is
    executed (so every read and update sees them) or at ``flush``: a few statements per round
    rather than one per event, which was most of the follower's time. Plain inserts into
    different tables commute, and those of one table keep their order. ``held`` keeps what
    handlers know for the rest of the round (an application's right-holders counted so far)."""

    _MAX_PENDING = 10_000

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.held: dict[Any, Any] = {}
        self._pending: dict[tuple[sa.Table, tuple[str, ...]], list[dict[str, Any]]] = {}
        self._count = 0

    def add(self, table: sa.Table, row: dict[str, Any]) -> None:
        self._pending.setdefault((table, tuple(row)), []).append(row)
        self._count += 1
        if self._count >= self._MAX_PENDING:
            self.flush()

    def execute(self, statement: sa.Executable) -> sa.CursorResult[Any]:
        self.flush()
        return self.conn.execute(statement)

    def flush(self) -> None:
        for (table, columns), rows in self._pending.items():
            _insert_many(self.conn, table, columns, rows)
        self._pending.clear()
        self._count = 0


def _insert_many(
    conn: sa.Connection, table: sa.Table, columns: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """``rows`` into ``table`` by the driver's executemany (COPY on PostgreSQL), each value
    through its column type's bind processor (JSON serialised, ...): SQLAlchemy's own
    executemany builds a parameter dict per row, which cost as much as SQLite's writes."""
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    processors = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    values = [
        tuple(v if p is None else p(v) for p, v in zip(processors, row.values(), strict=True))
        for row in rows
    ]
    names = ", ".join(quote(c) for c in columns)
    if dialect.name == "postgresql":
        # COPY: psycopg's executemany still sends a statement per row (pipelined), and a
        # rebuild at 100,000 assets writes 400,000 rows.
        psycopg_connection: Any = conn.connection.driver_connection  # in the round's transaction
        sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"
        with psycopg_connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in values:
                copy.write_row(row)
        return
    if dialect.paramstyle == "qmark":
        marks = ", ".join("?" for _ in columns)
    else:
        assert dialect.paramstyle in ("format", "pyformat"), dialect.paramstyle
        marks = ", ".join("%s" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", values)


Handler = Callable[[Writes, Event], None]
_HANDLERS: dict[tuple[str, str], Handler] = {}


def _on(contract: str, name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[(contract, name)] = fn
        return fn

    return register


def apply(conn: Writes, event: Event) -> None:
    handler = _HANDLERS.get((event.contract, event.name))
    if handler is not None:
        handler(conn, event)


def _asset(conn: Writes, event: Event, **values: Any) -> None:
    conn.execute(
        sa.update(assets)
        .where(assets.c.asset_id == event.asset_id)
        .values(updated_block=event.block_number, **values)
    )


# ---------------------------------------------------------------- AssetRegistry


@_on("AssetRegistry", "Applied")
def _applied(conn: Writes, e: Event) -> None:
    a = e.args
    conn.add(
        assets,
        {
            "asset_id": e.asset_id,
            "holder": a["holder"],
            "region": a["region"],
            "kind": a["kind"],
            "classification": a["classification"],
            "status": Status.APPLIED,
            "manifest_hash": a["manifestHash"],
            "manifest_cid": a["manifestCid"],
            "cid_codec": a["cidCodec"],
            "version": 1,
            "frozen": False,
            "open_objections": 0,
            "applied_at": e.timestamp,
            "updated_block": e.block_number,
        },
    )
    conn.held["right_holders", e.asset_id] = 0


@_on("AssetRegistry", "RightHolderRecorded")
def _right_holder(conn: Writes, e: Event) -> None:
    a = e.args
    # The application's right-holders come in its order, one event each, right after its
    # Applied and in its transaction (so in the round that counted them from 0).
    key = ("right_holders", e.asset_id)
    position = conn.held.get(key)
    if position is None:
        position = conn.execute(
            sa.select(sa.func.count()).where(right_holders.c.asset_id == e.asset_id)
        ).scalar_one()
    conn.held[key] = position + 1
    conn.add(
        right_holders,
        {
            "asset_id": e.asset_id,
            "account": a["account"],
            "position": position,
            "rights": a["rights"],
            "start": a["start"],
            "expiry": a["expiry"],
            "identity_hash": a["identityHash"],
            "restrictions_hash": a["restrictionsHash"],
            "restrictions": a["restrictions"],
        },
    )


@_on("AssetRegistry", "ParentLinked")
def _parent_linked(conn: Writes, e: Event) -> None:
    conn.execute(
        sa.insert(parents).values(
            asset_id=e.asset_id, parent_id=e.args["parentId"], grant_id=e.args["grantId"]
        )
    )


# The procedure's steps that only move the status (指引 art. 17-22); the derived ones
# (deemed acceptance, withdrawal) are the contract's views', read where they matter.
STEPS = {
    "ApplicationAccepted": Status.UNDER_REVIEW,
    "ReturnedForSupplements": Status.SUPPLEMENTING,
    "SupplementsSupplied": Status.APPLIED,
    "ProofRequested": Status.AWAITING_PROOF,
    "ProofSupplied": Status.UNDER_REVIEW,
    "ReviewTerminated": Status.TERMINATED,
    "ApplicationRefused": Status.REJECTED,
}


def _step(status: Status) -> Handler:
    return lambda conn, e: _asset(conn, e, status=status)


for _name, _status in STEPS.items():
    _on("AssetRegistry", _name)(_step(_status))


@_on("AssetRegistry", "NoticeStarted")
def _notice_started(conn: Writes, e: Event) -> None:
    _asset(conn, e, status=Status.IN_NOTICE, notice_ends_at=e.args["noticeEndsAt"])


@_on("AssetRegistry", "NoticeWaived")
def _notice_waived(conn: Writes, e: Event) -> None:
    _asset(conn, e, status=Status.IN_NOTICE, notice_ends_at=e.timestamp)


@_on("AssetRegistry", "ObjectionFiled")
def _objection_filed(conn: Writes, e: Event) -> None:
    conn.execute(
        sa.insert(objections).values(
            objection_id=e.args["objectionId"],
            asset_id=e.asset_id,
            objector=e.args["objector"],
            evidence_hash=e.args["evidenceHash"],
            status=ObjectionStatus.OPEN,
            filed_at=e.timestamp,
            investigation_due=e.args["investigationDue"],
        )
    )
    _asset(conn, e, open_objections=assets.c.open_objections + 1)


@_on("AssetRegistry", "ObjectionDecided")
def _objection_decided(conn: Writes, e: Event) -> None:
    status = ObjectionStatus.UPHELD if e.args["upheld"] else ObjectionStatus.DISMISSED
    conn.execute(
        sa.update(objections)
        .where(objections.c.objection_id == e.args["objectionId"])
        .values(status=status, reason_hash=e.args["reasonHash"])
    )
    _asset(conn, e, open_objections=assets.c.open_objections - 1)


@_on("AssetRegistry", "PostObjectionFiled")
def _post_objection_filed(conn: Writes, e: Event) -> None:
    a = e.args
    conn.execute(
        sa.insert(post_objections).values(
            objection_id=a["objectionId"],
            asset_id=e.asset_id,
            filed_by=a["filedBy"],
            form_hash=a["formHash"],
            evidence_hash=a["evidenceHash"],
            status=PostObjectionStatus.FILED,
            outcome=ObjectionOutcome.STANDS,
            judgment=JudgmentKind.NONE,
            filed_at=e.timestamp,
        )
    )


def _post_objection(conn: Writes, e: Event, **values: Any) -> None:
    conn.execute(
        sa.update(post_objections)
        .where(post_objections.c.objection_id == e.args["objectionId"])
        .values(**values)
    )


@_on("AssetRegistry", "ObjectionMaterialsComplete")
def _objection_materials_complete(conn: Writes, e: Event) -> None:
    _post_objection(
        conn,
        e,
        status=PostObjectionStatus.MATERIALS_COMPLETE,
        completed_at=e.timestamp,
        notification_due=e.args["notificationDue"],
    )


@_on("AssetRegistry", "ApplicantNotified")
def _applicant_notified(conn: Writes, e: Event) -> None:
    _post_objection(
        conn,
        e,
        status=PostObjectionStatus.NOTIFIED,
        notified_at=e.timestamp,
        notified_in_time=e.args["inTime"],
        document_hash=e.args["noticeHash"],
    )


@_on("AssetRegistry", "ObjectionAnswered")
def _objection_answered(conn: Writes, e: Event) -> None:
    a = e.args
    _post_objection(
        conn,
        e,
        status=PostObjectionStatus.AGREED if a["agrees"] else PostObjectionStatus.DISPUTED,
        outcome=a["outcome"],
        answered_at=e.timestamp,
        document_hash=a["replyHash"],
    )


@_on("AssetRegistry", "ObjectionConcluded")
def _objection_concluded(conn: Writes, e: Event) -> None:
    a = e.args
    _post_objection(
        conn,
        e,
        status=PostObjectionStatus.CONCLUDED,
        outcome=a["outcome"],
        concluded_at=e.timestamp,
        document_hash=a["conclusionHash"],
    )


@_on("AssetRegistry", "JudgmentRecorded")
def _judgment_recorded(conn: Writes, e: Event) -> None:
    a = e.args
    _post_objection(
        conn,
        e,
        status=PostObjectionStatus.JUDGED,
        outcome=a["outcome"],
        judgment=a["kind"],
        judged_at=e.timestamp,
        document_hash=a["documentHash"],
    )


@_on("AssetRegistry", "PostObjectionSettled")
def _post_objection_settled(conn: Writes, e: Event) -> None:
    # A cancellation's status comes with its RegistrationCancelled event.
    _post_objection(
        conn,
        e,
        status=PostObjectionStatus.SETTLED,
        outcome=e.args["outcome"],
        settled_at=e.timestamp,
        document_hash=e.args["actHash"],
    )


@_on("AssetRegistry", "RegistrationIssued")
def _issued(conn: Writes, e: Event) -> None:
    _asset(
        conn,
        e,
        status=Status.ISSUED,
        issued_at=e.timestamp,
        expires_at=e.args["expiresAt"],
        certificate_id=e.args["certificateId"],
    )


@_on("AssetRegistry", "ManifestChanged")
def _changed(conn: Writes, e: Event) -> None:
    a = e.args
    _asset(
        conn,
        e,
        version=a["version"],
        manifest_hash=a["manifestHash"],
        manifest_cid=a["manifestCid"],
        cid_codec=a["cidCodec"],
        certificate_id=a["certificateId"],
    )


@_on("AssetRegistry", "RightsTransferred")
def _rights_transferred(conn: Writes, e: Event) -> None:
    """One share of a registered transfer (art. 34): the transferor holds the rights no more,
    the transferee holds them with the transferor's term and restrictions."""
    a = e.args
    rights = int(a["rights"])
    mine = (right_holders.c.asset_id == e.asset_id) & (right_holders.c.account == a["from"])
    source = conn.execute(sa.select(right_holders).where(mine)).one()
    kept = int(source.rights) & ~rights
    if kept:
        conn.execute(sa.update(right_holders).where(mine).values(rights=kept))
        position = conn.execute(
            sa.select(sa.func.max(right_holders.c.position) + 1).where(
                right_holders.c.asset_id == e.asset_id
            )
        ).scalar_one()
    else:
        # A transferor that keeps nothing leaves its place to its transferee (the holder's,
        # first, when the holder transferred all).
        conn.execute(sa.delete(right_holders).where(mine))
        position = source.position
    conn.execute(
        sa.insert(right_holders).values(
            asset_id=e.asset_id,
            account=a["to"],
            position=position,
            rights=rights,
            start=source.start,
            expiry=source.expiry,
            identity_hash=a["identityHash"],
            restrictions_hash=source.restrictions_hash,
            restrictions=source.restrictions,
        )
    )


@_on("AssetRegistry", "IdentityChanged")
def _identity_changed(conn: Writes, e: Event) -> None:
    # The certificate naming it is reissued: its own (a transferee's) or the holder's.
    conn.execute(
        sa.update(right_holders)
        .where(
            (right_holders.c.asset_id == e.asset_id)
            & (right_holders.c.account == e.args["account"])
        )
        .values(identity_hash=e.args["identityHash"])
    )
    # The holder's certificate was reissued when the new one is the holder's (its own, or a
    # co-holder's named on it); its CertificateIssued came first, in the same transaction.
    owner = conn.execute(
        sa.select(certificates.c.holder).where(
            certificates.c.token_id == int(e.args["certificateId"])
        )
    ).scalar_one_or_none()
    holder = conn.execute(
        sa.select(assets.c.holder).where(assets.c.asset_id == e.asset_id)
    ).scalar_one_or_none()
    if owner is not None and owner == holder:
        _asset(conn, e, certificate_id=e.args["certificateId"])


@_on("AssetRegistry", "TransferRegistered")
def _transfer_registered(conn: Writes, e: Event) -> None:
    _asset(conn, e, holder=e.args["holder"], certificate_id=e.args["certificateId"])


@_on("AssetRegistry", "RegistrationRenewed")
def _renewed(conn: Writes, e: Event) -> None:
    # The certificate's new expiry arrives with its own CertificateExtended event.
    _asset(conn, e, expires_at=e.args["expiresAt"])


@_on("AssetRegistry", "AssetPledged")
def _pledged(conn: Writes, e: Event) -> None:
    _asset(conn, e, pledgee=e.args["pledgee"])


@_on("AssetRegistry", "PledgeReleased")
def _pledge_released(conn: Writes, e: Event) -> None:
    _asset(conn, e, pledgee=None)


@_on("AssetRegistry", "FrozenChanged")
def _frozen(conn: Writes, e: Event) -> None:
    _asset(conn, e, frozen=e.args["frozen"])


@_on("AssetRegistry", "RegistrationCancelled")
def _cancelled(conn: Writes, e: Event) -> None:
    _asset(conn, e, status=Status.CANCELLED)


@_on("AssetRegistry", "RegistrationRevoked")
def _revoked(conn: Writes, e: Event) -> None:
    _asset(conn, e, status=Status.REVOKED)


# ---------------------------------------------------------------- RightsRegistry


@_on("RightsRegistry", "RightGranted")
def _granted(conn: Writes, e: Event) -> None:
    a = e.args
    values = {
        "asset_id": e.asset_id,
        "kind": a["kind"],
        "grantee": a["grantee"],
        "grantor": a["grantor"],
        "scenario": a["scenario"],
        "start": a["start"],
        "expiry": a["expiry"],
        "exclusive": a["exclusive"],
        "revocable": a["revocable"],
        "revoked": False,
        "revision": a["revision"],
        "terms_hash": a["termsHash"],
        "certificate_id": None,
    }
    updated = conn.execute(
        sa.update(grants).where(grants.c.grant_id == a["grantId"]).values(**values)
    )
    if updated.rowcount == 0:
        conn.execute(sa.insert(grants).values(grant_id=a["grantId"], **values))


@_on("RightsRegistry", "RightRevoked")
def _right_revoked(conn: Writes, e: Event) -> None:
    conn.execute(
        sa.update(grants).where(grants.c.grant_id == e.args["grantId"]).values(revoked=True)
    )


@_on("RightsRegistry", "LicenceRegistered")
def _licence_registered(conn: Writes, e: Event) -> None:
    conn.execute(
        sa.update(grants)
        .where(grants.c.grant_id == e.args["grantId"])
        .values(certificate_id=e.args["certificateId"])
    )


# ---------------------------------------------------------------- Certificates


@_on("Certificates", "CertificateIssued")
def _certificate_issued(conn: Writes, e: Event) -> None:
    a = e.args
    grant_id = a["grantId"]
    conn.execute(
        sa.insert(certificates).values(
            token_id=a["certificateId"],
            number=format_number(int(a["certificateId"])),
            asset_id=e.asset_id,
            holder=a["holder"],
            kind=a["kind"],
            state=CertificateStatus.VALID,
            issued_at=e.timestamp,
            expires_at=a["expiresAt"],
            grant_id=None if int(grant_id, 16) == 0 else grant_id,
        )
    )


@_on("Certificates", "CertificateSuperseded")
def _superseded(conn: Writes, e: Event) -> None:
    conn.execute(
        sa.update(certificates)
        .where(certificates.c.token_id == e.args["certificateId"])
        .values(state=CertificateStatus.SUPERSEDED, successor=e.args["successor"])
    )


@_on("Certificates", "CertificateRevoked")
def _certificate_revoked(conn: Writes, e: Event) -> None:
    conn.execute(
        sa.update(certificates)
        .where(certificates.c.token_id == e.args["certificateId"])
        .values(state=CertificateStatus.REVOKED)
    )


@_on("Certificates", "CertificateExtended")
def _extended(conn: Writes, e: Event) -> None:
    conn.execute(
        sa.update(certificates)
        .where(certificates.c.token_id == e.args["certificateId"])
        .values(expires_at=e.args["expiresAt"])
    )


# ---------------------------------------------------------------- Annotations


@_on("Annotations", "AnnotationRecorded")
def _annotated(conn: Writes, e: Event) -> None:
    a = e.args
    conn.execute(
        sa.insert(asset_annotations).values(
            annotation_id=a["annotationId"],
            asset_id=e.asset_id,
            kind=a["kind"],
            recorded_by=a["recordedBy"],
            recorded_at=e.timestamp,
            authority_hash=a["authorityHash"],
            document_hash=a["documentHash"],
            text_hash=a["textHash"],
            tx_hash=e.tx_hash,
        )
    )


@_on("Annotations", "AnnotationLifted")
def _lifted(conn: Writes, e: Event) -> None:
    a = e.args
    conn.execute(
        sa.update(asset_annotations)
        .where(asset_annotations.c.annotation_id == a["annotationId"])
        .values(
            lifted_by=a["liftedBy"], lifted_at=e.timestamp, lift_document_hash=a["documentHash"]
        )
    )


# ---------------------------------------------------------------- EvidenceAnchor


@_on("EvidenceAnchor", "Anchored")
def _anchored(conn: Writes, e: Event) -> None:
    conn.execute(
        sa.insert(anchors).values(
            root=e.args["root"],
            submitter=e.args["submitter"],
            leaf_count=e.args["leafCount"],
            block_number=e.block_number,
            tx_hash=e.tx_hash,
            anchored_at=e.timestamp,
        )
    )
