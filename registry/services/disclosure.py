"""The center's disclosure (信息公开, 指引 art. 10-11): its process, fees and complaint channel,
and its business figures by Beijing month, each counted from the chain's events in the index and
traceable to them: every figure carries the (transaction hash, log index) of the events it was
counted from, which anyone re-reads from the chain (``eth_getTransactionReceipt``).

What is counted, each in the Beijing month of the event that completes it:

- applications by registration type (art. 32-37): initial ``Applied``, transfer
  ``TransferRegistered``, change ``ManifestChanged`` (of the description) or ``IdentityChanged``
  (of a right-holder's identity), renewal ``RegistrationRenewed``, cancellation
  ``RegistrationCancelled``;
- ``ApplicationAccepted`` (those with ``by`` zero were deemed accepted, art. 17);
- refusals by their art. 22 ground (``ApplicationRefused``, also an upheld objection's);
- terminations (``ReviewTerminated``), objections during the notice (``ObjectionFiled``) and after
  registration (``PostObjectionFiled``);
- completions (``RegistrationIssued``), with the working days from acceptance to completion
  counted as the chain counts the time limit (art. 28): working days on the chain's own
  ``WorkCalendar`` from the acceptance to the deposit, less the paused days (proof requests, the
  notice until its end or the last objection decision), so a completion beyond ``10 +
  extension`` working days missed its deadline;
- deadlines missed: a completion after its processing deadline, an objection decided on or after
  its investigation date, an applicant notified late of an objection after registration
  (``ApplicantNotified.inTime`` false).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from registry import times
from registry.chain.types import RefusalReason
from registry.workdays import YearCalendar

logger = logging.getLogger(__name__)

PROCESSING_DAYS = 10
"""Working days from acceptance to completion (art. 28), before pauses and extensions."""
ZERO_ADDRESS = "0x" + "00" * 20

APPLICATION_TYPES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "initial": (("Applied",), "初始登记", "Initial registration"),
    "transfer": (("TransferRegistered",), "转让登记", "Transfer registration"),
    "change": (("ManifestChanged", "IdentityChanged"), "变更登记", "Change registration"),
    "renewal": (("RegistrationRenewed",), "续期登记", "Renewal registration"),
    "cancellation": (("RegistrationCancelled",), "注销登记", "Cancellation registration"),
}
"""Each registration type and the events that complete one (a change is of the description or
of a right-holder's identity, art. 35)."""
REFUSAL_NAMES: dict[RefusalReason, tuple[str, str]] = {
    RefusalReason.HARMS_SECURITY_PUBLIC_INTEREST_OR_OTHERS: (
        "危害国家安全、公共利益或他人合法权益",
        "Harms national security, the public interest or others' rights",
    ),
    RefusalReason.UNLAWFUL_SOURCE: ("数据来源不合法", "Unlawful source"),
    RefusalReason.OWNERSHIP_DISPUTED: ("权属存在争议", "Ownership disputed"),
    RefusalReason.CONCEALMENT_OR_FALSE_PROOF: (
        "隐瞒事实或提供虚假证明",
        "Concealment or false proof",
    ),
    RefusalReason.OTHER_LEGAL_GROUNDS: ("其他法定情形", "Other legal grounds"),
}


def _figures() -> dict[str, tuple[str, str]]:
    found = {f"applications.{k}": (zh, en) for k, (_e, zh, en) in APPLICATION_TYPES.items()}
    found |= {
        "accepted": ("受理", "Accepted"),
        "accepted.deemed": ("其中视为受理", "Of which deemed accepted"),
    }
    found |= {f"refused.{r.name.lower()}": names for r, names in REFUSAL_NAMES.items()}
    found |= {
        "terminated": ("终止审查", "Review terminated"),
        "objections.notice": ("公示期异议", "Objections during the notice"),
        "objections.after_registration": ("登记后异议", "Objections after registration"),
        "completed": ("办结（存证发证）", "Completed (deposited, certificate issued)"),
        "working_days.average": (
            "受理至办结平均工作日",
            "Average working days, acceptance to completion",
        ),
        "working_days.longest": (
            "受理至办结最长工作日",
            "Longest working days, acceptance to completion",
        ),
        "missed.processing": ("超过办理时限", "Processing time limit missed"),
        "missed.investigation": ("异议调查超期", "Objection investigation late"),
        "missed.notification": ("登记后异议通知超期", "Applicant notified late (art. 29)"),
    }
    return found


FIGURES = _figures()
"""Every figure's key and its Chinese and English names, in the order reports show them."""

COUNTED_EVENTS = frozenset(
    {e for events, _zh, _en in APPLICATION_TYPES.values() for e in events}
    | {
        "ApplicationAccepted",
        "ApplicationRefused",
        "ReviewTerminated",
        "ObjectionFiled",
        "ObjectionDecided",
        "PostObjectionFiled",
        "ApplicantNotified",
        "RegistrationIssued",
        "NoticeStarted",
        "NoticeWaived",
        "ProofSupplied",
        "ProcessingExtended",
    }
)
"""The events the figures are counted from (the index's ``events`` rows of these names)."""

Ref = tuple[str, int]
"""An event by its transaction hash and log index."""


@dataclass
class Figure:
    """A figure and the events it was counted from."""

    value: float | None = 0
    """None for an average or a maximum of nothing."""
    events: list[Ref] = field(default_factory=list)

    def count(self, ref: Ref) -> None:
        self.value = (self.value or 0) + 1
        self.events.append(ref)


@dataclass(frozen=True)
class Completion:
    """One completed application: its working days from acceptance to deposit as the time limit
    counts them, its limit (10 plus its extension days), and the events counted."""

    asset_id: int
    month: str
    accepted_at: int
    issued_at: int
    working_days: int
    paused_days: int
    limit: int
    events: tuple[Ref, ...]

    @property
    def missed(self) -> bool:
        return self.working_days > self.limit


@dataclass(frozen=True)
class CenterTexts:
    """What the center publishes of itself (art. 10): each text configured, or a default that
    says it is one (``defaults`` names those left at their defaults)."""

    name: str
    process: str
    fees: str
    complaints: str
    authority: str
    defaults: tuple[str, ...] = ()
    credit_code: str | None = None
    """The center's unified social credit code, when configured (art. 10(7) is checked by it)."""


DEFAULT_PROCESS = (
    "申请 → 受理（3个工作日内）→ 审查 → 公示（5个工作日）→ 异议处理（10个工作日内调查）→ "
    "信息存证 → 凭证核发；自受理至办结10个工作日，可延长不超过10个工作日"
    "（补正、公示、异议时间不计入）。"
)


def center_texts(
    name: str,
    process: str | None,
    fees: str | None,
    complaints: str | None,
    authority: str | None,
    credit_code: str | None = None,
) -> CenterTexts:
    """The center's texts, a default for each one not configured (the default says so)."""
    defaults = []
    note = "（默认值，登记机构尚未配置 / default, not configured）"

    def pick(key: str, value: str | None, default: str) -> str:
        if value:
            return value
        defaults.append(key)
        return default + note

    return CenterTexts(
        name=name,
        process=pick("process", process, DEFAULT_PROCESS),
        fees=pick("fees", fees, "登记服务收费标准未公布"),
        complaints=pick("complaints", complaints, "投诉渠道未公布"),
        authority=pick("authority", authority, "省级数据管理部门"),
        defaults=tuple(defaults),
        credit_code=credit_code,
    )


@dataclass(frozen=True)
class Event:
    """An index ``events`` row as the figures need it."""

    name: str
    asset_id: int | None
    timestamp: int
    tx_hash: str
    log_index: int
    args: dict[str, Any]

    @property
    def ref(self) -> Ref:
        return (self.tx_hash, self.log_index)


def month_of(timestamp: int) -> str:
    """The Beijing month, ``YYYY-MM``."""
    return times.beijing_date(timestamp).strftime("%Y-%m")


class WorkingDays:
    """Working days counted on the chain's published year bitmaps (``WorkCalendar.yearOf``),
    read once per year: the same count as ``workingDaysBetween`` without a call per pair."""

    def __init__(self, year_of: Callable[[int], YearCalendar | None]) -> None:
        self._year_of = year_of
        self._years: dict[int, YearCalendar] = {}

    def _working(self, day: date) -> bool:
        year = self._years.get(day.year)
        if year is None:
            found = self._year_of(day.year)
            if found is None:
                raise LookupError(f"the calendar of {day.year} is not published on chain")
            year = self._years[day.year] = found
        return year.is_working(day)

    def between(self, start: int, end: int) -> int:
        """Working days after ``start``'s Beijing day up to and including ``end``'s."""
        first, last = times.beijing_date(start), times.beijing_date(end)
        days = (last - first).days
        return sum(
            self._working(date.fromordinal(first.toordinal() + k)) for k in range(1, days + 1)
        )


@dataclass
class _Progress:
    """An application's procedure as its events tell it, up to its completion."""

    accepted: Event | None = None
    notice: Event | None = None
    last_decision: Event | None = None
    proofs: list[Event] = field(default_factory=list)
    extension: Event | None = None


def _completion(progress: _Progress, issued: Event, days: WorkingDays) -> Completion | None:
    accepted = progress.accepted
    if accepted is None:
        logger.warning("asset %s was issued with no acceptance in the index", issued.asset_id)
        return None
    accepted_at = int(accepted.args["acceptedAt"])
    used = [accepted.ref, issued.ref]
    paused = 0
    for proof in progress.proofs:
        paused += int(proof.args["pausedDays"])
        used.append(proof.ref)
    notice = progress.notice
    if notice is not None:
        # As the contract's _pauseEnd: the notice's last moment, or the last decision if later.
        started = notice.timestamp
        ends = int(notice.args.get("noticeEndsAt", started))
        end = ends - 1 if ends > started else started
        used.append(notice.ref)
        if progress.last_decision is not None:
            end = max(end, progress.last_decision.timestamp)
            used.append(progress.last_decision.ref)
        paused += days.between(started, end)
    extension = 0
    if progress.extension is not None:
        extension = int(progress.extension.args["totalDays"])
        used.append(progress.extension.ref)
    return Completion(
        asset_id=int(issued.asset_id or 0),
        month=month_of(issued.timestamp),
        accepted_at=accepted_at,
        issued_at=issued.timestamp,
        working_days=days.between(accepted_at, issued.timestamp) - paused,
        paused_days=paused,
        limit=PROCESSING_DAYS + extension,
        events=tuple(used),
    )


@dataclass
class Figures:
    """Figures by Beijing month, and the completions the working days were counted from."""

    months: dict[str, dict[str, Figure]]
    completions: list[Completion]

    def totals(self) -> dict[str, Figure]:
        """The figures of all the months together."""
        total = {key: Figure() for key in FIGURES}
        for figures in self.months.values():
            for key, figure in figures.items():
                if not key.startswith("working_days."):
                    total[key].value = (total[key].value or 0) + (figure.value or 0)
                    total[key].events.extend(figure.events)
        _working_days(total, self.completions)
        return total


def _working_days(figures: dict[str, Figure], completions: list[Completion]) -> None:
    if not completions:
        figures["working_days.average"] = Figure(None)
        figures["working_days.longest"] = Figure(None)
        return
    refs = [ref for c in completions for ref in c.events]
    average = sum(c.working_days for c in completions) / len(completions)
    figures["working_days.average"] = Figure(round(average, 2), refs)
    longest = max(completions, key=lambda c: c.working_days)
    figures["working_days.longest"] = Figure(longest.working_days, list(longest.events))


def count(events: Iterable[Event], days: WorkingDays, months: Iterable[str] = ()) -> Figures:
    """The figures of ``events`` (in chain order), by the Beijing month of the event counted;
    every month of ``months`` is present, even with nothing in it."""
    by_type = {e: key for key, (events, _zh, _en) in APPLICATION_TYPES.items() for e in events}
    found: dict[str, dict[str, Figure]] = defaultdict(lambda: {k: Figure() for k in FIGURES})
    for shown in months:
        found[shown]
    progress: dict[int, _Progress] = defaultdict(_Progress)
    investigation_due: dict[int, int] = {}
    completions: list[Completion] = []
    for event in events:
        tally = found[month_of(event.timestamp)]
        asset = progress[int(event.asset_id or 0)]
        name = event.name
        if name in by_type:
            tally[f"applications.{by_type[name]}"].count(event.ref)
        if name == "Applied":
            # A new application (or one supplied again) starts its procedure afresh.
            progress[int(event.asset_id or 0)] = _Progress()
        elif name == "ApplicationAccepted":
            tally["accepted"].count(event.ref)
            if event.args["by"] == ZERO_ADDRESS:
                tally["accepted.deemed"].count(event.ref)
            asset.accepted, asset.notice, asset.last_decision = event, None, None
            asset.proofs = []
        elif name == "ApplicationRefused":
            reason = RefusalReason(int(event.args["reason"]))
            tally[f"refused.{reason.name.lower()}"].count(event.ref)
        elif name == "ReviewTerminated":
            tally["terminated"].count(event.ref)
        elif name == "ObjectionFiled":
            tally["objections.notice"].count(event.ref)
            investigation_due[int(event.args["objectionId"])] = int(event.args["investigationDue"])
        elif name == "ObjectionDecided":
            asset.last_decision = event
            due = investigation_due.get(int(event.args["objectionId"]))
            if due is not None and event.timestamp >= due:
                tally["missed.investigation"].count(event.ref)
        elif name == "PostObjectionFiled":
            tally["objections.after_registration"].count(event.ref)
        elif name == "ApplicantNotified":
            if not event.args["inTime"]:
                tally["missed.notification"].count(event.ref)
        elif name in ("NoticeStarted", "NoticeWaived"):
            asset.notice = event
        elif name == "ProofSupplied":
            asset.proofs.append(event)
        elif name == "ProcessingExtended":
            asset.extension = event
        elif name == "RegistrationIssued":
            done = _completion(asset, event, days)
            if done is not None:
                completions.append(done)
                tally["completed"].count(event.ref)
                if done.missed:
                    tally["missed.processing"].count(event.ref)
    for key, figures in found.items():
        _working_days(figures, [c for c in completions if c.month == key])
    return Figures(dict(sorted(found.items())), completions)


def year_months(year: int) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(1, 13)]


def _figure_json(figure: Figure, traced: bool) -> Any:
    if not traced:
        return figure.value
    return {"value": figure.value, "events": [list(ref) for ref in figure.events]}


class Disclosure:
    """The center's disclosure and its annual report, from the index and the chain's calendar."""

    def __init__(
        self,
        events: Callable[[Sequence[str], int], list[dict[str, Any]]],
        year_of: Callable[[int], YearCalendar | None],
        texts: CenterTexts,
        region: int,
    ) -> None:
        """``events(names, before)``: the index's events of those names before a time, in chain
        order (``Queries.events_named``); ``year_of``: the chain's calendar year
        (``WorkCalendarClient.year_of``)."""
        self._events = events
        self._days = WorkingDays(year_of)
        self.texts = texts
        self.region = region

    def figures(self, year: int, until: int | None = None) -> Figures:
        """The figures of the Beijing months of ``year`` from the events up to ``until`` (Unix
        seconds, inclusive; the year's end if later or unset). The events before the year are
        read too: an application accepted in December and completed in January counts its
        days."""
        end = times.start_of(date(year + 1, 1, 1))
        rows = self._events(sorted(COUNTED_EVENTS), end if until is None else min(end, until + 1))
        found = count(
            (
                Event(
                    r["name"],
                    r["asset_id"],
                    int(r["timestamp"]),
                    str(r["tx_hash"]),
                    int(r["log_index"]),
                    dict(r["args"]),
                )
                for r in rows
            ),
            self._days,
            year_months(year),
        )
        prefix = f"{year}-"
        return Figures(
            {m: f for m, f in found.months.items() if m.startswith(prefix)},
            [c for c in found.completions if c.month.startswith(prefix)],
        )

    def center(self) -> dict[str, Any]:
        t = self.texts
        return {
            "name": t.name,
            "region": self.region,
            "process": t.process,
            "fees": t.fees,
            "complaints": t.complaints,
            "authority": t.authority,
            "credit_code": t.credit_code,
            "defaults": list(t.defaults),
        }

    def report(self, year: int, *, traced: bool, generated_at: int) -> dict[str, Any]:
        """The disclosure of ``year`` as JSON, counted from the events up to ``generated_at``:
        the center, the figures' names, each month's figures and the year's; ``traced``, each
        figure with its events and each completion with its working days (the annual
        report)."""
        figures = self.figures(year, generated_at)
        body: dict[str, Any] = {
            "year": year,
            "generated_at": times.iso(generated_at),
            "center": self.center(),
            "figures": {k: {"zh": zh, "en": en} for k, (zh, en) in FIGURES.items()},
            "months": [
                {"month": m, "figures": {k: _figure_json(f, traced) for k, f in month.items()}}
                for m, month in figures.months.items()
            ],
            "year_totals": {k: _figure_json(f, traced) for k, f in figures.totals().items()},
        }
        if traced:
            body["events_source"] = (
                "each event is [transaction hash, log index] on this registry's chain; the "
                "index's table events holds it, and eth_getTransactionReceipt shows it"
            )
            body["completions"] = [
                {
                    "asset_id": c.asset_id,
                    "month": c.month,
                    "accepted_at": times.iso(c.accepted_at),
                    "issued_at": times.iso(c.issued_at),
                    "working_days": c.working_days,
                    "paused_days": c.paused_days,
                    "limit": c.limit,
                    "missed": c.missed,
                    "events": [list(ref) for ref in c.events],
                }
                for c in figures.completions
            ]
        return body
