// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Consent} from "./IConsent.sol";

/// @notice The three rights (指引 art. 3): holding (持有权), use (使用权: processing, aggregating,
/// analysing, deriving) and operating (经营权). Each is registered for its right-holders in the
/// asset's rights configuration; a licence of use or operating for one scenario is an exercise
/// of the operating right, granted here.
enum RightKind {
    Holding,
    Processing,
    Operating
}

/// @notice A licence (许可) of a processing or operating right, for one scenario (一场景一授权),
/// granted by a holder of the operating right (`grantor`), who consents.
struct GrantRequest {
    address grantor;
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
/// @notice Use (数据使用权, `Processing` here) and operating (数据经营权) rights granted by the holder,
/// in the style of ERC-7432 role records, and licence registration (许可登记).
/// @dev Acts that need the holder's consent take a {Consent}, refused as in {IAssetRegistry}.
/// Role checks revert with OpenZeppelin's `AccessControlUnauthorizedAccount`.
interface IRightsRegistry {
    /// @notice The holder granted a right (a new grant, or a new revision of an ended one).
    /// @param grantId `keccak256(abi.encode(assetId, kind, grantee, scenario))`.
    /// @param assetId The asset.
    /// @param grantee Who holds the right.
    /// @param grantor The holder of the operating right who granted it.
    /// @param kind Processing or operating.
    /// @param scenario The use scenario it is granted for (一场景一授权).
    /// @param start When it starts counting (Unix seconds; never before its registration).
    /// @param expiry When it stops counting (Unix seconds, exclusive).
    /// @param exclusive Whether no other grant of this kind may overlap it.
    /// @param revocable Whether the holder may revoke it.
    /// @param termsHash Hash of the licence terms.
    /// @param revision The grant id's revision (1 for the first).
    event RightGranted(
        bytes32 indexed grantId,
        uint64 indexed assetId,
        address indexed grantee,
        address grantor,
        RightKind kind,
        bytes32 scenario,
        uint40 start,
        uint40 expiry,
        bool exclusive,
        bool revocable,
        bytes32 termsHash,
        uint32 revision
    );

    /// @notice The grant no longer counts: revoked by the holder or annulled by a registrar.
    /// @param grantId The grant.
    /// @param assetId Its asset.
    /// @param by Who sent the revocation (the holder, its relayer, or the registrar).
    /// @param reasonHash Hash of the reasons.
    event RightRevoked(bytes32 indexed grantId, uint64 indexed assetId, address indexed by, bytes32 reasonHash);

    /// @notice The grant was registered and its licence certificate issued to the grantee.
    /// @param grantId The grant.
    /// @param assetId Its asset.
    /// @param certificateId The licence certificate (许可凭证).
    event LicenceRegistered(bytes32 indexed grantId, uint64 indexed assetId, uint256 indexed certificateId);

    /// @notice Holding is not granted: it passes by transfer registration.
    /// @param kind The kind asked for.
    error NotGrantable(RightKind kind);

    /// @notice The term ends at or before its start (or before now, for a start in the past).
    /// @param start The start asked for.
    /// @param expiry The expiry asked for.
    error InvalidTerm(uint40 start, uint40 expiry);

    /// @notice The grantor or revoker does not hold the asset's operating right now.
    /// @param assetId The asset.
    /// @param account The account named.
    error NotOperator(uint64 assetId, address account);

    /// @notice The grantee is the zero address or the grantor itself.
    /// @param grantee The address given.
    error InvalidGrantee(address grantee);

    /// @notice A grant needs a scenario (its hash must not be zero).
    error InvalidScenario();

    /// @notice The asset is not an issued registration within its validity.
    /// @param assetId The asset.
    error AssetNotIssued(uint64 assetId);

    /// @notice The asset is judicially frozen: no grant or licence registration on it.
    /// @param assetId The asset.
    error AssetFrozen(uint64 assetId);

    /// @notice A grant under this id still counts (or will): it must end or be revoked first.
    /// @param grantId The grant.
    error GrantStillActive(bytes32 grantId);

    /// @notice No grant has this id.
    /// @param grantId The id asked for.
    error UnknownGrant(bytes32 grantId);

    /// @notice The grant was revoked or has expired.
    /// @param grantId The grant.
    error GrantNotActive(bytes32 grantId);

    /// @notice The grant was made irrevocable: only a registrar may annul it.
    /// @param grantId The grant.
    error GrantNotRevocable(bytes32 grantId);

    /// @notice The term overlaps an exclusive grant, or (for an exclusive grant) the span of the
    /// non-exclusive ones or a current-or-future exclusive one.
    /// @param assetId The asset.
    /// @param kind The right kind.
    /// @param from Start of the conflicting span (Unix seconds).
    /// @param until End of the conflicting span (Unix seconds).
    error ExclusiveConflict(uint64 assetId, RightKind kind, uint40 from, uint40 until);

    /// @notice The grant's licence was registered already.
    /// @param grantId The grant.
    /// @param certificateId Its licence certificate.
    error LicenceAlreadyRegistered(bytes32 grantId, uint256 certificateId);

    /// @notice Grants a right, in exercise of the grantor's operating right and with its
    /// consent; anyone may send it. Returns the grant id.
    /// @dev Requirements:
    /// - `request.kind` is processing or operating ({NotGrantable});
    /// - `request.scenario` is not zero ({InvalidScenario});
    /// - the term ends after its start, taken as now if earlier ({InvalidTerm});
    /// - the asset is issued, within its validity ({AssetNotIssued}) and not frozen ({AssetFrozen});
    /// - `request.grantor` holds the operating right now ({NotOperator});
    /// - the grantee is neither zero nor the grantor ({InvalidGrantee});
    /// - `consent` is the grantor's, signed as `Grant`;
    /// - no grant under the same id still counts ({GrantStillActive});
    /// - exclusivity holds ({ExclusiveConflict}).
    ///
    /// Emits a {RightGranted} event.
    function grant(GrantRequest calldata request, Consent calldata consent) external returns (bytes32 grantId);

    /// @notice A holder of the operating right revokes a revocable grant; anyone may send it
    /// with that right-holder's consent.
    /// @dev Requirements:
    /// - the grant exists ({UnknownGrant}), still counts or will ({GrantNotActive}) and is
    ///   revocable ({GrantNotRevocable});
    /// - `revoker` holds the asset's operating right now ({NotOperator});
    /// - `consent` is the revoker's, signed as `RevokeGrant`.
    ///
    /// Emits a {RightRevoked} event (and {ICertificates-CertificateRevoked} for a registered licence).
    function revokeGrant(bytes32 grantId, address revoker, bytes32 reasonHash, Consent calldata consent) external;

    /// @notice The registrar annuls any grant (fraud, court order), revocable or not.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the grant exists ({UnknownGrant}) and still counts or will ({GrantNotActive}).
    ///
    /// Emits a {RightRevoked} event (and {ICertificates-CertificateRevoked} for a registered licence).
    function annulGrant(bytes32 grantId, bytes32 reasonHash) external;

    /// @notice The registrar registers a grant and issues its licence certificate (许可凭证) to the grantee.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the grant exists ({UnknownGrant}) and still counts or will ({GrantNotActive});
    /// - its licence is not registered yet ({LicenceAlreadyRegistered});
    /// - the asset is issued, within its validity and not frozen ({AssetNotIssued}, {AssetFrozen}).
    ///
    /// Emits a {LicenceRegistered} event (and the certificate's {ICertificates-CertificateIssued}).
    function registerLicence(uint64 assetId, RightKind kind, address grantee, bytes32 scenario)
        external
        returns (uint256 certificateId);

    /// @notice Whether `account` has right `kind` on the asset for `scenario` at `time`: as a
    /// right-holder of the asset's rights configuration ({IAssetRegistry-hasRight}, any scenario),
    /// or by a grant for the scenario, counted from start (inclusive) to expiry (exclusive);
    /// nothing counts on an asset that is not issued or has expired. Never reverts.
    function hasRight(uint64 assetId, RightKind kind, address account, bytes32 scenario, uint40 time)
        external
        view
        returns (bool);

    /// @notice The id a grant of these four has: `keccak256(abi.encode(assetId, kind, grantee, scenario))`.
    function grantIdOf(uint64 assetId, RightKind kind, address grantee, bytes32 scenario)
        external
        pure
        returns (bytes32);

    /// @notice The grant as stored (its latest revision); all zero for an unknown id. Never reverts.
    function getGrant(bytes32 grantId) external view returns (Grant memory);

    /// @notice The hash of the grant's licence terms; zero for an unknown id. Never reverts.
    function termsOf(bytes32 grantId) external view returns (bytes32);

    /// @notice Whether the grant counts at `time` (not revoked, within its term). Never reverts.
    function isGrantActive(bytes32 grantId, uint40 time) external view returns (bool);

    /// @notice The exclusivity record of the asset's right kind (see {Exclusivity}). Never reverts.
    function exclusivityOf(uint64 assetId, RightKind kind) external view returns (Exclusivity memory);
}
