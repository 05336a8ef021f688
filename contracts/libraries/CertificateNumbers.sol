// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title CertificateNumbers
/// @notice Certificate numbers: `YYYYMM` + `RRRRRR` + `SSSSSS` + `C`, 19 characters.
/// YYYYMM is the issue month in China Standard Time (UTC+8, no daylight saving), RRRRRR the
/// GB/T 2260 region code, SSSSSS the serial within the month (from 000001), and C the ISO 7064
/// MOD 11-2 check character over the 18 digits (as in GB 11643): p = 0; for each digit d,
/// p = (p + d) * 2 mod 11; C = (12 - p) mod 11, written X for 10. The 18 digits read as a
/// decimal number are the certificate's ERC-721 token id.
library CertificateNumbers {
    uint256 private constant CST_OFFSET = 8 hours;
    uint256 internal constant MAX_SERIAL = 999_999;

    /// @notice YYYYMM of `timestamp` in China Standard Time.
    function yearMonth(uint256 timestamp) internal pure returns (uint256) {
        // Civil-from-days (H. Hinnant), for days since 1970-01-01.
        int256 z = int256((timestamp + CST_OFFSET) / 1 days) + 719_468;
        int256 era = z / 146_097;
        int256 doe = z - era * 146_097;
        int256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        int256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int256 mp = (5 * doy + 2) / 153;
        int256 month = mp < 10 ? mp + 3 : mp - 9;
        int256 year = yoe + era * 400 + (month <= 2 ? int256(1) : int256(0));
        return uint256(year) * 100 + uint256(month);
    }

    function tokenId(uint256 yyyymm, uint256 region, uint256 serial) internal pure returns (uint256) {
        return yyyymm * 1e12 + region * 1e6 + serial;
    }

    /// @notice The check value (0-10) of an 18-digit number.
    function checkValue(uint256 digits18) internal pure returns (uint256) {
        uint256 p = 0;
        for (uint256 divisor = 1e17; divisor > 0; divisor /= 10) {
            p = ((p + (digits18 / divisor) % 10) * 2) % 11;
        }
        return (12 - p) % 11;
    }

    /// @notice The printed number of a token id.
    function format(uint256 id) internal pure returns (string memory) {
        bytes memory out = new bytes(19);
        uint256 rest = id;
        for (uint256 i = 18; i > 0; --i) {
            out[i - 1] = bytes1(uint8(48 + rest % 10));
            rest /= 10;
        }
        uint256 check = checkValue(id);
        out[18] = check == 10 ? bytes1("X") : bytes1(uint8(48 + check));
        return string(out);
    }

    /// @notice Parses a printed number; returns 0 unless it has 18 digits and a correct check character.
    function parse(string calldata number) internal pure returns (uint256 id) {
        bytes calldata b = bytes(number);
        if (b.length != 19) return 0;
        for (uint256 i = 0; i < 18; ++i) {
            uint8 c = uint8(b[i]);
            if (c < 48 || c > 57) return 0;
            id = id * 10 + (c - 48);
        }
        uint256 check = checkValue(id);
        bytes1 expected = check == 10 ? bytes1("X") : bytes1(uint8(48 + check));
        if (b[18] != expected) return 0;
        if (id < 1e17) return 0;
    }
}
