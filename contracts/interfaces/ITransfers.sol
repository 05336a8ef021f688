// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {JointConsent} from "./IConsent.sol";
import {RefusalReason} from "./IRegistrationProcedure.sol";

/// @notice One share of a transfer (转让): `from`, a right-holder of the asset, transfers the rights
/// `rights` (bits `1 << RightKind`, some or all of its own) to `to`, who is not a right-holder
/// yet and receives them with `from`'s term and restrictions; `identityHash` is `to`'s
/// commitment to its name and credit code or ID number, as a right-holder's in an application.
/// `from` keeps none of what it transfers (art. 34).
struct TransferShare {
    address from;
    address to;
    uint8 rights;
    bytes32 identityHash;
}

/// @notice Where a transfer application stands: applied (the center reviews it), registered, or
/// refused (on a ground of art. 22).
enum TransferState {
    None,
    Applied,
    Registered,
    Refused
}

/// @notice A transfer application (转让登记申请, annex 2): its asset, when it was filed and
/// decided, the transfer agreement's hash and its shares, in the order the parties signed them.
struct TransferApplication {
    uint64 assetId;
    TransferState state;
    uint40 filedAt;
    uint40 decidedAt;
    bytes32 agreementHash;
    TransferShare[] shares;
}

/// @title ITransfers
/// @notice Transfer registration (转让登记, 指引 art. 34): the transferors and transferees apply
/// together, every one consenting (one {JointConsent}); the center reviews the application and
/// registers it or refuses it. Registered, each transferor keeps none of what it transfers, each
/// transferee receives a transfer certificate for what it receives, and the certificates of the
/// transferors are superseded by ones for what they keep (the holder's, naming every co-holder
/// without a certificate of its own, whenever one of those transfers), or by the transferee's
/// where a transferor keeps nothing. A seizure (`frozen`) or a pledge blocks both steps. Served by
/// AssetRegistry's procedure module, at AssetRegistry's address.
interface ITransfers {
    /// @notice A transfer was applied for; its shares follow, one {TransferShareApplied} each.
    /// @param transferId The application's id (consecutive from 1).
    /// @param assetId The asset.
    /// @param agreementHash Hash of the transfer agreement (转让合同).
    /// @param shareCount How many shares it has.
    event TransferApplied(uint64 indexed transferId, uint64 indexed assetId, bytes32 agreementHash, uint256 shareCount);

    /// @notice One share of a transfer application, in order.
    /// @param transferId The application.
    /// @param from The transferor.
    /// @param to The transferee.
    /// @param rights The rights transferred (bits `1 << RightKind`).
    /// @param identityHash The transferee's identity commitment.
    event TransferShareApplied(
        uint64 indexed transferId, address indexed from, address indexed to, uint8 rights, bytes32 identityHash
    );

    /// @notice One share was registered: `to` holds `rights` from now with `from`'s term, and
    /// `from` holds them no more.
    /// @param assetId The asset.
    /// @param transferId The application.
    /// @param from The transferor.
    /// @param to The transferee.
    /// @param rights The rights transferred.
    /// @param identityHash The transferee's identity commitment.
    /// @param certificateId The transferee's transfer certificate.
    event RightsTransferred(
        uint64 indexed assetId,
        uint64 indexed transferId,
        address indexed from,
        address to,
        uint8 rights,
        bytes32 identityHash,
        uint256 certificateId
    );

    /// @notice The transfer was registered (its shares' {RightsTransferred} before this).
    /// @param transferId The application.
    /// @param assetId The asset.
    /// @param holder The asset's holder now (a transferee, where the holder transferred all).
    /// @param certificateId The holder's certificate now.
    event TransferRegistered(uint64 indexed transferId, uint64 indexed assetId, address holder, uint256 certificateId);

    /// @notice The center refused the transfer on a ground of art. 22.
    /// @param transferId The application.
    /// @param assetId The asset.
    /// @param reason The ground.
    /// @param reasonHash Hash of the written reasons.
    event TransferRefused(uint64 indexed transferId, uint64 indexed assetId, RefusalReason reason, bytes32 reasonHash);

    /// @notice A transfer has no share, or more than 16.
    /// @param count How many it has.
    error TransferShareCount(uint256 count);

    /// @notice A transferor does not hold every right it would transfer.
    /// @param account The transferor.
    /// @param rights The rights it would transfer.
    /// @param held The rights it holds.
    error RightsNotHeld(address account, uint8 rights, uint8 held);

    /// @notice No transfer application has this id.
    /// @param transferId The id asked for.
    error UnknownTransfer(uint64 transferId);

    /// @notice The transfer application was decided already.
    /// @param transferId The application.
    /// @param state Where it stands.
    error TransferDecided(uint64 transferId, TransferState state);

    /// @notice Transferors and transferees apply together for a transfer of all or some of their
    /// rights (art. 34); anyone may send it with every party's consent. Returns its id.
    /// @dev Requirements:
    /// - the asset is `Issued` ({InvalidTransition}), within its validity
    ///   ({RegistrationExpired}), not seized ({Frozen}) and not pledged ({Pledged});
    /// - `agreementHash` is not zero ({EmptyHash});
    /// - 1 to 16 shares ({TransferShareCount}); in each, rights among the three
    ///   ({InvalidRights}) that `from` holds ({RightsNotHeld}), and a `to` that is neither zero nor
    ///   a right-holder ({InvalidHolder}); no transferor or transferee twice
    ///   ({DuplicateRightHolder}); at most 16 right-holders after it ({RightHolderCount});
    /// - `consent` has two signatures per share, the transferor's then the transferee's
    ///   ({ConsentCount}), each over `Transfer` under the first transferor's nonce and the
    ///   deadline ({ConsentExpired}, {InvalidConsent}), or empty for the sender ({NotHolder}).
    ///
    /// Emits a {TransferApplied} event and a {TransferShareApplied} event per share.
    function applyTransfer(
        uint64 assetId,
        TransferShare[] calldata shares,
        bytes32 agreementHash,
        JointConsent calldata consent
    ) external returns (uint64 transferId);

    /// @notice The registrar registers a reviewed transfer (审查通过) and issues its certificates.
    /// Returns the first transferee's transfer certificate.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the application exists ({UnknownTransfer}) and is undecided ({TransferDecided});
    /// - the asset and each share still meet {applyTransfer}'s rules.
    ///
    /// Emits a {RightsTransferred} event per share, then a {TransferRegistered} event (and the
    /// certificates' issues and supersessions).
    function registerTransfer(uint64 transferId) external returns (uint256 certificateId);

    /// @notice The reviewer refuses a transfer application (不予登记, art. 22).
    /// @dev Requirements:
    /// - the caller has REVIEWER;
    /// - the application exists ({UnknownTransfer}) and is undecided ({TransferDecided});
    /// - `reason` is a ground ({RefusalReasonMissing}) and `reasonHash` not zero ({EmptyHash}).
    ///
    /// Emits a {TransferRefused} event.
    function refuseTransfer(uint64 transferId, RefusalReason reason, bytes32 reasonHash) external;

    /// @notice The transfer application as stored; all zero (state `None`) for an unknown id.
    /// Never reverts.
    function getTransfer(uint64 transferId) external view returns (TransferApplication memory);

    /// @notice How many transfers were applied for (the last transfer id). Never reverts.
    function transferCount() external view returns (uint64);
}
