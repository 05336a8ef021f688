// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {JointConsent} from "./IConsent.sol";
import {RightKind} from "./IRightsRegistry.sol";

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

/// @notice Registration status, the national procedure's steps (指引 art. 14-29). `UnderReview`
/// is an accepted application (受理) in review. Derived, never stored: `Expired` (an issued
/// registration past its validity), `DeemedAccepted` (an application the center left unanswered
/// past its acceptance time, accepted from the first working day after it, art. 17) and
/// `Withdrawn` (returned for supplements that did not come by the deadline: treated as never
/// applied, art. 17). New values are appended so that stored and indexed numbers keep meaning.
enum Status {
    None,
    Applied,
    UnderReview,
    Rejected,
    InNotice,
    Issued,
    Cancelled,
    Revoked,
    Expired,
    Supplementing,
    DeemedAccepted,
    Withdrawn,
    AwaitingProof,
    Terminated
}

/// @notice Where an objection stands: open until the registrar upholds or dismisses it.
enum ObjectionStatus {
    None,
    Open,
    Upheld,
    Dismissed
}

/// @notice A registered asset. The first slot holds everything the lifecycle rules read; the
/// fourth the times and the first right-holder's rights (`holder`'s: a mask of bits
/// `1 << RightKind` and their term, 0 meaning from the deposit or to the registration's expiry)
/// and how many co-holders there are besides it (`coHolderCount`, which every act on the asset
/// checks its consents against), so that an application of one right-holder writes no slot more
/// than one without rights did.
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
    uint8 holderRights;
    uint40 holderStart;
    uint40 holderExpiry;
    uint8 coHolderCount;
    uint64 certificateId;
}

/// @notice One right-holder of an application's rights configuration (权利配置, 指引 annex 1),
/// in the applicants' order; the first is the asset's `holder`, who acts for the registration
/// and receives its certificate. Several right-holders may hold the same right at once (art. 21).
/// @param account The account that consents and acts for the right-holder.
/// @param rights Which of the three rights it holds: bit `1 << RightKind` (holding 1, use 2,
/// operating 4), at least one.
/// @param start When its rights start (Unix seconds); 0: from the deposit.
/// @param expiry When they end (Unix seconds, exclusive); 0: with the registration.
/// @param identityHash Commitment to its name and unified social credit code or ID number (the
/// center keeps the names; see `registry.chain.types.identity_commitment`).
/// @param restrictionsHash Hash of the full restrictions on exercising its rights; zero: none.
/// @param restrictions A short public text of those restrictions (at most 300 bytes), shown in
/// the notice; empty: none (无).
struct RightHolder {
    address account;
    uint8 rights;
    uint40 start;
    uint40 expiry;
    bytes32 identityHash;
    bytes32 restrictionsHash;
    string restrictions;
}

/// @notice A right-holder's rights as stored: one slot per (asset, account), which `hasRight`
/// reads once. Zero `rights`: not a right-holder. `certificateId`: the certificate of its own a
/// transferee received (转让登记, art. 34), superseded when it transfers in turn; zero for a
/// right-holder named on the holder's certificate.
struct RightTerm {
    uint8 rights;
    uint40 start;
    uint40 expiry;
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

/// @notice An initial registration application (首次登记申请), of one applicant or several
/// jointly (共同申请): every right-holder consents.
/// @param holders The rights configuration, 1 to 16 right-holders; the first is the holder.
/// @param manifestHash SHA-256 of the manifest's canonical JSON (RFC 8785).
/// @param manifestCid The sha2-256 digest inside the manifest's CIDv1.
/// @param cidCodec The CID's multicodec: 0x55 (raw) or 0x70 (dag-pb).
struct Application {
    RightHolder[] holders;
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

/// @notice An objection (异议) filed during an asset's public notice, with the hash of its
/// evidence, when it was filed, when its investigation is due (the end of the 10th working day
/// after filing, art. 25) and when it was decided (0 while open).
struct Objection {
    uint64 assetId;
    address objector;
    ObjectionStatus status;
    bytes32 evidenceHash;
    uint40 filedAt;
    uint40 investigationDue;
    uint40 decidedAt;
}

/// @title IAssetRegistry
/// @notice Data assets, their holders, manifests, lineage and the registration lifecycle:
/// the national procedure (指引 art. 14-29: application, acceptance or supplements, review with
/// proof requests, termination or refusal, public notice (公示), objections (异议), deposit and
/// issue, in working days), then change (变更), transfer (转让), renewal (续期), pledge (质押),
/// cancellation (注销), revocation (撤销); a seizure (查封) recorded as an annotation (module
/// Annotations) sets `frozen`.
/// @dev Acts on an asset take a {JointConsent} of every right-holder (the holder's signature
/// first, then each co-holder's, named in ascending order): each sends the act itself or signs
/// the act's EIP-712 type (see `typeHash`) under the holder's nonce. A consent is refused with
/// {ConsentCount} (a right-holder missing), {NotCoHolder}, {NotHolder} (someone else sent it
/// unsigned), {ConsentExpired}, `InvalidAccountNonce` (nonce used or out of order) or
/// {InvalidConsent} (not that right-holder's signature over this act). Role checks revert with OpenZeppelin's
/// `AccessControlUnauthorizedAccount`; acts on an asset that does not exist with {UnknownAsset}.


interface IAssetRegistry {

    /// @notice An initial application was filed; the asset exists from now, in status `Applied`.
    /// @param assetId The new asset's id (consecutive from 1).
    /// @param holder The applicant, holder of the asset once registered.
    /// @param region The registration center's region (GB/T 2260 code).
    /// @param kind Data resource or data product.
    /// @param classification General or important data (GB/T 43697-2024).
    /// @param manifestHash SHA-256 of the manifest's canonical JSON (RFC 8785).
    /// @param manifestCid The sha2-256 digest inside the manifest's CIDv1.
    /// @param cidCodec The CID's multicodec: 0x55 (raw) or 0x70 (dag-pb).
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

    /// @notice A right-holder of the application's rights configuration, in the applicants'
    /// order (the first is the holder). Its rights and term are in storage (`rightsOf`); the
    /// identity commitment and the restrictions are here only.
    /// @param assetId The asset.
    /// @param account The right-holder's account.
    /// @param rights Bit `1 << RightKind` per right held.
    /// @param start When they start (0: from the deposit).
    /// @param expiry When they end (0: with the registration).
    /// @param identityHash Commitment to its name and credit code or ID number.
    /// @param restrictionsHash Hash of the full restrictions (zero: none).
    /// @param restrictions Their short public text.
    event RightHolderRecorded(
        uint64 indexed assetId,
        address indexed account,
        uint8 rights,
        uint40 start,
        uint40 expiry,
        bytes32 identityHash,
        bytes32 restrictionsHash,
        string restrictions
    );

    /// @notice A data product was linked to one of its sources when it was applied for.
    /// @param assetId The product.
    /// @param parentId The source asset.
    /// @param grantId The processing licence the product was made under; zero when the
    /// applicant holds the source itself.
    event ParentLinked(uint64 indexed assetId, uint64 indexed parentId, bytes32 indexed grantId);

    /// @notice The registration was deposited (存证) and issued (`Issued`) with its registration
    /// certificate; registration is complete at the deposit and valid from it (art. 26).
    /// @param assetId The asset.
    /// @param certificateId The registration certificate's token id.
    /// @param expiresAt When the registration expires unless renewed (Unix seconds).
    event RegistrationIssued(uint64 indexed assetId, uint256 indexed certificateId, uint40 expiresAt);

    /// @notice Change registration: the asset has a new manifest version and a new certificate
    /// that supersedes the previous one.
    /// @param assetId The asset.
    /// @param version The new version (the first manifest is version 1).
    /// @param manifestHash The new manifest's SHA-256.
    /// @param manifestCid The new manifest's CID digest.
    /// @param cidCodec The new CID's multicodec.
    /// @param certificateId The new registration certificate.
    event ManifestChanged(
        uint64 indexed assetId,
        uint16 version,
        bytes32 manifestHash,
        bytes32 manifestCid,
        uint8 cidCodec,
        uint256 indexed certificateId
    );

    /// @notice The registration was renewed; its certificate's expiry moved with it.
    /// @param assetId The asset.
    /// @param expiresAt The new expiry (Unix seconds).
    event RegistrationRenewed(uint64 indexed assetId, uint40 expiresAt);

    /// @notice Pledge registration: the asset is pledged and cannot be transferred, pledged
    /// again or cancelled until the pledge is released.
    /// @param assetId The asset.
    /// @param pledgee The creditor.
    /// @param agreementHash Hash of the pledge agreement.
    event AssetPledged(uint64 indexed assetId, address indexed pledgee, bytes32 agreementHash);

    /// @notice The pledge was released.
    /// @param assetId The asset.
    /// @param pledgee The creditor whose pledge ended.
    event PledgeReleased(uint64 indexed assetId, address indexed pledgee);

    /// @notice The asset's first seizure in force was recorded (`frozen`) or its last one in
    /// force lifted: issue, change, transfer, pledge, grants and cancellation are refused while
    /// it is frozen (renewal stays possible). The annotations module's events say which seizure.
    /// @param assetId The asset.
    /// @param frozen Whether a seizure is in force now.
    event FrozenChanged(uint64 indexed assetId, bool frozen);

    /// @notice The holder cancelled the registration, or withdrew the pending application
    /// (`Cancelled`, final).
    /// @param assetId The asset.
    /// @param holder The holder who consented.
    event RegistrationCancelled(uint64 indexed assetId, address indexed holder);

    /// @notice The registrar revoked the registration (`Revoked`, final).
    /// @param assetId The asset.
    /// @param reasonHash Hash of the reasons (fraud, court order).
    event RegistrationRevoked(uint64 indexed assetId, bytes32 reasonHash);

    /// @notice The admin set the validity period; registrations issued or renewed from now use it.
    /// @param period Seconds.
    event ValidityPeriodSet(uint32 period);

    /// @notice The admin wired the certificate and rights contracts (once).
    /// @param certificates The Certificates contract.
    /// @param rights The RightsRegistry contract.
    event ModulesSet(address certificates, address rights);

    /// @notice No asset has this id.
    /// @param assetId The id asked for.
    error UnknownAsset(uint64 assetId);

    /// @notice The act is not allowed in the asset's current status.
    /// @param assetId The asset.
    /// @param status Its stored status.
    error InvalidTransition(uint64 assetId, Status status);

    /// @notice Core data (核心数据) is never registered.
    error CoreDataRefused();

    /// @notice Not a six-digit GB/T 2260 administrative-division code (110000 to 829999).
    /// @param region The code given.
    error InvalidRegion(uint24 region);

    /// @notice The manifest's hash or CID digest is zero.
    error InvalidManifest();

    /// @notice The CID's multicodec is neither raw (0x55) nor dag-pb (0x70).
    /// @param codec The multicodec given.
    error InvalidCidCodec(uint8 codec);

    /// @notice The public notice is still running: the registration cannot be issued yet.
    /// @param assetId The asset.
    /// @param noticeEndsAt When the notice ends (Unix seconds).
    error NoticeNotEnded(uint64 assetId, uint40 noticeEndsAt);

    /// @notice Objections are still open: the registration cannot be issued until each is decided.
    /// @param assetId The asset.
    /// @param count How many are open.
    error ObjectionsOpen(uint64 assetId, uint16 count);

    /// @notice The asset is seized (查封, or under other preservation: a seizure annotation is in
    /// force), which forbids the act until the seizure is lifted.
    /// @param assetId The asset.
    error Frozen(uint64 assetId);

    /// @notice The asset is pledged, which forbids the act until the pledge is released.
    /// @param assetId The asset.
    /// @param pledgee The creditor holding the pledge.
    error Pledged(uint64 assetId, address pledgee);

    /// @notice The asset is not pledged, so there is no pledge to release.
    /// @param assetId The asset.
    error NotPledged(uint64 assetId);

    /// @notice Only the pledgee or a registrar may release a pledge.
    /// @param assetId The asset.
    /// @param caller Who tried.
    error NotPledgeeOrRegistrar(uint64 assetId, address caller);

    /// @notice The registration's validity has run out.
    /// @param assetId The asset.
    /// @param expiresAt When it expired (Unix seconds).
    error RegistrationExpired(uint64 assetId, uint40 expiresAt);

    /// @notice Renewal is taken from 6 months before expiry (art. 36): not yet.
    /// @param assetId The asset.
    /// @param opensAt When the renewal window opens (Beijing midnight, Unix seconds).
    error RenewalNotOpen(uint64 assetId, uint40 opensAt);

    /// @notice Renewal is taken up to the day before expiry (art. 36); not renewed by then, the
    /// registration lapses by itself on expiry.
    /// @param assetId The asset.
    /// @param closedAt When the window closed (the start of the expiry's day in Beijing).
    error RenewalLapsed(uint64 assetId, uint40 closedAt);

    /// @notice An application names no right-holder, or more than 16.
    /// @param count How many it names.
    error RightHolderCount(uint256 count);

    /// @notice A right-holder's rights are none, or bits beyond the three rights.
    /// @param account The right-holder.
    /// @param rights The mask given.
    error InvalidRights(address account, uint8 rights);

    /// @notice A right-holder's term ends at or before its start.
    /// @param account The right-holder.
    /// @param start The start given.
    /// @param expiry The expiry given.
    error InvalidRightTerm(address account, uint40 start, uint40 expiry);

    /// @notice The same account is named twice in a rights configuration.
    /// @param account The account.
    error DuplicateRightHolder(address account);

    /// @notice A right-holder's public restrictions text is longer than 300 bytes.
    /// @param account The right-holder.
    /// @param length Its length in bytes.
    error RestrictionsTooLong(address account, uint256 length);

    /// @notice A joint act needs one signature (or the sender's own consent, empty) per party,
    /// in their order: every right-holder of an application or of the asset acted on (its
    /// co-holders all named), each transferor and transferee of a transfer.
    /// @param holders How many parties must consent.
    /// @param signatures How many signatures (or, for an asset's co-holders, accounts) came.
    error ConsentCount(uint256 holders, uint256 signatures);

    /// @notice A joint consent to an act on an asset names an account that is not one of its
    /// co-holders, or names its co-holders out of ascending order (or one twice).
    /// @param assetId The asset.
    /// @param account The account named.
    error NotCoHolder(uint64 assetId, address account);

    /// @notice A data product must name the sources it was made from.
    error ProductNeedsParents();

    /// @notice A data resource has no sources; only a data product names them.
    error ResourceHasParents();

    /// @notice A product names more than 16 sources.
    /// @param count How many it names.
    error TooManyParents(uint256 count);

    /// @notice A source is not an issued registration within its validity now.
    /// @param parentId The source asset.
    error ParentNotIssued(uint64 parentId);

    /// @notice The applicant neither holds the source nor has an active processing licence on
    /// it for the scenario named.
    /// @param parentId The source asset.
    /// @param grantId The licence looked for; zero when the applicant was to hold the source.
    error ParentNotLicensed(uint64 parentId, bytes32 grantId);

    /// @notice The holder, transferee or pledgee is the zero address or the asset's present
    /// holder, or a transferee is a right-holder of the asset already (its rights and term would
    /// merge with what it receives).
    /// @param holder The address given.
    error InvalidHolder(address holder);

    /// @notice The period is outside its allowed range.
    /// @param period The seconds given.
    error InvalidPeriod(uint32 period);

    /// @notice The modules were wired already; they are set once.
    error ModulesAlreadySet();

    /// @notice The act needs the certificate and rights contracts, which are not wired yet.
    error ModulesNotSet();

    /// @notice Files an initial application (首次登记申请), one applicant's or several applicants'
    /// jointly; anyone may send it with every right-holder's consent. Returns the new asset id.
    /// @dev Requirements:
    /// - the data is not core ({CoreDataRefused});
    /// - 1 to 16 right-holders ({RightHolderCount}), each a distinct ({DuplicateRightHolder}),
    ///   non-zero account ({InvalidHolder}) holding one to three rights ({InvalidRights}) over a
    ///   term that ends after it starts, where both are given ({InvalidRightTerm}), with public
    ///   restrictions of at most 300 bytes ({RestrictionsTooLong});
    /// - `application.region` is a GB/T 2260 code ({InvalidRegion});
    /// - the manifest's hash and CID digest are set ({InvalidManifest}) and its codec is raw or
    ///   dag-pb ({InvalidCidCodec});
    /// - a product names 1 to 16 sources ({ProductNeedsParents}, {TooManyParents}), a resource
    ///   none ({ResourceHasParents});
    /// - `consent` has one signature per right-holder, in their order ({ConsentCount}): each that
    ///   right-holder's over `Application` under the consent's nonce (the holder's, spent once)
    ///   and deadline ({ConsentExpired}, {InvalidConsent}), or empty for the sender ({NotHolder});
    /// - every source is issued and within its validity ({ParentNotIssued}), and the holder has
    ///   the use right in it (scenario zero) or a processing licence under the scenario
    ///   ({ParentNotLicensed}).
    ///
    /// Emits an {Applied} event, a {RightHolderRecorded} event per right-holder in order, and a
    /// {ParentLinked} event per source.
    function submitApplication(Application calldata application, JointConsent calldata consent)
        external
        returns (uint64 assetId);

    /// @notice The registrar deposits (存证) and issues the registration after a notice with no
    /// open objection, and its registration certificate to the holder; it is valid from now for
    /// the validity period (at most 5 years, art. 26). Issuing past the time limit is allowed.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the asset is `InNotice` ({InvalidTransition}), its notice has ended ({NoticeNotEnded}),
    ///   no objection is open ({ObjectionsOpen}) and it is not frozen ({Frozen});
    /// - the modules are wired ({ModulesNotSet}).
    ///
    /// Emits a {RegistrationIssued} event (and the certificate's {ICertificates-CertificateIssued}).
    function issue(uint64 assetId) external returns (uint256 certificateId);

    /// @notice Change registration: a new manifest version, with every right-holder's consent; a
    /// new registration certificate supersedes the old one.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the asset is `Issued` ({InvalidTransition}), within its validity ({RegistrationExpired})
    ///   and not frozen ({Frozen});
    /// - the manifest is valid ({InvalidManifest}, {InvalidCidCodec});
    /// - `consent` is every right-holder's, signed as `Change`.
    ///
    /// Emits a {ManifestChanged} event (and the certificates' issue and supersession).
    function change(
        uint64 assetId,
        bytes32 manifestHash,
        bytes32 manifestCid,
        uint8 cidCodec,
        JointConsent calldata consent
    )
        external
        returns (uint256 certificateId);

    /// @notice Renewal (续期, art. 36): a further validity period from the old expiry, with every
    /// right-holder's consent; taken from 6 calendar months before the expiry's Beijing date to the
    /// day before it.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the asset is `Issued` ({InvalidTransition}), frozen or not;
    /// - the window is open ({RenewalNotOpen}) and not closed ({RenewalLapsed});
    /// - `consent` is every right-holder's, signed as `Renew`.
    ///
    /// Emits a {RegistrationRenewed} event (and {ICertificates-CertificateExtended} for the holder's
    /// certificate and each co-holder's own).
    function renew(uint64 assetId, JointConsent calldata consent) external;

    /// @notice Pledge registration, with every right-holder's consent (a pledge binds the data
    /// all of them hold).
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the asset is `Issued`, within its validity and not frozen;
    /// - `pledgee` is neither zero nor the holder ({InvalidHolder});
    /// - the asset is not pledged already ({Pledged});
    /// - `consent` is every right-holder's, signed as `Pledge`.
    ///
    /// Emits an {AssetPledged} event.
    function pledge(uint64 assetId, address pledgee, bytes32 agreementHash, JointConsent calldata consent) external;

    /// @notice Releases a pledge; by the pledgee or a registrar.
    /// @dev Requirements:
    /// - the asset is not `Rejected`, `Cancelled` or `Revoked` ({InvalidTransition});
    /// - it is pledged ({NotPledged});
    /// - the caller is the pledgee or has REGISTRAR ({NotPledgeeOrRegistrar}).
    ///
    /// Emits a {PledgeReleased} event.
    function releasePledge(uint64 assetId) external;

    /// @notice The annotations module sets (a seizure in force) or clears (the last one lifted)
    /// the asset's `frozen` bit, which `standingOf` answers to the other contracts.
    /// @dev Requirements:
    /// - the caller has MODULE;
    /// - the asset exists ({UnknownAsset}); to set the bit, it is open: not `Rejected`,
    ///   `Cancelled`, `Revoked`, `Terminated` or withdrawn ({InvalidTransition}).
    ///
    /// Emits a {FrozenChanged} event when the bit changes (nothing when it is as asked already).
    function setFrozen(uint64 assetId, bool frozen) external;

    /// @notice Cancellation on the applicants' request (注销, art. 37 (1)), or withdrawal of a
    /// pending application; anyone may send it with every right-holder's consent.
    /// @dev Requirements:
    /// - the asset is not `Rejected`, `Cancelled` or `Revoked` ({InvalidTransition});
    /// - it is neither frozen ({Frozen}) nor pledged ({Pledged});
    /// - `consent` is every right-holder's, signed as `Cancel`.
    ///
    /// Emits a {RegistrationCancelled} event.
    function cancel(uint64 assetId, JointConsent calldata consent) external;

    /// @notice Revocation by the registrar (撤销), e.g. for fraud or on a court order.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the asset is `Issued` ({InvalidTransition}); expired or frozen, it may still be revoked.
    ///
    /// Emits a {RegistrationRevoked} event.
    function revoke(uint64 assetId, bytes32 reasonHash) external;

    /// @notice The admin sets a registration's validity period in seconds (30 days to 5 years
    /// of 365 days: the guide allows at most 5 years from the deposit, art. 26).
    /// @dev Requirements:
    /// - the caller has the admin role;
    /// - `period` is within range ({InvalidPeriod}).
    ///
    /// Emits a {ValidityPeriodSet} event.
    function setValidityPeriod(uint32 period) external;

    /// @notice The asset as stored (status never `Expired`).
    /// @dev Requirements:
    /// - the asset exists ({UnknownAsset} otherwise).
    function getAsset(uint64 assetId) external view returns (Asset memory);

    /// @notice Holder, stored status, seizure (`frozen`), region and expiry; all zero for an unknown asset.
    /// Never reverts.
    function standingOf(uint64 assetId) external view returns (Standing memory);

    /// @notice The asset's status now, derived ones included (`Expired`, `Withdrawn`,
    /// `DeemedAccepted`: the latter only where the calendar answers); `None` for an unknown
    /// asset. Never reverts.
    function statusOf(uint64 assetId) external view returns (Status);

    /// @notice Whether `account` holds right `kind` in the asset's rights configuration at
    /// `time`: the registration is issued and within its validity then, and the right-holder's
    /// term (from the deposit and to the expiry where not given) covers it. One storage read
    /// beyond the asset's record. Licences are {IRightsRegistry-hasRight}'s. Never reverts.
    function hasRight(uint64 assetId, RightKind kind, address account, uint40 time) external view returns (bool);

    /// @notice `account`'s rights in the asset's configuration as stored (zero: none), the
    /// holder's included. Never reverts.
    function rightsOf(uint64 assetId, address account) external view returns (RightTerm memory);

    /// @notice The asset's present holder.
    /// @dev Requirements:
    /// - the asset exists ({UnknownAsset} otherwise).
    function holderOf(uint64 assetId) external view returns (address);

    /// @notice The creditor holding the asset's pledge; zero when it is not pledged. Never reverts.
    function pledgeeOf(uint64 assetId) external view returns (address);

    /// @notice A product's sources and the licences it was made under; empty for a resource.
    /// Never reverts.
    function parentsOf(uint64 assetId) external view returns (Parent[] memory);

    /// @notice The manifest hash, CID digest and codec of `version` (1 is the first); zeros for
    /// a version that never was.
    /// @dev Requirements:
    /// - the asset exists ({UnknownAsset} otherwise).
    function manifestAt(uint64 assetId, uint16 version)
        external
        view
        returns (bytes32 manifestHash, bytes32 manifestCid, uint8 cidCodec);

    /// @notice The objection as stored; all zero (status `None`) for an unknown id. Never reverts.
    function getObjection(uint64 objectionId) external view returns (Objection memory);

    /// @notice How many assets were applied for (the last asset id).
    function assetCount() external view returns (uint64);

    /// @notice The working-day calendar the deadlines are counted on.
    function calendar() external view returns (address);

    /// @notice The procedure module (RegistrationProcedure) that serves {IRegistrationProcedure}
    /// at this contract's address.
    function procedure() external view returns (address);

    /// @notice A registration's validity period, in seconds.
    function validityPeriod() external view returns (uint32);

}
