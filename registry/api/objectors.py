"""Who filed each objection, kept confidential: the objector's name and contact (and, for the
public notice's form, the statement whose hash went on chain) are kept in the registry's
database for the registration center to reach them. They never go on chain, into the index's
public tables or onto a page; only a registrar of the asset's region reads them
(``GET /v1/assets/{asset_id}/objectors``)."""

from __future__ import annotations

import logging
import time
from typing import Any

import sqlalchemy as sa

logger = logging.getLogger(__name__)

_metadata = sa.MetaData()
objectors = sa.Table(
    "objectors",
    _metadata,
    sa.Column("operation", sa.String(250), primary_key=True),
    sa.Column("asset_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("evidence_hash", sa.String(66), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("contact", sa.Text, nullable=False),
    sa.Column("statement", sa.JSON),
    sa.Column("filed_at", sa.Float, nullable=False),
)


class Objectors:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        _metadata.create_all(engine)

    def keep(
        self,
        operation: str,
        asset_id: int,
        evidence_hash: str,
        name: str,
        contact: str,
        statement: dict[str, Any] | None = None,
    ) -> None:
        """Records who filed the objection written by ``operation``; the same operation again
        (a retried idempotency key) keeps the first record."""
        with self.engine.begin() as conn:
            known = conn.execute(
                sa.select(objectors.c.operation).where(objectors.c.operation == operation)
            ).first()
            if known is not None:
                return
            conn.execute(
                sa.insert(objectors).values(
                    operation=operation,
                    asset_id=asset_id,
                    evidence_hash=evidence_hash,
                    name=name,
                    contact=contact,
                    statement=statement,
                    filed_at=time.time(),
                )
            )

    def of_asset(self, asset_id: int) -> list[dict[str, Any]]:
        """Every objector of ``asset_id``, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(objectors)
                .where(objectors.c.asset_id == asset_id)
                .order_by(objectors.c.filed_at)
            )
            return [dict(r._mapping) for r in rows]
