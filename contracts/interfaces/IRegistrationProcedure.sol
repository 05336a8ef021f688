// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {JointConsent} from "./IConsent.sol";

/// @notice The grounds of a refusal (不予登记), art. 22; `None` is never a refusal.
enum RefusalReason {
    None,
    HarmsSecurityPublicInterestOrOthers,
    UnlawfulSource,
    OwnershipDisputed,
    ConcealmentOrFalseProof,
    OtherLegalGrounds
}

/// @notice An application's clocks as stored (Unix seconds; 0: not yet, or never).
/// @param resubmittedAt When supplements were supplied: the acceptance clock runs from it.
/// @param acceptedAt When the application was accepted, by the center or deemed.
/// @param pausedAt Start of the running pause of the processing clock (a proof request, the
/// notice and its objections); 0 when it runs.
/// @param supplementsDue End of the deadline for supplements while returned for them.
/// @param lastDecisionAt The last objection decision (the notice pause lasts until it).
/// @param pausedDays Working days of finished pauses.
/// @param extensionDays Working days the time limit was extended by (at most 10 in all).
/// @param noticeWaived Whether the center granted the applicant's request for no notice.
struct Procedure {
    uint40 resubmittedAt;
    uint40 acceptedAt;
    uint40 pausedAt;
    uint40 supplementsDue;
    uint40 lastDecisionAt;
    uint16 pausedDays;
    uint8 extensionDays;
    bool noticeWaived;
}

/// @notice An application's and registration's deadlines now (Unix seconds; 0: not applicable).
/// Each `...Due` and `noticeEndsAt` is the end of its day in Beijing: in time means before it.
/// @param acceptanceDue End of the 3rd working day after the application (or the supplements).
/// @param deemedAcceptedAt Start of the first working day after `acceptanceDue`: deemed
/// accepted from then if the center is silent (art. 17).
/// @param acceptedAt When accepted (the processing clock starts), 0 before.
/// @param processingDue End of the 10th working day after acceptance, later by the paused
/// working days (running pause included up to now) and the extension days (art. 28).
/// @param pausedDays The working days the clock has been paused, up to now.
/// @param extensionDays The extension days.
/// @param paused Whether the clock is paused now.
/// @param supplementsDue The deadline for supplements, while returned for them.
/// @param noticeEndsAt End of the public notice (5 working days after its start, art. 24).
/// @param expiresAt End of the registration's validity.
struct Deadlines {
    uint40 acceptanceDue;
    uint40 deemedAcceptedAt;
    uint40 acceptedAt;
    uint40 processingDue;
    uint16 pausedDays;
    uint8 extensionDays;
    bool paused;
    uint40 supplementsDue;
    uint40 noticeEndsAt;
    uint40 expiresAt;
}

/// @title IRegistrationProcedure
/// @notice The national procedure from application to public notice (指引 art. 14-29), counted in
/// China's working days: acceptance or return for supplements, review with requests for proof,
/// time-limit extension, termination, refusal on the grounds of art. 22, approval into a notice
/// of 5 working days (or none), and objections with their investigation. The time limit is shown,
/// never enforced: the center can always finish late.
/// @dev Served at the AssetRegistry's address: AssetRegistry delegates these functions to the
/// RegistrationProcedure module, which shares its storage, so one address, one EIP-712 domain
/// and one event stream carry the whole procedure. A refusal by the contract names its rule: the
/// errors below, {IAssetRegistry-UnknownAsset}, {IAssetRegistry-InvalidTransition} with the
/// status as stored (or derived, `Withdrawn`), {IWorkCalendar-CalendarNotPublished} where a count
/// reaches an unpublished year, and OpenZeppelin's `AccessControlUnauthorizedAccount`.
interface IRegistrationProcedure {
    /// @notice The application was accepted (受理, `UnderReview`): the processing clock starts.
    /// @param assetId The asset.
    /// @param by The reviewer who accepted it; zero when it was deemed accepted (art. 17) and
    /// this records it on the center's next act on the application.
    /// @param acceptedAt When it was accepted (for a deemed acceptance: the start of the first
    /// working day after the acceptance time).
    event ApplicationAccepted(uint64 indexed assetId, address indexed by, uint40 acceptedAt);

    /// @notice The application was returned for supplements (`Supplementing`), all missing
    /// materials listed at once (art. 17).
    /// @param assetId The asset.
    /// @param by The reviewer.
    /// @param listHash Hash of the list of all missing materials.
    /// @param deadline Until when they may be supplied (Unix seconds; supplied at or after it is
    /// refused and the application is `Withdrawn`).
    event ReturnedForSupplements(uint64 indexed assetId, address indexed by, bytes32 listHash, uint40 deadline);

    /// @notice The applicant supplied the supplements in time: back to `Applied`, with a new
    /// acceptance time of 3 working days from now.
    /// @param assetId The asset.
    /// @param materialsHash Hash of the materials supplied.
    event SupplementsSupplied(uint64 indexed assetId, bytes32 materialsHash);

    /// @notice The reviewer asked for more proof (`AwaitingProof`); the processing clock pauses.
    /// @param assetId The asset.
    /// @param by The reviewer.
    /// @param requestHash Hash of what is asked for.
    event ProofRequested(uint64 indexed assetId, address indexed by, bytes32 requestHash);

    /// @notice The applicant supplied the proof: back in review, the clock runs again.
    /// @param assetId The asset.
    /// @param proofHash Hash of the proof.
    /// @param pausedDays The working days this pause lasted.
    /// @param totalPausedDays The working days of all the application's finished pauses.
    event ProofSupplied(uint64 indexed assetId, bytes32 proofHash, uint16 pausedDays, uint16 totalPausedDays);

    /// @notice The time limit of 10 working days was extended (art. 28).
    /// @param assetId The asset.
    /// @param by The reviewer.
    /// @param dayCount The working days added now.
    /// @param totalDays The extension days in all (at most 10).
    /// @param reasonHash Hash of the reasons.
    event ProcessingExtended(
        uint64 indexed assetId, address indexed by, uint8 dayCount, uint8 totalDays, bytes32 reasonHash
    );

    /// @notice The review was terminated (终止): what the application states could not be
    /// verified (`Terminated`, final).
    /// @param assetId The asset.
    /// @param by The reviewer.
    /// @param reasonHash Hash of the written reasons.
    event ReviewTerminated(uint64 indexed assetId, address indexed by, bytes32 reasonHash);

    /// @notice The application was refused (不予登记, `Rejected`, final) on one of the grounds of
    /// art. 22: by its reviewer, or by the registrar upholding an objection.
    /// @param assetId The asset.
    /// @param by The reviewer or registrar.
    /// @param reason The ground.
    /// @param reasonHash Hash of the written reasons.
    event ApplicationRefused(uint64 indexed assetId, address indexed by, RefusalReason reason, bytes32 reasonHash);

    /// @notice The application was approved and its public notice started (`InNotice`).
    /// @param assetId The asset.
    /// @param noticeEndsAt End of the notice (the end of the 5th working day after its start,
    /// Unix seconds); objections are taken until then.
    event NoticeStarted(uint64 indexed assetId, uint40 noticeEndsAt);

    /// @notice The application was approved without public notice, the center granting the
    /// applicant's reasoned request (art. 24); `InNotice` with the notice ended at once.
    /// @param assetId The asset.
    /// @param reasonHash Hash of the applicant's reasons.
    event NoticeWaived(uint64 indexed assetId, bytes32 reasonHash);

    /// @notice Someone objected to an asset in notice; it cannot be issued while this is open.
    /// @param objectionId The new objection's id (consecutive from 1).
    /// @param assetId The asset objected to.
    /// @param objector Who objected.
    /// @param evidenceHash Hash of the evidence filed.
    /// @param investigationDue End of the 10th working day after filing (art. 25).
    event ObjectionFiled(
        uint64 indexed objectionId,
        uint64 indexed assetId,
        address indexed objector,
        bytes32 evidenceHash,
        uint40 investigationDue
    );

    /// @notice The registrar decided an objection.
    /// @param objectionId The objection.
    /// @param assetId The asset objected to.
    /// @param upheld True: the objection stands and the application is rejected; false: dismissed.
    /// @param reasonHash Hash of the decision's reasons.
    event ObjectionDecided(uint64 indexed objectionId, uint64 indexed assetId, bool upheld, bytes32 reasonHash);

    /// @notice An objection came without the hash of its evidence.
    error EmptyEvidence();

    /// @notice The public notice has ended: objections are no longer taken.
    /// @param assetId The asset.
    /// @param noticeEndsAt When the notice ended (Unix seconds).
    error NoticeClosed(uint64 assetId, uint40 noticeEndsAt);

    /// @notice The acceptance time is over (the application is deemed accepted, art. 17): it can
    /// no longer be returned for supplements.
    /// @param assetId The asset.
    /// @param deemedAcceptedAt When it was deemed accepted.
    error AcceptanceTimeOver(uint64 assetId, uint40 deemedAcceptedAt);

    /// @notice The deadline for supplements has passed: the application is treated as never
    /// applied (art. 17, `Withdrawn`).
    /// @param assetId The asset.
    /// @param deadline The deadline (Unix seconds).
    error SupplementsOverdue(uint64 assetId, uint40 deadline);

    /// @notice A deadline for supplements must lie in the future.
    /// @param deadline The deadline given (Unix seconds).
    error InvalidDeadline(uint40 deadline);

    /// @notice The list, materials, request, proof or reasons the act records is missing (a
    /// zero hash).
    error EmptyHash();

    /// @notice A refusal must name its ground (art. 22); `None` is not one.
    error RefusalReasonMissing();

    /// @notice The time limit may be extended by at most 10 working days in all (art. 28).
    /// @param assetId The asset.
    /// @param totalDays The extension days in all that the act would make.
    /// @param maxDays The most allowed (10).
    error ExtensionTooLong(uint64 assetId, uint256 totalDays, uint8 maxDays);

    /// @notice No objection has this id.
    /// @param objectionId The id asked for.
    error UnknownObjection(uint64 objectionId);

    /// @notice The objection was decided already.
    /// @param objectionId The objection.
    error ObjectionNotOpen(uint64 objectionId);

    /// @notice The center accepts an application (受理, art. 17): its review and the processing
    /// clock start. Late acceptance is allowed (overdue is visible, not blocking); after the
    /// deemed acceptance the acceptance time recorded is the deemed one.
    /// @dev Requirements:
    /// - the caller has REVIEWER;
    /// - the asset is `Applied` ({InvalidTransition});
    /// - the calendar is published up to the acceptance time ({IWorkCalendar-CalendarNotPublished}).
    ///
    /// Emits an {ApplicationAccepted} event.
    function accept(uint64 assetId) external;

    /// @notice The center returns an application for supplements, listing all missing materials
    /// at once, with a deadline (art. 17).
    /// @dev Requirements:
    /// - the caller has REVIEWER;
    /// - the asset is `Applied` ({InvalidTransition}) and not yet deemed accepted ({AcceptanceTimeOver});
    /// - `listHash` is not zero ({EmptyHash}) and `deadline` is in the future ({InvalidDeadline}).
    ///
    /// Emits a {ReturnedForSupplements} event.
    function returnForSupplements(uint64 assetId, bytes32 listHash, uint40 deadline) external;

    /// @notice The applicants supply the supplements; anyone may send it with every
    /// right-holder's consent. The application is `Applied` again, with a new acceptance time.
    /// @dev Requirements:
    /// - the asset is `Supplementing` ({InvalidTransition}) and its deadline has not passed
    ///   ({SupplementsOverdue});
    /// - `materialsHash` is not zero ({EmptyHash});
    /// - `consent` is every right-holder's, signed as `Supplements`.
    ///
    /// Emits a {SupplementsSupplied} event.
    function supplySupplements(uint64 assetId, bytes32 materialsHash, JointConsent calldata consent) external;

    /// @notice The reviewer asks for more proof (art. 20); the processing clock pauses until it
    /// is supplied.
    /// @dev Requirements:
    /// - the caller has REVIEWER;
    /// - the asset is accepted and in review: `UnderReview`, or `Applied` past its deemed
    ///   acceptance ({InvalidTransition});
    /// - `requestHash` is not zero ({EmptyHash}).
    ///
    /// Emits a {ProofRequested} event (and {ApplicationAccepted} first for a deemed acceptance).
    function requestProof(uint64 assetId, bytes32 requestHash) external;

    /// @notice The applicants supply the proof asked for; anyone may send it with every
    /// right-holder's consent. The review goes on and the clock runs again.
    /// @dev Requirements:
    /// - the asset is `AwaitingProof` ({InvalidTransition});
    /// - `proofHash` is not zero ({EmptyHash});
    /// - `consent` is every right-holder's, signed as `Proof`;
    /// - the calendar is published up to now ({IWorkCalendar-CalendarNotPublished}).
    ///
    /// Emits a {ProofSupplied} event.
    function supplyProof(uint64 assetId, bytes32 proofHash, JointConsent calldata consent) external;

    /// @notice The center extends the time limit of 10 working days by `dayCount` working days, with
    /// its reasons (art. 28).
    /// @dev Requirements:
    /// - the caller has REVIEWER;
    /// - the asset is in review (`UnderReview`, `AwaitingProof`, or `Applied` past its deemed
    ///   acceptance) ({InvalidTransition});
    /// - `dayCount` is at least 1 and the extensions in all at most 10 ({ExtensionTooLong});
    /// - `reasonHash` is not zero ({EmptyHash}).
    ///
    /// Emits a {ProcessingExtended} event.
    function extend(uint64 assetId, uint8 dayCount, bytes32 reasonHash) external;

    /// @notice The reviewer terminates the review: the application cannot be verified (art. 20).
    /// @dev Requirements:
    /// - the caller has REVIEWER;
    /// - the asset is in review, as for {extend} ({InvalidTransition});
    /// - `reasonHash` is not zero ({EmptyHash}).
    ///
    /// Emits a {ReviewTerminated} event.
    function terminate(uint64 assetId, bytes32 reasonHash) external;

    /// @notice The reviewer refuses the application on a ground of art. 22, with its reasons.
    /// @dev Requirements:
    /// - the caller has REVIEWER;
    /// - the asset is in review, as for {extend} ({InvalidTransition});
    /// - `reason` is not `None` ({RefusalReasonMissing}) and `reasonHash` is not zero ({EmptyHash}).
    ///
    /// Emits an {ApplicationRefused} event.
    function refuse(uint64 assetId, RefusalReason reason, bytes32 reasonHash) external;

    /// @notice The reviewer approves the application: its public notice of 5 working days starts
    /// now (art. 24); the processing clock pauses through the notice and its objections.
    /// Approving after the time limit is allowed: overdue is visible, not blocking.
    /// @dev Requirements:
    /// - the caller has REVIEWER;
    /// - the asset is `UnderReview`, or `Applied` past its deemed acceptance ({InvalidTransition});
    /// - the calendar is published up to the notice's end ({IWorkCalendar-CalendarNotPublished}).
    ///
    /// Emits a {NoticeStarted} event.
    function approve(uint64 assetId) external;

    /// @notice The reviewer approves the application without public notice, granting the
    /// applicant's reasoned request (art. 24): it may be issued at once.
    /// @dev Requirements: as for {approve}, and `reasonHash` is not zero ({EmptyHash}).
    ///
    /// Emits a {NoticeWaived} event.
    function approveWithoutNotice(uint64 assetId, bytes32 reasonHash) external;

    /// @notice Anyone objects to an asset during its notice period, with the hash of the
    /// evidence; its investigation is due by the end of the 10th working day after (art. 25).
    /// @dev Requirements:
    /// - the asset is `InNotice` ({InvalidTransition}) and its notice has not ended ({NoticeClosed});
    /// - `evidenceHash` is not zero ({EmptyEvidence});
    /// - the calendar is published up to the due date ({IWorkCalendar-CalendarNotPublished}).
    ///
    /// Emits an {ObjectionFiled} event.
    function fileObjection(uint64 assetId, bytes32 evidenceHash) external returns (uint64 objectionId);

    /// @notice The registrar decides an objection after its investigation: upheld (the
    /// application is refused on `reason`) or dismissed. A decision after the investigation's
    /// due date is allowed: overdue is visible, not blocking.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the objection exists ({UnknownObjection}) and is open ({ObjectionNotOpen});
    /// - its asset is `InNotice` ({InvalidTransition});
    /// - upheld, `reason` is not `None` ({RefusalReasonMissing}).
    ///
    /// Emits an {ObjectionDecided} event, and an {ApplicationRefused} event when upheld.
    function decideObjection(uint64 objectionId, bool upheld, RefusalReason reason, bytes32 reasonHash) external;

    /// @notice When an application whose acceptance clock started at `clock` is deemed accepted:
    /// the start of the first working day after the 3rd working day after `clock` (art. 17).
    /// @dev Requirements:
    /// - the calendar is published that far ({IWorkCalendar-CalendarNotPublished}).
    function deemedAcceptedAt(uint256 clock) external view returns (uint40);

    /// @notice The application's clocks as stored; all zero for an unknown asset. Never reverts.
    function procedureOf(uint64 assetId) external view returns (Procedure memory);

    /// @notice The application's and registration's deadlines now (see {Deadlines}).
    /// @dev Requirements:
    /// - the asset exists ({UnknownAsset});
    /// - the calendar is published as far as the deadlines reach ({IWorkCalendar-CalendarNotPublished}).
    function deadlinesOf(uint64 assetId) external view returns (Deadlines memory);
}
