// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Annotation, AnnotationKind, IAnnotations} from "./interfaces/IAnnotations.sol";
import {IAssetRegistry, Standing, Status} from "./interfaces/IAssetRegistry.sol";
import {RoleGated} from "./access/RoleGated.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title Annotations
/// @notice Annotations (备注) on registrations: agreed limits, seizures and other preservation,
/// administrative controls, matters required by law, others (guide art. 23). A module of the
/// AssetRegistry: holding MODULE, it sets the asset's `frozen` bit while a seizure is in force.
contract Annotations is IAnnotations, RoleGated {
    /// @dev An annotation's id is `assetId * _ID_BASE + n` (n from 1): the asset's id, then three digits.
    uint256 private constant _ID_BASE = 1000;

    /// @dev One slot per annotation. `count` is kept in the asset's first annotation only (how
    /// many the asset has): a counter of its own would be a fresh slot on each asset's first
    /// annotation, 20,000 gas more than this byte in a slot written anyway.
    struct Entry {
        address recordedBy;
        uint40 recordedAt;
        AnnotationKind kind;
        uint40 liftedAt;
        uint8 count;
    }

    IAssetRegistry private immutable _assets;
    mapping(uint256 annotationId => Entry) private _entries;
    mapping(uint256 annotationId => address) private _liftedBy;

    constructor(IAccessControl roles_, IAssetRegistry assets_) RoleGated(roles_) {
        if (address(assets_) == address(0)) revert ZeroAddress();
        _assets = assets_;
    }

    /// @inheritdoc IAnnotations
    function annotate(
        uint64 assetId,
        AnnotationKind kind,
        bytes32 authorityHash,
        bytes32 documentHash,
        bytes32 textHash
    ) external onlyRole(Roles.REGISTRAR) returns (uint256 annotationId) {
        if (textHash == bytes32(0)) revert EmptyAnnotation(assetId);
        if (
            (kind == AnnotationKind.Seizure || kind == AnnotationKind.AdministrativeControl)
                && (authorityHash == bytes32(0) || documentHash == bytes32(0))
        ) revert MissingAuthority(assetId, kind);
        uint256 first = uint256(assetId) * _ID_BASE + 1;
        uint8 count = _entries[first].count;
        if (count == type(uint8).max) revert TooManyAnnotations(assetId);
        annotationId = first + count;
        _entries[annotationId] = Entry({
            recordedBy: msg.sender,
            recordedAt: uint40(block.timestamp),
            kind: kind,
            liftedAt: 0,
            count: count == 0 ? 1 : 0
        });
        if (count != 0) _entries[first].count = count + 1;
        // The AssetRegistry checks that a seized asset exists and is open (a refusal undoes the
        // entry); other kinds are checked here.
        if (kind == AnnotationKind.Seizure) _assets.setFrozen(assetId, true);
        else _requireOpen(assetId);
        emit AnnotationRecorded(annotationId, assetId, kind, msg.sender, authorityHash, documentHash, textHash);
    }

    /// @inheritdoc IAnnotations
    function lift(uint256 annotationId, bytes32 documentHash) external onlyRole(Roles.REGISTRAR) {
        Entry storage e = _entries[annotationId];
        if (e.recordedAt == 0) revert UnknownAnnotation(annotationId);
        if (e.liftedAt != 0) revert AlreadyLifted(annotationId, e.liftedAt);
        if (documentHash == bytes32(0)) revert MissingLiftDocument(annotationId);
        bool seizure = e.kind == AnnotationKind.Seizure;
        e.liftedAt = uint40(block.timestamp);
        _liftedBy[annotationId] = msg.sender;
        uint64 assetId = uint64(annotationId / _ID_BASE);
        if (seizure && !_seized(assetId)) _assets.setFrozen(assetId, false);
        emit AnnotationLifted(annotationId, assetId, msg.sender, documentHash);
    }

    /// @inheritdoc IAnnotations
    function getAnnotation(uint256 annotationId) external view returns (Annotation memory) {
        Entry storage e = _entries[annotationId];
        if (e.recordedAt == 0) return Annotation(0, AnnotationKind.AgreedLimit, address(0), 0, address(0), 0);
        return Annotation(
            uint64(annotationId / _ID_BASE), e.kind, e.recordedBy, e.recordedAt, _liftedBy[annotationId], e.liftedAt
        );
    }

    /// @inheritdoc IAnnotations
    function annotationsOf(uint64 assetId) external view returns (uint256[] memory ids) {
        uint256 first = uint256(assetId) * _ID_BASE + 1;
        uint256 count = _entries[first].count;
        ids = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            ids[i] = first + i;
        }
    }

    /// @inheritdoc IAnnotations
    function seizuresOf(uint64 assetId) external view returns (uint256) {
        return _seizures(assetId);
    }

    /// @inheritdoc IAnnotations
    function assetRegistry() external view returns (address) {
        return address(_assets);
    }

    /// @dev Whether a seizure of the asset is in force: the first found answers.
    function _seized(uint64 assetId) private view returns (bool) {
        uint256 first = uint256(assetId) * _ID_BASE + 1;
        uint256 count = _entries[first].count;
        for (uint256 i = 0; i < count; ++i) {
            Entry storage e = _entries[first + i];
            if (e.kind == AnnotationKind.Seizure && e.liftedAt == 0) return true;
        }
        return false;
    }

    function _seizures(uint64 assetId) private view returns (uint256 inForce) {
        uint256 first = uint256(assetId) * _ID_BASE + 1;
        uint256 count = _entries[first].count;
        for (uint256 i = 0; i < count; ++i) {
            Entry storage e = _entries[first + i];
            if (e.kind == AnnotationKind.Seizure && e.liftedAt == 0) ++inForce;
        }
    }

    /// @dev Exists and is not closed (rejected, cancelled, revoked, terminated, withdrawn): the
    /// registrations annotations go on, as the AssetRegistry's own check for a seizure.
    function _requireOpen(uint64 assetId) private view {
        Standing memory s = _assets.standingOf(assetId);
        if (s.status == Status.None) revert UnknownAsset(assetId);
        Status status = s.status;
        if (
            status == Status.Rejected || status == Status.Cancelled || status == Status.Revoked
                || status == Status.Terminated || status == Status.Withdrawn
        ) revert InvalidTransition(assetId, status);
    }
}
