"""Console sessions: an API key is exchanged once for a server-side session (the key itself is
never kept in the browser); the cookie is HttpOnly, SameSite=Strict, and every form carries the
session's CSRF token. Sessions are kept in the registry's database under the SHA-256 of their
id, so a restart keeps staff signed in and a copy of the database opens no session; revoking
the API key ends its sessions at once."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import weakref
from dataclasses import dataclass, field

import sqlalchemy as sa

from registry.api.keys import ApiKeys, Principal

COOKIE = "registry_session"
LIFETIME = 8 * 3600.0
KEPT_OPERATIONS = 50

_metadata = sa.MetaData()
console_sessions = sa.Table(
    "console_sessions",
    _metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("key_id", sa.String(16), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("expires", sa.Float, nullable=False),
    sa.Column("operations", sa.Text, nullable=False),
)


@dataclass
class Session:
    principal: Principal
    csrf: str
    expires: float
    operations: list[tuple[str, str]] = field(default_factory=list)
    """(operation id, what it was) of the writes made in this session, newest first."""

    def csrf_ok(self, token: str) -> bool:
        # As bytes: compare_digest refuses str holding anything but ASCII (TypeError).
        return hmac.compare_digest(self.csrf.encode(), token.encode())


def _hashed(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    def __init__(self, keys: ApiKeys) -> None:
        self.keys = keys
        self.engine = keys.engine
        _metadata.create_all(self.engine)

    def open(self, principal: Principal) -> tuple[str, Session]:
        session_id = secrets.token_urlsafe(32)
        session = Session(principal, secrets.token_urlsafe(32), time.time() + LIFETIME)
        with self.engine.begin() as conn:
            conn.execute(
                sa.delete(console_sessions).where(console_sessions.c.expires < time.time())
            )
            conn.execute(
                sa.insert(console_sessions).values(
                    id_hash=_hashed(session_id),
                    key_id=principal.key_id,
                    csrf=session.csrf,
                    expires=session.expires,
                    operations="[]",
                )
            )
        return session_id, session

    def get(self, session_id: str | None) -> Session | None:
        """The live session, with its key's role and region as they are now."""
        if not session_id:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(console_sessions).where(
                    console_sessions.c.id_hash == _hashed(session_id),
                    console_sessions.c.expires >= time.time(),
                )
            ).first()
        if row is None:
            return None
        principal = self.keys.principal(row.key_id)
        if principal is None:
            return None
        operations = [(str(k), str(what)) for k, what in json.loads(row.operations)]
        return Session(principal, row.csrf, float(row.expires), operations)

    def record(self, session_id: str | None, operation: str, what: str) -> None:
        """Remembers a write made in the session, for its status on the console."""
        session = self.get(session_id)
        if session is None or session_id is None:
            return
        kept = [(operation, what), *session.operations][:KEPT_OPERATIONS]
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(console_sessions)
                .where(console_sessions.c.id_hash == _hashed(session_id))
                .values(operations=json.dumps(kept))
            )

    def close(self, session_id: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                sa.delete(console_sessions).where(
                    console_sessions.c.id_hash == _hashed(session_id or "")
                )
            )


_of_keys: weakref.WeakKeyDictionary[ApiKeys, Sessions] = weakref.WeakKeyDictionary()


def sessions_of(keys: ApiKeys) -> Sessions:
    """The sessions kept beside ``keys`` (one store per running registry)."""
    found = _of_keys.get(keys)
    if found is None:
        found = _of_keys[keys] = Sessions(keys)
    return found
