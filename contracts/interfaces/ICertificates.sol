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
/// @notice Non-transferable ERC-721 certificates (ERC-5192 locked) of one registration center.
/// The printed number is the national one (annex 6 of the guide), `SJ` + the center's two-digit
/// province-level code + its digit + YYYYMM (China Standard Time) + a four-digit serial within
/// the month, e.g. `SJ3702026120001`; the token id is its 13 digits read as a decimal number.
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

    /// @notice The contract was deployed to number the certificates of this center.
    /// @param province The GB/T 2260 code of the center's province-level division (e.g. 37).
    /// @param center The center's digit within it, 0-9.
    event CenterSet(uint8 province, uint8 center);

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

    /// @notice The month's 9,999 serials are used up (a center issues at most 9,999 certificates
    /// a month, annex 6): no more certificates until next month.
    /// @param yearMonth The month, as YYYYMM in China Standard Time.
    error SerialExhausted(uint256 yearMonth);

    /// @notice The province given at deploy is not a GB/T 2260 province-level code (11-15,
    /// 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82).
    /// @param province The code given.
    error InvalidProvince(uint256 province);

    /// @notice The center given at deploy is not one digit (0-9).
    /// @param center The value given.
    error InvalidCenter(uint256 center);

    /// @notice The text is not a certificate number: not `SJ` and 13 digits, or its province,
    /// month or serial cannot be.
    /// @param number The text given.
    error InvalidCertificateNumber(string number);

    /// @notice A registry module issues a certificate to `to`; its number is this center's next
    /// serial of the month (China Standard Time).
    /// @dev Requirements:
    /// - the caller has MODULE (the AssetRegistry and the RightsRegistry);
    /// - this month has a serial left ({SerialExhausted} otherwise).
    ///
    /// Emits ERC-721 `Transfer`, {Locked} and {CertificateIssued} events.
    /// @param to The holder, or the licence's grantee.
    /// @param assetId The asset certified.
    /// @param kind Registration, licence or transfer.
    /// @param expiresAt Expiry (Unix seconds).
    /// @param grantId The licence's grant id, zero for other kinds.
    /// @param grantRevision The licence's grant revision, zero for other kinds.
    /// @return tokenId The certificate's token id (the 13 digits of its number).
    function mint(
        address to,
        uint64 assetId,
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

    /// @notice The GB/T 2260 code of this center's province-level division (e.g. 37 Shandong).
    function province() external view returns (uint8);

    /// @notice This center's digit (0-9) within its province-level division.
    function center() external view returns (uint8);

    /// @notice The printed number: `SJ` and the token id's last 13 digits. Never reverts.
    function numberOf(uint256 tokenId) external pure returns (string memory);

    /// @notice Parses a printed number into its token id (the inverse of {numberOf}).
    /// @dev Requirements:
    /// - `number` is a well-formed certificate number ({InvalidCertificateNumber} otherwise).
    function tokenIdOf(string calldata number) external pure returns (uint256);
}
