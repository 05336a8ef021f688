// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Asset, IAssetRegistry, RightTerm, Status} from "./interfaces/IAssetRegistry.sol";
import {CancellationGround, IChangesAndCancellations} from "./interfaces/IChangesAndCancellations.sol";
import {CertificateKind, ICertificates} from "./interfaces/ICertificates.sol";
import {JointConsent} from "./interfaces/IConsent.sol";
import {IPostObjections, ObjectionOutcome, PostObjection, PostObjectionStatus} from "./interfaces/IPostObjections.sol";
import {IRegistrationProcedure, RefusalReason} from "./interfaces/IRegistrationProcedure.sol";
import {ITransfers, TransferApplication, TransferShare, TransferState} from "./interfaces/ITransfers.sol";
import {IWorkCalendar} from "./interfaces/IWorkCalendar.sol";
import {AssetRegistryStorage} from "./AssetRegistryStorage.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title RegistrationTypes
/// @notice The registration types after the initial one (指引 art. 32-37) that AssetRegistry has
/// no room for: transfer registration (art. 34; see {ITransfers}), the change of a right-holder's
/// identity, the change a judgment orders and the center's cancellation (art. 29, 35, 37; see
/// {IChangesAndCancellations}).
/// @dev A module of AssetRegistry, as RegistrationProcedure is (EIP-170's code size limit): the
/// procedure module delegates to it every selector it does not have, so these functions run in
/// AssetRegistry's storage, as AssetRegistry. Called at its own address it has no assets.
contract RegistrationTypes is ITransfers, IChangesAndCancellations, AssetRegistryStorage {
    constructor(IAccessControl roles_, IWorkCalendar calendar_) AssetRegistryStorage(roles_, calendar_) {}

    // ---------------------------------------------------------------- changes and cancellations

    /// @inheritdoc IChangesAndCancellations
    function changeIdentity(uint64 assetId, address account, bytes32 identityHash, JointConsent calldata consent)
        external
        onlyRole(Roles.REGISTRAR)
        returns (uint256 certificateId)
    {
        Asset storage a = _requireActive(assetId);
        RightTerm memory term = _termOf(a, assetId, account);
        if (term.rights == 0) revert NotRightHolder(assetId, account);
        if (identityHash == bytes32(0)) revert IRegistrationProcedure.EmptyHash();
        address[] memory signers = new address[](1);
        signers[0] = account;
        _verifySigners(signers, consent, abi.encode(_IDENTITY_CHANGE_TYPEHASH, assetId, account, identityHash));
        ICertificates certificates = _modules();
        uint64 own = account == a.holder ? 0 : term.certificateId;
        if (own == 0) {
            // Named on the holder's certificate, which is reissued.
            certificateId = certificates.mint(a.holder, assetId, CertificateKind.Registration, a.expiresAt, 0, 0);
            certificates.supersede(a.certificateId, certificateId);
            a.certificateId = uint64(certificateId);
        } else {
            certificateId = _mintTransfer(certificates, account, assetId, a.expiresAt);
            certificates.supersede(own, certificateId);
            _coHolders[assetId][account].certificateId = uint64(certificateId);
        }
        emit IdentityChanged(assetId, account, identityHash, certificateId);
    }

    /// @inheritdoc IChangesAndCancellations
    function changeByJudgment(uint64 objectionId, bytes32 manifestHash, bytes32 manifestCid, uint8 cidCodec)
        external
        onlyRole(Roles.REGISTRAR)
        returns (uint256 certificateId)
    {
        PostObjection storage o = _postObjections[objectionId];
        PostObjectionStatus s = o.status;
        if (s == PostObjectionStatus.None) revert IRegistrationProcedure.UnknownObjection(objectionId);
        if (s != PostObjectionStatus.Judged) revert IPostObjections.ObjectionStepNotOpen(objectionId, s);
        if (o.outcome != ObjectionOutcome.Change) revert NoChangeOrdered(objectionId);
        uint64 assetId = o.assetId;
        Asset storage a = _requireActive(assetId);
        if (manifestHash == bytes32(0) || manifestCid == bytes32(0)) revert IAssetRegistry.InvalidManifest();
        if (cidCodec != _CODEC_RAW && cidCodec != _CODEC_DAG_PB) revert IAssetRegistry.InvalidCidCodec(cidCodec);
        _history[assetId][a.version] = ManifestVersion(a.manifestHash, a.manifestCid, a.cidCodec);
        uint16 version = a.version + 1;
        (a.version, a.manifestHash, a.manifestCid, a.cidCodec) = (version, manifestHash, manifestCid, cidCodec);
        ICertificates certificates = _modules();
        certificateId = certificates.mint(a.holder, assetId, CertificateKind.Registration, a.expiresAt, 0, 0);
        certificates.supersede(a.certificateId, certificateId);
        a.certificateId = uint64(certificateId);
        emit IAssetRegistry.ManifestChanged(assetId, version, manifestHash, manifestCid, cidCodec, certificateId);
        emit ChangeOrdered(objectionId, assetId, version);
    }

    /// @inheritdoc IChangesAndCancellations
    function cancelByCenter(uint64 assetId, CancellationGround ground, bytes32 reasonHash, bytes32 noticeHash)
        external
        onlyRole(Roles.REGISTRAR)
    {
        Asset storage a = _requireStatus(assetId, Status.Issued);
        if (a.frozen) revert IAssetRegistry.Frozen(assetId);
        if (ground == CancellationGround.None) revert CancellationGroundMissing(assetId);
        if (reasonHash == bytes32(0) || noticeHash == bytes32(0)) revert IRegistrationProcedure.EmptyHash();
        a.status = Status.Cancelled;
        emit IAssetRegistry.RegistrationCancelled(assetId, a.holder);
        emit CancelledByCenter(assetId, a.holder, ground, reasonHash, noticeHash);
    }

    // ---------------------------------------------------------------- transfers (art. 34)

    /// @inheritdoc ITransfers
    function applyTransfer(
        uint64 assetId,
        TransferShare[] calldata shares,
        bytes32 agreementHash,
        JointConsent calldata consent
    ) external returns (uint64 transferId) {
        Asset storage a = _requireActive(assetId);
        _requireUnpledged(assetId);
        if (agreementHash == bytes32(0)) revert IRegistrationProcedure.EmptyHash();
        uint256 count = shares.length;
        _checkShares(assetId, a, shares);
        address[] memory signers = new address[](2 * count);
        bytes32[] memory hashes = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) {
            TransferShare calldata share = shares[i];
            (signers[2 * i], signers[2 * i + 1]) = (share.from, share.to);
            hashes[i] = keccak256(
                abi.encode(_TRANSFER_SHARE_TYPEHASH, share.from, share.to, share.rights, share.identityHash)
            );
        }
        _verifySigners(
            signers,
            consent,
            abi.encode(_TRANSFER_TYPEHASH, assetId, keccak256(abi.encodePacked(hashes)), agreementHash)
        );
        transferId = ++_transferCount;
        TransferApplication storage t = _transfers[transferId];
        t.assetId = assetId;
        t.state = TransferState.Applied;
        t.filedAt = uint40(block.timestamp);
        t.agreementHash = agreementHash;
        emit TransferApplied(transferId, assetId, agreementHash, count);
        for (uint256 i = 0; i < count; ++i) {
            TransferShare calldata share = shares[i];
            t.shares.push(share);
            emit TransferShareApplied(transferId, share.from, share.to, share.rights, share.identityHash);
        }
    }

    /// @inheritdoc ITransfers
    function registerTransfer(uint64 transferId) external onlyRole(Roles.REGISTRAR) returns (uint256 certificateId) {
        TransferApplication storage t = _openTransfer(transferId);
        uint64 assetId = t.assetId;
        Asset storage a = _requireActive(assetId);
        _requireUnpledged(assetId);
        TransferShare[] memory shares = t.shares;
        _checkShares(assetId, a, shares);
        t.state = TransferState.Registered;
        t.decidedAt = uint40(block.timestamp);
        ICertificates certificates = _modules();
        // Whether the holder's certificate, which names every co-holder without one of its own,
        // must be reissued for what is kept, and whether it was replaced already (the holder
        // transferred all: the transferee's certificate is the asset's now).
        bool stale = false;
        bool replaced = false;
        for (uint256 i = 0; i < shares.length; ++i) {
            TransferShare memory share = shares[i];
            (uint256 received, bool named, bool left) = _transferShare(a, assetId, share, certificates);
            (stale, replaced) = (stale || named, replaced || left);
            if (i == 0) certificateId = received;
            emit RightsTransferred(
                assetId, transferId, share.from, share.to, share.rights, share.identityHash, received
            );
        }
        if (stale && !replaced) {
            uint256 previous = a.certificateId;
            uint256 kept = certificates.mint(a.holder, assetId, CertificateKind.Registration, a.expiresAt, 0, 0);
            certificates.supersede(previous, kept);
            a.certificateId = uint64(kept);
        }
        emit TransferRegistered(transferId, assetId, a.holder, a.certificateId);
    }

    /// @inheritdoc ITransfers
    function refuseTransfer(uint64 transferId, RefusalReason reason, bytes32 reasonHash)
        external
        onlyRole(Roles.REVIEWER)
    {
        TransferApplication storage t = _openTransfer(transferId);
        if (reason == RefusalReason.None) revert IRegistrationProcedure.RefusalReasonMissing();
        if (reasonHash == bytes32(0)) revert IRegistrationProcedure.EmptyHash();
        t.state = TransferState.Refused;
        t.decidedAt = uint40(block.timestamp);
        emit TransferRefused(transferId, t.assetId, reason, reasonHash);
    }

    /// @inheritdoc ITransfers
    function getTransfer(uint64 transferId) external view returns (TransferApplication memory) {
        return _transfers[transferId];
    }

    /// @inheritdoc ITransfers
    function transferCount() external view returns (uint64) {
        return _transferCount;
    }

    function _openTransfer(uint64 transferId) private view returns (TransferApplication storage t) {
        t = _transfers[transferId];
        TransferState s = t.state;
        if (s == TransferState.None) revert UnknownTransfer(transferId);
        if (s != TransferState.Applied) revert TransferDecided(transferId, s);
    }

    /// @dev The shares' rules, against the configuration now: each transferor holds what it
    /// transfers, each transferee is new, none twice, at most 16 right-holders after.
    function _checkShares(uint64 assetId, Asset storage a, TransferShare[] memory shares) private view {
        uint256 count = shares.length;
        if (count == 0 || count > _MAX_RIGHT_HOLDERS) revert TransferShareCount(count);
        mapping(address => RightTerm) storage terms = _coHolders[assetId];
        address holder = a.holder;
        uint256 holders = uint256(a.coHolderCount) + 1;
        for (uint256 i = 0; i < count; ++i) {
            TransferShare memory share = shares[i];
            (address from, address to, uint8 rights) = (share.from, share.to, share.rights);
            if (rights == 0 || rights > _ALL_RIGHTS) revert IAssetRegistry.InvalidRights(from, rights);
            uint8 held = _termOf(a, assetId, from).rights;
            if (rights & held != rights) revert RightsNotHeld(from, rights, held);
            if (to == address(0) || to == holder || terms[to].rights != 0) revert IAssetRegistry.InvalidHolder(to);
            for (uint256 j = 0; j < i; ++j) {
                if (shares[j].from == from) revert IAssetRegistry.DuplicateRightHolder(from);
                if (shares[j].to == to) revert IAssetRegistry.DuplicateRightHolder(to);
            }
            // A transferee is a right-holder more; a transferor that keeps nothing one less.
            holders += rights == held ? 0 : 1;
        }
        if (holders > _MAX_RIGHT_HOLDERS) revert IAssetRegistry.RightHolderCount(holders);
    }

    /// @dev One share: the transferee's rights and transfer certificate, the transferor's rights
    /// less what it transferred, and its own certificate superseded (by one for what it keeps,
    /// or the transferee's). Returns the transferee's certificate, whether the holder's
    /// certificate names the transferor (to be reissued for what is kept), and whether the holder
    /// left (its transferee's certificate is the asset's now).
    function _transferShare(Asset storage a, uint64 assetId, TransferShare memory share, ICertificates certificates)
        private
        returns (uint256 received, bool named, bool left)
    {
        mapping(address => RightTerm) storage terms = _coHolders[assetId];
        received = _mintTransfer(certificates, share.to, assetId, a.expiresAt);
        if (share.from == a.holder) {
            uint8 kept = a.holderRights & ~share.rights;
            if (kept == 0) {
                // The holder leaves: its transferee acts for the registration and holds its
                // certificate, by which the holder's is superseded.
                certificates.supersede(a.certificateId, received);
                a.holder = share.to;
                a.holderRights = share.rights;
                a.certificateId = uint64(received);
                return (received, false, true);
            }
            a.holderRights = kept;
            terms[share.to] = RightTerm(share.rights, a.holderStart, a.holderExpiry, uint64(received));
            a.coHolderCount += 1;
            return (received, true, false);
        }
        RightTerm storage f = terms[share.from];
        terms[share.to] = RightTerm(share.rights, f.start, f.expiry, uint64(received));
        uint8 rest = f.rights & ~share.rights;
        uint64 own = f.certificateId;
        // Named on the holder's certificate (no certificate of its own): that one is reissued.
        named = own == 0;
        if (own != 0 && rest == 0) {
            certificates.supersede(own, received);
        } else if (own != 0) {
            uint256 keeps = _mintTransfer(certificates, share.from, assetId, a.expiresAt);
            certificates.supersede(own, keeps);
            f.certificateId = uint64(keeps);
        }
        if (rest == 0) {
            delete terms[share.from];
        } else {
            f.rights = rest;
            a.coHolderCount += 1;
        }
    }

    function _mintTransfer(ICertificates certificates, address to, uint64 assetId, uint40 expiresAt)
        private
        returns (uint256)
    {
        return certificates.mint(to, assetId, CertificateKind.Transfer, expiresAt, 0, 0);
    }
}
