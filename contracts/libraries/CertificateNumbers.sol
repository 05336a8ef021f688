// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title CertificateNumbers
/// @notice National certificate numbers (数据产权登记工作指引 annex 6), 15 characters:
/// `SJ` + `PP` + `C` + `YYYYMM` + `NNNN`. PP is the GB/T 2260 code of the registration center's
/// province-level division, C the center's digit (0-9) within it, YYYYMM the coding month in
/// China Standard Time (UTC+8, no daylight saving) and NNNN the serial within the month
/// (0001-9999). The 13 digits read as a decimal number are the certificate's ERC-721 token id,
/// so a number and its token id convert both ways without a lookup table.
library CertificateNumbers {
    uint256 internal constant MAX_SERIAL = 9999;
    /// @dev Bit p is set for each GB/T 2260 province-level code p: 11-15, 21-23, 31-37, 41-46,
    /// 50-54, 61-65, 71 (Taiwan), 81 (Hong Kong), 82 (Macao); 34 codes.
    uint256 private constant PROVINCES = 0x60083e07c7e3f80e0f800;
    /// @dev The letters `SJ` (数据) that open every number.
    bytes2 private constant PREFIX = "SJ";

    /// @notice Whether `code` is a GB/T 2260 province-level division code.
    function isProvince(uint256 code) internal pure returns (bool) {
        return code < 256 && (PROVINCES >> code) & 1 == 1;
    }

    /// @notice The token id of the `serial`-th certificate of `yyyymm` at the center whose
    /// province code and digit read `center3` (e.g. 370 for center 0 in Shandong).
    function tokenId(uint256 center3, uint256 yyyymm, uint256 serial) internal pure returns (uint256) {
        return center3 * 1e10 + yyyymm * 1e4 + serial;
    }

    /// @notice The printed number of a token id: `SJ` and its last 13 digits.
    function format(uint256 id) internal pure returns (string memory) {
        bytes memory out = new bytes(15);
        out[0] = PREFIX[0];
        out[1] = PREFIX[1];
        uint256 rest = id;
        for (uint256 i = 15; i > 2; --i) {
            out[i - 1] = bytes1(uint8(48 + rest % 10));
            rest /= 10;
        }
        return string(out);
    }

    /// @notice Parses a printed number; returns 0 unless it is `SJ` and 13 ASCII digits with a
    /// province-level code, a month 01-12 and a serial from 0001.
    function parse(string calldata number) internal pure returns (uint256 id) {
        bytes calldata b = bytes(number);
        if (b.length != 15 || b[0] != PREFIX[0] || b[1] != PREFIX[1]) return 0;
        for (uint256 i = 2; i < 15; ++i) {
            uint8 c = uint8(b[i]);
            if (c < 48 || c > 57) return 0;
            id = id * 10 + (c - 48);
        }
        uint256 month = (id / 1e4) % 100;
        if (!isProvince(id / 1e11) || month == 0 || month > 12 || id % 1e4 == 0) return 0;
    }
}
