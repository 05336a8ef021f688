"""API keys: stored as SHA-256 hashes, each bound to one role and one region."""

from __future__ import annotations

import hashlib
import secrets
import time

import sqlalchemy as sa

from registry.api.roles import Principal as Principal
from registry.api.roles import Role as Role

_metadata = sa.MetaData()
api_keys = sa.Table(
    "api_keys",
    _metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("region", sa.Integer, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False),
)

PREFIX = "drk_"


CACHE_SECONDS = 2.0


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKeys:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._cache: dict[str, tuple[float, Principal]] = {}
        _metadata.create_all(engine)

    def create(self, role: Role, region: int, label: str = "") -> tuple[str, str]:
        """Makes a key; returns (id, secret). The secret is shown once and never stored."""
        key_id = secrets.token_hex(4)
        secret = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        with self.engine.begin() as conn:
            conn.execute(
                sa.insert(api_keys).values(
                    id=key_id,
                    key_hash=_hash(secret),
                    role=role.value,
                    region=region,
                    label=label,
                    created_at=time.time(),
                    revoked=False,
                )
            )
        return key_id, secret

    def revoke(self, key_id: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                sa.update(api_keys).where(api_keys.c.id == key_id).values(revoked=True)
            )
        return result.rowcount > 0

    def authenticate(self, secret: str) -> Principal | None:
        """The key's principal. A known key is remembered for ``CACHE_SECONDS``, so a revocation
        takes effect within that time everywhere, and a busy client costs no query per call."""
        key_hash = _hash(secret)
        cached = self._fresh(key_hash)
        if cached is not None:
            return cached
        found = self._lookup(key_hash)
        if found is not None:
            self._cache[key_hash] = (time.monotonic() + CACHE_SECONDS, found)
        return found

    def cached(self, secret: str) -> Principal | None:
        """The key's principal if it was authenticated within ``CACHE_SECONDS``, else None:
        answered without a query, so the event loop can ask (``authenticate`` may query)."""
        return self._fresh(_hash(secret))

    def _fresh(self, key_hash: str) -> Principal | None:
        cached = self._cache.get(key_hash)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        return None

    def principal(self, key_id: str) -> Principal | None:
        """The principal of the key ``key_id``, unless it was revoked."""
        return self._principal_where(api_keys.c.id == key_id)

    def _lookup(self, key_hash: str) -> Principal | None:
        return self._principal_where(api_keys.c.key_hash == key_hash)

    def _principal_where(self, condition: sa.ColumnElement[bool]) -> Principal | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(api_keys.c.id, api_keys.c.role, api_keys.c.region).where(
                    condition, api_keys.c.revoked.is_(False)
                )
            ).first()
        return Principal(row.id, Role(row.role), int(row.region)) if row else None
