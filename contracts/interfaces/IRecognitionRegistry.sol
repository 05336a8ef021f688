// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @notice Where an agreement stands.
enum AgreementStatus {
    None,
    Active,
    Suspended,
    Terminated
}

/// @notice A mutual-recognition agreement (互认协议) with another region's registry, on its own chain.
struct Agreement {
    uint64 chainId;
    /// @dev The partner's Certificates contract: the verifying contract of its registrar's
    /// EIP-712 certificate attestations, and a storage-proof target.
    address certificates;
    /// @dev The partner's AssetRegistry: the other storage-proof target (asset status, freeze).
    address assets;
    /// @dev Bit i set: classification i (0 general, 1 important) is in scope.
    uint8 classifications;
    /// @dev Bit i set: certificate kind i (0 registration, 1 licence, 2 transfer) is in scope.
    uint8 kinds;
    uint40 validFrom;
    uint40 validUntil;
    AgreementStatus status;
    /// @dev The partner block headers are relayed from, trusted when the agreement was made.
    uint64 anchorNumber;
    bytes32 anchorHash;
}

/// @notice A partner block header relayed here, its parent linkage checked.
struct Checkpoint {
    bytes32 blockHash;
    bytes32 stateRoot;
    uint40 timestamp;
}

/// @notice A partner certificate as its storage proof showed it at `proofBlock`, submitted with
/// the partner registrar's EIP-712 attestation of its claims.
struct RecognitionRequest {
    uint24 region;
    uint256 certificateId;
    address holder;
    uint64 assetId;
    bytes32 manifestHash;
    uint8 kind;
    uint8 classification;
    uint40 issuedAt;
    uint40 expiresAt;
    /// @dev The certificate's status at the origin at `proofBlock` (ICertificates.CertificateStatus).
    uint8 originStatus;
    bool frozen;
    uint64 successor;
    uint64 proofBlock;
    bytes32 rightsSummary;
}

/// @notice What is recorded here of a partner certificate.
struct Recognition {
    address holder;
    uint64 assetId;
    bytes32 manifestHash;
    uint8 kind;
    uint8 originStatus;
    bool frozen;
    bool recognised;
    uint40 issuedAt;
    uint40 expiresAt;
    uint40 recognisedSince;
    uint40 checkedAt;
    uint64 successor;
    uint64 proofBlock;
    bytes32 rightsSummary;
}

/// @title IRecognitionRegistry
/// @notice Cross-region mutual recognition (跨区域互认): agreements with partner registries (set by
/// the admin), partner block headers relayed as checkpoints (parent-hash linkage checked here),
/// and recognitions of partner certificates, each bound to a checkpoint and to an attestation by a
/// registrar key the agreement names (checked here). The storage proofs against a checkpoint's
/// state root are checked by the mediator and kept for anyone to check again.
interface IRecognitionRegistry {
    event AgreementSet(uint24 indexed region, uint64 chainId, address certificates, uint40 validFrom, uint40 validUntil);
    event AgreementStatusChanged(uint24 indexed region, AgreementStatus status);
    event PartnerKeySet(uint24 indexed region, address indexed key, bool allowed);
    event CheckpointRelayed(uint24 indexed region, uint64 indexed number, bytes32 blockHash, bytes32 stateRoot);
    event RecognitionRecorded(
        uint24 indexed region,
        uint256 indexed certificateId,
        address holder,
        bool recognised,
        uint8 originStatus,
        uint64 proofBlock
    );

    error UnknownPartner(uint24 region);
    error AgreementNotInForce(uint24 region, AgreementStatus status, uint40 validFrom, uint40 validUntil);
    error InvalidAgreement();
    error BadHeader(uint64 number);
    error BrokenLinkage(uint64 number, bytes32 parentHash, bytes32 expected);
    error UnknownCheckpoint(uint24 region, uint64 number);
    error StaleProof(uint64 proofBlock, uint64 recordedBlock);
    error UnauthorisedAttestor(address signer);
    error OutOfScope(uint8 classification, uint8 kind);

    function setAgreement(uint24 region, Agreement calldata agreement, address[] calldata keys) external;
    function setAgreementStatus(uint24 region, AgreementStatus status) external;
    /// @notice Relays consecutive partner headers (RLP); the first follows the last relayed one
    /// (or is the agreement's anchor block).
    function relayHeaders(uint24 region, bytes[] calldata headers) external;
    function record(RecognitionRequest calldata request, bytes calldata attestation) external;

    function getAgreement(uint24 region) external view returns (Agreement memory);
    function partnerKeys(uint24 region) external view returns (address[] memory);
    function inForce(uint24 region) external view returns (bool);
    function head(uint24 region) external view returns (uint64 number, Checkpoint memory checkpoint);
    function getCheckpoint(uint24 region, uint64 number) external view returns (Checkpoint memory);
    function getRecognition(uint24 region, uint256 certificateId) external view returns (Recognition memory);
}
