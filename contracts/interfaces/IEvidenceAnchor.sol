// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @notice When a root was anchored, by whom, over how many leaves.
struct Anchor {
    address submitter;
    uint40 anchoredAt;
    uint32 leafCount;
}

/// @title IEvidenceAnchor
/// @notice Anchors evidence hashes (存证): one hash, or a batch as the root of a Merkle tree
/// compatible with OpenZeppelin `MerkleProof`. Leaf: `keccak256(bytes.concat(keccak256(abi.encode(hash))))`
/// (the StandardMerkleTree leaf of one bytes32); pair: keccak256 of the two children sorted
/// ascending. A single hash anchors as a one-leaf tree, whose root is its leaf.
interface IEvidenceAnchor {
    event Anchored(bytes32 indexed root, address indexed submitter, uint32 leafCount);

    error AlreadyAnchored(bytes32 root, uint40 anchoredAt);
    error EmptyRoot();
    error EmptyBatch();

    /// @notice Anchors the Merkle root of a batch of `leafCount` hashes.
    function anchorRoot(bytes32 root, uint32 leafCount) external;
    /// @notice Anchors one hash; returns the root it is recorded under (its leaf).
    function anchorHash(bytes32 dataHash) external returns (bytes32 root);

    function getAnchor(bytes32 root) external view returns (Anchor memory);
    /// @notice The leaf of an evidence hash.
    function leafOf(bytes32 dataHash) external pure returns (bytes32);
    /// @notice Whether `proof` proves `leaf` in the tree of `root` (no storage read).
    function verify(bytes32 leaf, bytes32[] calldata proof, bytes32 root) external pure returns (bool);
    /// @notice Whether `dataHash` is proven under an anchored root, and that anchor.
    function verifyEvidence(bytes32 dataHash, bytes32[] calldata proof, bytes32 root)
        external
        view
        returns (bool anchored, Anchor memory anchor);
}
