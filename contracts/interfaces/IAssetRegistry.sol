// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Consent} from "./IConsent.sol";

/// @notice Data resource (数据资源) or data product (数据产品) built from licensed resources.
enum AssetKind {
    Resource,
    Product
}

/// @notice GB/T 43697-2024 classification. Core data (核心数据) is never registered.
enum Classification {
    General,
    Important,
    Core
}

/// @notice Registration status. `Expired` is never stored: views report it for an issued asset
/// whose validity has run out.
enum Status {
    None,
    Applied,
    UnderReview,
    Rejected,
    InNotice,
    Issued,
    Cancelled,
    Revoked,
    Expired
}

enum ObjectionStatus {
    None,
    Open,
    Upheld,
    Dismissed
}

/// @notice A registered asset. The first slot holds everything the lifecycle rules read.
struct Asset {
    address holder;
    Status status;
    AssetKind kind;
    Classification classification;
    uint24 region;
    uint16 version;
    uint16 openObjections;
    bool frozen;
    uint8 cidCodec;
    bytes32 manifestHash;
    bytes32 manifestCid;
    uint40 appliedAt;
    uint40 noticeEndsAt;
    uint40 issuedAt;
    uint40 expiresAt;
    uint64 certificateId;
}

/// @notice A source of a data product: the parent asset and the processing licence it was made
/// under (zero when the applicant holds the parent itself).
struct Parent {
    uint64 assetId;
    bytes32 grantId;
}

/// @notice A source named in an application: the parent asset and the scenario of the applicant's
/// processing licence on it (zero when the applicant holds the parent itself).
struct ParentRef {
    uint64 assetId;
    bytes32 scenario;
}

/// @notice An initial registration application (首次登记申请).
/// @param manifestHash SHA-256 of the manifest's canonical JSON (RFC 8785).
/// @param manifestCid The sha2-256 digest inside the manifest's CIDv1.
/// @param cidCodec The CID's multicodec: 0x55 (raw) or 0x70 (dag-pb).
struct Application {
    address holder;
    uint24 region;
    Classification classification;
    AssetKind kind;
    bytes32 manifestHash;
    bytes32 manifestCid;
    uint8 cidCodec;
    ParentRef[] parents;
}

/// @notice What other contracts need to know of an asset, read in two storage slots.
struct Standing {
    address holder;
    Status status;
    bool frozen;
    uint24 region;
    uint40 expiresAt;
}

struct Objection {
    uint64 assetId;
    address objector;
    ObjectionStatus status;
    bytes32 evidenceHash;
}

/// @title IAssetRegistry
/// @notice Data assets, their holders, manifests, lineage and the registration lifecycle:
/// application, review, public notice (公示), objection (异议), issue, change (变更), transfer (转移),
/// renewal (续展), pledge (质押), judicial freeze (司法冻结), cancellation (注销), revocation (撤销).
interface IAssetRegistry {
    event Applied(
        uint64 indexed assetId,
        address indexed holder,
        uint24 indexed region,
        AssetKind kind,
        Classification classification,
        bytes32 manifestHash,
        bytes32 manifestCid,
        uint8 cidCodec
    );
    event ParentLinked(uint64 indexed assetId, uint64 indexed parentId, bytes32 indexed grantId);
    event ReviewStarted(uint64 indexed assetId, address indexed reviewer);
    event ApplicationRejected(uint64 indexed assetId, address indexed by, bytes32 reasonHash);
    event NoticeStarted(uint64 indexed assetId, uint40 noticeEndsAt);
    event ObjectionFiled(
        uint64 indexed objectionId, uint64 indexed assetId, address indexed objector, bytes32 evidenceHash
    );
    event ObjectionDecided(uint64 indexed objectionId, uint64 indexed assetId, bool upheld, bytes32 reasonHash);
    event RegistrationIssued(uint64 indexed assetId, uint256 indexed certificateId, uint40 expiresAt);
    event ManifestChanged(
        uint64 indexed assetId,
        uint16 version,
        bytes32 manifestHash,
        bytes32 manifestCid,
        uint8 cidCodec,
        uint256 indexed certificateId
    );
    event HolderTransferred(
        uint64 indexed assetId,
        address indexed from,
        address indexed to,
        bytes32 agreementHash,
        uint256 certificateId
    );
    event RegistrationRenewed(uint64 indexed assetId, uint40 expiresAt);
    event AssetPledged(uint64 indexed assetId, address indexed pledgee, bytes32 agreementHash);
    event PledgeReleased(uint64 indexed assetId, address indexed pledgee);
    event AssetFrozen(uint64 indexed assetId, bytes32 orderHash);
    event AssetUnfrozen(uint64 indexed assetId, bytes32 orderHash);
    event RegistrationCancelled(uint64 indexed assetId, address indexed holder);
    event RegistrationRevoked(uint64 indexed assetId, bytes32 reasonHash);
    event NoticePeriodSet(uint32 period);
    event ValidityPeriodSet(uint32 period);
    event ModulesSet(address certificates, address rights);

    error UnknownAsset(uint64 assetId);
    /// @dev The act is not allowed in the asset's current status.
    error InvalidTransition(uint64 assetId, Status status);
    error CoreDataRefused();
    /// @dev Not a six-digit GB/T 2260 administrative-division code.
    error InvalidRegion(uint24 region);
    error InvalidManifest();
    error EmptyEvidence();
    error InvalidCidCodec(uint8 codec);
    error NoticeNotEnded(uint64 assetId, uint40 noticeEndsAt);
    error NoticeClosed(uint64 assetId, uint40 noticeEndsAt);
    error ObjectionsOpen(uint64 assetId, uint16 count);
    error Frozen(uint64 assetId);
    error NotFrozen(uint64 assetId);
    error Pledged(uint64 assetId, address pledgee);
    error NotPledged(uint64 assetId);
    error NotPledgeeOrRegistrar(uint64 assetId, address caller);
    error RegistrationExpired(uint64 assetId, uint40 expiresAt);
    error UnknownObjection(uint64 objectionId);
    error ObjectionNotOpen(uint64 objectionId);
    error ProductNeedsParents();
    error ResourceHasParents();
    error TooManyParents(uint256 count);
    error ParentNotIssued(uint64 parentId);
    error ParentNotLicensed(uint64 parentId, bytes32 grantId);
    error InvalidHolder(address holder);
    error InvalidPeriod(uint32 period);
    error ModulesAlreadySet();
    error ModulesNotSet();

    /// @notice Files an initial application; consent is the holder's. Returns the new asset id.
    function submitApplication(Application calldata application, Consent calldata consent)
        external
        returns (uint64 assetId);
    /// @notice A reviewer takes an application into formal and substantive review.
    function beginReview(uint64 assetId) external;
    /// @notice A reviewer rejects an application under review, with the hash of the reasons.
    function reject(uint64 assetId, bytes32 reasonHash) external;
    /// @notice A reviewer approves an application: its public notice period starts now.
    function approve(uint64 assetId) external;
    /// @notice Anyone objects to an asset during its notice period, with the hash of the evidence.
    function fileObjection(uint64 assetId, bytes32 evidenceHash) external returns (uint64 objectionId);
    /// @notice The registrar upholds an objection (the application is rejected) or dismisses it.
    function decideObjection(uint64 objectionId, bool upheld, bytes32 reasonHash) external;
    /// @notice The registrar issues the registration after a notice with no open objection.
    function issue(uint64 assetId) external returns (uint256 certificateId);
    /// @notice Change registration: a new manifest version, with the holder's consent.
    function change(uint64 assetId, bytes32 manifestHash, bytes32 manifestCid, uint8 cidCodec, Consent calldata consent)
        external
        returns (uint256 certificateId);
    /// @notice Transfer registration: a new holder, with the current holder's consent.
    function transfer(uint64 assetId, address newHolder, bytes32 agreementHash, Consent calldata consent)
        external
        returns (uint256 certificateId);
    /// @notice Renewal: a further validity period, with the holder's consent.
    function renew(uint64 assetId, Consent calldata consent) external;
    /// @notice Pledge registration, with the holder's consent.
    function pledge(uint64 assetId, address pledgee, bytes32 agreementHash, Consent calldata consent) external;
    /// @notice Releases a pledge; by the pledgee or the registrar.
    function releasePledge(uint64 assetId) external;
    /// @notice Judicial freeze on a court order.
    function freeze(uint64 assetId, bytes32 orderHash) external;
    /// @notice Lifts a judicial freeze on a court order.
    function unfreeze(uint64 assetId, bytes32 orderHash) external;
    /// @notice Cancellation by the holder (注销), or withdrawal of a pending application.
    function cancel(uint64 assetId, Consent calldata consent) external;
    /// @notice Revocation by the registrar (撤销), e.g. for fraud or on a court order.
    function revoke(uint64 assetId, bytes32 reasonHash) external;

    /// @notice The admin sets the public notice period in seconds (1 day to 90 days).
    function setNoticePeriod(uint32 period) external;
    /// @notice The admin sets a registration's validity period in seconds (30 days to 10 years).
    function setValidityPeriod(uint32 period) external;

    /// @notice The asset as stored (status never `Expired`).
    function getAsset(uint64 assetId) external view returns (Asset memory);
    /// @notice Holder, stored status, freeze, region and expiry; all zero for an unknown asset.
    function standingOf(uint64 assetId) external view returns (Standing memory);
    /// @notice The asset's status now, `Expired` included.
    function statusOf(uint64 assetId) external view returns (Status);
    function holderOf(uint64 assetId) external view returns (address);
    function pledgeeOf(uint64 assetId) external view returns (address);
    function parentsOf(uint64 assetId) external view returns (Parent[] memory);
    /// @notice The manifest hash, CID digest and codec of `version` (1 is the first).
    function manifestAt(uint64 assetId, uint16 version)
        external
        view
        returns (bytes32 manifestHash, bytes32 manifestCid, uint8 cidCodec);
    function getObjection(uint64 objectionId) external view returns (Objection memory);
    function assetCount() external view returns (uint64);
    function noticePeriod() external view returns (uint32);
    function validityPeriod() external view returns (uint32);
}
