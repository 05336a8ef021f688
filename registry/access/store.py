"""Query and copy of registration materials (guide art. 30): the requests, the registrar's
decisions, and the hash-chained log of every view and copy, whose head is anchored as evidence
once a Beijing day.

Who may ask: the applicant (a right-holder of the registration, proven by its account's
signature), an interested party with the reason it is interested, or a state organ (a court,
procuratorate or police: a key of the ``state_organ`` role) with its legal basis; each states
its purpose (it may use the materials for nothing else, art. 30). The registrar approves or
refuses. Each view and copy is an entry of the log: who, which material, the purpose, when.

The log is a hash chain: entry n's hash is SHA-256 of entry n-1's hash and the RFC 8785 JSON of
entry n, so removing, changing or reordering an entry changes every later hash, and the head
anchored on chain fixes all entries before it. Entries are appended under one lock by the API's
process, the only writer."""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from registry import times
from registry.content.canonical import canonical_json
from registry.index.schema import assets, right_holders

logger = logging.getLogger(__name__)

RequesterKind = Literal["applicant", "interested_party", "state_organ"]
Action = Literal["view", "copy"]
GENESIS = "0x" + "00" * 32
"""The hash before the first entry."""

_metadata = sa.MetaData()

access_requests = sa.Table(
    "access_requests",
    _metadata,
    sa.Column("request_id", sa.String(32), primary_key=True),
    sa.Column("asset_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("registration", sa.String(66), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("requester", sa.Text, nullable=False),
    sa.Column("account", sa.String(42)),
    sa.Column("interest", sa.Text),
    sa.Column("legal_basis", sa.Text),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("materials", sa.JSON, nullable=False),
    sa.Column("key_id", sa.String(16), nullable=False),
    sa.Column("status", sa.String(10), nullable=False, index=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("decided_by", sa.String(16)),
    sa.Column("decided_at", sa.Float),
    sa.Column("decision_reason", sa.Text),
)

access_log = sa.Table(
    "access_log",
    _metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("request_id", sa.String(32), nullable=False),
    sa.Column("asset_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("requester", sa.Text, nullable=False),
    sa.Column("key_id", sa.String(16), nullable=False),
    sa.Column("action", sa.String(8), nullable=False),
    sa.Column("material", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(66), nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(66), nullable=False),
    sa.Column("entry_hash", sa.String(66), nullable=False, unique=True),
)

access_anchors = sa.Table(
    "access_anchors",
    _metadata,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("head", sa.String(66), nullable=False),
    sa.Column("anchored_at", sa.Float, nullable=False),
)
"""The head handed to the evidence batcher on each Beijing day (its receipt is found at
``/v1/evidence/{head}``)."""


class AccessError(Exception):
    """A request or read refused by rule ``rule`` (a slug, for the API's problem type)."""

    def __init__(self, status: int, rule: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.rule, self.detail, self.field = status, rule, detail, field


@dataclass(frozen=True)
class AccessRequest:
    request_id: str
    asset_id: int
    registration: str
    kind: RequesterKind
    requester: str
    account: str | None
    interest: str | None
    legal_basis: str | None
    purpose: str
    materials: list[str]
    key_id: str
    status: Literal["pending", "approved", "refused"]
    created_at: float
    decided_by: str | None
    decided_at: float | None
    decision_reason: str | None


@dataclass(frozen=True)
class Entry:
    """One view or copy, as logged."""

    seq: int
    at: float
    request_id: str
    asset_id: int
    kind: RequesterKind
    requester: str
    key_id: str
    action: Action
    material: str
    sha256: str
    purpose: str
    prev_hash: str
    entry_hash: str

    def hashed(self) -> dict[str, Any]:
        """The members its hash covers: all but the hashes themselves."""
        return {
            "seq": self.seq,
            "at": times.iso(int(self.at)),
            "at_ms": int(self.at * 1000),
            "request_id": self.request_id,
            "asset_id": self.asset_id,
            "kind": self.kind,
            "requester": self.requester,
            "key_id": self.key_id,
            "action": self.action,
            "material": self.material,
            "sha256": self.sha256,
            "purpose": self.purpose,
        }


def chain_hash(prev_hash: str, members: dict[str, Any]) -> str:
    """SHA-256 of the previous hash's 32 bytes and the entry's canonical JSON."""
    digest = hashlib.sha256(bytes.fromhex(prev_hash[2:]) + canonical_json(members)).hexdigest()
    return "0x" + digest


@dataclass(frozen=True)
class Verified:
    """The log checked from its first entry: its head, or the first entry that does not chain."""

    count: int
    head: str
    first_bad: int | None


class AccessRegister:
    """The requests and the log, in the index database (PostgreSQL or SQLite)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        _metadata.create_all(engine)

    # ------------------------------------------------------------------ requests

    def holders_of(self, asset_id: int) -> set[str]:
        """The registration's right-holders' accounts (the applicants), lower case."""
        with self.engine.connect() as conn:
            found = {
                str(a).lower()
                for (a,) in conn.execute(
                    sa.select(right_holders.c.account).where(right_holders.c.asset_id == asset_id)
                )
            }
            holder = conn.execute(
                sa.select(assets.c.holder).where(assets.c.asset_id == asset_id)
            ).scalar()
        return found | ({str(holder).lower()} if holder else set())

    def create(
        self,
        *,
        asset_id: int,
        registration: str,
        kind: RequesterKind,
        requester: str,
        account: str | None,
        interest: str | None,
        legal_basis: str | None,
        purpose: str,
        materials: list[str],
        key_id: str,
    ) -> AccessRequest:
        request_id = secrets.token_hex(12)
        with self.engine.begin() as conn:
            conn.execute(
                sa.insert(access_requests).values(
                    request_id=request_id,
                    asset_id=asset_id,
                    registration=registration,
                    kind=kind,
                    requester=requester,
                    account=account,
                    interest=interest,
                    legal_basis=legal_basis,
                    purpose=purpose,
                    materials=materials,
                    key_id=key_id,
                    status="pending",
                    created_at=time.time(),
                )
            )
        logger.info("query-copy request %s of %s for asset %d filed", request_id, kind, asset_id)
        found = self.get(request_id)
        assert found is not None
        return found

    def get(self, request_id: str) -> AccessRequest | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(access_requests).where(access_requests.c.request_id == request_id)
            ).first()
        return AccessRequest(**row._asdict()) if row is not None else None

    def pending(self, region: int) -> list[AccessRequest]:
        """Requests waiting for the registrar's decision on assets of ``region``, oldest first."""
        query = (
            sa.select(access_requests)
            .join(assets, assets.c.asset_id == access_requests.c.asset_id)
            .where(access_requests.c.status == "pending", assets.c.region == region)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(access_requests.c.created_at)).all()
        return [AccessRequest(**r._asdict()) for r in rows]

    def decide(self, request_id: str, approve: bool, reason: str, key_id: str) -> AccessRequest:
        """The registrar's decision on a pending request; a decided one is refused (409)."""
        with self.engine.begin() as conn:
            changed = conn.execute(
                sa.update(access_requests)
                .where(
                    access_requests.c.request_id == request_id,
                    access_requests.c.status == "pending",
                )
                .values(
                    status="approved" if approve else "refused",
                    decided_by=key_id,
                    decided_at=time.time(),
                    decision_reason=reason,
                )
            ).rowcount
        found = self.get(request_id)
        if found is None:
            raise AccessError(404, "unknown-access-request", f"no request {request_id}")
        if not changed:
            raise AccessError(
                409, "access-request-decided", f"request {request_id} is already {found.status}"
            )
        logger.info("query-copy request %s %s by key %s", request_id, found.status, key_id)
        return found

    # ------------------------------------------------------------------ the log

    def record(self, request: AccessRequest, action: Action, material: str, sha256: str) -> Entry:
        """Appends a view or copy of ``material`` (its SHA-256) under ``request``."""
        with self._lock, self.engine.begin() as conn:
            last = conn.execute(
                sa.select(access_log.c.seq, access_log.c.entry_hash)
                .order_by(access_log.c.seq.desc())
                .limit(1)
            ).first()
            seq, prev = (int(last.seq) + 1, str(last.entry_hash)) if last else (1, GENESIS)
            draft = Entry(
                seq,
                time.time(),
                request.request_id,
                request.asset_id,
                request.kind,
                request.requester,
                request.key_id,
                action,
                material,
                sha256,
                request.purpose,
                prev,
                "",
            )
            entry = Entry(**{**draft.__dict__, "entry_hash": chain_hash(prev, draft.hashed())})
            conn.execute(sa.insert(access_log).values(**entry.__dict__))
        return entry

    def entries(self, asset_id: int | None = None) -> list[Entry]:
        query = sa.select(access_log).order_by(access_log.c.seq)
        if asset_id is not None:
            query = query.where(access_log.c.asset_id == asset_id)
        with self.engine.connect() as conn:
            return [Entry(**r._asdict()) for r in conn.execute(query)]

    def verify(self) -> Verified:
        """Recomputes the chain from the first entry."""
        prev, count = GENESIS, 0
        for entry in self.entries():
            count += 1
            if (
                entry.seq != count
                or entry.prev_hash != prev
                or chain_hash(prev, entry.hashed()) != entry.entry_hash
            ):
                logger.error("the access log does not chain at entry %d", entry.seq)
                return Verified(count - 1, prev, entry.seq)
            prev = entry.entry_hash
        return Verified(count, prev, None)

    def head(self) -> tuple[int, str]:
        """The last entry's number and hash (0 and the genesis hash while empty)."""
        with self.engine.connect() as conn:
            last = conn.execute(
                sa.select(access_log.c.seq, access_log.c.entry_hash)
                .order_by(access_log.c.seq.desc())
                .limit(1)
            ).first()
        return (int(last.seq), str(last.entry_hash)) if last else (0, GENESIS)

    def anchors(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(access_anchors).order_by(access_anchors.c.day)).all()
        return [dict(r._asdict()) for r in rows]

    def due_head(self, now: float) -> tuple[str, int, str] | None:
        """The Beijing day, number and hash of the head to anchor now: once a day, and only when
        the log moved since the head anchored last. None when nothing is due."""
        seq, head = self.head()
        day = times.beijing_date(int(now)).isoformat()
        with self.engine.connect() as conn:
            last = conn.execute(
                sa.select(access_anchors).order_by(access_anchors.c.day.desc()).limit(1)
            ).first()
        if seq == 0 or (last is not None and (last.day == day or last.head == head)):
            return None
        return day, seq, head

    def anchored(self, day: str, seq: int, head: str, now: float) -> None:
        """Records that ``head`` went to the evidence batcher (after it took it: a process
        stopped between the two hands the same head over again, which the batcher keeps once)."""
        with self.engine.begin() as conn:
            conn.execute(
                sa.insert(access_anchors).values(day=day, seq=seq, head=head, anchored_at=now)
            )
