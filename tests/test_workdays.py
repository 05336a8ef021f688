"""China's working-day calendar on chain (WorkCalendar), seeded at deploy from chinesecalendar
checked against holidays, counted by the contract and checked against a day-by-day count in
Python and against dates written by hand from the State Council's 2026 notice."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from registry.chain import Deployment, Registry
from registry.chain.calendar import WorkCalendarClient
from registry.chain.node import EmbeddedNode
from registry.cli import app
from registry.workdays import (
    CalendarDataError,
    YearCalendar,
    add_working_days,
    beijing_date,
    beijing_midnight,
    china_year,
    last_day_within,
    notice_year,
    parse_days,
    seeded_years,
    working_days_between,
)
from tests.conftest import Accounts, assert_emitted, reverts

ADMIN_ROLE = b"\x00" * 32
HOUR = 3600
# A stand-in year where the library has no data: Monday to Friday, no holidays.
WEEKDAYS_2027 = YearCalendar.of(2027, lambda day: day.weekday() < 5)
SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def calendar(registry: Registry) -> WorkCalendarClient:
    assert registry.calendar is not None
    return registry.calendar


def at(day: date, hour: int = 10) -> int:
    """A moment of ``day`` in Beijing (10:00 unless told)."""
    return beijing_midnight(day) + hour * HOUR


def end_of(day: date) -> int:
    """Where a period whose last day is ``day`` ends: the following Beijing midnight."""
    return beijing_midnight(day + timedelta(days=1))


def test_the_deployment_publishes_2025_and_2026_as_the_library_gives_them(
    calendar: WorkCalendarClient,
) -> None:
    assert list(seeded_years()) == [2025, 2026]
    for year in seeded_years():
        assert calendar.year_of(year) == china_year(year)
    assert calendar.year_of(2027) is None


def test_a_notice_of_five_working_days_from_2026_09_29_ends_after_the_national_day_holiday(
    calendar: WorkCalendarClient,
) -> None:
    end = calendar.add_working_days(at(date(2026, 9, 29)), 5)
    assert last_day_within(end) == add_working_days(date(2026, 9, 29), 5)
    # By hand from the State Council's notice for 2026: 30 September (1), 1-7 October off,
    # 8 and 9 October (2, 3), Saturday 10 October worked in exchange (4), Monday 12 October (5):
    # the notice runs to the end of 12 October, Beijing midnight = 16:00 UTC that day.
    assert last_day_within(end) == date(2026, 10, 12)
    assert end == 1_791_820_800 == end_of(date(2026, 10, 12))


def test_weekends_are_days_off(calendar: WorkCalendarClient) -> None:
    friday = date(2026, 3, 6)
    assert calendar.is_working_day(at(friday))
    assert not calendar.is_working_day(at(friday + timedelta(days=1)))
    assert not calendar.is_working_day(at(friday + timedelta(days=2)))
    assert calendar.add_working_days(at(friday), 1) == end_of(date(2026, 3, 9))
    assert calendar.next_working_day(at(friday)) == beijing_midnight(date(2026, 3, 9))
    assert calendar.working_days_between(at(friday), at(date(2026, 3, 9))) == 1


def test_the_2026_spring_festival_is_off_from_15_to_23_february(
    calendar: WorkCalendarClient,
) -> None:
    for offset in range(9):
        assert not calendar.is_working_day(at(date(2026, 2, 15) + timedelta(days=offset)))
    # Friday 13th, then Saturday 14th worked in exchange, then nothing until Tuesday 24th.
    assert calendar.add_working_days(at(date(2026, 2, 13)), 1) == end_of(date(2026, 2, 14))
    assert calendar.add_working_days(at(date(2026, 2, 13)), 2) == end_of(date(2026, 2, 24))
    assert calendar.next_working_day(at(date(2026, 2, 14))) == beijing_midnight(date(2026, 2, 24))
    # 14, 24, 25, 26, 27 February.
    assert calendar.working_days_between(at(date(2026, 2, 13)), at(date(2026, 2, 27))) == 5


def test_the_make_up_saturdays_and_sundays_of_2026_count_as_working_days(
    calendar: WorkCalendarClient,
) -> None:
    make_up = [
        date(2026, 1, 4),  # Sunday, for New Year's Day
        date(2026, 2, 14),  # Saturday, Spring Festival
        date(2026, 2, 28),  # Saturday, Spring Festival
        date(2026, 5, 9),  # Saturday, Labour Day
        date(2026, 9, 20),  # Sunday, National Day
        date(2026, 10, 10),  # Saturday, National Day
    ]
    assert china_year(2026).make_up_days() == make_up
    for day in make_up:
        assert day.weekday() >= 5
        assert calendar.is_working_day(at(day))
    # Friday 9 October: Saturday 10th is the next working day, not Monday 12th.
    assert calendar.next_working_day(at(date(2026, 10, 9))) == beijing_midnight(date(2026, 10, 10))


def test_a_day_is_a_beijing_calendar_day(calendar: WorkCalendarClient) -> None:
    last_second_off = beijing_midnight(date(2026, 10, 8)) - 1  # 7 October 23:59:59, 15:59:59 UTC
    assert not calendar.is_working_day(last_second_off)
    assert calendar.is_working_day(last_second_off + 1)
    assert beijing_date(last_second_off) == date(2026, 10, 7)
    assert calendar.add_working_days(last_second_off, 1) == end_of(date(2026, 10, 8))
    assert calendar.add_working_days(last_second_off + 1, 1) == end_of(date(2026, 10, 9))


def test_zero_working_days_end_at_the_end_of_the_day_itself(
    calendar: WorkCalendarClient,
) -> None:
    assert calendar.add_working_days(at(date(2026, 10, 3)), 0) == end_of(date(2026, 10, 3))
    # Nothing is counted, so no calendar is read: a year nobody published is fine.
    assert calendar.add_working_days(at(date(2028, 6, 1)), 0) == end_of(date(2028, 6, 1))


def test_a_count_into_a_year_nobody_published_is_refused_with_that_year(
    calendar: WorkCalendarClient, accounts: Accounts
) -> None:
    with reverts("CalendarNotPublished", 2027):
        calendar.add_working_days(at(date(2026, 12, 31)), 1)
    with reverts("CalendarNotPublished", 2027):
        calendar.working_days_between(at(date(2026, 12, 1)), at(date(2027, 1, 1)))
    calendar.publish_year(accounts.admin, WEEKDAYS_2027)
    assert calendar.add_working_days(at(date(2026, 12, 31)), 1) == end_of(date(2027, 1, 1))
    with reverts("CalendarNotPublished", 2028):
        calendar.add_working_days(at(date(2027, 12, 20)), 30)
    with reverts("CalendarNotPublished", 2028):
        calendar.next_working_day(at(date(2027, 12, 31)))
    with reverts("CalendarNotPublished", 2028):
        calendar.working_days_between(at(date(2027, 12, 1)), at(date(2028, 1, 5)))
    with reverts("CalendarNotPublished", 2028):
        calendar.is_working_day(at(date(2028, 3, 1)))
    with reverts("CalendarNotPublished", 1999):
        calendar.is_working_day(at(date(1999, 3, 1)))
    with reverts("CalendarNotPublished", 36_812):  # past any year that can be published
        calendar.next_working_day(2**40)


def test_publishing_a_year_is_the_admins_alone(
    calendar: WorkCalendarClient, accounts: Accounts
) -> None:
    for account in (accounts.registrar, accounts.outsider):
        with reverts("AccessControlUnauthorizedAccount", account.address, ADMIN_ROLE):
            calendar.publish_year(account, WEEKDAYS_2027)
    assert calendar.year_of(2027) is None


def test_bits_past_the_years_end_are_refused(
    calendar: WorkCalendarClient, accounts: Accounts
) -> None:
    # Day 365 (bit 109 of high) exists only in a leap year; day 366 in none.
    with reverts("DaysPastYearEnd", 2027, 365):
        calendar.publish_year(accounts.admin, YearCalendar(2027, 1, 1 << 109))
    with reverts("DaysPastYearEnd", 2028, 366):
        calendar.publish_year(accounts.admin, YearCalendar(2028, 1, 1 << 110))
    calendar.publish_year(accounts.admin, YearCalendar(2028, 1, 1 << 109))
    assert calendar.is_working_day(at(date(2028, 12, 31)))


@pytest.mark.parametrize("year", [0, 1999, 2200, 65_535])
def test_an_implausible_year_is_refused(
    calendar: WorkCalendarClient, accounts: Accounts, year: int
) -> None:
    with reverts("YearOutOfRange", year, 2000, 2199):
        calendar.publish_year(accounts.admin, YearCalendar(year, 1, 0))


def test_publishing_a_year_again_corrects_it_and_is_emitted(
    calendar: WorkCalendarClient, accounts: Accounts
) -> None:
    published = china_year(2026)
    # Suppose the notice had also given Monday 12 October off.
    day = (date(2026, 10, 12) - date(2026, 1, 1)).days
    corrected = YearCalendar(2026, published.low, published.high & ~(1 << (day - 256)))
    receipt = calendar.publish_year(accounts.admin, corrected)
    assert_emitted(
        receipt, calendar, "YearPublished", year=2026, low=corrected.low, high=corrected.high
    )
    assert calendar.year_of(2026) == corrected
    assert calendar.add_working_days(at(date(2026, 9, 29)), 5) == end_of(date(2026, 10, 13))


@pytest.mark.parametrize(
    "bits",
    [
        (1 << 366) - 1,  # every day
        sum(1 << i for i in range(0, 366, 2)),  # every other day
        (1 << 254) | (1 << 255) | (1 << 256),  # the days either side of the words' split
        1 << 255,  # day 255 alone: the first of the second stored word
    ],
)
def test_a_published_year_reads_back_bit_for_bit(
    calendar: WorkCalendarClient, accounts: Accounts, bits: int
) -> None:
    year = YearCalendar(2028, bits & ((1 << 256) - 1), bits >> 256)
    calendar.publish_year(accounts.admin, year)
    assert calendar.year_of(2028) == year
    for i in (0, 1, 253, 254, 255, 256, 257, 365):
        day = date(2028, 1, 1) + timedelta(days=i)
        assert calendar.is_working_day(at(day)) == year.is_working(day), day
    first = date(2028, 1, 1) + timedelta(days=bin(bits)[::-1].index("1"))
    assert last_day_within(calendar.add_working_days(at(date(2027, 12, 31)), 1)) == first


@given(
    start=st.dates(date(2025, 1, 1), date(2026, 12, 31)),
    hour=st.integers(0, 23),
    n=st.integers(0, 40),
)
@SETTINGS
def test_the_chain_counts_working_days_as_the_library_does(
    calendar: WorkCalendarClient, start: date, hour: int, n: int
) -> None:
    try:
        expected = add_working_days(start, n)
    except CalendarDataError:
        with reverts("CalendarNotPublished", 2027):
            calendar.add_working_days(at(start, hour), n)
        return
    assert calendar.add_working_days(at(start, hour), n) == end_of(expected)
    if n == 1:
        assert calendar.next_working_day(at(start, hour)) == beijing_midnight(expected)


@given(
    start=st.dates(date(2025, 1, 1), date(2026, 12, 31)),
    days=st.integers(-3, 120),
)
@SETTINGS
def test_the_chain_counts_working_days_between_two_days_as_the_library_does(
    calendar: WorkCalendarClient, start: date, days: int
) -> None:
    end = min(start + timedelta(days=days), date(2026, 12, 31))
    assert calendar.working_days_between(at(start), at(end, 23)) == working_days_between(start, end)


def test_every_day_of_2025_and_2026_is_as_the_library_says(calendar: WorkCalendarClient) -> None:
    for year in seeded_years():
        for day in china_year(year).days():
            assert calendar.is_working_day(at(day)) == chinese_calendar.is_workday(day), day


def test_a_year_the_library_has_no_data_for_is_refused() -> None:
    with pytest.raises(CalendarDataError, match="no data for 2027"):
        china_year(2027)
    with pytest.raises(CalendarDataError, match="no data for 2027"):
        add_working_days(date(2026, 12, 31), 1)


def test_a_year_where_the_two_libraries_disagree_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As if chinesecalendar had lost the make-up Saturday of 10 October 2026.
    monkeypatch.delitem(chinese_calendar.constants.workdays, date(2026, 10, 10))
    china_year.cache_clear()
    try:
        with pytest.raises(CalendarDataError, match=r"disagree on 1 days of 2026: 2026-10-10"):
            china_year(2026)
    finally:
        china_year.cache_clear()


# The State Council's notice for 2026 (国办发明电〔2025〕号, 4 November 2025), as typed in by hand.
NOTICE_2026_OFF = (
    "2026-01-01..2026-01-03,2026-02-15..2026-02-23,2026-04-04..2026-04-06,"
    "2026-05-01..2026-05-05,2026-06-19..2026-06-21,2026-09-25..2026-09-27,"
    "2026-10-01..2026-10-07"
)
NOTICE_2026_WORKED = "2026-01-04,2026-02-14,2026-02-28,2026-05-09,2026-09-20,2026-10-10"


def test_a_year_typed_in_from_the_notice_is_the_year_the_libraries_give() -> None:
    typed = notice_year(2026, parse_days(NOTICE_2026_OFF), parse_days(NOTICE_2026_WORKED))
    assert typed == china_year(2026)


def test_a_notice_typed_in_wrongly_is_refused_naming_the_days() -> None:
    off, worked = parse_days(NOTICE_2026_OFF), parse_days(NOTICE_2026_WORKED)
    national_day = date(2026, 10, 1)
    with pytest.raises(CalendarDataError, match=r"2026-10-01 \(National Day\) is a statutory"):
        notice_year(2026, [d for d in off if d != national_day], worked)
    with pytest.raises(CalendarDataError, match="2026-10-09 is a make-up day but not a Sat"):
        notice_year(2026, off, [*worked, date(2026, 10, 9)])
    with pytest.raises(CalendarDataError, match="2026-10-10 is both a day off and a make-up"):
        notice_year(2026, [*off, date(2026, 10, 10)], worked)
    with pytest.raises(CalendarDataError, match="2027-01-01 is not in 2026"):
        notice_year(2026, [*off, date(2027, 1, 1)], worked)
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_days("2026-10-07..2026-10-01")


def test_beijing_dates_of_timestamps() -> None:
    assert beijing_midnight(date(2026, 10, 13)) == 1_791_820_800  # 2026-10-12T16:00:00Z
    assert beijing_date(1_791_820_800) == date(2026, 10, 13)
    assert beijing_date(1_791_820_799) == date(2026, 10, 12)
    assert last_day_within(1_791_820_800) == date(2026, 10, 12)


def test_the_calendar_commands_publish_and_show_a_year(
    registry: Registry,
    deployment: Deployment,
    node: EmbeddedNode,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from registry.config import get_settings

    deployment.save(tmp_path / "deployment.json")
    monkeypatch.setenv("REGISTRY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REGISTRY_RPC_URL", node.url)
    monkeypatch.delenv("REGISTRY_ADMIN_KEY", raising=False)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        shown = runner.invoke(app, ["calendar", "show", "2026"])
        assert shown.exit_code == 0, shown.output
        assert "  2026-10-01 星期四 Thu  国庆节 National Day" in shown.stdout
        assert "  2026-10-10 星期六 Sat  国庆节 National Day" in shown.stdout
        assert "  2026-02-16 星期一 Mon  春节 Spring Festival" in shown.stdout
        assert "weekdays off (休息日), 19:" in shown.stdout
        assert "make-up working days (调休上班日), 6:" in shown.stdout
        assert "matches the library" in shown.stdout
        missing = runner.invoke(app, ["calendar", "show", "2027"])
        assert missing.exit_code == 1
        assert "2027 is not published on chain" in missing.stderr
        refused = runner.invoke(app, ["calendar", "publish", "2027", "--dev-account", "0"])
        assert refused.exit_code == 1
        assert "no data for 2027" in refused.stderr
        again = runner.invoke(app, ["calendar", "publish", "2026", "--dev-account", "0"])
        assert again.exit_code == 0, again.output
        assert "published 2026 in block" in again.stdout
        # A year the library lacks, from its notice (a stand-in: New Year and National Day only).
        notice = ["--days-off", "2027-01-01,2027-10-01..2027-10-07", "--make-up", "2027-09-26"]
        wrong = runner.invoke(app, ["calendar", "publish", "2027", "--dev-account", "0", *notice])
        assert wrong.exit_code == 1
        assert "2027-02-08 (Chinese New Year (Spring Festival)) is a statutory" in wrong.stderr
        notice[1] += ",2027-02-05..2027-02-11,2027-04-05,2027-05-03..2027-05-05,2027-06-09"
        notice[1] += ",2027-09-15"
        typed = runner.invoke(app, ["calendar", "publish", "2027", "--dev-account", "0", *notice])
        assert typed.exit_code == 0, typed.output
        assert "  2027-09-26 星期日 Sun" in typed.stdout
        shown = runner.invoke(app, ["calendar", "show", "2027"])
        assert shown.exit_code == 0, shown.output
        assert "the library cannot check it: chinesecalendar has no data for 2027" in shown.stdout
    finally:
        get_settings.cache_clear()
