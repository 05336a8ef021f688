"""The service's own durable journals (the outbox, the evidence queue): SQLite files in WAL mode
that commit without fsync, so a killed process loses nothing it committed (a power loss could
lose the last moments)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_journal(path: Path, schema: str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), shared between threads
    under the caller's lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(schema)
    return db
