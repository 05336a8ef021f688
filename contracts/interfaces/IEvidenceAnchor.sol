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
    /// @notice A root was anchored: the hashes under it existed at this block's time.
    /// @param root The Merkle root (a single hash's leaf for one hash).
    /// @param submitter The anchorer who sent it.
    /// @param leafCount How many hashes the tree holds.
    event Anchored(bytes32 indexed root, address indexed submitter, uint32 leafCount);

    /// @notice The root was anchored before; its first time is the one that proves existence.
    /// @param root The root.
    /// @param anchoredAt When it was first anchored (Unix seconds).
    error AlreadyAnchored(bytes32 root, uint40 anchoredAt);

    /// @notice The root is zero.
    error EmptyRoot();

    /// @notice A batch must hold at least one hash.
    error EmptyBatch();

    /// @notice Anchors the Merkle root of a batch of `leafCount` hashes.
    /// @dev Requirements:
    /// - the caller has ANCHORER;
    /// - `leafCount` is not zero ({EmptyBatch}) and `root` is not zero ({EmptyRoot});
    /// - `root` was never anchored ({AlreadyAnchored}).
    ///
    /// Emits an {Anchored} event.
    function anchorRoot(bytes32 root, uint32 leafCount) external;

    /// @notice Anchors one hash; returns the root it is recorded under (its leaf).
    /// @dev Requirements:
    /// - the caller has ANCHORER;
    /// - the hash's leaf was never anchored ({AlreadyAnchored}).
    ///
    /// Emits an {Anchored} event with a leaf count of 1.
    function anchorHash(bytes32 dataHash) external returns (bytes32 root);

    /// @notice The anchor of `root`; all zero when it was never anchored. Never reverts.
    function getAnchor(bytes32 root) external view returns (Anchor memory);

    /// @notice The leaf of an evidence hash.
    function leafOf(bytes32 dataHash) external pure returns (bytes32);

    /// @notice Whether `proof` proves `leaf` in the tree of `root` (no storage read).
    function verify(bytes32 leaf, bytes32[] calldata proof, bytes32 root) external pure returns (bool);

    /// @notice Whether `dataHash` is proven under an anchored root, and that anchor. Never reverts.
    function verifyEvidence(bytes32 dataHash, bytes32[] calldata proof, bytes32 root)
        external
        view
        returns (bool anchored, Anchor memory anchor);
}
