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
    /// @dev Seconds an answer may rest on the partner's chain as last read: past it, a
    /// recognition is stale, not recognised (the mediator's journal holds when it last read).
    uint32 maxAge;
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
/// the partner registrar's EIP-712 signature of exactly this standing at that block (type
/// `Standing`, under the partner's certificate domain; see {IRecognitionRegistry-record}).
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
    /// @dev Bit k set: an annotation (备注) of kind k (IAnnotations.AnnotationKind: 0 agreed limit,
    /// 1 seizure, 2 administrative control, 3 required by law, 4 other) is in force at the origin.
    uint16 annotations;
    /// @dev Whom the asset is pledged to at the origin; zero when not pledged.
    address pledgee;
    /// @dev A licence certificate's grant id at the origin; zero for other kinds.
    bytes32 grantId;
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
    uint16 annotations;
    address pledgee;
    bytes32 grantId;
}

/// @title IRecognitionRegistry
/// @notice Cross-region mutual recognition (跨区域互认): agreements with partner registries (set by
/// the admin), partner block headers relayed as checkpoints (parent-hash linkage checked here),
/// and recognitions of partner certificates, each bound to a checkpoint and accepted only with the
/// partner registrar's EIP-712 signature of the standing recorded, at that checkpoint's block
/// hash, by a key the agreement names (checked here): the mediator that relays and records cannot
/// make it. The storage proofs against a checkpoint's state root are checked by the mediator and
/// kept for anyone to check again.
interface IRecognitionRegistry {
    /// @notice The admin set (or replaced) the agreement with a partner region.
    /// @param region The partner's region (GB/T 2260 code).
    /// @param chainId The partner's chain.
    /// @param certificates The partner's Certificates contract.
    /// @param validFrom When the agreement starts (Unix seconds).
    /// @param validUntil When it ends (Unix seconds, exclusive).
    event AgreementSet(uint24 indexed region, uint64 chainId, address certificates, uint40 validFrom, uint40 validUntil);

    /// @notice The agreement's status changed (set with the agreement, or on its own).
    /// @param region The partner's region.
    /// @param status Active, suspended or terminated.
    event AgreementStatusChanged(uint24 indexed region, AgreementStatus status);

    /// @notice A partner registrar key was allowed, or no longer is, to attest certificates.
    /// @param region The partner's region.
    /// @param key The key's address.
    /// @param allowed True when added, false when removed.
    event PartnerKeySet(uint24 indexed region, address indexed key, bool allowed);

    /// @notice A partner block header was relayed and kept as a checkpoint.
    /// @param region The partner's region.
    /// @param number The block number.
    /// @param blockHash The header's hash.
    /// @param stateRoot The state root storage proofs are checked against.
    event CheckpointRelayed(uint24 indexed region, uint64 indexed number, bytes32 blockHash, bytes32 stateRoot);

    /// @notice A partner certificate's standing was recorded here.
    /// @param region The partner's region.
    /// @param certificateId The partner certificate's token id.
    /// @param holder Its holder.
    /// @param recognised Whether it is recognised here now (valid at the origin and not frozen).
    /// @param originStatus Its status at the origin at `proofBlock` (ICertificates.CertificateStatus).
    /// @param frozen Whether the asset was frozen (seized) at the origin at `proofBlock`.
    /// @param annotations The kinds of annotation in force at the origin (bit k for kind k).
    /// @param proofBlock The partner block its storage proof was taken at.
    event RecognitionRecorded(
        uint24 indexed region,
        uint256 indexed certificateId,
        address holder,
        bool recognised,
        uint8 originStatus,
        bool frozen,
        uint16 annotations,
        uint64 proofBlock
    );

    /// @notice No agreement with this region.
    /// @param region The region asked for.
    error UnknownPartner(uint24 region);

    /// @notice The agreement is not active, or now is outside its validity.
    /// @param region The partner's region.
    /// @param status The agreement's status.
    /// @param validFrom When it starts (Unix seconds).
    /// @param validUntil When it ends (Unix seconds).
    error AgreementNotInForce(uint24 region, AgreementStatus status, uint40 validFrom, uint40 validUntil);

    /// @notice The agreement misses a field (chain, contracts, anchor, keys, answer age), its
    /// validity is empty, or the status asked for is `None`.
    error InvalidAgreement();

    /// @notice The bytes are not an RLP block header this contract can read.
    /// @param number Always 0: the header could not be read far enough to know its number.
    error BadHeader(uint64 number);

    /// @notice The header does not follow the last one relayed (or, first of all, is not the
    /// agreement's anchor block).
    /// @param number The header's number.
    /// @param parentHash Its parent hash (or its own hash, against the anchor).
    /// @param expected The hash it had to carry.
    error BrokenLinkage(uint64 number, bytes32 parentHash, bytes32 expected);

    /// @notice No header of this number was relayed for the region.
    /// @param region The partner's region.
    /// @param number The block number of the proof.
    error UnknownCheckpoint(uint24 region, uint64 number);

    /// @notice A recognition from a later partner block is recorded already.
    /// @param proofBlock The block of the proof submitted.
    /// @param recordedBlock The block of the proof recorded.
    error StaleProof(uint64 proofBlock, uint64 recordedBlock);

    /// @notice The standing is not signed by a registrar key the agreement names: the signature
    /// recovers, over the standing submitted at the relayed block's hash, to another address
    /// (the mediator's own, or none of the partner's, when any field differs from what was signed).
    /// @param region The partner's region.
    /// @param certificateId The partner certificate's token id.
    /// @param signer The address the signature recovers to.
    error UnattestedStanding(uint24 region, uint256 certificateId, address signer);

    /// @notice A certificate valid at the origin, proven at a block the origin's own clock puts
    /// at or past the agreement's end (so issued, and standing, outside its term).
    /// @param region The partner's region.
    /// @param originTime The proof block's time (Unix seconds, the origin's clock).
    /// @param validUntil When the agreement ends (Unix seconds).
    error OutsideTermAtOrigin(uint24 region, uint40 originTime, uint40 validUntil);

    /// @notice The agreement does not cover this classification or certificate kind.
    /// @param classification The certificate's asset classification.
    /// @param kind The certificate's kind.
    error OutOfScope(uint8 classification, uint8 kind);

    /// @notice The admin sets the agreement with a partner region and the partner registrar keys
    /// it trusts; a new anchor block restarts the relayed header chain.
    /// @dev Requirements:
    /// - the caller has the admin role;
    /// - the agreement names a chain, both contracts, an anchor, a status, an answer age, a
    ///   non-empty validity and at least one key ({InvalidAgreement}).
    ///
    /// Emits a {PartnerKeySet} event per key removed or added, an {AgreementSet} and an
    /// {AgreementStatusChanged} event.
    function setAgreement(uint24 region, Agreement calldata agreement, address[] calldata keys) external;

    /// @notice The admin suspends, resumes or terminates an agreement.
    /// @dev Requirements:
    /// - the caller has the admin role;
    /// - an agreement with `region` exists ({UnknownPartner});
    /// - `status` is not `None` ({InvalidAgreement}).
    ///
    /// Emits an {AgreementStatusChanged} event.
    function setAgreementStatus(uint24 region, AgreementStatus status) external;

    /// @notice Relays consecutive partner headers (RLP); the first follows the last relayed one
    /// (or is the agreement's anchor block).
    /// @dev Requirements:
    /// - the caller has MEDIATOR;
    /// - an agreement with `region` exists ({UnknownPartner});
    /// - every header is readable ({BadHeader}) and linked ({BrokenLinkage}).
    ///
    /// Emits a {CheckpointRelayed} event per header.
    function relayHeaders(uint24 region, bytes[] calldata headers) external;

    /// @notice Records a partner certificate's standing, as its storage proof at a relayed
    /// checkpoint showed it, with the partner registrar's signature of that standing: EIP-712
    /// `Standing(uint256 certificateId,address holder,uint64 assetId,bytes32 manifestHash,uint8
    /// kind,uint8 classification,uint40 issuedAt,uint40 expiresAt,uint8 status,bool frozen,uint64
    /// successor,uint16 annotations,address pledgee,bytes32 grantId,uint64 originBlock,bytes32
    /// blockHash)` under the domain `DataRegistryCertificate`, version 1, the partner's chain and
    /// Certificates contract, with `blockHash` the relayed checkpoint's.
    /// @dev Requirements:
    /// - the caller has MEDIATOR;
    /// - the agreement exists ({UnknownPartner}) and is in force ({AgreementNotInForce});
    /// - `request.proofBlock` was relayed ({UnknownCheckpoint});
    /// - a certificate recorded as recognised stands at a block the origin's clock puts before
    ///   the agreement's end ({OutsideTermAtOrigin});
    /// - the agreement covers the classification and kind ({OutOfScope});
    /// - `standingSignature` is a partner registrar key's, over exactly `request` at the
    ///   checkpoint's hash ({UnattestedStanding});
    /// - no later proof is recorded for the certificate ({StaleProof}).
    ///
    /// Emits a {RecognitionRecorded} event.
    function record(RecognitionRequest calldata request, bytes calldata standingSignature) external;

    /// @notice The agreement with `region`; all zero when there is none. Never reverts.
    function getAgreement(uint24 region) external view returns (Agreement memory);

    /// @notice The partner registrar keys trusted for `region`. Never reverts.
    function partnerKeys(uint24 region) external view returns (address[] memory);

    /// @notice Whether the agreement is active and now is within its validity. Never reverts.
    function inForce(uint24 region) external view returns (bool);

    /// @notice The last checkpoint relayed for `region` and its number (0 when none). Never reverts.
    function head(uint24 region) external view returns (uint64 number, Checkpoint memory checkpoint);

    /// @notice The checkpoint of block `number`; all zero when not relayed. Never reverts.
    function getCheckpoint(uint24 region, uint64 number) external view returns (Checkpoint memory);

    /// @notice What is recorded of a partner certificate; all zero when nothing. Never reverts.
    function getRecognition(uint24 region, uint256 certificateId) external view returns (Recognition memory);
}
