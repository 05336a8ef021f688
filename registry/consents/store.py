"""Consent requests kept in the registry's database, next to the API keys."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from registry.chain.signing import Domain, typed_data
from registry.services.calls import ActCall

State = Literal["awaiting", "submitted", "withdrawn", "expired"]

_metadata = sa.MetaData()
consent_requests = sa.Table(
    "consent_requests",
    _metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("region", sa.Integer, nullable=False),
    sa.Column("asset_id", sa.BigInteger, nullable=False),
    sa.Column("act", sa.String(16), nullable=False),
    sa.Column("holder", sa.String(42), nullable=False),
    sa.Column("draft", sa.Text, nullable=False),
    sa.Column("typed_data", sa.Text, nullable=False),
    sa.Column("deadline", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("operation", sa.String(300)),
    sa.Column("created_by", sa.String(16), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Index("consent_requests_by_region", "region", "status", "created_at"),
)


def typed_data_for(act: ActCall, domain: Domain, nonce: int, deadline: int) -> dict[str, Any]:
    """What the holder signs (``eth_signTypedData_v4``'s JSON). The nonce is a decimal string:
    keyed nonces exceed what JSON numbers carry exactly in a browser wallet."""
    return typed_data(
        domain, act.consent or "", {**act.message, "nonce": str(nonce), "deadline": deadline}
    )


@dataclass(frozen=True)
class ConsentRequest:
    id: str
    region: int
    asset_id: int
    act: str
    holder: str
    draft: dict[str, Any]
    """The act as the API took it (without a consent)."""
    typed_data: dict[str, Any]
    deadline: int
    status: Literal["awaiting", "submitted", "withdrawn"]
    operation: str | None
    created_by: str
    created_at: float

    @property
    def nonce(self) -> int:
        return int(self.typed_data["message"]["nonce"])

    def state(self, now: int) -> State:
        """Awaiting past its deadline is expired: the contract would refuse the signature."""
        return "expired" if self.status == "awaiting" and now > self.deadline else self.status


def _request(row: Mapping[Any, Any]) -> ConsentRequest:
    return ConsentRequest(
        id=row["id"],
        region=int(row["region"]),
        asset_id=int(row["asset_id"]),
        act=row["act"],
        holder=row["holder"],
        draft=json.loads(row["draft"]),
        typed_data=json.loads(row["typed_data"]),
        deadline=int(row["deadline"]),
        status=row["status"],
        operation=row["operation"],
        created_by=row["created_by"],
        created_at=float(row["created_at"]),
    )


class ConsentRequests:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        _metadata.create_all(engine)

    def create(
        self,
        *,
        region: int,
        asset_id: int,
        act: str,
        holder: str,
        draft: dict[str, Any],
        typed_data: dict[str, Any],
        deadline: int,
        created_by: str,
    ) -> ConsentRequest:
        """Keeps a new request. Its id is unguessable: whoever has it may read the request and
        send the signature, as the holder's link to it."""
        values = {
            "id": secrets.token_hex(16),
            "region": region,
            "asset_id": asset_id,
            "act": act,
            "holder": holder,
            "draft": json.dumps(draft, sort_keys=True),
            "typed_data": json.dumps(typed_data, sort_keys=True),
            "deadline": deadline,
            "status": "awaiting",
            "operation": None,
            "created_by": created_by,
            "created_at": time.time(),
        }
        with self.engine.begin() as conn:
            conn.execute(sa.insert(consent_requests).values(**values))
        return _request(values)

    def get(self, request_id: str) -> ConsentRequest | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(consent_requests).where(consent_requests.c.id == request_id)
            ).first()
        return _request(row._mapping) if row else None

    def list(
        self, region: int, *, status: str | None = None, limit: int = 100
    ) -> list[ConsentRequest]:
        """The region's requests, newest first."""
        query = sa.select(consent_requests).where(consent_requests.c.region == region)
        if status is not None:
            query = query.where(consent_requests.c.status == status)
        query = query.order_by(consent_requests.c.created_at.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [_request(r._mapping) for r in conn.execute(query)]

    def mark_submitted(self, request_id: str, operation: str) -> None:
        self._move(request_id, "submitted", operation=operation)

    def withdraw(self, request_id: str) -> bool:
        """Withdraws an awaiting request; False when it was no longer awaiting."""
        return self._move(request_id, "withdrawn")

    def _move(self, request_id: str, status: str, **values: Any) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                sa.update(consent_requests)
                .where(
                    consent_requests.c.id == request_id,
                    consent_requests.c.status == "awaiting",
                )
                .values(status=status, **values)
            )
        return result.rowcount > 0
