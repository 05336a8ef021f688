// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Asset, IAssetRegistry, Objection, ObjectionStatus, Status} from "./interfaces/IAssetRegistry.sol";
import {JointConsent} from "./interfaces/IConsent.sol";
import {
    IPostObjections,
    JudgmentKind,
    ObjectionOutcome,
    PostObjection,
    PostObjectionStatus
} from "./interfaces/IPostObjections.sol";
import {Deadlines, IRegistrationProcedure, Procedure, RefusalReason} from "./interfaces/IRegistrationProcedure.sol";
import {IWorkCalendar} from "./interfaces/IWorkCalendar.sol";
import {AssetRegistryStorage} from "./AssetRegistryStorage.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title RegistrationProcedure
/// @notice The national procedure from acceptance to the end of the public notice and its
/// objections (指引 art. 17-25, 28), and the objections after registration (art. 29), counted in working days of the calendar; see
/// {IRegistrationProcedure}. The time limit of 10 working days from acceptance (extendable by at
/// most 10) is shown by {deadlinesOf}, never enforced: every act here stays possible after it,
/// so that the center can always finish late.
/// @dev A module of AssetRegistry, split off for EIP-170's code size limit: AssetRegistry
/// delegates the functions below to it, so they run in AssetRegistry's storage, as
/// AssetRegistry, with its roles, EIP-712 domain and events. Called at its own address it has
/// no assets, and every act refuses with {IAssetRegistry-UnknownAsset}.
contract RegistrationProcedure is IRegistrationProcedure, IPostObjections, AssetRegistryStorage {
    /// @dev The module of the later registration types (RegistrationTypes), to which every
    /// selector this module does not have is delegated in turn.
    address private immutable _types;

    /// @param types_ The RegistrationTypes module, deployed with the same roles and calendar.
    constructor(IAccessControl roles_, IWorkCalendar calendar_, address types_) AssetRegistryStorage(roles_, calendar_) {
        if (types_.code.length == 0) revert ZeroAddress();
        _types = types_;
    }

    /// @notice Serves the later registration types ({ITransfers}): the call runs the
    /// RegistrationTypes module's code in the storage of the contract this one runs in (through
    /// AssetRegistry, AssetRegistry's), its answer or revert passed back as it is.
    /// @dev Requirements: those of the function called; a selector neither module has reverts
    /// without data.
    fallback() external {
        address types = _types;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), types, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /// @inheritdoc IRegistrationProcedure
    function accept(uint64 assetId) external onlyRole(Roles.REVIEWER) {
        Asset storage a = _requireStatus(assetId, Status.Applied);
        Procedure storage p = _procedures[assetId];
        uint40 deemedAt = _deemedAcceptedAt(a, p);
        uint40 acceptedAt = block.timestamp < deemedAt ? uint40(block.timestamp) : deemedAt;
        a.status = Status.UnderReview;
        p.acceptedAt = acceptedAt;
        emit ApplicationAccepted(assetId, msg.sender, acceptedAt);
    }

    /// @inheritdoc IRegistrationProcedure
    function returnForSupplements(uint64 assetId, bytes32 listHash, uint40 deadline)
        external
        onlyRole(Roles.REVIEWER)
    {
        Asset storage a = _requireStatus(assetId, Status.Applied);
        Procedure storage p = _procedures[assetId];
        uint40 deemedAt = _deemedAcceptedAt(a, p);
        if (block.timestamp >= deemedAt) revert AcceptanceTimeOver(assetId, deemedAt);
        if (listHash == bytes32(0)) revert EmptyHash();
        if (deadline <= block.timestamp) revert InvalidDeadline(deadline);
        a.status = Status.Supplementing;
        p.supplementsDue = deadline;
        emit ReturnedForSupplements(assetId, msg.sender, listHash, deadline);
    }

    /// @inheritdoc IRegistrationProcedure
    function supplySupplements(uint64 assetId, bytes32 materialsHash, JointConsent calldata consent) external {
        Asset storage a = _requireStatus(assetId, Status.Supplementing);
        Procedure storage p = _procedures[assetId];
        uint40 due = p.supplementsDue;
        if (block.timestamp >= due) revert SupplementsOverdue(assetId, due);
        if (materialsHash == bytes32(0)) revert EmptyHash();
        _verifyAllHolders(assetId, a, consent, abi.encode(_SUPPLEMENTS_TYPEHASH, assetId, materialsHash));
        a.status = Status.Applied;
        p.resubmittedAt = uint40(block.timestamp);
        p.supplementsDue = 0;
        emit SupplementsSupplied(assetId, materialsHash);
    }

    /// @inheritdoc IRegistrationProcedure
    function requestProof(uint64 assetId, bytes32 requestHash) external onlyRole(Roles.REVIEWER) {
        (Asset storage a, Procedure storage p) = _inReview(assetId, false);
        if (requestHash == bytes32(0)) revert EmptyHash();
        a.status = Status.AwaitingProof;
        p.pausedAt = uint40(block.timestamp);
        emit ProofRequested(assetId, msg.sender, requestHash);
    }

    /// @inheritdoc IRegistrationProcedure
    function supplyProof(uint64 assetId, bytes32 proofHash, JointConsent calldata consent) external {
        Asset storage a = _requireStatus(assetId, Status.AwaitingProof);
        if (proofHash == bytes32(0)) revert EmptyHash();
        _verifyAllHolders(assetId, a, consent, abi.encode(_PROOF_TYPEHASH, assetId, proofHash));
        Procedure storage p = _procedures[assetId];
        uint16 paused = uint16(_calendar.workingDaysBetween(p.pausedAt, block.timestamp));
        uint16 total = p.pausedDays + paused;
        a.status = Status.UnderReview;
        p.pausedAt = 0;
        p.pausedDays = total;
        emit ProofSupplied(assetId, proofHash, paused, total);
    }

    /// @inheritdoc IRegistrationProcedure
    function extend(uint64 assetId, uint8 dayCount, bytes32 reasonHash) external onlyRole(Roles.REVIEWER) {
        (, Procedure storage p) = _inReview(assetId, true);
        uint256 total = uint256(p.extensionDays) + dayCount;
        if (dayCount == 0 || total > _MAX_EXTENSION_DAYS) revert ExtensionTooLong(assetId, total, _MAX_EXTENSION_DAYS);
        if (reasonHash == bytes32(0)) revert EmptyHash();
        p.extensionDays = uint8(total);
        emit ProcessingExtended(assetId, msg.sender, dayCount, uint8(total), reasonHash);
    }

    /// @inheritdoc IRegistrationProcedure
    function terminate(uint64 assetId, bytes32 reasonHash) external onlyRole(Roles.REVIEWER) {
        (Asset storage a,) = _inReview(assetId, true);
        if (reasonHash == bytes32(0)) revert EmptyHash();
        a.status = Status.Terminated;
        emit ReviewTerminated(assetId, msg.sender, reasonHash);
    }

    /// @inheritdoc IRegistrationProcedure
    function refuse(uint64 assetId, RefusalReason reason, bytes32 reasonHash) external onlyRole(Roles.REVIEWER) {
        (Asset storage a,) = _inReview(assetId, true);
        if (reason == RefusalReason.None) revert RefusalReasonMissing();
        if (reasonHash == bytes32(0)) revert EmptyHash();
        a.status = Status.Rejected;
        emit ApplicationRefused(assetId, msg.sender, reason, reasonHash);
    }

    /// @inheritdoc IRegistrationProcedure
    function approve(uint64 assetId) external onlyRole(Roles.REVIEWER) {
        (Asset storage a, Procedure storage p) = _inReview(assetId, false);
        uint40 endsAt = _calendar.addWorkingDays(block.timestamp, _NOTICE_DAYS);
        a.status = Status.InNotice;
        a.noticeEndsAt = endsAt;
        p.pausedAt = uint40(block.timestamp);
        emit NoticeStarted(assetId, endsAt);
    }

    /// @inheritdoc IRegistrationProcedure
    function approveWithoutNotice(uint64 assetId, bytes32 reasonHash) external onlyRole(Roles.REVIEWER) {
        (Asset storage a, Procedure storage p) = _inReview(assetId, false);
        if (reasonHash == bytes32(0)) revert EmptyHash();
        a.status = Status.InNotice;
        a.noticeEndsAt = uint40(block.timestamp);
        p.pausedAt = uint40(block.timestamp);
        p.noticeWaived = true;
        emit NoticeWaived(assetId, reasonHash);
    }

    /// @inheritdoc IRegistrationProcedure
    function fileObjection(uint64 assetId, bytes32 evidenceHash) external returns (uint64 objectionId) {
        Asset storage a = _requireStatus(assetId, Status.InNotice);
        if (block.timestamp >= a.noticeEndsAt) revert NoticeClosed(assetId, a.noticeEndsAt);
        if (evidenceHash == bytes32(0)) revert EmptyEvidence();
        uint40 due = _calendar.addWorkingDays(block.timestamp, _INVESTIGATION_DAYS);
        a.openObjections += 1;
        objectionId = ++_objectionCount;
        _objections[objectionId] = Objection({
            assetId: assetId,
            objector: msg.sender,
            status: ObjectionStatus.Open,
            evidenceHash: evidenceHash,
            filedAt: uint40(block.timestamp),
            investigationDue: due,
            decidedAt: 0
        });
        emit ObjectionFiled(objectionId, assetId, msg.sender, evidenceHash, due);
    }

    /// @inheritdoc IRegistrationProcedure
    function decideObjection(uint64 objectionId, bool upheld, RefusalReason reason, bytes32 reasonHash)
        external
        onlyRole(Roles.REGISTRAR)
    {
        Objection storage o = _objections[objectionId];
        if (o.status == ObjectionStatus.None) revert UnknownObjection(objectionId);
        if (o.status != ObjectionStatus.Open) revert ObjectionNotOpen(objectionId);
        uint64 assetId = o.assetId;
        Asset storage a = _requireStatus(assetId, Status.InNotice);
        if (upheld && reason == RefusalReason.None) revert RefusalReasonMissing();
        a.openObjections -= 1;
        o.decidedAt = uint40(block.timestamp);
        _procedures[assetId].lastDecisionAt = uint40(block.timestamp);
        if (upheld) {
            o.status = ObjectionStatus.Upheld;
            a.status = Status.Rejected;
        } else {
            o.status = ObjectionStatus.Dismissed;
        }
        emit ObjectionDecided(objectionId, assetId, upheld, reasonHash);
        if (upheld) emit ApplicationRefused(assetId, msg.sender, reason, reasonHash);
    }

    // ---------------------------------------------------------------- objections after registration

    /// @inheritdoc IPostObjections
    function fileObjectionAfterRegistration(uint64 assetId, bytes32 formHash, bytes32 evidenceHash)
        external
        returns (uint64 objectionId)
    {
        Asset storage a = _requireExists(assetId);
        Status s = a.status;
        if (s == Status.Issued && block.timestamp >= a.expiresAt) s = Status.Expired;
        if (s != Status.Issued) revert NotRegistered(assetId, s);
        if (formHash == bytes32(0)) revert MissingObjectionForm(assetId);
        if (evidenceHash == bytes32(0)) revert MissingObjectionEvidence(assetId);
        objectionId = ++_objectionCount;
        PostObjection storage o = _postObjections[objectionId];
        o.filedBy = msg.sender;
        o.filedAt = uint40(block.timestamp);
        o.status = PostObjectionStatus.Filed;
        o.assetId = assetId;
        o.versionAtFiling = a.version;
        emit PostObjectionFiled(objectionId, assetId, msg.sender, formHash, evidenceHash);
    }

    /// @inheritdoc IPostObjections
    function confirmObjectionMaterials(uint64 objectionId) external onlyRole(Roles.REGISTRAR) {
        PostObjection storage o = _postObjectionAt(objectionId, PostObjectionStatus.Filed);
        uint40 due = _calendar.addWorkingDays(block.timestamp, _NOTIFICATION_DAYS);
        o.completedAt = uint40(block.timestamp);
        o.status = PostObjectionStatus.MaterialsComplete;
        o.notificationDue = due;
        emit ObjectionMaterialsComplete(objectionId, o.assetId, due);
    }

    /// @inheritdoc IPostObjections
    function notifyApplicant(uint64 objectionId, bytes32 noticeHash) external onlyRole(Roles.REGISTRAR) {
        PostObjection storage o = _postObjectionAt(objectionId, PostObjectionStatus.MaterialsComplete);
        if (noticeHash == bytes32(0)) revert MissingObjectionDocument(objectionId);
        o.status = PostObjectionStatus.Notified;
        o.notifiedAt = uint40(block.timestamp);
        emit ApplicantNotified(objectionId, o.assetId, noticeHash, block.timestamp < o.notificationDue);
    }

    /// @inheritdoc IPostObjections
    function recordAnswer(uint64 objectionId, bool agrees, ObjectionOutcome outcome, bytes32 replyHash)
        external
        onlyRole(Roles.REGISTRAR)
    {
        PostObjection storage o = _postObjectionAt(objectionId, PostObjectionStatus.Notified);
        if (replyHash == bytes32(0)) revert MissingObjectionDocument(objectionId);
        if (agrees != (outcome != ObjectionOutcome.Stands)) revert OutcomeMismatch(objectionId, agrees, outcome);
        o.status = agrees ? PostObjectionStatus.Agreed : PostObjectionStatus.Disputed;
        o.outcome = outcome;
        o.answeredAt = uint40(block.timestamp);
        emit ObjectionAnswered(objectionId, o.assetId, agrees, outcome, replyHash);
    }

    /// @inheritdoc IPostObjections
    function concludeObjection(uint64 objectionId, bool upheld, ObjectionOutcome outcome, bytes32 conclusionHash)
        external
        onlyRole(Roles.REGISTRAR)
    {
        PostObjection storage o = _postObjectionAt(objectionId, PostObjectionStatus.Disputed);
        if (conclusionHash == bytes32(0)) revert MissingObjectionDocument(objectionId);
        if (upheld != (outcome != ObjectionOutcome.Stands)) revert OutcomeMismatch(objectionId, upheld, outcome);
        o.status = PostObjectionStatus.Concluded;
        o.outcome = outcome;
        o.concludedAt = uint40(block.timestamp);
        emit ObjectionConcluded(objectionId, o.assetId, upheld, outcome, conclusionHash);
    }

    /// @inheritdoc IPostObjections
    function recordJudgment(uint64 objectionId, JudgmentKind kind, ObjectionOutcome outcome, bytes32 documentHash)
        external
        onlyRole(Roles.REGISTRAR)
    {
        PostObjection storage o = _postObjections[objectionId];
        PostObjectionStatus s = o.status;
        if (s == PostObjectionStatus.None) revert UnknownObjection(objectionId);
        if (s != PostObjectionStatus.Disputed && s != PostObjectionStatus.Concluded) {
            revert ObjectionStepNotOpen(objectionId, s);
        }
        if (kind == JudgmentKind.None) revert JudgmentKindMissing(objectionId);
        if (documentHash == bytes32(0)) revert MissingObjectionDocument(objectionId);
        o.status = PostObjectionStatus.Judged;
        o.outcome = outcome;
        o.judgment = kind;
        o.judgedAt = uint40(block.timestamp);
        emit JudgmentRecorded(objectionId, o.assetId, kind, outcome, documentHash);
    }

    /// @inheritdoc IPostObjections
    function settleObjection(uint64 objectionId, bytes32 actHash) external onlyRole(Roles.REGISTRAR) {
        PostObjection storage o = _postObjections[objectionId];
        PostObjectionStatus s = o.status;
        if (s == PostObjectionStatus.None) revert UnknownObjection(objectionId);
        if (s != PostObjectionStatus.Agreed && s != PostObjectionStatus.Concluded && s != PostObjectionStatus.Judged) {
            revert ObjectionStepNotOpen(objectionId, s);
        }
        if (actHash == bytes32(0)) revert MissingObjectionDocument(objectionId);
        uint64 assetId = o.assetId;
        ObjectionOutcome outcome = o.outcome;
        o.status = PostObjectionStatus.Settled;
        o.settledAt = uint40(block.timestamp);
        if (outcome == ObjectionOutcome.Cancel) {
            // A cancellation on the objection's outcome (art. 37): the center's act, so no
            // holder consent; a seizure still blocks it, as it blocks the holder's.
            Asset storage a = _requireStatus(assetId, Status.Issued);
            if (a.frozen) revert IAssetRegistry.Frozen(assetId);
            a.status = Status.Cancelled;
            emit IAssetRegistry.RegistrationCancelled(assetId, a.holder);
        } else if (outcome == ObjectionOutcome.Change) {
            // Versions only grow: not later is the version at filing.
            uint16 version = _assets[assetId].version;
            if (version <= o.versionAtFiling) revert ChangeNotRegistered(objectionId, version);
        }
        emit PostObjectionSettled(objectionId, assetId, outcome, actHash);
    }

    /// @inheritdoc IPostObjections
    function getPostObjection(uint64 objectionId) external view returns (PostObjection memory) {
        return _postObjections[objectionId];
    }


    /// @inheritdoc IRegistrationProcedure
    function deemedAcceptedAt(uint256 clock) external view returns (uint40) {
        return _calendar.nextWorkingDay(_calendar.addWorkingDays(clock, _ACCEPTANCE_DAYS) - 1);
    }

    /// @inheritdoc IRegistrationProcedure
    function procedureOf(uint64 assetId) external view returns (Procedure memory) {
        return _procedures[assetId];
    }

    /// @inheritdoc IRegistrationProcedure
    function deadlinesOf(uint64 assetId) external view returns (Deadlines memory d) {
        Asset storage a = _requireExists(assetId);
        Procedure storage p = _procedures[assetId];
        IWorkCalendar cal = _calendar;
        (uint40 clock, bool accepted) = _acceptanceClock(a, p);
        d.acceptanceDue = cal.addWorkingDays(clock, _ACCEPTANCE_DAYS);
        d.deemedAcceptedAt = cal.nextWorkingDay(d.acceptanceDue - 1);
        d.supplementsDue = p.supplementsDue;
        d.noticeEndsAt = a.noticeEndsAt;
        d.expiresAt = a.expiresAt;
        d.extensionDays = p.extensionDays;
        uint40 acceptedAt = accepted ? p.acceptedAt : 0;
        if (!accepted && a.status == Status.Applied && block.timestamp >= d.deemedAcceptedAt) {
            acceptedAt = d.deemedAcceptedAt;
        }
        if (acceptedAt == 0) return d;
        d.acceptedAt = acceptedAt;
        uint256 paused = p.pausedDays;
        uint40 pausedAt = p.pausedAt;
        if (pausedAt != 0) {
            (uint256 until, bool open) = _pauseEnd(a, p);
            d.paused = open;
            paused += cal.workingDaysBetween(pausedAt, until);
        }
        d.pausedDays = uint16(paused);
        d.processingDue = cal.addWorkingDays(acceptedAt, _PROCESSING_DAYS + paused + p.extensionDays);
    }

    /// @dev An accepted application in review; one left `Applied` past its deemed acceptance is
    /// recorded as accepted at that time first (art. 17). `proofToo` admits `AwaitingProof`.
    function _inReview(uint64 assetId, bool proofToo) private returns (Asset storage a, Procedure storage p) {
        a = _requireExists(assetId);
        p = _procedures[assetId];
        Status s = a.status;
        if (s == Status.Applied) {
            uint40 deemedAt = _deemedAcceptedAt(a, p);
            if (block.timestamp < deemedAt) revert IAssetRegistry.InvalidTransition(assetId, s);
            a.status = Status.UnderReview;
            p.acceptedAt = deemedAt;
            emit ApplicationAccepted(assetId, address(0), deemedAt);
        } else if (s != Status.UnderReview && !(proofToo && s == Status.AwaitingProof)) {
            revert IAssetRegistry.InvalidTransition(assetId, s);
        }
    }

    /// @dev Where the running pause ends for the count, and whether it still runs: now while it
    /// runs; for the notice, the last day of the notice or the last objection decision,
    /// whichever is later.
    function _pauseEnd(Asset storage a, Procedure storage p)
        private
        view
        returns (uint256 end, bool open)
    {
        uint40 noticeEndsAt = a.noticeEndsAt;
        if (noticeEndsAt == 0) return (block.timestamp, true);
        end = noticeEndsAt > p.pausedAt ? noticeEndsAt - 1 : p.pausedAt;
        if (p.lastDecisionAt > end) end = p.lastDecisionAt;
        if (a.openObjections != 0 || end > block.timestamp) return (block.timestamp, true);
    }

    /// @dev The objection after registration `objectionId`, standing at `status`.
    function _postObjectionAt(uint64 objectionId, PostObjectionStatus status)
        private
        view
        returns (PostObjection storage o)
    {
        o = _postObjections[objectionId];
        PostObjectionStatus s = o.status;
        if (s == PostObjectionStatus.None) revert UnknownObjection(objectionId);
        if (s != status) revert ObjectionStepNotOpen(objectionId, s);
    }
}
