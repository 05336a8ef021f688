"""Calendar commands: publish a year's working days on chain, show a year as published.

An admin act on the chain itself, like `registry deploy`, not a registration act: it has no
route, staff writer or consent, so it is not a row of the act table; it signs with the admin's
key (REGISTRY_ADMIN_KEY, or --dev-account on a local chain)."""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from registry.cli.app import app
from registry.cli.chain import _admin_key, _deployed
from registry.config import get_settings

if TYPE_CHECKING:  # web3 loads only for the commands that use it
    from registry.chain.calendar import WorkCalendarClient
    from registry.workdays import YearCalendar

logger = logging.getLogger(__name__)

calendar = typer.Typer(help="China's working-day calendar on chain (工作日历).")
app.add_typer(calendar, name="calendar")

RpcUrl = Annotated[str | None, typer.Option(help="JSON-RPC endpoint.")]
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _calendar(rpc_url: str | None) -> WorkCalendarClient:
    """The deployment's WorkCalendar (the deployment file of the settings, on RPC_URL)."""
    from registry.chain.deploy import Registry, load_artifacts
    from registry.chain.rpc import connect

    settings = get_settings()
    w3 = connect(rpc_url or settings.rpc_url)
    deployment = _deployed(w3, settings.deployment_file)
    if deployment is None:
        typer.echo(f"no deployment on this chain in {settings.deployment_file}", err=True)
        raise typer.Exit(1)
    client = Registry.connect(w3, deployment, load_artifacts(settings.build_dir)).calendar
    if client is None:
        typer.echo("this deployment has no working-day calendar (deployed before it)", err=True)
        raise typer.Exit(1)
    return client


def _listing(year: YearCalendar) -> list[str]:
    """The year's days off on weekdays and its make-up working days, in Chinese and English."""
    from registry.workdays import WEEKDAYS_ZH, festival

    def line(day: date) -> str:
        name = festival(day)
        named = f"  {name[0]} {name[1]}" if name else ""
        weekday = f"{WEEKDAYS_ZH[day.weekday()]} {WEEKDAYS_EN[day.weekday()]}"
        return f"  {day.isoformat()} {weekday}{named}"

    off, worked = year.days_off(), year.make_up_days()
    return [
        f"weekdays off (休息日), {len(off)}:",
        *(line(d) for d in off),
        f"make-up working days (调休上班日), {len(worked)}:",
        *(line(d) for d in worked),
    ]


@calendar.command("publish")
def publish(
    year: Annotated[int, typer.Argument(help="The year, e.g. 2027.")],
    rpc_url: RpcUrl = None,
    dev_account: Annotated[
        int | None, typer.Option(help="Use dev-chain key N (local chains only).")
    ] = None,
    days_off: Annotated[
        str | None,
        typer.Option(
            help="From the State Council's notice, for a year the library lacks: every day off,"
            " dates and ranges, e.g. 2027-01-01,2027-02-05..2027-02-11 (with --make-up)."
        ),
    ] = None,
    make_up: Annotated[
        str | None,
        typer.Option(help="With --days-off: the notice's Saturdays and Sundays worked (上班)."),
    ] = None,
) -> None:
    """Publish YEAR's working days, as the admin: from the library (chinesecalendar, checked day
    by day against holidays), or, for a year it does not have yet, from the State Council's
    notice typed in with --days-off and --make-up (checked: every statutory holiday off, make-up
    days on weekends). Publishing a year again corrects it for later counts only."""
    from registry.workdays import china_year, notice_year, parse_days

    try:
        if days_off is None and make_up is None:
            days = china_year(year)
        else:
            days = notice_year(year, parse_days(days_off or ""), parse_days(make_up or ""))
    except ValueError as exc:  # CalendarDataError, or a date that does not parse
        logger.warning("calendar of %d not published: %s", year, exc)
        typer.echo(f"not published: {exc}", err=True)
        raise typer.Exit(1) from None
    client = _calendar(rpc_url)
    receipt = client.publish_year(_admin_key(dev_account), days)
    for text in _listing(days):
        typer.echo(text)
    typer.echo(
        f"published {year} in block {receipt['blockNumber']} "
        f"(transaction {receipt['transactionHash'].to_0x_hex()}, gas {receipt['gasUsed']})"
    )


@calendar.command("show")
def show(
    year: Annotated[int, typer.Argument(help="The year, e.g. 2026.")],
    rpc_url: RpcUrl = None,
) -> None:
    """List YEAR's days off and make-up working days as published on chain, and whether they
    match the library."""
    from registry.workdays import CalendarDataError, china_year

    published = _calendar(rpc_url).year_of(year)
    if published is None:
        typer.echo(f"{year} is not published on chain: deadlines reaching it are refused", err=True)
        raise typer.Exit(1)
    typer.echo(f"{year} as published on chain (工作日历):")
    for text in _listing(published):
        typer.echo(text)
    try:
        library = china_year(year)
    except CalendarDataError as exc:
        typer.echo(f"the library cannot check it: {exc}")
        return
    if library == published:
        typer.echo("matches the library (chinesecalendar, checked against holidays)")
    else:
        differ = [d for d in library.days() if library.is_working(d) != published.is_working(d)]
        logger.warning("the chain's calendar of %d differs from the library's", year)
        typer.echo(f"differs from the library on: {', '.join(d.isoformat() for d in differ)}")
