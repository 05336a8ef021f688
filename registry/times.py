"""Beijing time, once: every date and time a person reads (pages, console, PDFs, CLI, reports,
recognition pages) is formatted here, and every date a person enters is read here.

The registry's legal clock is China Standard Time (UTC+08:00, no daylight saving), the zone the
national guide's days and the chain's working-day counts are in (``(time + 8 h) // 1 day``).
Text names the zone: 北京时间 in Chinese, "Beijing time, UTC+08:00" in English, 北京时间
UTC+08:00 in the bilingual PDFs (whose narrow columns a longer name would wrap). A date stands
for a whole Beijing day:

- an instant is shown with its time (``moment``), or as the day it falls on (``day``);
- a period ends exclusively at a midnight (the chain's deadlines, an expiry entered as a date),
  so its end is shown as the last day within it (``last_day``): an expiry stored as
  2031-01-01T00:00+08:00 reads 2030-12-31;
- a date entered as a start means the start of that day (``start_of``), as an end or expiry the
  end of that day (``end_of``, the next midnight, exclusive).

Machines get ISO 8601 with the offset, always +08:00 (``iso``). Only ``datetime`` is imported:
the command line loads this module on every start."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Literal

OFFSET = 8 * 3600
"""China Standard Time's offset from UTC, in seconds (no daylight saving)."""
BEIJING = timezone(timedelta(seconds=OFFSET), "CST")
"""China Standard Time: the time zone of every date a person reads or enters here."""

Lang = Literal["zh", "en", "both"]
"""Chinese text, English text, or both side by side (the bilingual PDFs)."""

_ZONE_AFTER_TIME: dict[str, str] = {
    "zh": "（北京时间）",
    "en": " (Beijing time, UTC+08:00)",
    "both": "（北京时间 UTC+08:00）",
}
_ZONE_AFTER_DATE: dict[str, str] = {
    "zh": "（北京时间）",
    "en": " (Beijing time)",
    "both": "（北京时间 Beijing time）",
}


def beijing_date(ts: int) -> date:
    """The Beijing calendar day of a Unix timestamp."""
    return datetime.fromtimestamp(ts, BEIJING).date()


def beijing_midnight(day: date) -> int:
    """The Unix timestamp of the Beijing midnight that starts ``day``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=BEIJING).timestamp())


def last_day_within(end: int) -> date:
    """The last Beijing day of a period that ends (exclusively) at ``end``: for a midnight the
    day before it, for any other instant the day it falls on. The date a person is told."""
    return beijing_date(end - 1)


def start_of(day: date) -> int:
    """A start entered as a date: the Beijing midnight that begins ``day``."""
    return beijing_midnight(day)


def end_of(day: date) -> int:
    """An end entered as a date (an expiry, "by ``day``"): the next Beijing midnight, so the
    whole of ``day`` is within and the next day is not."""
    return beijing_midnight(day + timedelta(days=1))


def parse_date(text: str) -> date:
    """A date entered as ``YYYY-MM-DD``; ValueError names the text otherwise."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {text!r}") from None


def iso(ts: int) -> str:
    """ISO 8601 with the offset, for JSON: ``2026-03-09T16:00:00+08:00``."""
    return datetime.fromtimestamp(int(ts), BEIJING).isoformat()


def moment(ts: int | None, lang: Lang = "zh", *, seconds: bool = True) -> str:
    """An instant with its time and zone: ``2026-03-09 16:00:00（北京时间）``, to the minute
    without ``seconds``; "—" for none."""
    if ts is None:
        return "—"
    shown = datetime.fromtimestamp(int(ts), BEIJING).strftime(
        "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    )
    return shown + _ZONE_AFTER_TIME[lang]


def day(value: int | date | str | None, lang: Lang = "zh") -> str:
    """A Beijing day, named as such: ``2026-03-09（北京时间）``. ``value`` is an instant (the day
    it falls on), a date, or an ISO date already counted in Beijing; "—" for none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        shown = date.fromisoformat(value).isoformat()
    elif isinstance(value, date):
        shown = value.isoformat()
    else:
        shown = beijing_date(int(value)).isoformat()
    return shown + _ZONE_AFTER_DATE[lang]


def last_day(end: int | None, lang: Lang = "zh") -> str:
    """The last day of a period ending (exclusively) at ``end`` (a deadline, an expiry, the end
    of a notice), named as a Beijing day; "—" for none."""
    if end is None:
        return "—"
    return day(last_day_within(int(end)), lang)
