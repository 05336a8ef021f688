// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IAssetRegistry, Status} from "./interfaces/IAssetRegistry.sol";
import {Certificate, CertificateKind, CertificateStatus, ICertificates} from "./interfaces/ICertificates.sol";
import {IERC5192} from "./interfaces/IERC5192.sol";
import {RoleGated} from "./access/RoleGated.sol";
import {BeijingDates} from "./libraries/BeijingDates.sol";
import {CertificateNumbers} from "./libraries/CertificateNumbers.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title Certificates
/// @notice Registration, licence and transfer certificates as locked (ERC-5192) ERC-721 tokens.
/// A certificate is never moved or burned: a change or transfer supersedes it, and its status
/// follows its asset (revoked, cancelled) and time (expired). Its numbers are the national
/// ones of one registration center, whose province and digit are fixed at deploy.
contract Certificates is ICertificates, ERC721, RoleGated {
    IAssetRegistry private immutable _assets;
    /// @inheritdoc ICertificates
    uint8 public immutable province;
    /// @inheritdoc ICertificates
    uint8 public immutable center;

    mapping(uint256 tokenId => Certificate) private _certificates;
    mapping(uint256 tokenId => bytes32) private _grants;
    string private _baseUri;
    /// @dev The month the serial counts in, and the last serial issued in it.
    uint24 private _serialMonth;
    uint16 private _serial;

    /// @notice Deploys the certificates of the center `center_` in the province-level division
    /// `province_`.
    /// @dev Requirements:
    /// - `roles_` and `assets_` are not zero ({ZeroAddress});
    /// - `province_` is a GB/T 2260 province-level code ({InvalidProvince});
    /// - `center_` is a digit, 0-9 ({InvalidCenter}).
    ///
    /// Emits a {CenterSet} event.
    constructor(IAccessControl roles_, IAssetRegistry assets_, uint8 province_, uint8 center_)
        ERC721(unicode"数据资产登记证书 Data Asset Registration Certificate", "DARC")
        RoleGated(roles_)
    {
        if (address(assets_) == address(0)) revert ZeroAddress();
        if (!CertificateNumbers.isProvince(province_)) revert InvalidProvince(province_);
        if (center_ > 9) revert InvalidCenter(center_);
        _assets = assets_;
        (province, center) = (province_, center_);
        emit CenterSet(province_, center_);
    }

    /// @inheritdoc ICertificates
    function mint(
        address to,
        uint64 assetId,
        CertificateKind kind,
        uint40 expiresAt,
        bytes32 grantId,
        uint32 grantRevision
    ) external onlyRole(Roles.MODULE) returns (uint256 tokenId) {
        uint256 month = BeijingDates.yearMonth(block.timestamp);
        uint256 serial = month == _serialMonth ? uint256(_serial) + 1 : 1;
        if (serial > CertificateNumbers.MAX_SERIAL) revert SerialExhausted(month);
        (_serialMonth, _serial) = (uint24(month), uint16(serial));
        tokenId = CertificateNumbers.tokenId(uint256(province) * 10 + center, month, serial);
        _certificates[tokenId] = Certificate({
            assetId: assetId,
            kind: kind,
            state: CertificateStatus.Valid,
            issuedAt: uint40(block.timestamp),
            expiresAt: expiresAt,
            grantRevision: grantRevision,
            successor: 0
        });
        if (grantId != bytes32(0)) _grants[tokenId] = grantId;
        _mint(to, tokenId);
        emit Locked(tokenId);
        emit CertificateIssued(tokenId, assetId, to, kind, expiresAt, grantId);
    }

    /// @inheritdoc ICertificates
    function supersede(uint256 tokenId, uint256 successor) external onlyRole(Roles.MODULE) {
        Certificate storage c = _stored(tokenId);
        _requireValidState(tokenId, c.state);
        c.state = CertificateStatus.Superseded;
        c.successor = uint64(successor);
        emit CertificateSuperseded(tokenId, successor);
    }

    /// @inheritdoc ICertificates
    function revoke(uint256 tokenId) external onlyRole(Roles.MODULE) {
        Certificate storage c = _stored(tokenId);
        _requireValidState(tokenId, c.state);
        c.state = CertificateStatus.Revoked;
        emit CertificateRevoked(tokenId);
    }

    /// @inheritdoc ICertificates
    function extend(uint256 tokenId, uint40 expiresAt) external onlyRole(Roles.MODULE) {
        Certificate storage c = _stored(tokenId);
        _requireValidState(tokenId, c.state);
        c.expiresAt = expiresAt;
        emit CertificateExtended(tokenId, expiresAt);
    }

    /// @inheritdoc ICertificates
    function setBaseURI(string calldata baseURI) external onlyRole(Roles.ADMIN) {
        _baseUri = baseURI;
        emit BaseURISet(baseURI);
    }

    /// @inheritdoc ICertificates
    function getCertificate(uint256 tokenId) external view returns (Certificate memory) {
        return _stored(tokenId);
    }

    /// @inheritdoc ICertificates
    function grantOf(uint256 tokenId) external view returns (bytes32) {
        _stored(tokenId);
        return _grants[tokenId];
    }

    /// @inheritdoc ICertificates
    function statusOf(uint256 tokenId) public view returns (CertificateStatus) {
        Certificate storage c = _certificates[tokenId];
        if (c.issuedAt == 0) return CertificateStatus.None;
        Status asset = _assets.getAsset(c.assetId).status;
        if (asset == Status.Revoked) return CertificateStatus.Revoked;
        if (asset == Status.Cancelled) return CertificateStatus.Cancelled;
        if (c.state != CertificateStatus.Valid) return c.state;
        if (block.timestamp >= c.expiresAt) return CertificateStatus.Expired;
        return CertificateStatus.Valid;
    }

    /// @inheritdoc ICertificates
    function numberOf(uint256 tokenId) external pure returns (string memory) {
        return CertificateNumbers.format(tokenId);
    }

    /// @inheritdoc ICertificates
    function tokenIdOf(string calldata number) external pure returns (uint256 tokenId) {
        tokenId = CertificateNumbers.parse(number);
        if (tokenId == 0) revert InvalidCertificateNumber(number);
    }

    /// @inheritdoc IERC5192
    function locked(uint256 tokenId) external view returns (bool) {
        _requireOwned(tokenId);
        return true;
    }

    /// @notice The certificate's metadata: the base URI followed by its printed number.
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireOwned(tokenId);
        return string.concat(_baseUri, CertificateNumbers.format(tokenId));
    }

    /// @dev Certificates are not transferable, so approvals are refused too.
    function approve(address, uint256 tokenId) public pure override {
        revert Soulbound(tokenId);
    }

    /// @dev Certificates are not transferable, so approvals are refused too.
    function setApprovalForAll(address, bool) public pure override {
        revert Soulbound(0);
    }

    /// @notice ERC-165: ERC-721, its metadata extension and ERC-5192.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IERC5192).interfaceId || super.supportsInterface(interfaceId);
    }

    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        if (_ownerOf(tokenId) != address(0)) revert Soulbound(tokenId);
        return super._update(to, tokenId, auth);
    }

    function _stored(uint256 tokenId) private view returns (Certificate storage c) {
        c = _certificates[tokenId];
        if (c.issuedAt == 0) revert UnknownCertificate(tokenId);
    }

    function _requireValidState(uint256 tokenId, CertificateStatus state) private pure {
        if (state != CertificateStatus.Valid) revert CertificateNotValid(tokenId, state);
    }
}
