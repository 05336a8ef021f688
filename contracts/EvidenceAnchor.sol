// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Anchor, IEvidenceAnchor} from "./interfaces/IEvidenceAnchor.sol";
import {RoleGated} from "./access/RoleGated.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title EvidenceAnchor
/// @notice Evidence hashes on chain (存证). A root is recorded once: the first anchoring time is
/// the one that proves existence, so anchoring it again is refused.
contract EvidenceAnchor is IEvidenceAnchor, RoleGated {
    mapping(bytes32 root => Anchor) private _anchors;

    constructor(IAccessControl roles_) RoleGated(roles_) {}

    /// @inheritdoc IEvidenceAnchor
    function anchorRoot(bytes32 root, uint32 leafCount) external onlyRole(Roles.ANCHORER) {
        if (leafCount == 0) revert EmptyBatch();
        _anchor(root, leafCount);
    }

    /// @inheritdoc IEvidenceAnchor
    function anchorHash(bytes32 dataHash) external onlyRole(Roles.ANCHORER) returns (bytes32 root) {
        root = _leaf(dataHash);
        _anchor(root, 1);
    }

    /// @inheritdoc IEvidenceAnchor
    function getAnchor(bytes32 root) external view returns (Anchor memory) {
        return _anchors[root];
    }

    /// @inheritdoc IEvidenceAnchor
    function leafOf(bytes32 dataHash) external pure returns (bytes32) {
        return _leaf(dataHash);
    }

    /// @inheritdoc IEvidenceAnchor
    function verify(bytes32 leaf, bytes32[] calldata proof, bytes32 root) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @inheritdoc IEvidenceAnchor
    function verifyEvidence(bytes32 dataHash, bytes32[] calldata proof, bytes32 root)
        external
        view
        returns (bool anchored, Anchor memory anchor)
    {
        anchor = _anchors[root];
        anchored = anchor.anchoredAt != 0 && MerkleProof.verifyCalldata(proof, root, _leaf(dataHash));
    }

    function _anchor(bytes32 root, uint32 leafCount) private {
        if (root == bytes32(0)) revert EmptyRoot();
        uint40 at = _anchors[root].anchoredAt;
        if (at != 0) revert AlreadyAnchored(root, at);
        _anchors[root] = Anchor({submitter: msg.sender, anchoredAt: uint40(block.timestamp), leafCount: leafCount});
        emit Anchored(root, msg.sender, leafCount);
    }

    function _leaf(bytes32 dataHash) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(dataHash))));
    }
}
