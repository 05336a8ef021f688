"""WorkCalendar's client: China's working days as published on chain (see
contracts/interfaces/IWorkCalendar.sol), and the seeding of a deployment's years."""

from __future__ import annotations

import logging

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from registry.chain.client import BoundContract
from registry.workdays import YearCalendar, china_year, seeded_years

logger = logging.getLogger(__name__)


class WorkCalendarClient(BoundContract):
    """WorkCalendar: the admin publishes years; anyone counts working days."""

    def publish_year(self, sender: LocalAccount, calendar: YearCalendar) -> TxReceipt:
        return self._send(sender, "publishYear", calendar.year, calendar.low, calendar.high)

    def year_of(self, year: int) -> YearCalendar | None:
        """The year as published; None when it is not."""
        low, high, published = self._call("yearOf", year)
        return YearCalendar(year, int(low), int(high)) if published else None

    def is_working_day(self, time: int) -> bool:
        return bool(self._call("isWorkingDay", time))

    def add_working_days(self, time: int, n: int) -> int:
        return int(self._call("addWorkingDays", time, n))

    def next_working_day(self, time: int) -> int:
        return int(self._call("nextWorkingDay", time))

    def working_days_between(self, start: int, end: int) -> int:
        return int(self._call("workingDaysBetween", start, end))

    def seed(self, sender: LocalAccount) -> list[int]:
        """Publishes every year the library has from 2025 on (see registry.workdays); returns
        the years published."""
        years = list(seeded_years())
        for year in years:
            self.publish_year(sender, china_year(year))
        logger.info("working-day calendar published for %s", years)
        return years
