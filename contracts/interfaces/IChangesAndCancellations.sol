// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {JointConsent} from "./IConsent.sol";

/// @notice Why the center cancels a registration of its own motion (注销, 指引 art. 37): the data
/// was destroyed, so the right-holders' rights in it ended (2); the center found that the
/// certificate should be cancelled (its last paragraph); other legal grounds (4). A cancellation on
/// the applicants' request is {IAssetRegistry-cancel}, one on an objection's outcome
/// {IPostObjections-settleObjection}.
enum CancellationGround {
    None,
    DataDestroyed,
    CenterFinding,
    OtherLegalGrounds
}

/// @title IChangesAndCancellations
/// @notice The change and cancellation registrations AssetRegistry has no room for: a change of a
/// right-holder's identity details (变更登记, art. 35 (1): name, legal representative, address;
/// never who the right-holder is, which is a transfer), a change ordered by an effective court
/// judgment or arbitral award on an objection after registration (art. 29), and the center's
/// cancellation of its own motion, which tells the applicant (art. 37). A seizure (`frozen`) blocks
/// each. Served by AssetRegistry's module RegistrationTypes, at AssetRegistry's address.
interface IChangesAndCancellations {
    /// @notice A right-holder's identity details changed (a renaming, say): its new commitment to
    /// its name and credit code or ID number; the certificate naming it is reissued.
    /// @param assetId The asset.
    /// @param account The right-holder (the same account: a new right-holder is a transfer).
    /// @param identityHash Its new identity commitment.
    /// @param certificateId The certificate that names it now.
    event IdentityChanged(uint64 indexed assetId, address indexed account, bytes32 identityHash, uint256 certificateId);

    /// @notice The registrar carried out the change an effective judgment or award ordered (its
    /// {IAssetRegistry-ManifestChanged} before this), with no right-holder's consent.
    /// @param objectionId The objection after registration the judgment decided.
    /// @param assetId The asset.
    /// @param version The manifest version the judgment's change made.
    event ChangeOrdered(uint64 indexed objectionId, uint64 indexed assetId, uint16 version);

    /// @notice The center cancelled the registration of its own motion (its
    /// {IAssetRegistry-RegistrationCancelled} before this): the written notice to the applicant,
    /// whose hash this is, goes with it (art. 37).
    /// @param assetId The asset.
    /// @param holder The applicant told.
    /// @param ground Why.
    /// @param reasonHash Hash of the written reasons.
    /// @param noticeHash Hash of the written notice to the applicant.
    event CancelledByCenter(
        uint64 indexed assetId, address indexed holder, CancellationGround ground, bytes32 reasonHash, bytes32 noticeHash
    );

    /// @notice The account is not a right-holder of the asset.
    /// @param assetId The asset.
    /// @param account The account named.
    error NotRightHolder(uint64 assetId, address account);

    /// @notice A cancellation by the center names its ground (art. 37); `None` is not one.
    /// @param assetId The asset.
    error CancellationGroundMissing(uint64 assetId);

    /// @notice The objection's judgment or award does not order a change.
    /// @param objectionId The objection after registration.
    error NoChangeOrdered(uint64 objectionId);

    /// @notice Change registration of a right-holder's identity details (art. 35 (1)), with its
    /// consent; the certificate naming it (the holder's, or its own transfer certificate) is
    /// superseded by one that names it anew.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the asset is `Issued` ({InvalidTransition}), within its validity
    ///   ({RegistrationExpired}) and not seized ({Frozen});
    /// - `account` is a right-holder ({NotRightHolder}); `identityHash` is not zero ({EmptyHash});
    /// - `consent` is `account`'s (one signature), signed as `IdentityChange`.
    ///
    /// Emits an {IdentityChanged} event (and the certificates' issue and supersession).
    function changeIdentity(uint64 assetId, address account, bytes32 identityHash, JointConsent calldata consent)
        external
        returns (uint256 certificateId);

    /// @notice The registrar carries out the change of the data's description an effective court
    /// judgment or arbitral award ordered on an objection after registration (art. 29): a new
    /// manifest version with no right-holder's consent, the holder's certificate reissued; the
    /// objection is then settled with {IPostObjections-settleObjection}.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the objection is judged ({UnknownObjection}, {ObjectionStepNotOpen}) and its outcome is
    ///   a change ({NoChangeOrdered});
    /// - the asset is `Issued`, within its validity and not seized;
    /// - the manifest is valid ({InvalidManifest}, {InvalidCidCodec}).
    ///
    /// Emits {IAssetRegistry-ManifestChanged} and {ChangeOrdered} events.
    function changeByJudgment(uint64 objectionId, bytes32 manifestHash, bytes32 manifestCid, uint8 cidCodec)
        external
        returns (uint256 certificateId);

    /// @notice The center cancels an issued registration of its own motion (art. 37) and tells the
    /// applicant in writing.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the asset is `Issued` ({InvalidTransition}; expired or not) and not seized ({Frozen});
    /// - `ground` is one ({CancellationGroundMissing}); `reasonHash` and `noticeHash` are not
    ///   zero ({EmptyHash}).
    ///
    /// Emits {IAssetRegistry-RegistrationCancelled} and {CancelledByCenter} events.
    function cancelByCenter(uint64 assetId, CancellationGround ground, bytes32 reasonHash, bytes32 noticeHash)
        external;
}
