"""Content: Kubo-identical CIDs, canonical manifests, and the content stores."""

from __future__ import annotations

from pathlib import Path

from registry.content.cid import Cid, FileDigest, file_digest
from registry.content.store import (
    ContentError,
    ContentStat,
    ContentStore,
    LocalStore,
    MissingContentError,
)


def open_store(ipfs_url: str | None, local_dir: Path) -> ContentStore:
    """A daemon's store when ``ipfs_url`` is set, else the embedded one under ``local_dir``."""
    if ipfs_url:
        from registry.content.kubo import KuboStore

        return KuboStore(ipfs_url)
    return LocalStore(local_dir)


__all__ = [
    "Cid",
    "ContentError",
    "ContentStat",
    "ContentStore",
    "FileDigest",
    "LocalStore",
    "MissingContentError",
    "file_digest",
    "open_store",
]
