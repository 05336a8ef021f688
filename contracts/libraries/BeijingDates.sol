// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title BeijingDates
/// @notice Calendar dates in Beijing (UTC+8, no daylight saving): the start of a timestamp's day,
/// whole calendar months before it, as renewal's window (art. 36) counts them, and its month, as
/// certificate numbers code it. Working days are the calendar contract's business, not this
/// library's.
/// @dev Days are counted from 1970-01-01 with H. Hinnant's civil-date algorithms (proleptic
/// Gregorian, exact for every date a uint40 reaches).
library BeijingDates {
    uint256 private constant _OFFSET = 8 hours;

    /// @notice The start (Beijing midnight, Unix seconds) of the Beijing day of `time`.
    /// @dev Requirements: `time` is at least 8 hours after the epoch (any block time is).
    function startOfDay(uint256 time) internal pure returns (uint40) {
        return uint40(((time + _OFFSET) / 1 days) * 1 days - _OFFSET);
    }

    /// @notice The start (Beijing midnight) of the date `months` calendar months before the
    /// Beijing date of `time`; a day past the earlier month's end becomes its last day (six
    /// months before 31 August is 28 or 29 February).
    function monthsBefore(uint256 time, uint256 months) internal pure returns (uint40) {
        (uint256 year, uint256 month, uint256 day) = _civil((time + _OFFSET) / 1 days);
        uint256 index = year * 12 + (month - 1) - months;
        uint256 y = index / 12;
        uint256 m = index % 12 + 1;
        uint256 last = _monthLength(y, m);
        return uint40(_days(y, m, day > last ? last : day) * 1 days - _OFFSET);
    }

    /// @notice YYYYMM of the Beijing date of `time` (the coding month of a certificate number).
    function yearMonth(uint256 time) internal pure returns (uint256) {
        (uint256 y, uint256 m,) = _civil((time + _OFFSET) / 1 days);
        return y * 100 + m;
    }

    function _monthLength(uint256 y, uint256 m) private pure returns (uint256) {
        if (m == 2) return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
        return (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
    }

    /// @dev Days since 1970-01-01 to a date (Hinnant's days_from_civil, years from 1970).
    function _days(uint256 y, uint256 m, uint256 d) private pure returns (uint256) {
        if (m <= 2) y -= 1;
        uint256 era = y / 400;
        uint256 yoe = y - era * 400;
        uint256 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        uint256 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }

    /// @dev The date of a day count since 1970-01-01 (Hinnant's civil_from_days).
    function _civil(uint256 dayCount) private pure returns (uint256 y, uint256 m, uint256 d) {
        uint256 z = dayCount + 719_468;
        uint256 era = z / 146_097;
        uint256 doe = z - era * 146_097;
        uint256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        uint256 mp = (5 * doy + 2) / 153;
        d = doy - (153 * mp + 2) / 5 + 1;
        m = mp < 10 ? mp + 3 : mp - 9;
        y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    }
}
