// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {
    Application,
    Asset,
    AssetKind,
    Classification,
    IAssetRegistry,
    Objection,
    ObjectionStatus,
    Parent,
    ParentRef,
    Standing,
    Status
} from "./interfaces/IAssetRegistry.sol";
import {CertificateKind, ICertificates} from "./interfaces/ICertificates.sol";
import {Consent, IHolderConsent} from "./interfaces/IConsent.sol";
import {IRightsRegistry, RightKind} from "./interfaces/IRightsRegistry.sol";
import {HolderConsent} from "./access/HolderConsent.sol";
import {RoleGated} from "./access/RoleGated.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title AssetRegistry
/// @notice Data assets and their registration lifecycle:
/// Applied -> UnderReview -> Rejected | InNotice; objections during notice are upheld (Rejected)
/// or dismissed; after the notice with none open -> Issued. From Issued: change, transfer,
/// renewal, pledge, freeze, cancellation, revocation; expiry by time.
/// @dev `Multicall` lets the registrar relay many signed applications in one transaction.
contract AssetRegistry is IAssetRegistry, RoleGated, HolderConsent, Multicall {
    bytes32 private constant _PARENT_TYPEHASH = keccak256("ParentRef(uint64 assetId,bytes32 scenario)");
    bytes32 private constant _APPLICATION_TYPEHASH = keccak256(
        "Application(address holder,uint24 region,uint8 classification,uint8 kind,bytes32 manifestHash,"
        "bytes32 manifestCid,uint8 cidCodec,ParentRef[] parents,uint256 nonce,uint256 deadline)"
        "ParentRef(uint64 assetId,bytes32 scenario)"
    );
    bytes32 private constant _CHANGE_TYPEHASH = keccak256(
        "Change(uint64 assetId,bytes32 manifestHash,bytes32 manifestCid,uint8 cidCodec,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant _TRANSFER_TYPEHASH = keccak256(
        "Transfer(uint64 assetId,address newHolder,bytes32 agreementHash,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant _RENEW_TYPEHASH = keccak256("Renew(uint64 assetId,uint256 nonce,uint256 deadline)");
    bytes32 private constant _PLEDGE_TYPEHASH =
        keccak256("Pledge(uint64 assetId,address pledgee,bytes32 agreementHash,uint256 nonce,uint256 deadline)");
    bytes32 private constant _CANCEL_TYPEHASH = keccak256("Cancel(uint64 assetId,uint256 nonce,uint256 deadline)");

    uint8 private constant _CODEC_RAW = 0x55;
    uint8 private constant _CODEC_DAG_PB = 0x70;
    uint256 private constant _MAX_PARENTS = 16;
    /// @dev How long after expiry a registration may still be renewed.
    uint256 private constant _RENEWAL_GRACE = 180 days;

    struct ManifestVersion {
        bytes32 manifestHash;
        bytes32 manifestCid;
        uint8 cidCodec;
    }

    mapping(uint64 assetId => Asset) private _assets;
    mapping(uint64 assetId => Parent[]) private _parents;
    mapping(uint64 assetId => mapping(uint16 version => ManifestVersion)) private _history;
    mapping(uint64 assetId => address) private _pledgees;
    mapping(uint64 objectionId => Objection) private _objections;

    uint64 private _assetCount;
    uint64 private _objectionCount;
    uint32 private _noticePeriod = 10 days;
    uint32 private _validityPeriod = 3 * 365 days;
    ICertificates private _certificates;
    IRightsRegistry private _rights;

    constructor(IAccessControl roles_) RoleGated(roles_) HolderConsent("DataAssetRegistry", "1") {}

    /// @notice The admin wires the certificate and rights contracts, once, after deploying them.
    function setModules(ICertificates certificates_, IRightsRegistry rights_) external onlyRole(Roles.ADMIN) {
        if (address(_certificates) != address(0)) revert ModulesAlreadySet();
        if (address(certificates_) == address(0) || address(rights_) == address(0)) revert ZeroAddress();
        _certificates = certificates_;
        _rights = rights_;
        emit ModulesSet(address(certificates_), address(rights_));
    }

    /// @notice The certificate and rights contracts.
    function modules() external view returns (ICertificates, IRightsRegistry) {
        return (_certificates, _rights);
    }

    // ---------------------------------------------------------------- application and review

    /// @inheritdoc IAssetRegistry
    function submitApplication(Application calldata application, Consent calldata consent)
        external
        returns (uint64 assetId)
    {
        _validateApplication(application);
        address holder = application.holder;
        if (!_isDirect(holder, consent)) {
            _verifySignature(
                holder,
                consent,
                abi.encode(
                    _APPLICATION_TYPEHASH,
                    holder,
                    application.region,
                    application.classification,
                    application.kind,
                    application.manifestHash,
                    application.manifestCid,
                    application.cidCodec,
                    _hashParents(application.parents)
                )
            );
        }
        assetId = ++_assetCount;
        _assets[assetId] = Asset({
            holder: holder,
            status: Status.Applied,
            kind: application.kind,
            classification: application.classification,
            region: application.region,
            version: 1,
            openObjections: 0,
            frozen: false,
            cidCodec: application.cidCodec,
            manifestHash: application.manifestHash,
            manifestCid: application.manifestCid,
            appliedAt: uint40(block.timestamp),
            noticeEndsAt: 0,
            issuedAt: 0,
            expiresAt: 0,
            certificateId: 0
        });
        emit Applied(
            assetId,
            holder,
            application.region,
            application.kind,
            application.classification,
            application.manifestHash,
            application.manifestCid,
            application.cidCodec
        );
        if (application.parents.length != 0) _linkParents(assetId, holder, application.parents);
    }

    /// @inheritdoc IAssetRegistry
    function beginReview(uint64 assetId) external onlyRole(Roles.REVIEWER) {
        Asset storage a = _requireStatus(assetId, Status.Applied);
        a.status = Status.UnderReview;
        emit ReviewStarted(assetId, msg.sender);
    }

    /// @inheritdoc IAssetRegistry
    function reject(uint64 assetId, bytes32 reasonHash) external onlyRole(Roles.REVIEWER) {
        Asset storage a = _requireStatus(assetId, Status.UnderReview);
        a.status = Status.Rejected;
        emit ApplicationRejected(assetId, msg.sender, reasonHash);
    }

    /// @inheritdoc IAssetRegistry
    function approve(uint64 assetId) external onlyRole(Roles.REVIEWER) {
        Asset storage a = _requireStatus(assetId, Status.UnderReview);
        uint40 endsAt = uint40(block.timestamp + _noticePeriod);
        a.status = Status.InNotice;
        a.noticeEndsAt = endsAt;
        emit NoticeStarted(assetId, endsAt);
    }

    /// @inheritdoc IAssetRegistry
    function fileObjection(uint64 assetId, bytes32 evidenceHash) external returns (uint64 objectionId) {
        Asset storage a = _requireStatus(assetId, Status.InNotice);
        if (block.timestamp >= a.noticeEndsAt) revert NoticeClosed(assetId, a.noticeEndsAt);
        if (evidenceHash == bytes32(0)) revert EmptyEvidence();
        a.openObjections += 1;
        objectionId = ++_objectionCount;
        _objections[objectionId] = Objection({
            assetId: assetId,
            objector: msg.sender,
            status: ObjectionStatus.Open,
            evidenceHash: evidenceHash
        });
        emit ObjectionFiled(objectionId, assetId, msg.sender, evidenceHash);
    }

    /// @inheritdoc IAssetRegistry
    function decideObjection(uint64 objectionId, bool upheld, bytes32 reasonHash)
        external
        onlyRole(Roles.REGISTRAR)
    {
        Objection storage o = _objections[objectionId];
        if (o.status == ObjectionStatus.None) revert UnknownObjection(objectionId);
        if (o.status != ObjectionStatus.Open) revert ObjectionNotOpen(objectionId);
        uint64 assetId = o.assetId;
        Asset storage a = _requireStatus(assetId, Status.InNotice);
        a.openObjections -= 1;
        if (upheld) {
            o.status = ObjectionStatus.Upheld;
            a.status = Status.Rejected;
        } else {
            o.status = ObjectionStatus.Dismissed;
        }
        emit ObjectionDecided(objectionId, assetId, upheld, reasonHash);
        if (upheld) emit ApplicationRejected(assetId, msg.sender, reasonHash);
    }

    /// @inheritdoc IAssetRegistry
    function issue(uint64 assetId) external onlyRole(Roles.REGISTRAR) returns (uint256 certificateId) {
        Asset storage a = _requireStatus(assetId, Status.InNotice);
        if (block.timestamp < a.noticeEndsAt) revert NoticeNotEnded(assetId, a.noticeEndsAt);
        if (a.openObjections != 0) revert ObjectionsOpen(assetId, a.openObjections);
        if (a.frozen) revert Frozen(assetId);
        uint40 expiresAt = uint40(block.timestamp + _validityPeriod);
        certificateId = _modules().mint(a.holder, assetId, CertificateKind.Registration, expiresAt, 0, 0);
        a.status = Status.Issued;
        a.issuedAt = uint40(block.timestamp);
        a.expiresAt = expiresAt;
        a.certificateId = uint64(certificateId);
        emit RegistrationIssued(assetId, certificateId, expiresAt);
    }

    // ---------------------------------------------------------------- acts on an issued asset

    /// @inheritdoc IAssetRegistry
    function change(
        uint64 assetId,
        bytes32 manifestHash,
        bytes32 manifestCid,
        uint8 cidCodec,
        Consent calldata consent
    ) external onlyRole(Roles.REGISTRAR) returns (uint256 certificateId) {
        Asset storage a = _requireActive(assetId);
        _validateManifest(manifestHash, manifestCid, cidCodec);
        address holder = a.holder;
        if (!_isDirect(holder, consent)) {
            _verifySignature(
                holder, consent, abi.encode(_CHANGE_TYPEHASH, assetId, manifestHash, manifestCid, cidCodec)
            );
        }
        _history[assetId][a.version] = ManifestVersion(a.manifestHash, a.manifestCid, a.cidCodec);
        uint16 version = a.version + 1;
        a.version = version;
        a.manifestHash = manifestHash;
        a.manifestCid = manifestCid;
        a.cidCodec = cidCodec;
        certificateId = _reissue(a, assetId, holder, CertificateKind.Registration);
        emit ManifestChanged(assetId, version, manifestHash, manifestCid, cidCodec, certificateId);
    }

    /// @inheritdoc IAssetRegistry
    function transfer(uint64 assetId, address newHolder, bytes32 agreementHash, Consent calldata consent)
        external
        onlyRole(Roles.REGISTRAR)
        returns (uint256 certificateId)
    {
        Asset storage a = _requireActive(assetId);
        address holder = a.holder;
        if (newHolder == address(0) || newHolder == holder) revert InvalidHolder(newHolder);
        _requireUnpledged(assetId);
        if (!_isDirect(holder, consent)) {
            _verifySignature(holder, consent, abi.encode(_TRANSFER_TYPEHASH, assetId, newHolder, agreementHash));
        }
        a.holder = newHolder;
        certificateId = _reissue(a, assetId, newHolder, CertificateKind.Transfer);
        emit HolderTransferred(assetId, holder, newHolder, agreementHash, certificateId);
    }

    /// @inheritdoc IAssetRegistry
    /// @dev Allowed while frozen, so that a freeze does not let the registration lapse, and up to
    /// 180 days after expiry. The new term runs from the later of now and the old expiry.
    function renew(uint64 assetId, Consent calldata consent) external onlyRole(Roles.REGISTRAR) {
        Asset storage a = _requireStatus(assetId, Status.Issued);
        uint40 expiresAt = a.expiresAt;
        if (block.timestamp >= expiresAt + _RENEWAL_GRACE) revert RegistrationExpired(assetId, expiresAt);
        address holder = a.holder;
        if (!_isDirect(holder, consent)) {
            _verifySignature(holder, consent, abi.encode(_RENEW_TYPEHASH, assetId));
        }
        uint256 from = block.timestamp > expiresAt ? block.timestamp : expiresAt;
        uint40 newExpiry = uint40(from + _validityPeriod);
        a.expiresAt = newExpiry;
        _certificates.extend(a.certificateId, newExpiry);
        emit RegistrationRenewed(assetId, newExpiry);
    }

    /// @inheritdoc IAssetRegistry
    function pledge(uint64 assetId, address pledgee, bytes32 agreementHash, Consent calldata consent)
        external
        onlyRole(Roles.REGISTRAR)
    {
        Asset storage a = _requireActive(assetId);
        address holder = a.holder;
        if (pledgee == address(0) || pledgee == holder) revert InvalidHolder(pledgee);
        _requireUnpledged(assetId);
        if (!_isDirect(holder, consent)) {
            _verifySignature(holder, consent, abi.encode(_PLEDGE_TYPEHASH, assetId, pledgee, agreementHash));
        }
        _pledgees[assetId] = pledgee;
        emit AssetPledged(assetId, pledgee, agreementHash);
    }

    /// @inheritdoc IAssetRegistry
    function releasePledge(uint64 assetId) external {
        _requireOpen(assetId);
        address pledgee = _pledgees[assetId];
        if (pledgee == address(0)) revert NotPledged(assetId);
        if (msg.sender != pledgee && !_hasRole(Roles.REGISTRAR, msg.sender)) {
            revert NotPledgeeOrRegistrar(assetId, msg.sender);
        }
        delete _pledgees[assetId];
        emit PledgeReleased(assetId, pledgee);
    }

    /// @inheritdoc IAssetRegistry
    function freeze(uint64 assetId, bytes32 orderHash) external onlyRole(Roles.REGISTRAR) {
        Asset storage a = _requireOpen(assetId);
        if (a.frozen) revert Frozen(assetId);
        a.frozen = true;
        emit AssetFrozen(assetId, orderHash);
    }

    /// @inheritdoc IAssetRegistry
    function unfreeze(uint64 assetId, bytes32 orderHash) external onlyRole(Roles.REGISTRAR) {
        Asset storage a = _requireOpen(assetId);
        if (!a.frozen) revert NotFrozen(assetId);
        a.frozen = false;
        emit AssetUnfrozen(assetId, orderHash);
    }

    /// @inheritdoc IAssetRegistry
    function cancel(uint64 assetId, Consent calldata consent) external {
        Asset storage a = _requireOpen(assetId);
        if (a.frozen) revert Frozen(assetId);
        _requireUnpledged(assetId);
        address holder = a.holder;
        if (!_isDirect(holder, consent)) {
            _verifySignature(holder, consent, abi.encode(_CANCEL_TYPEHASH, assetId));
        }
        a.status = Status.Cancelled;
        emit RegistrationCancelled(assetId, holder);
    }

    /// @inheritdoc IAssetRegistry
    function revoke(uint64 assetId, bytes32 reasonHash) external onlyRole(Roles.REGISTRAR) {
        Asset storage a = _requireStatus(assetId, Status.Issued);
        a.status = Status.Revoked;
        emit RegistrationRevoked(assetId, reasonHash);
    }

    // ---------------------------------------------------------------- settings

    /// @inheritdoc IAssetRegistry
    function setNoticePeriod(uint32 period) external onlyRole(Roles.ADMIN) {
        if (period < 1 days || period > 90 days) revert InvalidPeriod(period);
        _noticePeriod = period;
        emit NoticePeriodSet(period);
    }

    /// @inheritdoc IAssetRegistry
    function setValidityPeriod(uint32 period) external onlyRole(Roles.ADMIN) {
        if (period < 30 days || period > 10 * 365 days) revert InvalidPeriod(period);
        _validityPeriod = period;
        emit ValidityPeriodSet(period);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IHolderConsent
    function typeHash(string calldata primaryType) external pure returns (bytes32) {
        bytes32 name = keccak256(bytes(primaryType));
        if (name == keccak256("Application")) return _APPLICATION_TYPEHASH;
        if (name == keccak256("ParentRef")) return _PARENT_TYPEHASH;
        if (name == keccak256("Change")) return _CHANGE_TYPEHASH;
        if (name == keccak256("Transfer")) return _TRANSFER_TYPEHASH;
        if (name == keccak256("Renew")) return _RENEW_TYPEHASH;
        if (name == keccak256("Pledge")) return _PLEDGE_TYPEHASH;
        if (name == keccak256("Cancel")) return _CANCEL_TYPEHASH;
        revert UnknownType(primaryType);
    }

    /// @inheritdoc IAssetRegistry
    function getAsset(uint64 assetId) external view returns (Asset memory) {
        return _requireExists(assetId);
    }

    /// @inheritdoc IAssetRegistry
    function standingOf(uint64 assetId) external view returns (Standing memory) {
        Asset storage a = _assets[assetId];
        return Standing(a.holder, a.status, a.frozen, a.region, a.expiresAt);
    }

    /// @inheritdoc IAssetRegistry
    function statusOf(uint64 assetId) external view returns (Status) {
        Asset storage a = _assets[assetId];
        if (a.status == Status.Issued && block.timestamp >= a.expiresAt) return Status.Expired;
        return a.status;
    }

    /// @inheritdoc IAssetRegistry
    function holderOf(uint64 assetId) external view returns (address) {
        return _requireExists(assetId).holder;
    }

    /// @inheritdoc IAssetRegistry
    function pledgeeOf(uint64 assetId) external view returns (address) {
        return _pledgees[assetId];
    }

    /// @inheritdoc IAssetRegistry
    function parentsOf(uint64 assetId) external view returns (Parent[] memory) {
        return _parents[assetId];
    }

    /// @inheritdoc IAssetRegistry
    function manifestAt(uint64 assetId, uint16 version)
        external
        view
        returns (bytes32 manifestHash, bytes32 manifestCid, uint8 cidCodec)
    {
        Asset storage a = _requireExists(assetId);
        if (version == a.version) return (a.manifestHash, a.manifestCid, a.cidCodec);
        ManifestVersion storage v = _history[assetId][version];
        return (v.manifestHash, v.manifestCid, v.cidCodec);
    }

    /// @inheritdoc IAssetRegistry
    function getObjection(uint64 objectionId) external view returns (Objection memory) {
        return _objections[objectionId];
    }

    /// @inheritdoc IAssetRegistry
    function assetCount() external view returns (uint64) {
        return _assetCount;
    }

    /// @inheritdoc IAssetRegistry
    function noticePeriod() external view returns (uint32) {
        return _noticePeriod;
    }

    /// @inheritdoc IAssetRegistry
    function validityPeriod() external view returns (uint32) {
        return _validityPeriod;
    }

    // ---------------------------------------------------------------- internals

    function _validateApplication(Application calldata application) private pure {
        if (application.holder == address(0)) revert InvalidHolder(address(0));
        if (application.classification == Classification.Core) revert CoreDataRefused();
        uint24 region = application.region;
        if (region < 110_000 || region > 829_999) revert InvalidRegion(region);
        _validateManifest(application.manifestHash, application.manifestCid, application.cidCodec);
        uint256 count = application.parents.length;
        if (application.kind == AssetKind.Product) {
            if (count == 0) revert ProductNeedsParents();
            if (count > _MAX_PARENTS) revert TooManyParents(count);
        } else if (count != 0) {
            revert ResourceHasParents();
        }
    }

    function _validateManifest(bytes32 manifestHash, bytes32 manifestCid, uint8 cidCodec) private pure {
        if (manifestHash == bytes32(0) || manifestCid == bytes32(0)) revert InvalidManifest();
        if (cidCodec != _CODEC_RAW && cidCodec != _CODEC_DAG_PB) revert InvalidCidCodec(cidCodec);
    }

    function _hashParents(ParentRef[] calldata parents) private pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](parents.length);
        for (uint256 i = 0; i < parents.length; ++i) {
            hashes[i] = keccak256(abi.encode(_PARENT_TYPEHASH, parents[i].assetId, parents[i].scenario));
        }
        return keccak256(abi.encodePacked(hashes));
    }

    /// @dev A product's sources must be issued now, and held by the applicant or licensed to it
    /// for processing under the named scenario.
    function _linkParents(uint64 assetId, address holder, ParentRef[] calldata parents) private {
        IRightsRegistry rights = _rights;
        if (address(rights) == address(0)) revert ModulesNotSet();
        for (uint256 i = 0; i < parents.length; ++i) {
            uint64 parentId = parents[i].assetId;
            Asset storage p = _assets[parentId];
            if (p.status != Status.Issued || block.timestamp >= p.expiresAt) revert ParentNotIssued(parentId);
            bytes32 grantId = bytes32(0);
            if (parents[i].scenario == bytes32(0)) {
                if (p.holder != holder) revert ParentNotLicensed(parentId, 0);
            } else {
                grantId = rights.grantIdOf(parentId, RightKind.Processing, holder, parents[i].scenario);
                if (!rights.isGrantActive(grantId, uint40(block.timestamp))) {
                    revert ParentNotLicensed(parentId, grantId);
                }
            }
            _parents[assetId].push(Parent(parentId, grantId));
            emit ParentLinked(assetId, parentId, grantId);
        }
    }

    /// @dev Issues the successor certificate of a change or transfer and supersedes the old one.
    function _reissue(Asset storage a, uint64 assetId, address to, CertificateKind kind)
        private
        returns (uint256 certificateId)
    {
        ICertificates certificates = _certificates;
        uint256 previous = a.certificateId;
        certificateId = certificates.mint(to, assetId, kind, a.expiresAt, 0, 0);
        certificates.supersede(previous, certificateId);
        a.certificateId = uint64(certificateId);
    }

    function _modules() private view returns (ICertificates certificates) {
        certificates = _certificates;
        if (address(certificates) == address(0)) revert ModulesNotSet();
    }

    function _requireExists(uint64 assetId) private view returns (Asset storage a) {
        a = _assets[assetId];
        if (a.status == Status.None) revert UnknownAsset(assetId);
    }

    function _requireStatus(uint64 assetId, Status status) private view returns (Asset storage a) {
        a = _requireExists(assetId);
        if (a.status != status) revert InvalidTransition(assetId, a.status);
    }

    /// @dev Not yet decided, or issued: the states from which cancellation and freeze are possible.
    function _requireOpen(uint64 assetId) private view returns (Asset storage a) {
        a = _requireExists(assetId);
        Status s = a.status;
        if (s == Status.Rejected || s == Status.Cancelled || s == Status.Revoked) {
            revert InvalidTransition(assetId, s);
        }
    }

    /// @dev Issued, within its validity and not frozen: the state every disposal needs.
    function _requireActive(uint64 assetId) private view returns (Asset storage a) {
        a = _requireStatus(assetId, Status.Issued);
        if (block.timestamp >= a.expiresAt) revert RegistrationExpired(assetId, a.expiresAt);
        if (a.frozen) revert Frozen(assetId);
    }

    function _requireUnpledged(uint64 assetId) private view {
        address pledgee = _pledgees[assetId];
        if (pledgee != address(0)) revert Pledged(assetId, pledgee);
    }
}
