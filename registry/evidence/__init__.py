"""Evidence: batches of hashes as Merkle trees anchored on chain."""

from registry.evidence.merkle import MerkleTree, leaf_hash, verify

__all__ = ["MerkleTree", "leaf_hash", "verify"]
