// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Status} from "./IAssetRegistry.sol";

/// @notice What an annotation (备注) on a registration records (guide art. 23).
/// - `AgreedLimit`: a limit on the term or conditions of exercise the parties agreed;
/// - `Seizure`: seizure (查封) or other preservation by a court, procuratorate or police, with the
///   authority and its document number; it blocks transfer, change, pledge, grants, issue and
///   cancellation until lifted;
/// - `AdministrativeControl`: a temporary administrative control, with the authority;
/// - `RequiredByLaw`: a matter the law requires recorded;
/// - `Other`: another matter the center finds necessary.
enum AnnotationKind {
    AgreedLimit,
    Seizure,
    AdministrativeControl,
    RequiredByLaw,
    Other
}

/// @notice An annotation as the views answer it. Its hashes (authority, document, text) are in
/// its {IAnnotations-AnnotationRecorded} event only, not in storage (see {IAnnotations}).
/// @param assetId The registration annotated.
/// @param kind What it records.
/// @param recordedBy The registrar who recorded it.
/// @param recordedAt When (Unix seconds); zero: no such annotation.
/// @param liftedBy The registrar who lifted it; zero while in force.
/// @param liftedAt When it was lifted (Unix seconds); zero while in force.
struct Annotation {
    uint64 assetId;
    AnnotationKind kind;
    address recordedBy;
    uint40 recordedAt;
    address liftedBy;
    uint40 liftedAt;
}

/// @title IAnnotations
/// @notice Annotations (备注) on registrations, recorded and lifted by the registrar (guide
/// art. 23). A seizure sets the asset's `frozen` bit in the AssetRegistry while at least one is in
/// force, so the other contracts' single read of an asset's standing sees it.
/// @dev An annotation's id is `assetId * 1000 + n`, its n-th on the asset (1 to 255), so it
/// reads as the asset's id followed by three digits and an asset's ids need no list in storage.
/// The authority's name, the document number and the text stay with the center; their SHA-256
/// are in the {AnnotationRecorded} event (a receipt on chain), not in storage: three more slots
/// would cost 66,300 gas an annotation.
interface IAnnotations {
    /// @notice An annotation was recorded on a registration.
    /// @param annotationId `assetId * 1000 + n`.
    /// @param assetId The registration annotated.
    /// @param kind What it records.
    /// @param recordedBy The registrar who recorded it.
    /// @param authorityHash SHA-256 of the authority's name (zero where no authority acts).
    /// @param documentHash SHA-256 of the authority's document number (zero where none).
    /// @param textHash SHA-256 of the annotation's text.
    event AnnotationRecorded(
        uint256 indexed annotationId,
        uint64 indexed assetId,
        AnnotationKind indexed kind,
        address recordedBy,
        bytes32 authorityHash,
        bytes32 documentHash,
        bytes32 textHash
    );

    /// @notice An annotation was lifted, on the document that ends it.
    /// @param annotationId The annotation.
    /// @param assetId Its registration.
    /// @param liftedBy The registrar who lifted it.
    /// @param documentHash SHA-256 of the document lifting it (a court's ruling lifting a seizure).
    event AnnotationLifted(
        uint256 indexed annotationId, uint64 indexed assetId, address indexed liftedBy, bytes32 documentHash
    );

    /// @notice No asset has this id.
    /// @param assetId The id given.
    error UnknownAsset(uint64 assetId);

    /// @notice The registration is closed (rejected, cancelled or revoked): nothing is annotated on it.
    /// @param assetId The asset.
    /// @param status Its stored status.
    error InvalidTransition(uint64 assetId, Status status);

    /// @notice An annotation must have a text (its hash is zero).
    /// @param assetId The asset.
    error EmptyAnnotation(uint64 assetId);

    /// @notice A seizure or an administrative control names its authority and document number
    /// (guide art. 23); one of their hashes is zero.
    /// @param assetId The asset.
    /// @param kind The annotation's kind.
    error MissingAuthority(uint64 assetId, AnnotationKind kind);

    /// @notice The asset has 255 annotations, the most one can hold.
    /// @param assetId The asset.
    error TooManyAnnotations(uint64 assetId);

    /// @notice No annotation has this id.
    /// @param annotationId The id given.
    error UnknownAnnotation(uint256 annotationId);

    /// @notice The annotation was lifted already.
    /// @param annotationId The annotation.
    /// @param liftedAt When it was lifted (Unix seconds).
    error AlreadyLifted(uint256 annotationId, uint40 liftedAt);

    /// @notice A lift is made on the authority's document: its hash is zero.
    /// @param annotationId The annotation.
    error MissingLiftDocument(uint256 annotationId);

    /// @notice The registrar records an annotation on a registration; returns its id.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the asset exists ({UnknownAsset}) and is not rejected, cancelled or revoked ({InvalidTransition});
    /// - `textHash` is not zero ({EmptyAnnotation});
    /// - a seizure or administrative control has its authority and document hashes ({MissingAuthority});
    /// - the asset has fewer than 255 annotations ({TooManyAnnotations}).
    ///
    /// A seizure sets the asset's `frozen` bit in the AssetRegistry (which the module may, holding
    /// MODULE). Emits an {AnnotationRecorded} event.
    function annotate(
        uint64 assetId,
        AnnotationKind kind,
        bytes32 authorityHash,
        bytes32 documentHash,
        bytes32 textHash
    ) external returns (uint256 annotationId);

    /// @notice The registrar lifts an annotation on the document that ends it (for a seizure, the
    /// authority's ruling lifting it). The last seizure in force lifted clears the asset's
    /// `frozen` bit.
    /// @dev Requirements:
    /// - the caller has REGISTRAR;
    /// - the annotation exists ({UnknownAnnotation}) and is in force ({AlreadyLifted});
    /// - `documentHash` is not zero ({MissingLiftDocument}).
    ///
    /// Emits an {AnnotationLifted} event.
    function lift(uint256 annotationId, bytes32 documentHash) external;

    /// @notice The annotation `annotationId`; all zero (`recordedAt` 0) for an unknown id. Never reverts.
    function getAnnotation(uint256 annotationId) external view returns (Annotation memory);

    /// @notice The ids of the asset's annotations, oldest first (lifted ones included). Never reverts.
    function annotationsOf(uint64 assetId) external view returns (uint256[] memory);

    /// @notice How many seizures are in force on the asset. Never reverts.
    function seizuresOf(uint64 assetId) external view returns (uint256);

    /// @notice The AssetRegistry whose registrations this contract annotates.
    function assetRegistry() external view returns (address);
}
