// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {IAssetRegistry, Standing, Status} from "./interfaces/IAssetRegistry.sol";
import {CertificateKind, ICertificates} from "./interfaces/ICertificates.sol";
import {Consent, IHolderConsent} from "./interfaces/IConsent.sol";
import {Exclusivity, Grant, GrantRequest, IRightsRegistry, RightKind} from "./interfaces/IRightsRegistry.sol";
import {HolderConsent} from "./access/HolderConsent.sol";
import {RoleGated} from "./access/RoleGated.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title RightsRegistry
/// @notice Licences of the processing and operating rights. A grant's term starts no earlier
/// than its registration (an earlier start is recorded as the registration time), so a grant
/// that has ended can never conflict with a new one, and exclusivity is checked in O(1):
/// - an exclusive grant may not overlap the current-or-future exclusive grant, nor the span
///   from the earliest start to the latest expiry of the non-exclusive grants still counted;
/// - a non-exclusive grant may not overlap the current-or-future exclusive grant.
/// The span is conservative: a gap inside it, or a revoked grant that set its bounds while
/// others are still counted, may refuse an exclusive grant that would not overlap any. It never
/// lets two grants overlap when one is exclusive. For the same reason a second exclusive grant
/// waits until the current one has ended.
contract RightsRegistry is IRightsRegistry, RoleGated, HolderConsent, Multicall {
    bytes32 private constant _GRANT_TYPEHASH = keccak256(
        "Grant(address grantor,uint64 assetId,uint8 kind,address grantee,bytes32 scenario,uint40 start,uint40 expiry,"
        "bool exclusive,bool revocable,bytes32 termsHash,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant _REVOKE_TYPEHASH =
        keccak256("RevokeGrant(bytes32 grantId,address revoker,bytes32 reasonHash,uint256 nonce,uint256 deadline)");

    IAssetRegistry private immutable _assets;
    ICertificates private immutable _certificates;

    mapping(bytes32 grantId => Grant) private _grants;
    mapping(bytes32 grantId => bytes32) private _terms;
    mapping(uint64 assetId => mapping(RightKind => Exclusivity)) private _exclusivity;

    constructor(IAccessControl roles_, IAssetRegistry assets_, ICertificates certificates_)
        RoleGated(roles_)
        HolderConsent("DataRightsRegistry", "1")
    {
        if (address(assets_) == address(0) || address(certificates_) == address(0)) revert ZeroAddress();
        _assets = assets_;
        _certificates = certificates_;
    }

    /// @inheritdoc IRightsRegistry
    function grant(GrantRequest calldata request, Consent calldata consent) external returns (bytes32 grantId) {
        RightKind kind = request.kind;
        if (kind == RightKind.Holding) revert NotGrantable(kind);
        if (request.scenario == bytes32(0)) revert InvalidScenario();
        uint40 start = request.start < block.timestamp ? uint40(block.timestamp) : request.start;
        if (request.expiry <= start) revert InvalidTerm(request.start, request.expiry);
        _requireIssued(request.assetId);
        address grantor = request.grantor;
        _requireOperator(request.assetId, grantor);
        if (request.grantee == address(0) || request.grantee == grantor) revert InvalidGrantee(request.grantee);
        if (!_isDirect(grantor, consent)) {
            // GrantRequest has only static fields, so its ABI encoding is the EIP-712 field list.
            _verifySignature(grantor, consent, abi.encode(_GRANT_TYPEHASH, request));
        }
        grantId = _grantId(request.assetId, kind, request.grantee, request.scenario);
        Grant storage g = _grants[grantId];
        // Read once: `_reserve` writes storage in between, so the compiler would read it again.
        uint32 revision = g.revision;
        if (revision != 0 && !g.revoked && g.expiry > block.timestamp) revert GrantStillActive(grantId);
        _reserve(request.assetId, kind, start, request.expiry, request.exclusive);
        revision += 1;
        _grants[grantId] = Grant({
            assetId: request.assetId,
            start: start,
            expiry: request.expiry,
            kind: kind,
            exclusive: request.exclusive,
            revocable: request.revocable,
            revoked: false,
            revision: revision,
            certificateId: 0
        });
        _terms[grantId] = request.termsHash;
        _emitGranted(grantId, request, start, revision);
    }

    /// @inheritdoc IRightsRegistry
    function revokeGrant(bytes32 grantId, address revoker, bytes32 reasonHash, Consent calldata consent) external {
        Grant storage g = _requireLive(grantId);
        if (!g.revocable) revert GrantNotRevocable(grantId);
        _requireOperator(g.assetId, revoker);
        if (!_isDirect(revoker, consent)) {
            _verifySignature(revoker, consent, abi.encode(_REVOKE_TYPEHASH, grantId, revoker, reasonHash));
        }
        _revoke(g, grantId, reasonHash);
    }

    /// @inheritdoc IRightsRegistry
    function annulGrant(bytes32 grantId, bytes32 reasonHash) external onlyRole(Roles.REGISTRAR) {
        _revoke(_requireLive(grantId), grantId, reasonHash);
    }

    /// @inheritdoc IRightsRegistry
    function registerLicence(uint64 assetId, RightKind kind, address grantee, bytes32 scenario)
        external
        onlyRole(Roles.REGISTRAR)
        returns (uint256 certificateId)
    {
        bytes32 grantId = _grantId(assetId, kind, grantee, scenario);
        Grant storage g = _requireLive(grantId);
        if (g.certificateId != 0) revert LicenceAlreadyRegistered(grantId, g.certificateId);
        _requireIssued(assetId);
        certificateId = _certificates.mint(grantee, assetId, CertificateKind.Licence, g.expiry, grantId, g.revision);
        g.certificateId = uint64(certificateId);
        emit LicenceRegistered(grantId, assetId, certificateId);
    }

    /// @inheritdoc IHolderConsent
    function typeHash(string calldata primaryType) external pure returns (bytes32) {
        bytes32 name = keccak256(bytes(primaryType));
        if (name == keccak256("Grant")) return _GRANT_TYPEHASH;
        if (name == keccak256("RevokeGrant")) return _REVOKE_TYPEHASH;
        revert UnknownType(primaryType);
    }

    /// @inheritdoc IRightsRegistry
    function hasRight(uint64 assetId, RightKind kind, address account, bytes32 scenario, uint40 time)
        external
        view
        returns (bool)
    {
        if (_assets.hasRight(assetId, kind, account, time)) return true;
        if (kind == RightKind.Holding) return false;
        Standing memory asset = _assets.standingOf(assetId);
        if (asset.status != Status.Issued || time >= asset.expiresAt) return false;
        return _isActive(_grants[_grantId(assetId, kind, account, scenario)], time);
    }

    /// @inheritdoc IRightsRegistry
    function grantIdOf(uint64 assetId, RightKind kind, address grantee, bytes32 scenario)
        external
        pure
        returns (bytes32)
    {
        return _grantId(assetId, kind, grantee, scenario);
    }

    /// @inheritdoc IRightsRegistry
    function getGrant(bytes32 grantId) external view returns (Grant memory) {
        return _grants[grantId];
    }

    /// @inheritdoc IRightsRegistry
    function termsOf(bytes32 grantId) external view returns (bytes32) {
        return _terms[grantId];
    }

    /// @inheritdoc IRightsRegistry
    function isGrantActive(bytes32 grantId, uint40 time) external view returns (bool) {
        return _isActive(_grants[grantId], time);
    }

    /// @inheritdoc IRightsRegistry
    function exclusivityOf(uint64 assetId, RightKind kind) external view returns (Exclusivity memory) {
        return _exclusivity[assetId][kind];
    }

    function _emitGranted(bytes32 grantId, GrantRequest calldata r, uint40 start, uint32 revision) private {
        emit RightGranted(
            grantId, r.assetId, r.grantee, r.grantor, r.kind, r.scenario, start, r.expiry, r.exclusive, r.revocable, r.termsHash, revision
        );
    }

    /// @dev Checks the new term against the exclusivity record and records it there.
    function _reserve(uint64 assetId, RightKind kind, uint40 start, uint40 expiry, bool exclusive) private {
        Exclusivity storage x = _exclusivity[assetId][kind];
        if (x.exclusiveUntil > start && x.exclusiveFrom < expiry) {
            revert ExclusiveConflict(assetId, kind, x.exclusiveFrom, x.exclusiveUntil);
        }
        bool sharedCounted = x.sharedLive != 0 && x.sharedUntil > block.timestamp;
        if (exclusive) {
            if (x.exclusiveUntil > block.timestamp) {
                revert ExclusiveConflict(assetId, kind, x.exclusiveFrom, x.exclusiveUntil);
            }
            if (sharedCounted && x.sharedUntil > start && x.sharedFrom < expiry) {
                revert ExclusiveConflict(assetId, kind, x.sharedFrom, x.sharedUntil);
            }
            (x.exclusiveFrom, x.exclusiveUntil) = (start, expiry);
        } else if (sharedCounted) {
            if (start < x.sharedFrom) x.sharedFrom = start;
            if (expiry > x.sharedUntil) x.sharedUntil = expiry;
            x.sharedLive += 1;
        } else {
            (x.sharedFrom, x.sharedUntil, x.sharedLive) = (start, expiry, 1);
        }
    }

    function _revoke(Grant storage g, bytes32 grantId, bytes32 reasonHash) private {
        g.revoked = true;
        Exclusivity storage x = _exclusivity[g.assetId][g.kind];
        if (g.exclusive) {
            (x.exclusiveFrom, x.exclusiveUntil) = (0, 0);
        } else if (x.sharedLive > 1) {
            x.sharedLive -= 1;
        } else {
            (x.sharedFrom, x.sharedUntil, x.sharedLive) = (0, 0, 0);
        }
        uint256 certificateId = g.certificateId;
        if (certificateId != 0) _certificates.revoke(certificateId);
        emit RightRevoked(grantId, g.assetId, msg.sender, reasonHash);
    }

    function _requireIssued(uint64 assetId) private view returns (Standing memory asset) {
        asset = _assets.standingOf(assetId);
        if (asset.status != Status.Issued || block.timestamp >= asset.expiresAt) revert AssetNotIssued(assetId);
        if (asset.frozen) revert AssetFrozen(assetId);
    }

    /// @dev A licence is an exercise of the operating right (art. 3): its grantor, or revoker,
    /// must hold that right in the asset's configuration now.
    function _requireOperator(uint64 assetId, address account) private view {
        if (!_assets.hasRight(assetId, RightKind.Operating, account, uint40(block.timestamp))) {
            revert NotOperator(assetId, account);
        }
    }

    /// @dev Not revoked and not yet expired (it may start later).
    function _requireLive(bytes32 grantId) private view returns (Grant storage g) {
        g = _grants[grantId];
        if (g.revision == 0) revert UnknownGrant(grantId);
        if (g.revoked || g.expiry <= block.timestamp) revert GrantNotActive(grantId);
    }

    function _isActive(Grant storage g, uint40 time) private view returns (bool) {
        return g.revision != 0 && !g.revoked && g.start <= time && time < g.expiry;
    }

    function _grantId(uint64 assetId, RightKind kind, address grantee, bytes32 scenario)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(assetId, kind, grantee, scenario));
    }
}
