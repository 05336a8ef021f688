"""China's working-day calendar: the year bitmaps the admin publishes on chain (WorkCalendar),
and the library's count of working days that checks the chain's (Beijing days are
``registry.times``'s).

A year's bitmap comes from the PyPI package ``chinesecalendar`` (the State Council's notices,
typed in by its maintainers) and is checked day by day against the China calendar of
``holidays``, maintained separately: a year either library has no data for, or where they
disagree on a single day, is refused rather than guessed. Bit i of the bitmap (i = 0 for
1 January) is set for a working day; ``low`` holds days 0 to 255, ``high`` the rest.

Days are calendar days in Beijing (UTC+8, no daylight saving): the chain counts a timestamp's
day as ``(time + 8 h) // 1 day``, and so does ``registry.times``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import chinese_calendar

# The zone and the Beijing-day conversions are registry.times's; named here too because the
# calendar's callers count deadlines with them.
from registry.times import BEIJING as BEIJING
from registry.times import beijing_date as beijing_date
from registry.times import beijing_midnight as beijing_midnight
from registry.times import last_day_within as last_day_within

logger = logging.getLogger(__name__)

FIRST_SEEDED_YEAR = 2025
"""The first year a deployment publishes (the registry's deadlines start in 2025)."""
WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


class CalendarDataError(ValueError):
    """The libraries cannot give a year's calendar: one has no data for it, or they disagree."""


@dataclass(frozen=True)
class YearCalendar:
    """One year's working days as the chain stores them."""

    year: int
    low: int
    high: int

    @classmethod
    def of(cls, year: int, working: Callable[[date], bool]) -> YearCalendar:
        """The bitmap of ``year`` with ``working(day)`` for each of its days."""
        bits = sum(1 << i for i, day in enumerate(_days(year)) if working(day))
        return cls(year, bits & ((1 << 256) - 1), bits >> 256)

    def days(self) -> Iterator[date]:
        """Every day of the year, in order."""
        return _days(self.year)

    def is_working(self, day: date) -> bool:
        if day.year != self.year:
            raise ValueError(f"{day} is not in {self.year}")
        i = (day - date(self.year, 1, 1)).days
        return bool(((self.high << 256 | self.low) >> i) & 1)

    def days_off(self) -> list[date]:
        """The weekdays (Monday to Friday) off: statutory holidays and their moved days."""
        return [d for d in self.days() if d.weekday() < 5 and not self.is_working(d)]

    def make_up_days(self) -> list[date]:
        """The Saturdays and Sundays worked (调休)."""
        return [d for d in self.days() if d.weekday() >= 5 and self.is_working(d)]


def _days(year: int) -> Iterator[date]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def _library_says_working(day: date) -> bool:
    """Whether ``chinesecalendar`` has ``day`` as a working day; refuses a year it lacks."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as exc:  # how the library says its data ends
        logger.warning("chinesecalendar has no data for %s: %s", day.year, exc)
        raise CalendarDataError(f"chinesecalendar has no data for {day.year}") from None


@cache
def china_year(year: int) -> YearCalendar:
    """``year``'s calendar from ``chinesecalendar``, every day checked against ``holidays``.

    Raises CalendarDataError when ``chinesecalendar`` has no data for the year, or when the two
    disagree on any day (the days are named)."""
    # Imported here: `holidays` loads every country's module, 1.4 s, which the service and the
    # command line would otherwise pay on every start for what only building a year needs.
    import holidays

    official = holidays.country_holidays("CN", years=year)
    disagree = [d for d in _days(year) if _library_says_working(d) != official.is_working_day(d)]
    if disagree:
        logger.warning("the calendars disagree on %d days of %d", len(disagree), year)
        listed = ", ".join(d.isoformat() for d in disagree[:10])
        raise CalendarDataError(
            f"chinesecalendar and holidays disagree on {len(disagree)} days of {year}: {listed}"
        )
    return YearCalendar.of(year, _library_says_working)


def notice_year(year: int, days_off: Iterable[date], make_up_days: Iterable[date]) -> YearCalendar:
    """``year``'s calendar typed in from the State Council's notice (国务院办公厅关于某年部分节假日
    安排的通知, published each November or December), for a year the libraries do not have yet:
    Monday to Friday worked except ``days_off``, Saturday and Sunday off except ``make_up_days``.

    Checked as far as can be without the notice itself: every day is in ``year``; a make-up day
    is a Saturday or Sunday; a day is not both; and every statutory holiday of the Regulations on
    National Holidays (元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节, the dates ``holidays``
    computes from the lunar calendar) is off. Raises CalendarDataError naming the days."""
    import holidays

    off, worked = set(days_off), set(make_up_days)
    problems = [f"{d} is not in {year}" for d in sorted(off | worked) if d.year != year]
    problems += [
        f"{d} is a make-up day but not a Saturday or Sunday"
        for d in sorted(worked)
        if d.weekday() < 5
    ]
    problems += [f"{d} is both a day off and a make-up day" for d in sorted(off & worked)]
    # The statutory days themselves, not the library's guesses at the year's moved days.
    statutory = holidays.country_holidays("CN", years=year)
    problems += [
        f"{d} ({name}) is a statutory holiday but not listed as off"
        for d, name in sorted(statutory.items())
        if not any(word in name.lower() for word in ("observed", "substituted"))
        and d.weekday() < 5
        and d not in off
    ]
    if problems:
        raise CalendarDataError("; ".join(problems))
    return YearCalendar.of(year, lambda d: d in worked or (d.weekday() < 5 and d not in off))


def parse_days(text: str) -> list[date]:
    """Days as the command line takes them: ISO dates and ranges ``a..b`` (both included),
    separated by commas, e.g. ``2027-01-01,2027-02-05..2027-02-11``."""
    found: list[date] = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        first, _, last = item.partition("..")
        start = date.fromisoformat(first)
        end = date.fromisoformat(last) if last else start
        if end < start:
            raise ValueError(f"{item}: the range ends before it starts")
        found += [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return found


def seeded_years() -> range:
    """The years a deployment publishes: from 2025 to the last the library has data for."""
    last = max(chinese_calendar.holidays).year
    return range(FIRST_SEEDED_YEAR, int(last) + 1)


def festival(day: date) -> tuple[str, str] | None:
    """The festival (Chinese, English) a day off or a make-up working day belongs to, from
    ``chinesecalendar``; None for an ordinary day or a year it has no data for."""
    try:
        _, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # no data for that year: the day is shown without a name
        logger.info("no festival names for %s", day.year)
        return None
    if name is None:
        return None
    holiday = chinese_calendar.Holiday(name)
    return str(holiday.chinese), str(holiday.value)


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` not counted; ``start`` itself for
    n = 0), counted day by day on ``chinesecalendar``.

    This is an independent check for the tests, not the rule: the chain's WorkCalendar is
    authoritative, and deadlines are what it counted when they were set. Raises
    CalendarDataError when the count reaches a year the library has no data for."""
    day = start
    while n > 0:
        day += timedelta(days=1)
        n -= _library_says_working(day)
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if ``end`` is not after),
    counted day by day on ``chinesecalendar``; like :func:`add_working_days`, a check of the
    chain, not the rule."""
    days = (end - start).days
    return sum(_library_says_working(start + timedelta(days=k)) for k in range(1, days + 1))
