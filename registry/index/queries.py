"""What the index answers: assets by id, holder, region, status and name; rights at a time;
certificates by number; the full history of an asset."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from registry import times
from registry.certificates.numbers import parse_number
from registry.chain.types import (
    AnnotationKind,
    CancellationGround,
    CertificateStatus,
    JudgmentKind,
    ObjectionOutcome,
    PostObjectionStatus,
    Status,
    rights_of_mask,
)
from registry.content.manifest import Manifest
from registry.forms.public import PublicManifest
from registry.index.projections import STEPS
from registry.index.schema import (
    NAMES,
    asset_annotations,
    assets,
    certificates,
    events,
    grants,
    licensees,
    manifest_files,
    manifests,
    objections,
    parents,
    post_objections,
    right_holders,
    sync,
    texts,
    tripled,
)
from registry.licensees import Licensee, named_by

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Page:
    """A page of results and the cursor of the next one (None at the end)."""

    items: list[dict[str, Any]]
    next_after: int | None


def _row(row: sa.Row[Any]) -> dict[str, Any]:
    return dict(row._mapping)


def _post_objection(row: sa.Row[Any]) -> dict[str, Any]:
    found = _row(row)
    found["status_name"] = PostObjectionStatus(found["status"]).name.lower()
    found["outcome_name"] = ObjectionOutcome(found["outcome"]).name.lower()
    found["judgment_name"] = JudgmentKind(found["judgment"]).name.lower()
    return found


def _with_status_now(asset: dict[str, Any], now: int) -> dict[str, Any]:
    expires = asset.get("expires_at")
    if asset["status"] == Status.ISSUED and expires is not None and now >= expires:
        asset["status"] = Status.EXPIRED
    asset["status_name"] = Status(asset["status"]).name.lower()
    return asset


# The events that set an asset's status, in the order the chain applies them.
_STATUS_EVENTS = {
    "Applied": Status.APPLIED,
    **STEPS,
    "NoticeStarted": Status.IN_NOTICE,
    "NoticeWaived": Status.IN_NOTICE,
    "RegistrationIssued": Status.ISSUED,
    "RegistrationRenewed": Status.ISSUED,
    "RegistrationCancelled": Status.CANCELLED,
    "RegistrationRevoked": Status.REVOKED,
}


def _status_at(conn: sa.Connection, asset: Any, at: int) -> str | None:
    """The asset's status at time ``at``, replayed from its events (None: not yet applied)."""
    status: Status | None = None
    expires: int | None = None
    for event in conn.execute(
        sa.select(events.c.name, events.c.args)
        .where(events.c.asset_id == asset.asset_id, events.c.timestamp <= at)
        .order_by(events.c.block_number, events.c.log_index)
    ):
        if event.name in _STATUS_EVENTS:
            status = _STATUS_EVENTS[event.name]
            expires = (event.args or {}).get("expiresAt", expires)
    if status == Status.ISSUED and expires is not None and at >= int(expires):
        status = Status.EXPIRED
    return None if status is None else status.name.lower()


PUBLIC_TEXTS = frozenset({AnnotationKind.SEIZURE})
"""The annotations whose authority and document number the public reads: a seizure is public in
China's practice; the other kinds show what they are, not their texts."""


def _annotation(row: sa.Row[Any], kept: dict[str, str]) -> dict[str, Any]:
    found = _row(row)
    kind = AnnotationKind(found["kind"])
    found["kind_name"] = kind.name.lower()
    found["in_force"] = found["lifted_at"] is None
    public = kind in PUBLIC_TEXTS
    found["authority"] = kept.get(found["authority_hash"]) if public else None
    found["document_number"] = kept.get(found["document_hash"]) if public else None
    return found


def _right_holder(row: sa.Row[Any]) -> dict[str, Any]:
    found = _row(row)
    found["right_names"] = [k.name.lower() for k in rights_of_mask(found["rights"])]
    return found


_NAMES_TABLE = sa.table(NAMES, sa.column("rowid", sa.BigInteger))
_NAMES_ROWID = _NAMES_TABLE.c.rowid
_MATCHED_TRIGRAMS = 32
"""Trigrams of a long text the name index is asked for: enough to leave few candidates."""


def _trigrams_query(text: str) -> str:
    """An FTS5 query for the rows holding every trigram of ``text`` (of ``tripled(text)`` when
    it is shorter than one; ``schema.indexed_names``), each quoted (an FTS5 string: a quote
    doubled), so no character of the text is an operator."""
    chars = text if len(text) >= 3 else tripled(text)
    grams = dict.fromkeys(chars[i : i + 3] for i in range(len(chars) - 2))
    quoted = ['"' + g.replace('"', '""') + '"' for g in list(grams)[:_MATCHED_TRIGRAMS]]
    return " AND ".join(quoted)


_FEW_NAMES = 2_000
"""Manifests a text may name for PostgreSQL to be given them (rather than the match) to join."""
_WALKED = 2_000
"""Asset ids PostgreSQL walks first for a page of a text's matches (a common text fills it)."""


def _postgres_named(text: str) -> sa.ColumnElement[bool]:
    """Assets whose names hold ``text``, for PostgreSQL: pg_trgm's indexes answer a LIKE of the
    names; of the tripled names for a text of one or two characters (the same match:
    ``schema.tripled``), which has no trigram."""
    # autoescape: the text's wildcards (% and _) stand for themselves.
    zh = manifests.c.name_zh.contains(text, autoescape=True)
    en = manifests.c.name_en.icontains(text, autoescape=True)
    if len(text) < 3:
        # Each name's own LIKE first: it decides most rows before the dearer tripling is
        # computed (PostgreSQL keeps the order of an AND inside an OR).
        three = tripled(text)
        zh = zh & sa.func.registry_tripled(manifests.c.name_zh).contains(three, autoescape=True)
        en = en & sa.func.registry_tripled(manifests.c.name_en).icontains(three, autoescape=True)
    return sa.or_(zh, en)


def _postgres_candidates(conn: sa.Connection, named: sa.ColumnElement[bool]) -> Any:
    """``named`` as PostgreSQL should join it. The planner guesses how many names match from
    the pattern, and for a rare text it guessed hundreds of times too many: it then walked the
    assets in id order for a page that never filled (2 s at 300,000 assets). So the matching
    manifests are asked of the index: a text naming few is joined by their hashes; one naming
    many is matched as the assets are walked, soon filling its page."""
    found = (
        conn.execute(sa.select(manifests.c.manifest_hash).where(named).limit(_FEW_NAMES))
        .scalars()
        .all()
    )
    return assets.c.manifest_hash.in_(found) if len(found) < _FEW_NAMES else named


class Queries:
    """Read-only access to the index (and the texts and manifests the service keeps in it)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def indexed_block(self) -> int | None:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(sync.c.block_number)).scalar()
        return int(value) if value is not None else None

    def _asset_select(self) -> sa.Select[Any]:
        return sa.select(assets, manifests.c.name_zh, manifests.c.name_en).join(
            manifests, manifests.c.manifest_hash == assets.c.manifest_hash, isouter=True
        )

    def asset(self, asset_id: int, now: int) -> dict[str, Any] | None:
        found = self.assets([asset_id], now)
        return found[0] if found else None

    def assets(self, asset_ids: Sequence[int], now: int) -> list[dict[str, Any]]:
        """The assets ``asset_ids`` that exist, in that order, with their right-holders,
        parents, objections and annotations: five queries however many there are."""
        ids = list(dict.fromkeys(asset_ids))
        with self.engine.connect() as conn:
            rows = conn.execute(self._asset_select().where(assets.c.asset_id.in_(ids)))
            found = {int(r.asset_id): _with_status_now(_row(r), now) for r in rows}
            for asset in found.values():
                asset["parents"], asset["objections"], asset["annotations"] = [], [], []
                asset["post_objections"] = []
                asset["right_holders"] = []
            for r in conn.execute(
                sa.select(right_holders)
                .where(right_holders.c.asset_id.in_(list(found)))
                .order_by(right_holders.c.asset_id, right_holders.c.position)
            ):
                found[int(r.asset_id)]["right_holders"].append(_right_holder(r))
            for r in conn.execute(sa.select(parents).where(parents.c.asset_id.in_(list(found)))):
                found[int(r.asset_id)]["parents"].append(_row(r))
            for r in conn.execute(
                sa.select(objections)
                .where(objections.c.asset_id.in_(list(found)))
                .order_by(objections.c.objection_id)
            ):
                found[int(r.asset_id)]["objections"].append(_row(r))
            for r in conn.execute(
                sa.select(post_objections)
                .where(post_objections.c.asset_id.in_(list(found)))
                .order_by(post_objections.c.objection_id)
            ):
                found[int(r.asset_id)]["post_objections"].append(_post_objection(r))
            for note in self._annotations(conn, list(found)):
                found[note["asset_id"]]["annotations"].append(note)
        return [found[i] for i in ids if i in found]

    def assets_with_open_post_objections(self, region: int | None) -> list[int]:
        """The assets of ``region`` (all: None) with an objection after registration not yet
        settled, oldest objection first."""
        query = (
            sa.select(post_objections.c.asset_id)
            .join(assets, assets.c.asset_id == post_objections.c.asset_id)
            .where(post_objections.c.status != PostObjectionStatus.SETTLED)
            .order_by(post_objections.c.objection_id)
        )
        if region is not None:
            query = query.where(assets.c.region == region)
        with self.engine.connect() as conn:
            return list(dict.fromkeys(int(i) for i in conn.execute(query).scalars()))

    def annotations(self, asset_id: int) -> list[dict[str, Any]]:
        """The asset's annotations, oldest first, lifted ones included; a seizure with its
        authority and document number as kept (``keep_texts``)."""
        with self.engine.connect() as conn:
            return self._annotations(conn, [asset_id])

    @staticmethod
    def _annotations(conn: sa.Connection, asset_ids: list[int]) -> list[dict[str, Any]]:
        rows = conn.execute(
            sa.select(asset_annotations)
            .where(asset_annotations.c.asset_id.in_(asset_ids))
            .order_by(asset_annotations.c.annotation_id)
        ).all()
        wanted = {
            h for r in rows if r.kind in PUBLIC_TEXTS for h in (r.authority_hash, r.document_hash)
        }
        kept = {
            t.sha256: t.text
            for t in conn.execute(sa.select(texts).where(texts.c.sha256.in_(list(wanted))))
        }
        return [_annotation(r, kept) for r in rows]

    def center_notices(self, asset_id: int) -> list[dict[str, Any]]:
        """The center's cancellations of its own motion (art. 37) and their written notices to
        the applicant: the ground, when, and the reasons and notice as the center keeps them
        (None for a text not kept here)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(events.c.timestamp, events.c.args).where(
                    (events.c.asset_id == asset_id) & (events.c.name == "CancelledByCenter")
                )
            ).all()
            wanted = [h for r in rows for h in (r.args["reasonHash"], r.args["noticeHash"])]
            kept = {
                t.sha256: t.text
                for t in conn.execute(sa.select(texts).where(texts.c.sha256.in_(wanted)))
            }
        return [
            {
                "ground": CancellationGround(int(r.args["ground"])).name.lower(),
                "at": int(r.timestamp),
                "reason": kept.get(r.args["reasonHash"]),
                "notice": kept.get(r.args["noticeHash"]),
            }
            for r in rows
        ]

    def keep_texts(self, plain: Sequence[str]) -> None:
        """Keeps each non-empty text under its SHA-256 (0x-hex), which is what the act put on
        chain; a text kept already is left as it is."""
        by_hash = {"0x" + hashlib.sha256(t.encode("utf-8")).hexdigest(): t for t in plain if t}
        if not by_hash:
            return
        with self.engine.begin() as conn:
            known = set(
                conn.execute(
                    sa.select(texts.c.sha256).where(texts.c.sha256.in_(list(by_hash)))
                ).scalars()
            )
            new = [{"sha256": h, "text": t} for h, t in by_hash.items() if h not in known]
            if new:
                conn.execute(sa.insert(texts), new)

    def search(
        self,
        now: int,
        *,
        holder: str | None = None,
        region: int | None = None,
        status: Status | None = None,
        text: str | None = None,
        kind: int | None = None,
        after: int | None = None,
        limit: int = 50,
    ) -> Page:
        """Assets matching every given filter, by id, ``limit`` at a time after ``after``. A
        text is looked for in the names as written (case-insensitively in the English one),
        through the name index (``schema.NAMES``)."""
        order: sa.ColumnElement[Any] = assets.c.asset_id
        query = self._asset_select()
        if holder is not None:
            query = query.where(assets.c.holder == holder)
        if region is not None:
            query = query.where(assets.c.region == region)
        if kind is not None:
            query = query.where(assets.c.kind == kind)
        if status == Status.EXPIRED:
            query = query.where(assets.c.status == Status.ISSUED, assets.c.expires_at <= now)
        elif status == Status.ISSUED:
            query = query.where(assets.c.status == Status.ISSUED, assets.c.expires_at > now)
        elif status is not None:
            query = query.where(assets.c.status == status)
        rows: list[dict[str, Any]] | None = None
        with self.engine.connect() as conn:
            if text and self.engine.dialect.name == "postgresql":
                # A page of a few dozen rows gains nothing from parallel workers, whose start
                # cost about 10 ms a query.
                conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
                named = _postgres_named(text)
                # The next ``_WALKED`` ids first: a common text's page is there, and a page
                # found there is the one the whole register gives.
                start = after or 0
                walked = query.where(
                    named, assets.c.asset_id > start, assets.c.asset_id <= start + _WALKED
                )
                rows = self._rows(conn, walked.order_by(order).limit(limit + 1), now)
                if len(rows) <= limit:
                    rows = None
                    query = query.where(_postgres_candidates(conn, named))
            elif text:
                # The index gives the assets holding every trigram of the text, in id order
                # (so the first page is read, not every match); the names decide.
                order = _NAMES_ROWID
                query = query.join(_NAMES_TABLE, assets.c.asset_id == _NAMES_ROWID).where(
                    sa.text(f"{NAMES} MATCH :names").bindparams(names=_trigrams_query(text)),
                    sa.or_(
                        manifests.c.name_zh.contains(text, autoescape=True),
                        manifests.c.name_en.icontains(text, autoescape=True),
                    ),
                )
            if rows is None:
                if after is not None:
                    query = query.where(order > after)
                rows = self._rows(conn, query.order_by(order).limit(limit + 1), now)
        more = len(rows) > limit
        rows = rows[:limit]
        return Page(rows, rows[-1]["asset_id"] if more else None)

    @staticmethod
    def _rows(conn: sa.Connection, query: sa.Select[Any], now: int) -> list[dict[str, Any]]:
        return [_with_status_now(_row(r), now) for r in conn.execute(query)]

    def rights_of_asset(self, asset_id: int, at: int) -> list[dict[str, Any]]:
        return self._rights(grants.c.asset_id == asset_id, at)

    def rights_of_account(self, account: str, at: int) -> list[dict[str, Any]]:
        return self._rights(grants.c.grantee == account, at)

    def right_holdings(self, account: str) -> list[dict[str, Any]]:
        """Every asset's configuration entry naming ``account`` (as holder or co-holder), by
        asset id; whether it counts now is the asset's status's and its term's."""
        query = (
            sa.select(right_holders)
            .where(right_holders.c.account == account)
            .order_by(right_holders.c.asset_id)
        )
        with self.engine.connect() as conn:
            return [_right_holder(r) for r in conn.execute(query)]

    def _rights(self, where: sa.ColumnElement[bool], at: int) -> list[dict[str, Any]]:
        """The grants in force at ``at``, each with its ``licensee`` (``_licensees``)."""
        query = (
            sa.select(grants)
            .where(where, grants.c.revoked.is_(False), grants.c.start <= at, grants.c.expiry > at)
            .order_by(grants.c.asset_id, grants.c.kind, grants.c.start)
        )
        with self.engine.connect() as conn:
            rows = [_row(r) for r in conn.execute(query)]
            named = self._licensees(conn, rows)
        for row in rows:
            found = named.get(row["grant_id"])
            row["licensee"] = None if found is None else found.to_json()
        return rows

    def licensee(self, grant_id: str) -> Licensee | None:
        """The licensee of the grant ``grant_id`` as ``_licensees`` finds it."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(grants).where(grants.c.grant_id == grant_id)).first()
            return None if row is None else self._licensees(conn, [_row(row)]).get(grant_id)

    @staticmethod
    def _licensees(conn: sa.Connection, rows: list[dict[str, Any]]) -> dict[str, Licensee]:
        """The licensee each grant names: the one its terms on chain name (a kept text whose
        SHA-256 is the grant's terms hash, checked here), else, once a licence is registered
        on it, the center's record of that registration (``licensees``)."""
        hashes = [str(r["terms_hash"]).lower() for r in rows]
        kept = {
            t.sha256: t.text
            for t in conn.execute(sa.select(texts).where(texts.c.sha256.in_(hashes)))
        }
        licensed = [r["grant_id"] for r in rows if r["certificate_id"] is not None]
        recorded = {
            r.grant_id: Licensee(r.name, r.kind, r.credit_code, "center")
            for r in conn.execute(sa.select(licensees).where(licensees.c.grant_id.in_(licensed)))
        }
        found: dict[str, Licensee] = {}
        for row in rows:
            terms = str(row["terms_hash"]).lower()
            bound = named_by(kept[terms], terms) if terms in kept else None
            named = bound or recorded.get(row["grant_id"])
            if named is not None:
                found[row["grant_id"]] = named
        return found

    def kept_text(self, sha256: str) -> str | None:
        """The text kept under ``sha256`` (0x-hex), if any (``keep_texts``)."""
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.select(texts.c.text).where(texts.c.sha256 == sha256.lower())
            ).scalar()
        return None if found is None else str(found)

    def record_licensee(self, grant_id: str, licensee: Licensee) -> None:
        """Keeps the licensee a licence registration names on a grant whose terms name none
        (the center's record, shown once the licence is registered); a new record replaces
        one kept for an earlier attempt."""
        values = {
            "name": licensee.name,
            "kind": licensee.kind,
            "credit_code": licensee.credit_code,
        }
        with self.engine.begin() as conn:
            updated = conn.execute(
                sa.update(licensees).where(licensees.c.grant_id == grant_id).values(**values)
            )
            if updated.rowcount == 0:
                conn.execute(sa.insert(licensees).values(grant_id=grant_id, **values))

    def certificate(self, number: str) -> dict[str, Any] | None:
        """By printed number; raises ValueError for a malformed one."""
        token_id = parse_number(number)
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(certificates).where(certificates.c.token_id == token_id)
            ).first()
        return _row(row) if row is not None else None

    def pending_transfers(self, region: int | None) -> list[dict[str, Any]]:
        """The transfer applications of ``region``'s assets (all: None) neither registered nor
        refused yet, oldest first, each with its shares in the order the parties signed them.
        Read from the chain's events by their name (``events_by_name``; ordered here, as an
        ORDER BY in SQL would have SQLite walk every event in block order): a transfer's shares
        come in the transaction of its ``TransferApplied`` (``TransferShareApplied``, which
        names no asset)."""

        def in_order(rows: Sequence[sa.Row[Any]]) -> list[sa.Row[Any]]:
            return sorted(rows, key=lambda r: (r.block_number, r.log_index))

        names = ("TransferApplied", "TransferRegistered", "TransferRefused")
        with self.engine.connect() as conn:
            rows = in_order(conn.execute(sa.select(events).where(events.c.name.in_(names))).all())
            decided = {int(r.args["transferId"]) for r in rows if r.name != "TransferApplied"}
            applied = [
                r
                for r in rows
                if r.name == "TransferApplied" and int(r.args["transferId"]) not in decided
            ]
            if region is not None:
                # By the assets' keys, the region compared here: SQLite would rather walk the
                # region's index, every asset of the region.
                of_region = {
                    int(a.asset_id)
                    for a in conn.execute(
                        sa.select(assets.c.asset_id, assets.c.region).where(
                            assets.c.asset_id.in_({int(r.asset_id) for r in applied})
                        )
                    )
                    if a.region == region
                }
                applied = [r for r in applied if int(r.asset_id) in of_region]
            shares: dict[int, list[dict[str, Any]]] = {
                int(r.args["transferId"]): [] for r in applied
            }
            found = conn.execute(
                sa.select(events).where(
                    (events.c.name == "TransferShareApplied")
                    & events.c.tx_hash.in_([r.tx_hash for r in applied])
                )
            ).all()
            for s in in_order(found):
                of = shares.get(int(s.args["transferId"]))
                if of is not None:
                    of.append(
                        {
                            "transferor": s.args["from"],
                            "transferee": s.args["to"],
                            "right_names": [
                                k.name.lower() for k in rights_of_mask(int(s.args["rights"]))
                            ],
                        }
                    )
        return [
            {
                "transfer_id": int(r.args["transferId"]),
                "asset_id": int(r.asset_id),
                "filed_at": int(r.timestamp),
                "agreement_hash": r.args["agreementHash"],
                "shares": shares[int(r.args["transferId"])],
            }
            for r in applied
        ]

    def certificates_in_issue_order(self) -> list[tuple[int, CertificateStatus]]:
        """Every certificate's token id in the chain's order of issue (its ``CertificateIssued``
        events' order), with its status as ``Certificates.statusOf`` derives it, expiry apart:
        the asset's revocation or cancellation first, then the certificate's own state."""
        # BIGINT: a token id (13 digits) is past a 32-bit INTEGER.
        token_id = sa.cast(events.c.args["certificateId"].as_string(), sa.BigInteger)
        query = (
            sa.select(certificates.c.token_id, certificates.c.state, assets.c.status)
            .select_from(events)
            .join(certificates, certificates.c.token_id == token_id)
            .join(assets, assets.c.asset_id == certificates.c.asset_id)
            .where(events.c.contract == "Certificates", events.c.name == "CertificateIssued")
            .order_by(events.c.block_number, events.c.log_index)
        )
        ended = {
            Status.REVOKED: CertificateStatus.REVOKED,
            Status.CANCELLED: CertificateStatus.CANCELLED,
        }
        derived: dict[tuple[int, int], CertificateStatus] = {}  # few pairs, many certificates
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        for _, state, status in rows:
            if (state, status) not in derived:
                derived[state, status] = ended.get(Status(status), CertificateStatus(state))
        return [(int(token), derived[state, status]) for token, state, status in rows]

    def history(self, asset_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(events)
                .where(events.c.asset_id == asset_id)
                .order_by(events.c.block_number, events.c.log_index)
            )
            return [_row(r) for r in rows]

    def record_manifest(self, manifest: Manifest | PublicManifest) -> None:
        """Keeps a published manifest (``POST /v1/manifests``, or a national form's public
        manifest, ``POST /v1/forms/applications``) under its hash, so its assets are
        shown and found by its names. Only a manifest is taken, never a request's fields: its
        hash is the SHA-256 of the very document kept, so no one can name an asset whose
        manifest they did not write. A row that is not this document (kept by an earlier
        version, which took names from applications) is replaced."""
        manifest_hash = "0x" + manifest.manifest_hash().hex()
        document = manifest.model_dump(mode="json")
        with self.engine.begin() as conn:
            kept = conn.execute(
                sa.select(manifests.c.document).where(manifests.c.manifest_hash == manifest_hash)
            ).first()
            if kept is not None and kept.document == document:
                return
            if kept is not None:
                logger.warning("manifest %s: replacing a row not its document", manifest_hash)
                conn.execute(
                    sa.delete(manifest_files).where(manifest_files.c.manifest_hash == manifest_hash)
                )
                conn.execute(sa.delete(manifests).where(manifests.c.manifest_hash == manifest_hash))
            conn.execute(
                sa.insert(manifests).values(
                    manifest_hash=manifest_hash,
                    name_zh=manifest.name_zh,
                    name_en=manifest.name_en,
                    document=document,
                )
            )
            files = {"0x" + f.sha256: f.path for f in manifest.files}
            if files:
                conn.execute(
                    sa.insert(manifest_files),
                    [
                        {"sha256": h, "manifest_hash": manifest_hash, "path": path}
                        for h, path in files.items()
                    ],
                )

    def files_named(self, path: str) -> list[dict[str, Any]]:
        """Registered files with this path (file name) in their manifest, with their assets."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(manifest_files, assets.c.asset_id)
                .join(assets, assets.c.manifest_hash == manifest_files.c.manifest_hash)
                .where(manifest_files.c.path == path)
                .order_by(assets.c.asset_id)
            )
            return [_row(r) for r in rows]

    def certificates_of(self, asset_id: int) -> list[dict[str, Any]]:
        """Every certificate of an asset, oldest first (registration, licences, successors)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(certificates)
                .where(certificates.c.asset_id == asset_id)
                .order_by(certificates.c.issued_at, certificates.c.token_id)
            )
            return [_row(r) for r in rows]

    def statistics(self) -> dict[str, list[tuple[Any, int]]]:
        """Registrations (applications) by month of application (in Beijing), by region and by
        kind."""
        # The Beijing month: the time shifted by the zone's offset, then read as UTC.
        beijing = assets.c.applied_at + times.OFFSET
        month = sa.func.strftime("%Y-%m", sa.func.datetime(beijing, "unixepoch"))
        if self.engine.dialect.name == "postgresql":
            month = sa.func.to_char(
                sa.func.timezone("UTC", sa.func.to_timestamp(beijing)), "YYYY-MM"
            )
        found: dict[str, list[tuple[Any, int]]] = {}
        with self.engine.connect() as conn:
            for name, column in (
                ("month", month),
                ("region", assets.c.region),
                ("kind", assets.c.kind),
            ):
                rows = conn.execute(
                    sa.select(column.label("key"), sa.func.count().label("n"))
                    .group_by("key")
                    .order_by("key")
                )
                found[name] = [(r.key, int(r.n)) for r in rows]
        return found

    def file_hashes(self, manifest_hash: str) -> list[str]:
        """The SHA-256 of each file of a manifest published here (none if it was not)."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(manifest_files.c.sha256).where(
                        manifest_files.c.manifest_hash == manifest_hash
                    )
                ).scalars()
            )

    def same_data(self, digests: set[str], now: int) -> list[dict[str, Any]]:
        """Assets whose manifest hash is one of ``digests`` or whose published manifest lists a
        file with one of them as its SHA-256, oldest first: each with its status now, its
        certificate number and what is shared."""
        with self.engine.connect() as conn:
            shared = {d: "manifest" for d in digests}
            for row in conn.execute(
                sa.select(manifest_files).where(manifest_files.c.sha256.in_(list(digests)))
            ):
                shared.setdefault(row.manifest_hash, f"file {row.path}")
            rows = conn.execute(
                sa.select(assets, certificates.c.number)
                .join(
                    certificates,
                    certificates.c.token_id == assets.c.certificate_id,
                    isouter=True,
                )
                .where(assets.c.manifest_hash.in_(list(shared)))
                .order_by(assets.c.asset_id)
            ).all()
            found = []
            for row in rows:
                asset = _with_status_now(_row(row), now)
                asset["certificate_number"] = asset.pop("number")
                asset["shared"] = shared[row.manifest_hash]
                found.append(asset)
            return found

    def manifest(self, manifest_hash: str) -> dict[str, Any] | None:
        """A submitted manifest's document (None if it was never published here)."""
        with self.engine.connect() as conn:
            document = conn.execute(
                sa.select(manifests.c.document).where(manifests.c.manifest_hash == manifest_hash)
            ).scalar()
        return dict(document) if document is not None else None

    def linked(self, data_hash: str, at: int | None, now: int) -> list[dict[str, Any]]:
        """Assets whose manifest has this hash, or lists a file with this SHA-256: each with its
        status at time ``at`` (the anchoring) and now, and its certificate."""
        with self.engine.connect() as conn:
            roles = {data_hash: "manifest"}
            for row in conn.execute(
                sa.select(manifest_files).where(manifest_files.c.sha256 == data_hash)
            ):
                roles[row.manifest_hash] = f"file {row.path}"
            rows = conn.execute(
                sa.select(assets).where(assets.c.manifest_hash.in_(list(roles)))
            ).all()
            found = []
            for row in rows:
                asset = _with_status_now(_row(row), now)
                found.append(
                    {
                        "asset_id": asset["asset_id"],
                        "as": roles[asset["manifest_hash"]],
                        "status_now": asset["status_name"],
                        "status_then": None if at is None else _status_at(conn, row, at),
                        "certificate_id": asset.get("certificate_id"),
                    }
                )
        return found

    def events_named(self, names: Sequence[str], before: int) -> list[dict[str, Any]]:
        """The events of ``names`` in blocks before ``before`` (Unix seconds), in chain order:
        what the disclosure's figures are counted from."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    events.c.name,
                    events.c.asset_id,
                    events.c.timestamp,
                    events.c.tx_hash,
                    events.c.log_index,
                    events.c.args,
                )
                .where(events.c.name.in_(list(names)), events.c.timestamp < before)
                .order_by(events.c.block_number, events.c.log_index)
            )
            return [dict(r._mapping) for r in rows]
