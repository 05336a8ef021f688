// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Consent} from "./IConsent.sol";

/// @notice The three separated rights (三权分置). Holding is the asset's current holder; the
/// other two are granted by licence.
enum RightKind {
    Holding,
    Processing,
    Operating
}

/// @notice A licence (许可) of a processing or operating right, for one scenario (一场景一授权).
struct GrantRequest {
    uint64 assetId;
    RightKind kind;
    address grantee;
    bytes32 scenario;
    uint40 start;
    uint40 expiry;
    bool exclusive;
    bool revocable;
    bytes32 termsHash;
}

/// @notice A grant as stored. Its id is `keccak256(abi.encode(assetId, kind, grantee, scenario))`,
/// so `hasRight` finds it without a search; a new grant under the same id after the previous one
/// ended bumps `revision`.
struct Grant {
    uint64 assetId;
    uint40 start;
    uint40 expiry;
    RightKind kind;
    bool exclusive;
    bool revocable;
    bool revoked;
    uint32 revision;
    uint64 certificateId;
}

/// @notice What the registry keeps per asset and right kind to enforce exclusivity in O(1):
/// the span covering the non-exclusive grants still counted, and the one current-or-future
/// exclusive grant's term.
struct Exclusivity {
    uint40 sharedFrom;
    uint40 sharedUntil;
    uint16 sharedLive;
    uint40 exclusiveFrom;
    uint40 exclusiveUntil;
}

/// @title IRightsRegistry
/// @notice Processing (数据加工使用权) and operating (数据产品经营权) rights granted by the holder,
/// in the style of ERC-7432 role records, and licence registration (许可登记).
interface IRightsRegistry {
    event RightGranted(
        bytes32 indexed grantId,
        uint64 indexed assetId,
        address indexed grantee,
        RightKind kind,
        bytes32 scenario,
        uint40 start,
        uint40 expiry,
        bool exclusive,
        bool revocable,
        bytes32 termsHash,
        uint32 revision
    );
    event RightRevoked(bytes32 indexed grantId, uint64 indexed assetId, address indexed by, bytes32 reasonHash);
    event LicenceRegistered(bytes32 indexed grantId, uint64 indexed assetId, uint256 indexed certificateId);

    error NotGrantable(RightKind kind);
    error InvalidTerm(uint40 start, uint40 expiry);
    error InvalidGrantee(address grantee);
    error InvalidScenario();
    error AssetNotIssued(uint64 assetId);
    error AssetFrozen(uint64 assetId);
    error GrantStillActive(bytes32 grantId);
    error UnknownGrant(bytes32 grantId);
    error GrantNotActive(bytes32 grantId);
    error GrantNotRevocable(bytes32 grantId);
    error ExclusiveConflict(uint64 assetId, RightKind kind, uint40 from, uint40 until);
    error LicenceAlreadyRegistered(bytes32 grantId, uint256 certificateId);

    /// @notice Grants a right with the holder's consent. Returns the grant id.
    function grant(GrantRequest calldata request, Consent calldata consent) external returns (bytes32 grantId);
    /// @notice The holder revokes a revocable grant.
    function revokeGrant(bytes32 grantId, bytes32 reasonHash, Consent calldata consent) external;
    /// @notice The registrar annuls any grant (fraud, court order), revocable or not.
    function annulGrant(bytes32 grantId, bytes32 reasonHash) external;
    /// @notice The registrar registers a grant and issues its licence certificate (许可凭证) to the grantee.
    function registerLicence(uint64 assetId, RightKind kind, address grantee, bytes32 scenario)
        external
        returns (uint256 certificateId);

    /// @notice Whether `account` has right `kind` on the asset for `scenario` at `time`.
    /// Holding is answered for the present holder; grants count from start (inclusive) to
    /// expiry (exclusive); nothing counts on an asset that is not issued or has expired.
    function hasRight(uint64 assetId, RightKind kind, address account, bytes32 scenario, uint40 time)
        external
        view
        returns (bool);
    function grantIdOf(uint64 assetId, RightKind kind, address grantee, bytes32 scenario)
        external
        pure
        returns (bytes32);
    function getGrant(bytes32 grantId) external view returns (Grant memory);
    function termsOf(bytes32 grantId) external view returns (bytes32);
    /// @notice Whether the grant counts at `time` (not revoked, within its term).
    function isGrantActive(bytes32 grantId, uint40 time) external view returns (bool);
    function exclusivityOf(uint64 assetId, RightKind kind) external view returns (Exclusivity memory);
}
