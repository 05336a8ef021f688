// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IWorkCalendar} from "./interfaces/IWorkCalendar.sol";
import {RoleGated} from "./access/RoleGated.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title WorkCalendar
/// @notice China's working days, published by the admin year by year (see {IWorkCalendar}).
/// @dev A year is stored as two words that each carry a "published" flag in bit 255, so that a
/// count reads only the word its days are in (one storage read for most periods): `head` holds
/// days 0 to 254, `tail` days 255 to the year's end. Counting skips whole words by population
/// count and picks the n-th set bit inside the last one, so a count costs about the same for
/// 3 working days as for 30.
contract WorkCalendar is IWorkCalendar, RoleGated {
    struct Year {
        uint256 head;
        uint256 tail;
    }

    /// @dev The first and last year a calendar may be published for: the library the seed comes
    /// from starts in 2004, and a year beyond 2199 can only be a typing error.
    uint16 private constant _FIRST_YEAR = 2000;
    uint16 private constant _LAST_YEAR = 2199;
    /// @dev Days in `head`: day 255 goes to `tail` so that bit 255 of each word is its flag.
    uint256 private constant _SPLIT = 255;
    uint256 private constant _FLAG = 1 << 255;
    uint256 private constant _BEIJING = 8 hours;
    /// @dev Leap days from year 1 up to 1969: `_yearStart` counts days from 1 January 1970.
    uint256 private constant _LEAPS_BEFORE_1970 = 477;

    mapping(uint16 year => Year) private _years;

    constructor(IAccessControl roles_) RoleGated(roles_) {}

    /// @inheritdoc IWorkCalendar
    function publishYear(uint16 year, uint256 low, uint256 high) external onlyRole(Roles.ADMIN) {
        if (year < _FIRST_YEAR || year > _LAST_YEAR) revert YearOutOfRange(year, _FIRST_YEAR, _LAST_YEAR);
        uint256 length = _length(year);
        if (high >> (length - 256) != 0) revert DaysPastYearEnd(year, uint16(length));
        _years[year] = Year({head: (low & (_FLAG - 1)) | _FLAG, tail: (low >> _SPLIT) | (high << 1) | _FLAG});
        emit YearPublished(year, low, high);
    }

    /// @inheritdoc IWorkCalendar
    function isWorkingDay(uint256 time) external view returns (bool) {
        uint256 day = _day(time);
        (uint256 year, uint256 first) = _yearOf(day);
        uint256 i = day - first;
        uint256 base = i < _SPLIT ? 0 : _SPLIT;
        return (_word(year, base) >> (i - base)) & 1 == 1;
    }

    /// @inheritdoc IWorkCalendar
    function addWorkingDays(uint256 time, uint256 n) external view returns (uint40 end) {
        uint256 day = _day(time);
        if (n != 0) day = _nthWorkingDayAfter(day, n);
        return _midnight(day + 1);
    }

    /// @inheritdoc IWorkCalendar
    function nextWorkingDay(uint256 time) external view returns (uint40 start) {
        return _midnight(_nthWorkingDayAfter(_day(time), 1));
    }

    /// @inheritdoc IWorkCalendar
    function workingDaysBetween(uint256 from, uint256 to) external view returns (uint256 count) {
        uint256 day = _day(from);
        uint256 remaining = _day(to);
        if (remaining <= day) return 0;
        remaining -= day;
        (uint256 year, uint256 first) = _yearOf(day);
        uint256 i = day - first + 1;
        for (;;) {
            // `i` reaches at most the year's length, so one step takes it into the next year.
            if (i == _length(year)) (year, first, i) = (year + 1, first + _length(year), 0);
            (uint256 base, uint256 segmentEnd) = i < _SPLIT ? (0, _SPLIT) : (_SPLIT, _length(year));
            uint256 take = Math.min(segmentEnd - i, remaining);
            count += _popcount((_word(year, base) >> (i - base)) & ((1 << take) - 1));
            remaining -= take;
            if (remaining == 0) return count;
            i = segmentEnd;
        }
    }

    /// @inheritdoc IWorkCalendar
    function yearOf(uint16 year) external view returns (uint256 low, uint256 high, bool published) {
        Year storage y = _years[year];
        (uint256 head, uint256 tail) = (y.head, y.tail);
        published = head & _FLAG != 0;
        if (!published) return (0, 0, false);
        low = (head ^ _FLAG) | ((tail & 1) << _SPLIT);
        high = (tail ^ _FLAG) >> 1;
    }

    /// @dev The day number of the first working day after `day`, `n` >= 1 working days on.
    function _nthWorkingDayAfter(uint256 day, uint256 n) private view returns (uint256) {
        (uint256 year, uint256 first) = _yearOf(day);
        // Unchecked: `i` stays within a year, `n` only falls by less than it is, and `_word`
        // stops the year before it can grow large.
        unchecked {
            uint256 i = day - first + 1;
            for (;;) {
                // `i` reaches at most the year's length, so one step takes it into the next year.
                if (i == _length(year)) (year, first, i) = (year + 1, first + _length(year), 0);
                uint256 base = i < _SPLIT ? 0 : _SPLIT;
                uint256 bits = _word(year, base) >> (i - base);
                uint256 count = _popcount(bits);
                if (count >= n) return first + i + _select(bits, n);
                n -= count;
                i = base == 0 ? _SPLIT : _length(year);
            }
        }
    }

    /// @dev The days of `year`'s word starting at day `base` (0 or 255), its flag cleared.
    function _word(uint256 year, uint256 base) private view returns (uint256 word) {
        if (year > _LAST_YEAR) revert CalendarNotPublished(uint16(Math.min(year, type(uint16).max)));
        Year storage y = _years[uint16(year)];
        word = base == 0 ? y.head : y.tail;
        if (word & _FLAG == 0) revert CalendarNotPublished(uint16(year));
        return word ^ _FLAG;
    }

    /// @dev The Beijing day of a timestamp, counted from 1 January 1970 (Beijing).
    function _day(uint256 time) private pure returns (uint256) {
        return (time + _BEIJING) / 1 days;
    }

    /// @dev The timestamp of the Beijing midnight that starts day number `day` (`day` >= 1).
    function _midnight(uint256 day) private pure returns (uint40) {
        return SafeCast.toUint40(day * 1 days - _BEIJING);
    }

    /// @dev The year of day number `day` and the day number of its 1 January. The estimate from
    /// the mean Gregorian year (146,097 days in 400 years) is at most one year off.
    function _yearOf(uint256 day) private pure returns (uint256 year, uint256 first) {
        uint256 scaled = day * 400; // checked: the bound that keeps the unchecked steps exact
        unchecked {
            year = 1970 + scaled / 146_097;
            first = _yearStart(year);
            if (first > day) {
                --year;
                first = _yearStart(year);
            } else if (first + _length(year) <= day) {
                first += _length(year);
                ++year;
            }
        }
    }

    /// @dev The day number of 1 January of `year` (1970 to a year `_yearOf` can give).
    function _yearStart(uint256 year) private pure returns (uint256) {
        unchecked {
            uint256 y = year - 1;
            return 365 * (year - 1970) + y / 4 - y / 100 + y / 400 - _LEAPS_BEFORE_1970;
        }
    }

    function _length(uint256 year) private pure returns (uint256) {
        return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 366 : 365;
    }

    /// @dev Set bits of `x` (SWAR: pairs, nibbles, bytes, then 16-bit lanes summed by one
    /// multiplication; 16 bits hold the largest total, 256).
    function _popcount(uint256 x) private pure returns (uint256) {
        unchecked {
            x -= (x >> 1) & 0x5555555555555555555555555555555555555555555555555555555555555555;
            x = (x & 0x3333333333333333333333333333333333333333333333333333333333333333)
                + ((x >> 2) & 0x3333333333333333333333333333333333333333333333333333333333333333);
            x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f;
            x = (x + (x >> 8)) & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff;
            return (x * 0x0001000100010001000100010001000100010001000100010001000100010001) >> 240;
        }
    }

    /// @dev The position of the `n`-th set bit of `x` (n >= 1, `x` has at most 255 set bits and
    /// at least `n`): clears the n - 1 lowest, then takes the log of the lowest left.
    function _select(uint256 x, uint256 n) private pure returns (uint256) {
        assembly ("memory-safe") {
            for {} gt(n, 1) { n := sub(n, 1) } { x := and(x, sub(x, 1)) }
        }
        unchecked {
            return Math.log2(x & (~x + 1));
        }
    }
}
