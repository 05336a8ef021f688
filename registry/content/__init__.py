"""Content: Kubo-identical CIDs, canonical manifests, and the content stores."""

from registry.content.cid import Cid, FileDigest, file_digest

__all__ = ["Cid", "FileDigest", "file_digest"]
