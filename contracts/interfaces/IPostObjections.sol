// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Status} from "./IAssetRegistry.sol";

/// @notice Where an objection after registration (登记后异议, guide art. 29) stands. Filed ->
/// MaterialsComplete (the applicant to be told within 5 working days) -> Notified -> Agreed (a
/// change or a cancellation follows) or Disputed -> Concluded (the center's conclusion after
/// investigation) -> Judged (an effective court judgment or arbitral award; also straight from
/// Disputed) -> Settled (the outcome carried out). Agreed and Concluded settle too.
enum PostObjectionStatus {
    None,
    Filed,
    MaterialsComplete,
    Notified,
    Agreed,
    Disputed,
    Concluded,
    Judged,
    Settled
}

/// @notice What an objection after registration comes to: the registration stands as it is, is
/// changed (变更) or is cancelled (注销, art. 37).
enum ObjectionOutcome {
    Stands,
    Change,
    Cancel
}

/// @notice The document an objection's dispute ends in: an effective court judgment (判决) or an
/// arbitral award (仲裁裁决); `None` before one.
enum JudgmentKind {
    None,
    CourtJudgment,
    ArbitralAward
}

/// @notice An objection after registration as stored (times in Unix seconds, 0: not yet). The
/// hashes of its form, evidence, notice, the applicant's reply, the conclusion, the judgment and
/// the act carrying it out are in the events only (see {IPostObjections}).
/// @param filedBy Who sent the filing (the center's account for an objection from the public,
/// whose objector the center keeps confidential).
/// @param filedAt When it was filed.
/// @param completedAt When the center found its materials complete.
/// @param status Where it stands.
/// @param outcome The outcome decided last (the answer's, the conclusion's, the judgment's).
/// @param assetId The registration objected to.
/// @param notificationDue End of the 5th working day after `completedAt` (art. 29): the
/// applicant is to be told by then.
/// @param notifiedAt When the applicant was told.
/// @param answeredAt When the applicant's answer (agreement or dispute) was recorded.
/// @param concludedAt When the center concluded its investigation.
/// @param versionAtFiling The registration's manifest version when the objection was filed: a
/// change carried out is a later version.
/// @param judgment The kind of judgment recorded, if any.
/// @param judgedAt When it was recorded.
/// @param settledAt When the outcome was carried out.
struct PostObjection {
    address filedBy;
    uint40 filedAt;
    uint40 completedAt;
    PostObjectionStatus status;
    ObjectionOutcome outcome;
    uint64 assetId;
    uint40 notificationDue;
    uint40 notifiedAt;
    uint40 answeredAt;
    uint40 concludedAt;
    uint16 versionAtFiling;
    JudgmentKind judgment;
    uint40 judgedAt;
    uint40 settledAt;
}

/// @title IPostObjections
/// @notice Objections after registration (登记后异议, guide art. 29): an ownership dispute or a
/// registration error, filed against an issued registration with an objection form and initial
/// evidence; once its materials are complete the applicant is to be told within 5 working days;
/// the applicant agrees (a change or a cancellation follows) or disputes; the center investigates
/// and concludes; the parties may go to arbitration or court, and the center acts on the
/// effective judgment or award. Every step's time is stored; the notification due date is shown,
/// never enforced (the center can always tell late).
/// @dev Served at the AssetRegistry's address by the RegistrationProcedure module (delegatecall,
/// AssetRegistry's storage). Ids come from the same counter as the notice's objections, so an
/// objection id names one objection of either kind. Texts stay with the center; their hashes
/// are in the events, a receipt on chain (a slot each would be 22,100 gas more a step).
interface IPostObjections {
    /// @notice An objection was filed against an issued registration.
    /// @param objectionId Its id (shared with the notice's objections).
    /// @param assetId The registration.
    /// @param filedBy Who sent it.
    /// @param formHash SHA-256 of the objection form (异议申请表).
    /// @param evidenceHash SHA-256 of the initial evidence.
    event PostObjectionFiled(
        uint64 indexed objectionId, uint64 indexed assetId, address indexed filedBy, bytes32 formHash, bytes32 evidenceHash
    );

    /// @notice The center found the objection's materials complete: the applicant is to be told.
    /// @param objectionId The objection.
    /// @param assetId The registration.
    /// @param notificationDue End of the 5th working day from now (art. 29).
    event ObjectionMaterialsComplete(uint64 indexed objectionId, uint64 indexed assetId, uint40 notificationDue);

    /// @notice The applicant was told of the objection.
    /// @param objectionId The objection.
    /// @param assetId The registration.
    /// @param noticeHash SHA-256 of the notification sent.
    /// @param inTime Whether it was before the notification due date.
    event ApplicantNotified(uint64 indexed objectionId, uint64 indexed assetId, bytes32 noticeHash, bool inTime);

    /// @notice The applicant's answer was recorded: agreement (with the change or cancellation
    /// that follows) or dispute.
    /// @param objectionId The objection.
    /// @param assetId The registration.
    /// @param agrees Whether the applicant agrees with the objection.
    /// @param outcome Agreed: `Change` or `Cancel`; disputed: `Stands`.
    /// @param replyHash SHA-256 of the applicant's written reply.
    event ObjectionAnswered(
        uint64 indexed objectionId, uint64 indexed assetId, bool agrees, ObjectionOutcome outcome, bytes32 replyHash
    );

    /// @notice The center concluded its investigation of a disputed objection.
    /// @param objectionId The objection.
    /// @param assetId The registration.
    /// @param upheld Whether the objection is well founded.
    /// @param outcome Upheld: `Change` or `Cancel`; dismissed: `Stands`.
    /// @param conclusionHash SHA-256 of the written conclusion.
    event ObjectionConcluded(
        uint64 indexed objectionId, uint64 indexed assetId, bool upheld, ObjectionOutcome outcome, bytes32 conclusionHash
    );

    /// @notice An effective court judgment or arbitral award on the dispute was recorded.
    /// @param objectionId The objection.
    /// @param assetId The registration.
    /// @param kind A court judgment or an arbitral award.
    /// @param outcome What it orders for the registration.
    /// @param documentHash SHA-256 of the judgment or award.
    event JudgmentRecorded(
        uint64 indexed objectionId,
        uint64 indexed assetId,
        JudgmentKind kind,
        ObjectionOutcome outcome,
        bytes32 documentHash
    );

    /// @notice The objection's outcome was carried out: the registration stands, was changed
    /// (a later manifest version) or is cancelled now (`Cancelled`, with
    /// {IAssetRegistry-RegistrationCancelled}).
    /// @param objectionId The objection.
    /// @param assetId The registration.
    /// @param outcome The outcome carried out.
    /// @param actHash SHA-256 of the center's written act.
    event PostObjectionSettled(
        uint64 indexed objectionId, uint64 indexed assetId, ObjectionOutcome outcome, bytes32 actHash
    );

    /// @notice Only a registration in force (issued, not expired) takes an objection after
    /// registration (art. 29).
    /// @param assetId The asset.
    /// @param status Its status (`Expired` derived).
    error NotRegistered(uint64 assetId, Status status);

    /// @notice An objection after registration is filed with its objection form (art. 29): its hash is zero.
    /// @param assetId The asset.
    error MissingObjectionForm(uint64 assetId);

    /// @notice An objection after registration is filed with initial evidence (art. 29): its hash is zero.
    /// @param assetId The asset.
    error MissingObjectionEvidence(uint64 assetId);

    /// @notice The step is not the objection's next: it stands at `status`.
    /// @param objectionId The objection.
    /// @param status Where it stands.
    error ObjectionStepNotOpen(uint64 objectionId, PostObjectionStatus status);

    /// @notice Every step is recorded with its document: the hash given is zero.
    /// @param objectionId The objection.
    error MissingObjectionDocument(uint64 objectionId);

    /// @notice An agreement or an upheld objection is followed by a change or a cancellation;
    /// a dispute or a dismissal leaves the registration as it stands.
    /// @param objectionId The objection.
    /// @param founded Whether the applicant agrees or the objection is upheld.
    /// @param outcome The outcome given.
    error OutcomeMismatch(uint64 objectionId, bool founded, ObjectionOutcome outcome);

    /// @notice A judgment is a court judgment or an arbitral award: `None` was given.
    /// @param objectionId The objection.
    error JudgmentKindMissing(uint64 objectionId);

    /// @notice A change is carried out by a change registration (with the holder's consent)
    /// first: the manifest version is still the one at filing.
    /// @param objectionId The objection.
    /// @param version The registration's manifest version now, the same as at filing.
    error ChangeNotRegistered(uint64 objectionId, uint16 version);

    /// @notice Anyone files an objection after registration against a registration in force.
    /// @dev Requirements:
    /// - the asset exists ({IAssetRegistry-UnknownAsset}) and is issued and not expired ({NotRegistered});
    /// - `formHash` and `evidenceHash` are not zero ({MissingObjectionForm}, {MissingObjectionEvidence}).
    ///
    /// Emits a {PostObjectionFiled} event.
    function fileObjectionAfterRegistration(uint64 assetId, bytes32 formHash, bytes32 evidenceHash)
        external
        returns (uint64 objectionId);

    /// @notice The registrar finds the objection's materials complete; the notification due date
    /// (5 working days, art. 29) is counted from now.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the objection exists ({IRegistrationProcedure-UnknownObjection}) and is `Filed` ({ObjectionStepNotOpen}).
    ///
    /// Emits an {ObjectionMaterialsComplete} event.
    function confirmObjectionMaterials(uint64 objectionId) external;

    /// @notice The registrar records that the applicant was told of the objection (late is allowed, and shown).
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the objection exists and is `MaterialsComplete` ({ObjectionStepNotOpen});
    /// - `noticeHash` is not zero ({MissingObjectionDocument}).
    ///
    /// Emits an {ApplicantNotified} event.
    function notifyApplicant(uint64 objectionId, bytes32 noticeHash) external;

    /// @notice The registrar records the applicant's written answer: agreement, with the change
    /// or cancellation that follows, or dispute.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the objection exists and is `Notified` ({ObjectionStepNotOpen});
    /// - `replyHash` is not zero ({MissingObjectionDocument});
    /// - agreed: `outcome` is `Change` or `Cancel`; disputed: `Stands` ({OutcomeMismatch}).
    ///
    /// Emits an {ObjectionAnswered} event.
    function recordAnswer(uint64 objectionId, bool agrees, ObjectionOutcome outcome, bytes32 replyHash) external;

    /// @notice The registrar records the center's conclusion on a disputed objection.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the objection exists and is `Disputed` ({ObjectionStepNotOpen});
    /// - `conclusionHash` is not zero ({MissingObjectionDocument});
    /// - upheld: `outcome` is `Change` or `Cancel`; dismissed: `Stands` ({OutcomeMismatch}).
    ///
    /// Emits an {ObjectionConcluded} event.
    function concludeObjection(uint64 objectionId, bool upheld, ObjectionOutcome outcome, bytes32 conclusionHash)
        external;

    /// @notice The registrar records an effective court judgment or arbitral award on the
    /// dispute; what it orders replaces the center's conclusion.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the objection exists and is `Disputed` or `Concluded` ({ObjectionStepNotOpen});
    /// - `kind` is not `None` ({JudgmentKindMissing}); `documentHash` is not zero ({MissingObjectionDocument}).
    ///
    /// Emits a {JudgmentRecorded} event.
    function recordJudgment(uint64 objectionId, JudgmentKind kind, ObjectionOutcome outcome, bytes32 documentHash)
        external;

    /// @notice The registrar carries out the objection's outcome: `Cancel` cancels the
    /// registration now; `Change` confirms the change registration made since the filing;
    /// `Stands` closes the objection.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the objection exists and is `Agreed`, `Concluded` or `Judged` ({ObjectionStepNotOpen});
    /// - `actHash` is not zero ({MissingObjectionDocument});
    /// - `Cancel`: the registration is `Issued` ({IAssetRegistry-InvalidTransition}) and not seized ({IAssetRegistry-Frozen});
    /// - `Change`: its manifest version is later than at filing ({ChangeNotRegistered}).
    ///
    /// Emits a {PostObjectionSettled} event, and for `Cancel` an {IAssetRegistry-RegistrationCancelled} event.
    function settleObjection(uint64 objectionId, bytes32 actHash) external;

    /// @notice The objection after registration `objectionId`; all zero (status `None`) for an
    /// unknown id or a notice objection's. Never reverts.
    function getPostObjection(uint64 objectionId) external view returns (PostObjection memory);
}
