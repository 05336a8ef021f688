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
    Parent,
    ParentRef,
    RightHolder,
    RightTerm,
    Standing,
    Status
} from "./interfaces/IAssetRegistry.sol";
import {CertificateKind, ICertificates} from "./interfaces/ICertificates.sol";
import {JointConsent} from "./interfaces/IConsent.sol";
import {IRegistrationProcedure} from "./interfaces/IRegistrationProcedure.sol";
import {IRightsRegistry, RightKind} from "./interfaces/IRightsRegistry.sol";
import {IWorkCalendar} from "./interfaces/IWorkCalendar.sol";
import {AssetRegistryStorage} from "./AssetRegistryStorage.sol";
import {BeijingDates} from "./libraries/BeijingDates.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title AssetRegistry
/// @notice Data assets and the national registration procedure (指引 art. 14-29), in working days
/// of the calendar set at deploy: Applied -> (accepted, or deemed accepted after 3 working days
/// of silence) UnderReview, or Supplementing -> Applied again (or Withdrawn past the deadline);
/// UnderReview <-> AwaitingProof (the clock paused) -> Terminated | Rejected (art. 22) |
/// InNotice (5 working days, or waived) -> objections upheld (Rejected) or dismissed -> Issued at
/// the deposit. The time limit (10 working days from acceptance, extendable by at most 10) is
/// tracked and shown, never enforced: the center can always finish late. From Issued: change,
/// transfer, renewal, pledge, cancellation, revocation; expiry by time. Seizures are annotations
/// (the Annotations module sets `frozen` while one is in force).
/// @dev `Multicall` lets the registrar relay many signed applications in one transaction.
contract AssetRegistry is IAssetRegistry, AssetRegistryStorage, Multicall {
    /// @dev The procedure module every function of {IRegistrationProcedure} is delegated to.
    address private immutable _procedure;

    /// @param procedure_ The RegistrationProcedure module, deployed with the same roles and
    /// calendar (its functions run here, in this contract's storage).
    constructor(IAccessControl roles_, IWorkCalendar calendar_, address procedure_)
        AssetRegistryStorage(roles_, calendar_)
    {
        if (procedure_.code.length == 0) revert ZeroAddress();
        _procedure = procedure_;
    }

    /// @notice Serves {IRegistrationProcedure}: the call runs the procedure module's code in this
    /// contract's storage, and its answer or revert is passed back as it is.
    /// @dev Requirements: those of the {IRegistrationProcedure} function called; a selector the
    /// module does not have reverts without data (its own fallback-less dispatch).
    fallback() external {
        address procedure = _procedure;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), procedure, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }
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
    function submitApplication(Application calldata application, JointConsent calldata consent)
        external
        returns (uint64 assetId)
    {
        _validateApplication(application);
        RightHolder[] calldata holders = application.holders;
        uint256 count = holders.length;
        if (consent.signatures.length != count) revert ConsentCount(count, consent.signatures.length);
        _verifyConsents(application, consent);
        assetId = ++_assetCount;
        address holder = _recordAsset(assetId, application);
        mapping(address => RightTerm) storage terms = _coHolders[assetId];
        for (uint256 i = 1; i < count; ++i) {
            RightHolder calldata h = holders[i];
            address account = h.account;
            // Read before it is written: a second mention of an account finds its first. The
            // whole slot is written at once (one SSTORE, not one per member).
            if (account == holder || terms[account].rights != 0) revert DuplicateRightHolder(account);
            terms[account] = RightTerm(h.rights, h.start, h.expiry, 0);
            _emitRightHolder(assetId, h);
        }
        if (application.parents.length != 0) _linkParents(assetId, holder, application.parents);
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
        JointConsent calldata consent
    ) external onlyRole(Roles.REGISTRAR) returns (uint256 certificateId) {
        Asset storage a = _requireActive(assetId);
        _validateManifest(manifestHash, manifestCid, cidCodec);
        address holder = a.holder;
        _verifyAllHolders(
            assetId, a, consent, abi.encode(_CHANGE_TYPEHASH, assetId, manifestHash, manifestCid, cidCodec)
        );
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
    /// @dev Allowed while seized, so that a seizure does not let the registration lapse. The new
    /// term runs from the old expiry.
    function renew(uint64 assetId, JointConsent calldata consent) external onlyRole(Roles.REGISTRAR) {
        Asset storage a = _requireStatus(assetId, Status.Issued);
        uint40 expiresAt = a.expiresAt;
        uint40 closesAt = BeijingDates.startOfDay(expiresAt);
        if (block.timestamp >= closesAt) revert RenewalLapsed(assetId, closesAt);
        uint40 opensAt = BeijingDates.monthsBefore(expiresAt, _RENEWAL_MONTHS);
        if (block.timestamp < opensAt) revert RenewalNotOpen(assetId, opensAt);
        _verifyAllHolders(assetId, a, consent, abi.encode(_RENEW_TYPEHASH, assetId));
        uint40 newExpiry = uint40(expiresAt + _validityPeriod);
        a.expiresAt = newExpiry;
        ICertificates certificates = _certificates;
        certificates.extend(a.certificateId, newExpiry);
        // A transferee's own certificate lapses with the registration, so it is renewed with it.
        mapping(address => RightTerm) storage terms = _coHolders[assetId];
        for (uint256 i = 0; i < consent.coHolders.length; ++i) {
            uint64 own = terms[consent.coHolders[i]].certificateId;
            if (own != 0) certificates.extend(own, newExpiry);
        }
        emit RegistrationRenewed(assetId, newExpiry);
    }

    /// @inheritdoc IAssetRegistry
    function pledge(uint64 assetId, address pledgee, bytes32 agreementHash, JointConsent calldata consent)
        external
        onlyRole(Roles.REGISTRAR)
    {
        Asset storage a = _requireActive(assetId);
        address holder = a.holder;
        if (pledgee == address(0) || pledgee == holder) revert InvalidHolder(pledgee);
        _requireUnpledged(assetId);
        _verifyAllHolders(assetId, a, consent, abi.encode(_PLEDGE_TYPEHASH, assetId, pledgee, agreementHash));
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
    function setFrozen(uint64 assetId, bool frozen) external onlyRole(Roles.MODULE) {
        Asset storage a = frozen ? _requireOpen(assetId) : _requireExists(assetId);
        if (a.frozen == frozen) return;
        a.frozen = frozen;
        emit FrozenChanged(assetId, frozen);
    }

    /// @inheritdoc IAssetRegistry
    function cancel(uint64 assetId, JointConsent calldata consent) external {
        Asset storage a = _requireOpen(assetId);
        if (a.frozen) revert Frozen(assetId);
        _requireUnpledged(assetId);
        _verifyAllHolders(assetId, a, consent, abi.encode(_CANCEL_TYPEHASH, assetId));
        a.status = Status.Cancelled;
        emit RegistrationCancelled(assetId, a.holder);
    }

    /// @inheritdoc IAssetRegistry
    function revoke(uint64 assetId, bytes32 reasonHash) external onlyRole(Roles.REGISTRAR) {
        Asset storage a = _requireStatus(assetId, Status.Issued);
        a.status = Status.Revoked;
        emit RegistrationRevoked(assetId, reasonHash);
    }

    // ---------------------------------------------------------------- settings

    /// @inheritdoc IAssetRegistry
    function setValidityPeriod(uint32 period) external onlyRole(Roles.ADMIN) {
        if (period < 30 days || period > _MAX_VALIDITY) revert InvalidPeriod(period);
        _validityPeriod = period;
        emit ValidityPeriodSet(period);
    }

    // ---------------------------------------------------------------- views

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
        Status s = a.status;
        if (s == Status.Issued && block.timestamp >= a.expiresAt) return Status.Expired;
        if (s == Status.Supplementing && block.timestamp >= _procedures[assetId].supplementsDue) {
            return Status.Withdrawn;
        }
        if (s == Status.Applied) {
            (uint40 clock,) = _acceptanceClock(a, _procedures[assetId]);
            // An unpublished year leaves the application as stored: this view never reverts.
            try IRegistrationProcedure(address(this)).deemedAcceptedAt(clock) returns (uint40 deemedAt) {
                if (block.timestamp >= deemedAt) return Status.DeemedAccepted;
            } catch {}
        }
        return s;
    }

    /// @inheritdoc IAssetRegistry
    function calendar() external view returns (address) {
        return address(_calendar);
    }

    /// @inheritdoc IAssetRegistry
    /// @dev The procedure module's address.
    function procedure() external view returns (address) {
        return _procedure;
    }

    /// @inheritdoc IAssetRegistry
    function hasRight(uint64 assetId, RightKind kind, address account, uint40 time) external view returns (bool) {
        return _hasRight(_assets[assetId], assetId, kind, account, time);
    }

    /// @inheritdoc IAssetRegistry
    function rightsOf(uint64 assetId, address account) external view returns (RightTerm memory) {
        return _termOf(_assets[assetId], assetId, account);
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
    function validityPeriod() external view returns (uint32) {
        return _validityPeriod;
    }

    // ---------------------------------------------------------------- internals

    function _validateApplication(Application calldata application) private view {
        if (application.classification == Classification.Core) revert CoreDataRefused();
        uint256 holders = application.holders.length;
        if (holders == 0 || holders > _MAX_RIGHT_HOLDERS) revert RightHolderCount(holders);
        for (uint256 i = 0; i < holders; ++i) {
            _validateRightHolder(application.holders[i]);
        }
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

    /// @dev The asset's record, with the first right-holder's rights, and its events.
    function _recordAsset(uint64 assetId, Application calldata application) private returns (address holder) {
        RightHolder calldata first = application.holders[0];
        holder = first.account;
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
            holderRights: first.rights,
            holderStart: first.start,
            holderExpiry: first.expiry,
            // At most 15: the configuration has at most 16 right-holders.
            coHolderCount: uint8(application.holders.length - 1),
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
        _emitRightHolder(assetId, first);
    }

    function _validateRightHolder(RightHolder calldata h) private view {
        address account = h.account;
        if (account == address(0)) revert InvalidHolder(address(0));
        if (h.rights == 0 || h.rights > _ALL_RIGHTS) revert InvalidRights(account, h.rights);
        uint40 expiry = h.expiry;
        if (expiry != 0 && (expiry <= h.start || expiry <= block.timestamp)) {
            revert InvalidRightTerm(account, h.start, expiry);
        }
        uint256 length = bytes(h.restrictions).length;
        if (length > _MAX_RESTRICTIONS) revert RestrictionsTooLong(account, length);
    }

    /// @dev Every right-holder consents: by sending the application itself, or by its signature
    /// over the one `Application` struct under the consent's nonce and deadline. The nonce is the
    /// holder's, spent once when any signature comes, so no signature can be used twice and a
    /// further signer writes nothing of its own; the digest is computed once.
    function _verifyConsents(Application calldata application, JointConsent calldata consent) private {
        bytes32 digest = bytes32(0); // computed at the first signature, once
        for (uint256 i = 0; i < consent.signatures.length; ++i) {
            address account = application.holders[i].account;
            bytes calldata signature = consent.signatures[i];
            if (signature.length == 0) {
                if (msg.sender != account) revert NotHolder(account, msg.sender);
                continue;
            }
            if (digest == bytes32(0)) {
                digest = _spendAndDigest(
                    application.holders[0].account, consent.nonce, consent.deadline, _applicationPrefix(application)
                );
            }
            _checkSignature(account, digest, signature);
        }
    }

    function _applicationPrefix(Application calldata application) private pure returns (bytes memory) {
        return abi.encode(
            _APPLICATION_TYPEHASH,
            _hashHolders(application.holders),
            application.region,
            application.classification,
            application.kind,
            application.manifestHash,
            application.manifestCid,
            application.cidCodec,
            _hashParents(application.parents)
        );
    }

    /// @dev The EIP-712 hash of the ordered configuration: the root its consents sign.
    function _hashHolders(RightHolder[] calldata holders) private pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](holders.length);
        for (uint256 i = 0; i < holders.length; ++i) {
            RightHolder calldata h = holders[i];
            hashes[i] = keccak256(
                abi.encode(
                    _RIGHT_HOLDER_TYPEHASH,
                    h.account,
                    h.rights,
                    h.start,
                    h.expiry,
                    h.identityHash,
                    h.restrictionsHash,
                    keccak256(bytes(h.restrictions))
                )
            );
        }
        return keccak256(abi.encodePacked(hashes));
    }

    function _emitRightHolder(uint64 assetId, RightHolder calldata h) private {
        emit RightHolderRecorded(
            assetId, h.account, h.rights, h.start, h.expiry, h.identityHash, h.restrictionsHash, h.restrictions
        );
    }

    /// @dev Issued now and within its validity at `time`, and the term covers `time`: from the
    /// deposit at the earliest, to the expiry at the latest.
    function _hasRight(Asset storage a, uint64 assetId, RightKind kind, address account, uint40 time)
        private
        view
        returns (bool)
    {
        if (a.status != Status.Issued || time >= a.expiresAt || time < a.issuedAt) return false;
        RightTerm memory t = _termOf(a, assetId, account);
        if (t.rights & (uint8(1) << uint8(kind)) == 0 || time < t.start) return false;
        return t.expiry == 0 || time < t.expiry;
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

    /// @dev A product's sources must be issued now, and the applicant must have the use right in
    /// them (derived data, art. 3) or a processing licence under the named scenario.
    function _linkParents(uint64 assetId, address holder, ParentRef[] calldata parents) private {
        IRightsRegistry rights = _rights;
        if (address(rights) == address(0)) revert ModulesNotSet();
        for (uint256 i = 0; i < parents.length; ++i) {
            uint64 parentId = parents[i].assetId;
            Asset storage p = _assets[parentId];
            if (p.status != Status.Issued || block.timestamp >= p.expiresAt) revert ParentNotIssued(parentId);
            bytes32 grantId = bytes32(0);
            if (parents[i].scenario == bytes32(0)) {
                if (!_hasRight(p, parentId, RightKind.Processing, holder, uint40(block.timestamp))) {
                    revert ParentNotLicensed(parentId, 0);
                }
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

    /// @dev Issues the successor certificate of a change and supersedes the old one.
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

    /// @dev Not yet decided, or issued: the states from which cancellation and seizure are possible.
    function _requireOpen(uint64 assetId) private view returns (Asset storage a) {
        a = _requireExists(assetId);
        Status s = a.status;
        if (s == Status.Rejected || s == Status.Cancelled || s == Status.Revoked || s == Status.Terminated) {
            revert InvalidTransition(assetId, s);
        }
        if (s == Status.Supplementing && block.timestamp >= _procedures[assetId].supplementsDue) {
            revert InvalidTransition(assetId, Status.Withdrawn);
        }
    }
}
