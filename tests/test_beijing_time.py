"""Beijing time, once (issue 17): every date a person reads is China Standard Time with the zone
named, on the pages, in the PDFs and on the command line; a date entered as an expiry lasts to
the end of that Beijing day; a start before today is refused, naming the field, instead of
silently becoming the registration time. Expected values are computed here with ``datetime``
at UTC+8, independently of ``registry.times``."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner
from web3 import Web3

from registry import times
from registry.api.keys import Role
from registry.chain import Registry
from registry.cli import app as cli_app
from registry.cli.remote import end_moment, start_moment
from tests.api_support import Api, signed_in
from tests.conftest import Accounts, now, past_notice
from tests.test_acts import served  # noqa: F401 (the fixture: the API over real HTTP)
from tests.test_api import confirmed
from tests.test_documents import pdf_facts
from tests.test_pages import applied

UTC8 = dt.timezone(dt.timedelta(hours=8))
# "UTC" not followed by the +08:00 that names Beijing time: a time shown in UTC.
IN_UTC = re.compile(r"UTC(?!\+08:00)")
SCENARIO = "港口运力规划 port capacity planning"
"""A use scenario of the sample manifest, which the CLI prints as the manifest words it."""


def midnight(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=UTC8).timestamp())


def test_an_expiry_date_lasts_to_the_end_of_that_day_in_beijing() -> None:
    end_2030 = midnight(dt.date(2031, 1, 1))  # 2030-12-31T24:00+08:00, exclusive
    assert times.end_of(dt.date(2030, 12, 31)) == end_2030
    assert end_moment("2030-12-31") == end_2030
    assert times.last_day(end_2030) == "2030-12-31（北京时间）"
    assert times.last_day(end_2030, "en") == "2030-12-31 (Beijing time)"
    # A start date is the start of that Beijing day: 16:00 UTC the day before.
    assert start_moment("2030-12-31") == midnight(dt.date(2030, 12, 31))
    assert start_moment("2030-12-31T09:30") == midnight(dt.date(2030, 12, 31)) + 9 * 3600 + 1800
    assert start_moment("1924905600") == 1924905600  # Unix seconds as given


def test_an_instant_is_shown_in_beijing_time_with_the_zone_named() -> None:
    ts = int(dt.datetime(2026, 3, 9, 16, 0, tzinfo=dt.UTC).timestamp())
    assert times.moment(ts) == "2026-03-10 00:00:00（北京时间）"
    assert times.moment(ts, "en") == "2026-03-10 00:00:00 (Beijing time, UTC+08:00)"
    assert times.moment(ts, "both", seconds=False) == "2026-03-10 00:00（北京时间 UTC+08:00）"
    assert times.day(ts) == "2026-03-10（北京时间）"
    assert times.iso(ts) == "2026-03-10T00:00:00+08:00"
    assert times.moment(None) == "—"


def test_pages_pdf_and_cli_show_beijing_dates_and_a_past_start_is_refused(
    api: Api,
    registry: Registry,
    accounts: Accounts,
    w3: Web3,
    served: str,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The registrar's acts through the API: its writer owns the registrar key's nonces.
    asset_id = applied(api, registry, accounts, "青岛港集装箱物流运营数据集", "1.0-beijing-time")
    registry.assets.accept(accounts.reviewer, asset_id)
    registry.assets.approve(accounts.reviewer, asset_id)
    past_notice(w3, registry, asset_id)
    op = confirmed(api, api.post(f"/v1/assets/{asset_id}/issue", None, Role.REGISTRAR))
    number = op["result"]["certificate"]
    api.indexed()
    cert = api.get(f"/v1/certificates/{number}").json()
    issued_day = dt.datetime.fromtimestamp(cert["issued_at"], UTC8).date()
    today = dt.datetime.fromtimestamp(now(w3), UTC8).date()
    # Issued just after a Beijing midnight (the notice's end): in UTC still the day before.
    assert dt.datetime.fromtimestamp(cert["issued_at"], dt.UTC).date() < issued_day

    # The CLI: a grant from today to 2030-12-31, signed with the holder's key.
    monkeypatch.setenv("REGISTRY_HOLDER_KEY", accounts.holder.key.hex())
    runner = CliRunner()
    grant = [
        "right", "grant", str(asset_id), "--grantor", accounts.holder.address,
        "--kind", "processing",
        "--grantee", accounts.grantee.address, "--scenario", SCENARIO,
        "--expiry", "2030-12-31", "--api", served, "--key", api.keys[Role.REGISTRAR],
    ]  # fmt: skip
    past = runner.invoke(cli_app, [*grant, "--start", "2026-01-01"])
    assert past.exit_code == 2, past.output
    assert "A start before today is refused" in past.output
    assert f"start: before today ({today.isoformat()}, Beijing time)" in past.output
    done = runner.invoke(cli_app, [*grant, "--start", today.isoformat()])
    assert done.exit_code == 0, done.output
    grant_id = re.search(r"grant id (0x[0-9a-f]{64})", done.output)
    assert grant_id is not None, done.output
    recorded = registry.rights.get_grant(bytes.fromhex(grant_id.group(1)[2:]))
    assert recorded.expiry == midnight(dt.date(2031, 1, 1))
    assert midnight(today) <= recorded.start <= now(w3)
    api.indexed()

    # The API and the consent drafts refuse the same, naming the field.
    body = {
        "grantor": accounts.holder.address,
        "asset_id": asset_id,
        "kind": "operating",
        "grantee": accounts.grantee.address,
        "scenario": "0x" + "5c" * 32,
        "start": midnight(today) - 1,
        "expiry": midnight(dt.date(2031, 1, 1)),
    }
    for path, sent in (
        ("/v1/rights", {**body, "consent": {}}),
        ("/v1/consent-requests", {**body, "act": "grant"}),
    ):
        refused = api.post(path, sent, Role.REGISTRAR)
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert problem["type"].endswith("/start-before-today")
        assert problem["invalid_params"][0]["name"] == "start"
    csrf = signed_in(api)
    form = {"csrf": csrf, "act": "grant", "asset_id": str(asset_id), "party": body["grantee"]}
    console = api.client.post(
        "/console/consent",
        data={**form, "scenario": "场景", "start": "2026-01-01", "expiry": "2030-12-31"},
        headers={"origin": str(api.client.base_url)},
    )
    assert console.status_code == 422
    assert "A start before today is refused" in console.text

    # The pages: Beijing dates, the zone named, never UTC.
    asset_page = api.get(f"/a/{asset_id}").text
    assert f"{today.isoformat()}（北京时间） — 2030-12-31（北京时间）" in asset_page
    assert f"({issued_day.isoformat()}（北京时间）)" in asset_page
    cert_page = api.get(f"/c/{number}").text
    assert f"{issued_day.isoformat()}（北京时间） — " in cert_page
    english = api.get(f"/c/{number}", lang="en").text
    assert f"{issued_day.isoformat()} (Beijing time) — " in english
    for page in (asset_page, cert_page, english):
        assert not IN_UTC.search(page)

    # The certificate PDF's text: the validity and the licence's term as Beijing days.
    text, _codes = pdf_facts(api.get(f"/v1/certificates/{number}/pdf").content, tmp_path)
    flat = " ".join(text.split())
    assert f"{issued_day.isoformat()}（北京时间" in flat
    assert "2030-12-31（北京时间" in flat
    assert not IN_UTC.search(flat)
    # The licence's restrictions: its scenario in the manifest's words (the table's narrow
    # column wraps them between the other columns' lines), not its hash.
    assert "限于场景 for: 港口运力规划 port capacity" in flat
    assert "场景哈希" not in flat

    # The CLI's readable output: names, the right by name, dates in Beijing time.
    rights = runner.invoke(cli_app, ["asset", "rights", str(asset_id), "--api", served])
    assert rights.exit_code == 0, rights.output
    assert "holding (数据持有权): " + accounts.holder.address in rights.output
    assert "青岛港智慧物流数据有限公司" in rights.output
    assert "processing (数据使用权): " + accounts.grantee.address in rights.output
    assert f"  scenario {SCENARIO}\n" in rights.output  # the manifest's words, not the hash
    assert "not pledged" in rights.output
    assert (
        f"from {today.isoformat()} (Beijing time) through 2030-12-31 (Beijing time), "
        "shared, revocable" in rights.output
    )
    shown = runner.invoke(cli_app, ["asset", "show", str(asset_id), "--api", served])
    assert shown.exit_code == 0, shown.output
    issued_at = dt.datetime.fromtimestamp(cert["issued_at"], UTC8)
    assert f"issued {issued_at:%Y-%m-%d %H:%M:%S} (Beijing time, UTC+08:00)" in shown.output
    assert f"certificate {number}" in shown.output
    assert "not pledged" in shown.output
    assert "annotations (备注): none" in shown.output
    machine = runner.invoke(cli_app, ["asset", "rights", str(asset_id), "--api", served, "--json"])
    assert '"expiry": ' + str(midnight(dt.date(2031, 1, 1))) in machine.output
