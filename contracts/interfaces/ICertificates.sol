// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @notice Registration (登记证书), licence (许可凭证) or transfer certificate.
enum CertificateKind {
    Registration,
    Licence,
    Transfer
}

/// @notice `Expired` and `Cancelled` are derived when read; `Revoked` is stored for a revoked
/// licence and derived for a revoked asset.
enum CertificateStatus {
    None,
    Valid,
    Expired,
    Superseded,
    Revoked,
    Cancelled
}

struct Certificate {
    uint64 assetId;
    CertificateKind kind;
    CertificateStatus state;
    uint40 issuedAt;
    uint40 expiresAt;
    uint32 grantRevision;
    uint64 successor;
}

/// @title ICertificates
/// @notice Non-transferable ERC-721 certificates (ERC-5192 locked). A token id is the
/// certificate number without its check character: YYYYMM (China Standard Time), the six-digit
/// GB/T 2260 region code and a six-digit serial within the month. The printed number appends an
/// ISO 7064 MOD 11-2 check character (0-9 or X).
interface ICertificates {
    /// @dev ERC-5192.
    event Locked(uint256 tokenId);
    event Unlocked(uint256 tokenId);
    event CertificateIssued(
        uint256 indexed certificateId,
        uint64 indexed assetId,
        address indexed holder,
        CertificateKind kind,
        uint40 expiresAt,
        bytes32 grantId
    );
    event CertificateSuperseded(uint256 indexed certificateId, uint256 indexed successor);
    event CertificateRevoked(uint256 indexed certificateId);
    event CertificateExtended(uint256 indexed certificateId, uint40 expiresAt);
    event BaseURISet(string baseURI);

    error Soulbound(uint256 tokenId);
    error UnknownCertificate(uint256 tokenId);
    error CertificateNotValid(uint256 tokenId, CertificateStatus status);
    error SerialExhausted(uint256 yearMonth);
    error InvalidCertificateNumber(string number);

    /// @notice A registry module issues a certificate to `to`.
    function mint(
        address to,
        uint64 assetId,
        uint24 region,
        CertificateKind kind,
        uint40 expiresAt,
        bytes32 grantId,
        uint32 grantRevision
    ) external returns (uint256 tokenId);
    /// @notice A registry module marks a certificate superseded by `successor`.
    function supersede(uint256 tokenId, uint256 successor) external;
    /// @notice A registry module revokes a certificate.
    function revoke(uint256 tokenId) external;
    /// @notice A registry module extends a certificate's validity (renewal).
    function extend(uint256 tokenId, uint40 expiresAt) external;
    /// @notice The admin sets the base of `tokenURI` (the public metadata endpoint).
    function setBaseURI(string calldata baseURI) external;

    function getCertificate(uint256 tokenId) external view returns (Certificate memory);
    function grantOf(uint256 tokenId) external view returns (bytes32);
    /// @notice The status now: revoked or cancelled with its asset, expired by time.
    function statusOf(uint256 tokenId) external view returns (CertificateStatus);
    /// @notice The printed number, check character included.
    function numberOf(uint256 tokenId) external pure returns (string memory);
    /// @notice Parses a printed number (check character verified) into its token id.
    function tokenIdOf(string calldata number) external pure returns (uint256);
    /// @dev ERC-5192: always true for an existing certificate.
    function locked(uint256 tokenId) external view returns (bool);
}
