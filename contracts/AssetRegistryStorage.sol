// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Asset, IAssetRegistry, Objection, Parent, RightTerm, Status} from "./interfaces/IAssetRegistry.sol";
import {ICertificates} from "./interfaces/ICertificates.sol";
import {IHolderConsent, JointConsent} from "./interfaces/IConsent.sol";
import {PostObjection} from "./interfaces/IPostObjections.sol";
import {Procedure} from "./interfaces/IRegistrationProcedure.sol";
import {IRightsRegistry} from "./interfaces/IRightsRegistry.sol";
import {TransferApplication} from "./interfaces/ITransfers.sol";
import {IWorkCalendar} from "./interfaces/IWorkCalendar.sol";
import {HolderConsent} from "./access/HolderConsent.sol";
import {RoleGated} from "./access/RoleGated.sol";

/// @title AssetRegistryStorage
/// @notice The storage, consent types and shared rules of AssetRegistry and of its procedure
/// module (RegistrationProcedure), which runs by delegatecall in AssetRegistry's storage.
/// @dev Both contracts inherit this, and only this, for their state, so the layout is one by
/// construction: neither declares a state variable of its own (immutables are code, not storage).
abstract contract AssetRegistryStorage is RoleGated, HolderConsent {
    bytes32 internal constant _PARENT_TYPEHASH = keccak256("ParentRef(uint64 assetId,bytes32 scenario)");
    bytes32 internal constant _RIGHT_HOLDER_TYPEHASH = keccak256(
        "RightHolder(address account,uint8 rights,uint40 start,uint40 expiry,bytes32 identityHash,"
        "bytes32 restrictionsHash,string restrictions)"
    );
    bytes32 internal constant _APPLICATION_TYPEHASH = keccak256(
        "Application(RightHolder[] holders,uint24 region,uint8 classification,uint8 kind,bytes32 manifestHash,"
        "bytes32 manifestCid,uint8 cidCodec,ParentRef[] parents,uint256 nonce,uint256 deadline)"
        "ParentRef(uint64 assetId,bytes32 scenario)"
        "RightHolder(address account,uint8 rights,uint40 start,uint40 expiry,bytes32 identityHash,"
        "bytes32 restrictionsHash,string restrictions)"
    );
    bytes32 internal constant _CHANGE_TYPEHASH = keccak256(
        "Change(uint64 assetId,bytes32 manifestHash,bytes32 manifestCid,uint8 cidCodec,uint256 nonce,uint256 deadline)"
    );
    bytes32 internal constant _TRANSFER_SHARE_TYPEHASH =
        keccak256("TransferShare(address from,address to,uint8 rights,bytes32 identityHash)");
    bytes32 internal constant _TRANSFER_TYPEHASH = keccak256(
        "Transfer(uint64 assetId,TransferShare[] shares,bytes32 agreementHash,uint256 nonce,uint256 deadline)"
        "TransferShare(address from,address to,uint8 rights,bytes32 identityHash)"
    );
    bytes32 internal constant _IDENTITY_CHANGE_TYPEHASH = keccak256(
        "IdentityChange(uint64 assetId,address account,bytes32 identityHash,uint256 nonce,uint256 deadline)"
    );
    bytes32 internal constant _RENEW_TYPEHASH = keccak256("Renew(uint64 assetId,uint256 nonce,uint256 deadline)");
    bytes32 internal constant _PLEDGE_TYPEHASH =
        keccak256("Pledge(uint64 assetId,address pledgee,bytes32 agreementHash,uint256 nonce,uint256 deadline)");
    bytes32 internal constant _CANCEL_TYPEHASH = keccak256("Cancel(uint64 assetId,uint256 nonce,uint256 deadline)");
    bytes32 internal constant _SUPPLEMENTS_TYPEHASH =
        keccak256("Supplements(uint64 assetId,bytes32 materialsHash,uint256 nonce,uint256 deadline)");
    bytes32 internal constant _PROOF_TYPEHASH =
        keccak256("Proof(uint64 assetId,bytes32 proofHash,uint256 nonce,uint256 deadline)");

    uint8 internal constant _CODEC_RAW = 0x55;
    uint8 internal constant _CODEC_DAG_PB = 0x70;
    uint256 internal constant _MAX_PARENTS = 16;
    uint256 internal constant _MAX_RIGHT_HOLDERS = 16;
    uint256 internal constant _MAX_RESTRICTIONS = 300;
    /// @dev Holding, use (processing) and operating: the bits `1 << RightKind`.
    uint8 internal constant _ALL_RIGHTS = 7;
    /// @dev The guide's periods in working days: acceptance (art. 17), notice (art. 24),
    /// objection investigation (art. 25), the time limit and its most extension (art. 28).
    uint256 internal constant _ACCEPTANCE_DAYS = 3;
    uint256 internal constant _NOTICE_DAYS = 5;
    uint256 internal constant _INVESTIGATION_DAYS = 10;
    /// @dev An objection after registration with complete materials is told to the applicant
    /// within this many working days (art. 29).
    uint256 internal constant _NOTIFICATION_DAYS = 5;
    uint256 internal constant _PROCESSING_DAYS = 10;
    uint8 internal constant _MAX_EXTENSION_DAYS = 10;
    /// @dev At most 5 years from the deposit (art. 26): 5 x 365 days is never more.
    uint32 internal constant _MAX_VALIDITY = 5 * 365 days;
    /// @dev Renewal opens this many calendar months before expiry (art. 36).
    uint256 internal constant _RENEWAL_MONTHS = 6;

    struct ManifestVersion {
        bytes32 manifestHash;
        bytes32 manifestCid;
        uint8 cidCodec;
    }

    mapping(uint64 assetId => Asset) internal _assets;
    mapping(uint64 assetId => Parent[]) internal _parents;
    mapping(uint64 assetId => mapping(uint16 version => ManifestVersion)) internal _history;
    mapping(uint64 assetId => address) internal _pledgees;
    mapping(uint64 objectionId => Objection) internal _objections;
    mapping(uint64 assetId => Procedure) internal _procedures;
    /// @dev Objections after registration (art. 29), under ids of `_objectionCount`.
    mapping(uint64 objectionId => PostObjection) internal _postObjections;

    uint64 internal _assetCount;
    uint64 internal _objectionCount;
    uint32 internal _validityPeriod = _MAX_VALIDITY;
    ICertificates internal _certificates;
    IRightsRegistry internal _rights;
    /// @dev The rights of every right-holder but the first (whose are in its asset's record).
    /// Declared last so the slots before it (read by cross-region recognition) stay where they were.
    mapping(uint64 assetId => mapping(address account => RightTerm)) internal _coHolders;
    /// @dev Transfer applications (art. 34), under ids of `_transferCount`.
    mapping(uint64 transferId => TransferApplication) internal _transfers;
    uint64 internal _transferCount;
    IWorkCalendar internal immutable _calendar;

    /// @param roles_ The registry's roles contract.
    /// @param calendar_ The working-day calendar every deadline is counted on (immutable: a
    /// deadline stored stays as counted).
    constructor(IAccessControl roles_, IWorkCalendar calendar_)
        RoleGated(roles_)
        HolderConsent("DataAssetRegistry", "1")
    {
        if (address(calendar_) == address(0)) revert ZeroAddress();
        _calendar = calendar_;
    }

    /// @inheritdoc IHolderConsent
    function typeHash(string calldata primaryType) external pure returns (bytes32) {
        bytes32 name = keccak256(bytes(primaryType));
        if (name == keccak256("Application")) return _APPLICATION_TYPEHASH;
        if (name == keccak256("ParentRef")) return _PARENT_TYPEHASH;
        if (name == keccak256("RightHolder")) return _RIGHT_HOLDER_TYPEHASH;
        if (name == keccak256("Change")) return _CHANGE_TYPEHASH;
        if (name == keccak256("Transfer")) return _TRANSFER_TYPEHASH;
        if (name == keccak256("TransferShare")) return _TRANSFER_SHARE_TYPEHASH;
        if (name == keccak256("IdentityChange")) return _IDENTITY_CHANGE_TYPEHASH;
        if (name == keccak256("Renew")) return _RENEW_TYPEHASH;
        if (name == keccak256("Pledge")) return _PLEDGE_TYPEHASH;
        if (name == keccak256("Cancel")) return _CANCEL_TYPEHASH;
        if (name == keccak256("Supplements")) return _SUPPLEMENTS_TYPEHASH;
        if (name == keccak256("Proof")) return _PROOF_TYPEHASH;
        revert UnknownType(primaryType);
    }

    /// @dev The start of the acceptance clock (the application, or the supplements), and
    /// whether the application was accepted (stored).
    function _acceptanceClock(Asset storage a, Procedure storage p) internal view returns (uint40, bool) {
        uint40 resubmitted = p.resubmittedAt;
        return (resubmitted != 0 ? resubmitted : a.appliedAt, p.acceptedAt != 0);
    }

    function _deemedAcceptedAt(Asset storage a, Procedure storage p) internal view returns (uint40) {
        (uint40 clock,) = _acceptanceClock(a, p);
        IWorkCalendar cal = _calendar;
        return cal.nextWorkingDay(cal.addWorkingDays(clock, _ACCEPTANCE_DAYS) - 1);
    }

    function _requireExists(uint64 assetId) internal view returns (Asset storage a) {
        a = _assets[assetId];
        if (a.status == Status.None) revert IAssetRegistry.UnknownAsset(assetId);
    }

    function _requireStatus(uint64 assetId, Status status) internal view returns (Asset storage a) {
        a = _requireExists(assetId);
        if (a.status != status) revert IAssetRegistry.InvalidTransition(assetId, a.status);
    }

    /// @dev Issued, within its validity and not seized: the state every disposal needs.
    function _requireActive(uint64 assetId) internal view returns (Asset storage a) {
        a = _requireStatus(assetId, Status.Issued);
        if (block.timestamp >= a.expiresAt) revert IAssetRegistry.RegistrationExpired(assetId, a.expiresAt);
        if (a.frozen) revert IAssetRegistry.Frozen(assetId);
    }

    function _requireUnpledged(uint64 assetId) internal view {
        address pledgee = _pledgees[assetId];
        if (pledgee != address(0)) revert IAssetRegistry.Pledged(assetId, pledgee);
    }

    function _termOf(Asset storage a, uint64 assetId, address account) internal view returns (RightTerm memory) {
        if (account == a.holder) return RightTerm(a.holderRights, a.holderStart, a.holderExpiry, a.certificateId);
        return _coHolders[assetId][account];
    }

    /// @dev Every right-holder's consent to an act on an issued asset (art. 34-37 forms name every
    /// applicant): the holder's first, then each co-holder's, named in ascending order in
    /// `consent.coHolders`, all of them (their count is in the asset's record).
    function _verifyAllHolders(
        uint64 assetId,
        Asset storage a,
        JointConsent calldata consent,
        bytes memory typedPrefix
    ) internal {
        address[] calldata others = consent.coHolders;
        uint256 count = a.coHolderCount;
        if (others.length != count) revert IAssetRegistry.ConsentCount(count + 1, others.length + 1);
        address[] memory signers = new address[](count + 1);
        signers[0] = a.holder;
        mapping(address => RightTerm) storage terms = _coHolders[assetId];
        address previous = address(0);
        for (uint256 i = 0; i < count; ++i) {
            address account = others[i];
            // Ascending, so none twice; the holder has no co-holder slot.
            if (account <= previous || terms[account].rights == 0) revert IAssetRegistry.NotCoHolder(assetId, account);
            previous = account;
            signers[i + 1] = account;
        }
        _verifySigners(signers, consent, typedPrefix);
    }

    /// @dev Each of `signers` consents: by sending the act itself (an empty signature), or by its
    /// signature over the one act under the consent's nonce, `signers[0]`'s, spent once when any
    /// signature comes, and its deadline; the digest is computed once.
    function _verifySigners(address[] memory signers, JointConsent calldata consent, bytes memory typedPrefix)
        internal
    {
        uint256 count = signers.length;
        if (consent.signatures.length != count) {
            revert IAssetRegistry.ConsentCount(count, consent.signatures.length);
        }
        bytes32 digest = bytes32(0); // computed at the first signature, once
        for (uint256 i = 0; i < count; ++i) {
            address account = signers[i];
            bytes calldata signature = consent.signatures[i];
            if (signature.length == 0) {
                if (msg.sender != account) revert NotHolder(account, msg.sender);
                continue;
            }
            if (digest == bytes32(0)) digest = _spendAndDigest(signers[0], consent.nonce, consent.deadline, typedPrefix);
            _checkSignature(account, digest, signature);
        }
    }

    function _modules() internal view returns (ICertificates certificates) {
        certificates = _certificates;
        if (address(certificates) == address(0)) revert IAssetRegistry.ModulesNotSet();
    }

}
