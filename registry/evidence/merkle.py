"""Merkle trees that OpenZeppelin's ``MerkleProof`` (and ``EvidenceAnchor.verify``) accept.

Leaf of an evidence hash ``h``: ``keccak256(keccak256(abi.encode(h)))``, the StandardMerkleTree
leaf of one bytes32; hashing twice keeps a leaf from ever equalling an inner node. Inner node:
keccak256 of its two children sorted ascending, so a proof needs no left/right flags. Layout as
OpenZeppelin's StandardMerkleTree: a complete binary tree in one array, leaves at the end.
"""

from __future__ import annotations

from collections.abc import Sequence

from eth_hash.auto import keccak


def leaf_hash(data_hash: bytes) -> bytes:
    if len(data_hash) != 32:
        raise ValueError("an evidence hash has 32 bytes")
    return keccak(keccak(data_hash))


def _pair(a: bytes, b: bytes) -> bytes:
    return keccak(a + b) if a < b else keccak(b + a)


def verify(leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    node = leaf
    for sibling in proof:
        node = _pair(node, sibling)
    return node == root


class MerkleTree:
    """A tree over evidence hashes, in the order given."""

    def __init__(self, nodes: list[bytes], count: int) -> None:
        self._nodes = nodes
        self.count = count

    @classmethod
    def from_hashes(cls, hashes: Sequence[bytes]) -> MerkleTree:
        if not hashes:
            raise ValueError("a tree needs at least one hash")
        n = len(hashes)
        nodes = [b""] * (2 * n - 1)
        for i, h in enumerate(hashes):
            nodes[len(nodes) - 1 - i] = leaf_hash(h)
        for i in range(n - 2, -1, -1):
            nodes[i] = _pair(nodes[2 * i + 1], nodes[2 * i + 2])
        return cls(nodes, n)

    @property
    def root(self) -> bytes:
        return self._nodes[0]

    def leaf(self, index: int) -> bytes:
        return self._nodes[self._position(index)]

    def proof(self, index: int) -> list[bytes]:
        """The sibling hashes from the leaf of ``hashes[index]`` up to the root."""
        position = self._position(index)
        proof = []
        while position > 0:
            sibling = position - 1 if position % 2 == 0 else position + 1
            proof.append(self._nodes[sibling])
            position = (position - 1) // 2
        return proof

    def _position(self, index: int) -> int:
        if not 0 <= index < self.count:
            raise IndexError(index)
        return len(self._nodes) - 1 - index
