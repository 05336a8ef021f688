"""Console sessions: an API key is exchanged once for a server-side session (the key itself is
never kept in the browser); the cookie is HttpOnly, SameSite=Strict, and every form carries
the session's CSRF token. Sessions live in memory: a restart signs everyone out."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field

from registry.api.keys import Principal

COOKIE = "registry_session"
LIFETIME = 8 * 3600.0


@dataclass
class Session:
    principal: Principal
    csrf: str
    expires: float
    operations: list[tuple[str, str]] = field(default_factory=list)
    """(operation id, what it was) of the writes made in this session, newest first."""

    def csrf_ok(self, token: str) -> bool:
        return hmac.compare_digest(self.csrf, token)


class Sessions:
    def __init__(self) -> None:
        self._by_id: dict[str, Session] = {}
        self._lock = threading.Lock()

    def open(self, principal: Principal) -> tuple[str, Session]:
        session_id = secrets.token_urlsafe(32)
        session = Session(principal, secrets.token_urlsafe(32), time.time() + LIFETIME)
        with self._lock:
            now = time.time()
            for stale in [k for k, s in self._by_id.items() if s.expires < now]:
                del self._by_id[stale]
            self._by_id[session_id] = session
        return session_id, session

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        with self._lock:
            session = self._by_id.get(session_id)
            if session is not None and session.expires < time.time():
                del self._by_id[session_id]
                return None
            return session

    def close(self, session_id: str | None) -> None:
        with self._lock:
            self._by_id.pop(session_id or "", None)
