// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IWorkCalendar
/// @notice China's working-day calendar (工作日), published on chain year by year by the admin
/// from the State Council's notice, so that every deadline the registry counts in working days
/// can be checked by anyone against the same data.
///
/// A year is 365 or 366 bits: bit i (i = 0 for 1 January) set means day i of the year is a
/// working day in China (weekends and statutory holidays off, make-up working days 调休 on).
/// `low` holds days 0 to 255, `high` days 256 to the year's end (its bit j is day 256 + j).
/// Days are calendar days in Beijing time (UTC+8): a timestamp's day is
/// `(time + 8 hours) / 1 days`, counted from 1 January 1970 in Beijing.
///
/// Periods are counted as Chinese law counts them: the day a period starts on is not counted,
/// and a period ends at the end (Beijing midnight) of its last day, so `block.timestamp < end`
/// means "still within".
interface IWorkCalendar {
    /// @notice A year's calendar was published, or corrected by publishing it again.
    /// @param year The Gregorian year.
    /// @param low Days 0 to 255 of the year, bit i set for a working day.
    /// @param high Days 256 to the year's end (bit j is day 256 + j).
    event YearPublished(uint16 indexed year, uint256 low, uint256 high);

    /// @notice A count reached a day of a year whose calendar nobody has published.
    /// @param year The year (65535 for any later one).
    error CalendarNotPublished(uint16 year);

    /// @notice The year is outside the years a calendar may be published for.
    /// @param year The year given.
    /// @param first The first year accepted.
    /// @param last The last year accepted.
    error YearOutOfRange(uint16 year, uint16 first, uint16 last);

    /// @notice `high` sets bits for days past the year's end.
    /// @param year The year.
    /// @param length The year's length in days (365 or 366).
    error DaysPastYearEnd(uint16 year, uint16 length);

    /// @notice Publishes `year`'s calendar, or corrects it.
    /// @dev A correction changes only counts made after it: deadlines the registry already
    /// stored (as timestamps) stay as stored.
    ///
    /// Requirements:
    /// - the caller is the admin;
    /// - `year` is within the accepted range ({YearOutOfRange});
    /// - `high` sets no bit past the year's length ({DaysPastYearEnd}).
    ///
    /// Emits a {YearPublished} event.
    function publishYear(uint16 year, uint256 low, uint256 high) external;

    /// @notice Whether the Beijing day of `time` is a working day.
    /// @dev Requirements:
    /// - that day's year is published ({CalendarNotPublished}).
    function isWorkingDay(uint256 time) external view returns (bool);

    /// @notice The end of the `n`-th working day after the Beijing day of `time` (that day not
    /// counted), as the timestamp of the following Beijing midnight; `n` = 0 gives the end of
    /// the day of `time` itself.
    /// @dev Requirements:
    /// - for `n` > 0, every year from `time`'s to the end's is published ({CalendarNotPublished}).
    function addWorkingDays(uint256 time, uint256 n) external view returns (uint40 end);

    /// @notice The start (Beijing midnight) of the first working day strictly after the Beijing
    /// day of `time`: when something deemed to happen "on the first working day after" happens.
    /// @dev Requirements:
    /// - every year from `time`'s to that day's is published ({CalendarNotPublished}).
    function nextWorkingDay(uint256 time) external view returns (uint40 start);

    /// @notice How many working days lie after the Beijing day of `from`, up to and including
    /// the Beijing day of `to`; 0 when `to`'s day is not after `from`'s.
    /// @dev Requirements:
    /// - every year from the day after `from`'s to `to`'s is published ({CalendarNotPublished}).
    function workingDaysBetween(uint256 from, uint256 to) external view returns (uint256);

    /// @notice `year`'s calendar as published, and whether it is; all zero when it is not.
    /// Never reverts.
    function yearOf(uint16 year) external view returns (uint256 low, uint256 high, bool published);
}
