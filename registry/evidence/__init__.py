"""Evidence: batches of hashes as Merkle trees anchored on chain, with receipts."""

from registry.evidence.batcher import EvidenceBatcher, Receipt
from registry.evidence.merkle import MerkleTree, leaf_hash, verify

__all__ = ["EvidenceBatcher", "MerkleTree", "Receipt", "leaf_hash", "verify"]
