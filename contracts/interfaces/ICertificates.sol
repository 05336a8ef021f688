// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC5192} from "./IERC5192.sol";

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

/// @notice A certificate as stored. `state` is what was recorded (valid, superseded, revoked
/// licence); `statusOf` derives the status now.
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
interface ICertificates is IERC5192 {
    /// @notice A certificate was issued (with ERC-721 `Transfer` from zero and ERC-5192 `Locked`).
    /// @param certificateId The new certificate's token id.
    /// @param assetId The asset it certifies.
    /// @param holder Whom it is issued to: the asset's holder, or the grantee of a licence.
    /// @param kind Registration, licence or transfer certificate.
    /// @param expiresAt When it expires (Unix seconds).
    /// @param grantId The licence's grant id; zero for registration and transfer certificates.
    event CertificateIssued(
        uint256 indexed certificateId,
        uint64 indexed assetId,
        address indexed holder,
        CertificateKind kind,
        uint40 expiresAt,
        bytes32 grantId
    );

    /// @notice A change or transfer replaced the certificate by `successor`.
    /// @param certificateId The certificate that is no longer valid.
    /// @param successor The certificate issued in its place.
    event CertificateSuperseded(uint256 indexed certificateId, uint256 indexed successor);

    /// @notice The certificate was revoked (a licence whose grant was revoked or annulled).
    /// @param certificateId The revoked certificate.
    event CertificateRevoked(uint256 indexed certificateId);

    /// @notice A renewal moved the certificate's expiry.
    /// @param certificateId The renewed certificate.
    /// @param expiresAt Its new expiry (Unix seconds).
    event CertificateExtended(uint256 indexed certificateId, uint40 expiresAt);

    /// @notice The admin set the base of every certificate's `tokenURI`.
    /// @param baseURI The new base; a certificate's URI is it followed by the printed number.
    event BaseURISet(string baseURI);

    /// @notice Certificates are never transferred nor approved for transfer.
    /// @param tokenId The certificate a transfer or approval was tried on (0 for `setApprovalForAll`).
    error Soulbound(uint256 tokenId);

    /// @notice No certificate was issued under this token id.
    /// @param tokenId The token id asked for.
    error UnknownCertificate(uint256 tokenId);

    /// @notice The certificate is no longer valid (superseded or revoked), so it cannot be
    /// superseded, revoked or extended again.
    /// @param tokenId The certificate.
    /// @param status Its recorded state.
    error CertificateNotValid(uint256 tokenId, CertificateStatus status);

    /// @notice The month's 999999 serials are used up: no more certificates until next month.
    /// @param yearMonth The month, as YYYYMM in China Standard Time.
    error SerialExhausted(uint256 yearMonth);

    /// @notice The text is not a certificate number: wrong length, characters or check character.
    /// @param number The text given.
    error InvalidCertificateNumber(string number);

    /// @notice A registry module issues a certificate to `to`; its number is this month's next
    /// serial in `region`.
    /// @dev Requirements:
    /// - the caller has MODULE (the AssetRegistry and the RightsRegistry);
    /// - this month has a serial left ({SerialExhausted} otherwise).
    ///
    /// Emits ERC-721 `Transfer`, {Locked} and {CertificateIssued} events.
    /// @param to The holder, or the licence's grantee.
    /// @param assetId The asset certified.
    /// @param region The asset's region (GB/T 2260), part of the number.
    /// @param kind Registration, licence or transfer.
    /// @param expiresAt Expiry (Unix seconds).
    /// @param grantId The licence's grant id, zero for other kinds.
    /// @param grantRevision The licence's grant revision, zero for other kinds.
    /// @return tokenId The certificate's token id (its number without the check character).
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
    /// @dev Requirements:
    /// - the caller has MODULE;
    /// - `tokenId` exists ({UnknownCertificate}) and is still valid ({CertificateNotValid}).
    ///
    /// Emits a {CertificateSuperseded} event.
    function supersede(uint256 tokenId, uint256 successor) external;

    /// @notice A registry module revokes a certificate.
    /// @dev Requirements:
    /// - the caller has MODULE;
    /// - `tokenId` exists ({UnknownCertificate}) and is still valid ({CertificateNotValid}).
    ///
    /// Emits a {CertificateRevoked} event.
    function revoke(uint256 tokenId) external;

    /// @notice A registry module extends a certificate's validity (renewal).
    /// @dev Requirements:
    /// - the caller has MODULE;
    /// - `tokenId` exists ({UnknownCertificate}) and is still valid ({CertificateNotValid}).
    ///
    /// Emits a {CertificateExtended} event.
    function extend(uint256 tokenId, uint40 expiresAt) external;

    /// @notice The admin sets the base of `tokenURI` (the public metadata endpoint).
    /// @dev Requirements:
    /// - the caller has the admin role.
    ///
    /// Emits a {BaseURISet} event.
    function setBaseURI(string calldata baseURI) external;

    /// @notice The certificate as stored.
    /// @dev Requirements:
    /// - `tokenId` exists ({UnknownCertificate} otherwise).
    function getCertificate(uint256 tokenId) external view returns (Certificate memory);

    /// @notice The grant a licence certificate was issued for; zero for other kinds.
    /// @dev Requirements:
    /// - `tokenId` exists ({UnknownCertificate} otherwise).
    function grantOf(uint256 tokenId) external view returns (bytes32);

    /// @notice The status now: revoked or cancelled with its asset, expired by time; `None` for
    /// an unknown token id. Never reverts.
    function statusOf(uint256 tokenId) external view returns (CertificateStatus);

    /// @notice The printed number, check character included. Never reverts.
    function numberOf(uint256 tokenId) external pure returns (string memory);

    /// @notice Parses a printed number (check character verified) into its token id.
    /// @dev Requirements:
    /// - `number` is a well-formed certificate number ({InvalidCertificateNumber} otherwise).
    function tokenIdOf(string calldata number) external pure returns (uint256);
}
