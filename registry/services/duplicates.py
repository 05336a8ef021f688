"""Duplicate applications (guide art. 3: several right-holders may hold the same right in the
same data; issue 16, item 10). The same data is the same manifest hash or a file of the same
SHA-256 in the manifests published here. A second application for data already registered or
applied for is allowed from a different applicant (co-holding) and shown to the reviewer with
the earlier registration's id and certificate number; the same applicant applying twice for
the same data is refused (409, ``DuplicateApplication``).

Checked in the service rather than on chain: the chain knows no file hashes, and a per-holder
mapping of manifest hashes would add a fresh slot (22,100 gas) to every application, whose
budget is 150,000. The index alone would leave a race (two submissions answered before either
is indexed), so each accepted application first claims ``(holder, digest)`` for its manifest
hash and every file hash in the registry's database, under a primary key: of two submissions
at once the second's insert fails and it is refused. A claim whose operation failed (the chain
refused it) is taken over by the next application."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from registry.chain.types import Status
from registry.index.queries import Queries
from registry.services.registry import RegistryService

logger = logging.getLogger(__name__)

_metadata = sa.MetaData()
claims = sa.Table(
    "application_claims",
    _metadata,
    sa.Column("holder", sa.String(42), primary_key=True),
    sa.Column("digest", sa.String(66), primary_key=True),
    sa.Column("operation", sa.String(250), nullable=False),
    sa.Column("claimed_at", sa.Float, nullable=False),
)

_ABANDONED = 3600.0
"""Seconds after which a claim whose operation the outbox never saw is taken to be left by a
process that stopped between the claim and the send."""

CLOSED = frozenset({Status.REJECTED, Status.CANCELLED, Status.REVOKED, Status.TERMINATED})
"""Registrations that no longer hold the data: another application for it is no duplicate."""


@dataclass(frozen=True)
class Earlier:
    """An earlier registration or application of the same data."""

    asset_id: int
    holder: str
    status: str
    certificate_number: str | None
    shared: str
    """What is the same: ``manifest``, or ``file <path>``."""


class DuplicateApplicationError(Exception):
    """The applicant applied for this data already: ``earlier`` is that registration, None
    while the earlier application is not indexed yet."""

    def __init__(self, earlier: Earlier | None, shared: str) -> None:
        super().__init__(f"applied already for the same data ({shared})")
        self.earlier = earlier
        self.shared = shared


class Duplicates:
    def __init__(self, engine: sa.Engine, queries: Queries, service: RegistryService) -> None:
        self.engine = engine
        self.queries = queries
        self.service = service
        _metadata.create_all(engine)

    def digests(self, manifest_hash: str) -> set[str]:
        """The manifest hash and, if the manifest was published here, each file's SHA-256."""
        return {manifest_hash.lower(), *self.queries.file_hashes(manifest_hash.lower())}

    def earlier(self, manifest_hash: str, now: int, besides: int | None = None) -> list[Earlier]:
        """The registrations, not closed, of the same data as ``manifest_hash`` (``besides``:
        the asset asking, left out), oldest first."""
        found = self.queries.same_data(self.digests(manifest_hash), now)
        return [
            Earlier(
                int(a["asset_id"]),
                str(a["holder"]),
                str(a["status_name"]),
                a["certificate_number"],
                str(a["shared"]),
            )
            for a in found
            if int(a["asset_id"]) != besides and Status(a["status"]) not in CLOSED
        ]

    def claim(self, holder: str, manifest_hash: str, operation: str, now: int) -> None:
        """Raises DuplicateApplicationError for an application by ``holder`` for data it registered
        or applied for already; otherwise claims the data's digests for ``operation`` (the same
        operation again, a retry, keeps its claims)."""
        holder, manifest_hash = holder.lower(), manifest_hash.lower()
        digests = self.digests(manifest_hash)
        with self.engine.begin() as conn:
            held = conn.execute(
                sa.select(claims).where(claims.c.holder == holder, claims.c.digest.in_(digests))
            ).all()
            if any(row.operation == operation for row in held):
                return  # a retry of the same operation
            for e in self.earlier(manifest_hash, now):
                if e.holder.lower() == holder:
                    raise DuplicateApplicationError(e, e.shared)
            for row in held:
                # Still in flight: pending or sent, or not yet in the outbox. Once confirmed the
                # index has read it, and ``earlier`` above answers for it (a refused or
                # cancelled registration no longer holds the data).
                op = self.service.operation(row.operation)
                if op is None:
                    in_flight = time.time() - row.claimed_at <= _ABANDONED
                else:
                    in_flight = op.status in ("pending", "sent")
                if in_flight:
                    shared = "manifest" if row.digest == manifest_hash else "file"
                    raise DuplicateApplicationError(None, shared)
                logger.info("claim of %s by %s taken over", row.digest, row.operation)
                conn.execute(
                    sa.delete(claims).where(
                        claims.c.holder == holder, claims.c.digest == row.digest
                    )
                )
            claimed_at = time.time()
            try:
                conn.execute(
                    sa.insert(claims),
                    [
                        {
                            "holder": holder,
                            "digest": d,
                            "operation": operation,
                            "claimed_at": claimed_at,
                        }
                        for d in sorted(digests)
                    ],
                )
            except sa.exc.IntegrityError:
                # Another submission of the same data by the same holder claimed it between
                # the read and this insert: it goes first.
                logger.info("application by %s for %s lost the race", holder, manifest_hash)
                raise DuplicateApplicationError(None, "manifest") from None

    def release(self, operation: str) -> None:
        """Drops the claims of an operation that was never sent (the chain refused it first,
        or the request failed before)."""
        with self.engine.begin() as conn:
            conn.execute(sa.delete(claims).where(claims.c.operation == operation))


def shown(earlier: list[Earlier]) -> list[dict[str, Any]]:
    """The possible duplicates as the review API and the console show them."""
    return [asdict(e) for e in earlier]
