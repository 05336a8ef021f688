"""The center's disclosure and annual report (指引 art. 10-11) on a register of applications
seeded through the API (``POST /v1/assets/batch``, 100 a request) and walked
through the procedure through the API (acceptances, refusals on each art. 22 ground,
terminations, notices, objection decisions, deposits), over two Beijing months.

Every figure is checked against a direct count of the chain's logs (``eth_getLogs``, grouped by
the Beijing month of their block), and the working days against ``chinesecalendar``
(registry.workdays), not the chain's calendar the service counts on. The rendering time is
measured by ``scripts/bench.py report``, not here."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from reportlab.graphics.charts.barcharts import VerticalBarChart
from typer.testing import CliRunner
from web3 import Web3

from registry.api.keys import Role
from registry.api.models import ApplicationIn
from registry.chain import Deployment, Registry
from registry.chain.compiler import Artifact
from registry.chain.node import free_port
from registry.chain.types import RefusalReason
from registry.cli import app as cli_app
from registry.devtools import signed_application, transfer_whole
from registry.documents.annual import CHARTED, chart, report_json
from registry.times import beijing_date
from registry.workdays import working_days_between
from tests.api_support import Api, reverted_api
from tests.conftest import DAY, Accounts, Flow, advance, application, h, holder_consent, now
from tests.test_registration_types import renamed

HOUR = 3600
BATCH = 100
FIRST_MONTH, SECOND_MONTH = 1_900, 100
"""Applications seeded in each month: a register of 2,000, as the acceptance asks."""
REASONS = [r for r in RefusalReason if r != RefusalReason.NONE]


def mine_at(w3: Web3, timestamp: int) -> None:
    w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def monday_after(timestamp: int) -> int:
    """10 o'clock in Beijing on the first Monday after ``timestamp``'s day."""
    day = beijing_date(timestamp) + dt.timedelta(days=1)
    while day.weekday() != 0:
        day += dt.timedelta(days=1)
    return int(dt.datetime(day.year, day.month, day.day, 2, tzinfo=dt.UTC).timestamp())


def notice_over(registry: Registry, asset_ids: list[int]) -> int:
    """An hour after the last of the assets' notices ends."""
    return max(registry.assets.get_asset(i).notice_ends_at for i in asset_ids) + HOUR


def mined(api: Api, tx_hashes: set[str]) -> None:
    """Waits for the transactions' receipts on the chain (polling each operation through the
    API would read its whole receipt again, 100 calls' events for a batch), then the index."""
    w3 = api.runtime.registry.chain.w3
    for tx_hash in tx_hashes:
        receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)  # type: ignore[arg-type]
        assert receipt["status"] == 1, tx_hash
    api.indexed()


def acts(api: Api, paths: list[tuple[str, Any, Role]]) -> None:
    """Sends the acts concurrently (they share transactions through group commit) and waits
    until they are mined."""

    def one(act: tuple[str, Any, Role]) -> str:
        response = api.post(*act)
        assert response.status_code == 202, response.text
        return str(response.json()["tx_hash"])

    with ThreadPoolExecutor(8) as pool:
        mined(api, set(pool.map(one, paths)))


def apply_all(api: Api, registry: Registry, accounts: Accounts, prefix: str, n: int) -> list[int]:
    """``n`` applications through ``POST /v1/assets/batch``, 100 a request; their asset ids."""
    holder = accounts.holder
    nonce = registry.assets.nonces(holder.address)
    before = registry.assets.asset_count()
    sent: set[str] = set()
    for start in range(0, n, BATCH):
        bodies = []
        for i in range(start, min(n, start + BATCH)):
            app = application(holder.address, f"{prefix}-{i}")
            consent = signed_application(registry.assets, holder, app, nonce=nonce + i)
            bodies.append(ApplicationIn.of(app, consent).model_dump(mode="json"))
        response = api.post("/v1/assets/batch", bodies, Role.HOLDER)
        assert response.status_code == 202, response.text
        sent |= {str(op["tx_hash"]) for op in response.json()}
    mined(api, sent)
    assert registry.assets.asset_count() == before + n
    return list(range(before + 1, before + n + 1))


@pytest.fixture(scope="module")
def seeded(
    tmp_path_factory: pytest.TempPathFactory,
    w3: Web3,
    deployment: Deployment,
    artifacts: dict[str, Artifact],
    accounts: Accounts,
) -> Iterator[tuple[Api, Registry, dict[str, Any]]]:
    with reverted_api(
        tmp_path_factory.mktemp("disclosure"),
        w3,
        deployment,
        artifacts,
        accounts,
        settings={"disclosure_fees": "不收费 free of charge"},
    ) as api:
        registry = Registry.connect(w3, deployment, artifacts)
        first = monday_after(now(w3))
        mine_at(w3, first)
        a = apply_all(api, registry, accounts, "a", FIRST_MONTH)
        acts(api, [(f"/v1/assets/{i}/accept", None, Role.REVIEWER) for i in a[:60]])
        refuse = [
            (
                f"/v1/assets/{i}/refuse",
                {"reason": REASONS[k % 5].name.lower(), "reason_hash": "0x" + h("no").hex()},
                Role.REVIEWER,
            )
            for k, i in enumerate(a[:10])
        ]
        terminate = [
            (f"/v1/assets/{i}/terminate", {"reason_hash": "0x" + h("x").hex()}, Role.REVIEWER)
            for i in a[10:15]
        ]
        approve = [(f"/v1/assets/{i}/approve", {}, Role.REVIEWER) for i in a[15:55]]
        acts(api, refuse + terminate + approve)
        # Objections are the public's own transactions; the decisions go through the API.
        objections = [
            registry.assets.file_objection(accounts.outsider, i, h("e")) for i in a[15:21]
        ]
        mine_at(w3, first + 2 * DAY)
        decide = [
            (
                f"/v1/objections/{o}/decision",
                {
                    "upheld": k < 3,
                    "reason": "ownership_disputed",
                    "reason_hash": "0x" + h("d").hex(),
                },
                Role.REGISTRAR,
            )
            for k, o in enumerate(objections)
        ]
        acts(api, decide)
        mine_at(w3, notice_over(registry, a[18:55]))
        acts(api, [(f"/v1/assets/{i}/issue", None, Role.REGISTRAR) for i in a[18:55]])
        # Five accepted on the first day wait three weeks for their approval: late.
        mine_at(w3, first + 21 * DAY)
        acts(api, [(f"/v1/assets/{i}/approve", {}, Role.REVIEWER) for i in a[55:60]])
        mine_at(w3, notice_over(registry, a[55:60]))
        acts(api, [(f"/v1/assets/{i}/issue", None, Role.REGISTRAR) for i in a[55:60]])
        mine_at(w3, first + 42 * DAY)
        b = apply_all(api, registry, accounts, "b", SECOND_MONTH)
        acts(api, [(f"/v1/assets/{i}/accept", None, Role.REVIEWER) for i in b[:10]])
        api.indexed()
        yield api, registry, {"a": a, "b": b, "first": first}


def direct_counts(w3: Web3, registry: Registry) -> dict[str, Counter[str]]:
    """Each figure's count by Beijing month, straight from the chain's logs."""
    contract = registry.assets.contract
    times: dict[int, int] = {}

    def month(log: Any) -> str:
        number = int(log["blockNumber"])
        if number not in times:
            times[number] = int(w3.eth.get_block(number)["timestamp"])
        return beijing_date(times[number]).strftime("%Y-%m")

    def logs(name: str) -> list[Any]:
        return list(getattr(contract.events, name).get_logs(from_block=0))

    found: dict[str, Counter[str]] = defaultdict(Counter)
    for key, name in (
        ("applications.initial", "Applied"),
        ("accepted", "ApplicationAccepted"),
        ("terminated", "ReviewTerminated"),
        ("objections.notice", "ObjectionFiled"),
        ("completed", "RegistrationIssued"),
    ):
        for log in logs(name):
            found[key][month(log)] += 1
    for log in logs("ApplicationRefused"):
        found[f"refused.{RefusalReason(log['args']['reason']).name.lower()}"][month(log)] += 1
    return found


def expected_working_days(w3: Web3, registry: Registry) -> dict[int, int]:
    """Per issued asset: working days from acceptance to deposit less the notice (up to its last
    day, or the last objection decision), on chinesecalendar."""
    events = registry.assets.contract.events

    def by_asset(name: str) -> dict[int, Any]:
        return {
            int(log["args"]["assetId"]): log for log in getattr(events, name).get_logs(from_block=0)
        }

    def time(log: Any) -> int:
        return int(w3.eth.get_block(log["blockNumber"])["timestamp"])

    accepted, notices = by_asset("ApplicationAccepted"), by_asset("NoticeStarted")
    decided = by_asset("ObjectionDecided")
    days = {}
    for asset_id, issued in by_asset("RegistrationIssued").items():
        start = beijing_date(int(accepted[asset_id]["args"]["acceptedAt"]))
        notice = notices[asset_id]
        pause_end = int(notice["args"]["noticeEndsAt"]) - 1
        if asset_id in decided:
            pause_end = max(pause_end, time(decided[asset_id]))
        paused = working_days_between(beijing_date(time(notice)), beijing_date(pause_end))
        days[asset_id] = working_days_between(start, beijing_date(time(issued))) - paused
    return days


def test_disclosure_figures_equal_a_direct_count_of_the_chain(
    seeded: tuple[Api, Registry, dict[str, Any]], w3: Web3
) -> None:
    api, registry, ids = seeded
    year = beijing_date(ids["first"]).year
    body = api.get("/v1/disclosure", year=year).json()
    assert [m["month"] for m in body["months"]] == [f"{year}-{m:02d}" for m in range(1, 13)]
    months = {m["month"]: m["figures"] for m in body["months"]}
    direct = direct_counts(w3, registry)
    assert sum(direct["applications.initial"].values()) == FIRST_MONTH + SECOND_MONTH
    for key, by_month in direct.items():
        for month, n in by_month.items():
            if month.startswith(f"{year}-"):
                assert months[month][key] == n, (key, month)
        assert body["year_totals"][key] == sum(
            n for m, n in by_month.items() if m.startswith(f"{year}-")
        ), key
    assert sum(direct["refused.ownership_disputed"].values()) == 2 + 3  # 3 upheld objections
    assert body["center"]["fees"] == "不收费 free of charge"
    assert "fees" not in body["center"]["defaults"]
    assert "complaints" in body["center"]["defaults"]
    assert "默认值" in body["center"]["complaints"]


def test_working_days_and_missed_deadlines_are_counted_on_the_working_day_calendar(
    seeded: tuple[Api, Registry, dict[str, Any]], w3: Web3
) -> None:
    api, registry, ids = seeded
    year = beijing_date(ids["first"]).year
    key = {"Authorization": f"Bearer {api.keys[Role.REGISTRAR]}"}
    assert api.client.get(f"/v1/disclosure/annual/{year}").status_code == 401
    report = api.client.get(f"/v1/disclosure/annual/{year}", headers=key).json()
    expected = expected_working_days(w3, registry)
    counted = {c["asset_id"]: c["working_days"] for c in report["completions"]}
    assert counted == expected
    assert len(counted) == 37 + 5
    late = {c["asset_id"] for c in report["completions"] if c["missed"]}
    assert late == {i for i, d in expected.items() if d > 10}
    assert set(ids["a"][55:60]) <= late
    totals = report["year_totals"]
    assert totals["missed.processing"]["value"] == len(late)
    assert totals["working_days.longest"]["value"] == max(expected.values())
    assert totals["working_days.average"]["value"] == round(
        sum(expected.values()) / len(expected), 2
    )


def test_each_figure_lists_the_events_it_was_counted_from(
    seeded: tuple[Api, Registry, dict[str, Any]], w3: Web3
) -> None:
    api, registry, ids = seeded
    year = beijing_date(ids["first"]).year
    key = {"Authorization": f"Bearer {api.keys[Role.REGISTRAR]}"}
    report = api.client.get(f"/v1/disclosure/annual/{year}", headers=key).json()
    refused = report["year_totals"]["refused.unlawful_source"]
    assert refused["value"] == len(refused["events"]) == 2
    for tx_hash, log_index in refused["events"][:3]:
        log = next(
            entry
            for entry in w3.eth.get_transaction_receipt(tx_hash)["logs"]
            if entry["logIndex"] == log_index
        )
        decoded = registry.assets.contract.events.ApplicationRefused().process_log(log)
        assert decoded["args"]["reason"] == RefusalReason.UNLAWFUL_SOURCE
    applied = report["year_totals"]["applications.initial"]
    assert len(set(map(tuple, applied["events"]))) == applied["value"] == FIRST_MONTH + SECOND_MONTH


def test_annual_reports_chart_draws_each_months_applications_acceptances_and_completions(
    seeded: tuple[Api, Registry, dict[str, Any]], w3: Web3
) -> None:
    api, registry, ids = seeded
    year = beijing_date(ids["first"]).year
    key = {"Authorization": f"Bearer {api.keys[Role.REGISTRAR]}"}
    report = api.client.get(f"/v1/disclosure/annual/{year}", headers=key).json()
    direct = direct_counts(w3, registry)
    drawing = chart(report)
    (bars,) = [c for c in drawing.contents if isinstance(c, VerticalBarChart)]
    months = [m["month"] for m in report["months"]]
    assert bars.categoryAxis.categoryNames == [m[5:] for m in months]
    for series, (figure, _label, _color) in zip(bars.data, CHARTED, strict=True):
        assert list(series) == [float(direct[figure].get(m, 0)) for m in months], figure
    assert sum(bars.data[0]) == FIRST_MONTH + SECOND_MONTH
    # In the signed PDF: the chart's section with its legend, in Chinese and English.
    pdf = api.client.get(f"/v1/disclosure/annual/{year}/pdf", headers=key).content
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    charted = text.split("按月业务量", 1)[1]
    for _figure, label, _color in CHARTED:
        assert label.split()[0] in charted, label


def test_annual_report_cli_writes_the_pdf_and_the_json_it_prints_the_hash_of(
    seeded: tuple[Api, Registry, dict[str, Any]], tmp_path: Path
) -> None:
    api, _registry, ids = seeded
    year = beijing_date(ids["first"]).year
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(api.runtime.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.02)
    try:
        args = ["report", "annual", "--year", str(year), "--out", str(tmp_path)]
        args += ["--api", f"http://127.0.0.1:{port}", "--key", api.keys[Role.REGISTRAR]]
        result = CliRunner().invoke(cli_app, args)
    finally:
        server.should_exit = True
        thread.join(10)
    assert result.exit_code == 0, result.output
    data = (tmp_path / f"annual-report-{year}.json").read_bytes()
    pdf = (tmp_path / f"annual-report-{year}.pdf").read_bytes()
    body = json.loads(data)
    assert report_json(body) == data
    assert "0x" + hashlib.sha256(data).hexdigest() in result.output
    assert pdf.startswith(b"%PDF")
    assert b"/ByteRange" in pdf
    assert body["year_totals"]["applications.initial"]["value"] == FIRST_MONTH + SECOND_MONTH


def test_transfers_changes_renewals_and_cancellations_are_counted_by_their_registration(
    api: Api, flow: Flow, accounts: Accounts, w3: Web3
) -> None:
    """A registered transfer (art. 34), a change of a right-holder's identity (art. 35) and a
    cancellation (art. 37) are applications of their type, counted from the event that
    completes each."""
    a = flow.registry.assets
    asset_id = flow.issued("转让与身份变更统计")
    renamed(api, flow.registry, accounts.holder, asset_id)
    transfer_whole(a, accounts.registrar, asset_id, accounts.holder, accounts.holder2)
    a.cancel(accounts.holder2, asset_id)  # by the transferee, now the holder, itself
    # A renewal within the year: a validity of 200 days opens its window (6 months before the
    # expiry) a few weeks after the deposit. The registry fixture reverts the setting.
    a.set_validity_period(accounts.admin, 200 * DAY)
    renewed = flow.issued("续期统计")
    advance(w3, 30 * DAY)
    a.renew(accounts.registrar, renewed, holder_consent(flow, "Renew", assetId=renewed))
    api.indexed()
    year = beijing_date(now(w3)).year
    totals = api.get("/v1/disclosure", year=year).json()["year_totals"]

    def logged(*names: str) -> int:
        return sum(
            beijing_date(int(w3.eth.get_block(log["blockNumber"])["timestamp"])).year == year
            for name in names
            for log in getattr(a.contract.events, name).get_logs(from_block=0)
        )

    transfers, changes = logged("TransferRegistered"), logged("ManifestChanged", "IdentityChanged")
    assert totals["applications.transfer"] == transfers >= 1
    assert totals["applications.change"] == changes >= 1
    assert totals["applications.cancellation"] == logged("RegistrationCancelled") >= 1
    assert totals["applications.renewal"] == logged("RegistrationRenewed") >= 1

    # The public page (Chinese first) and the annual report's PDF show the same totals.
    page = api.get("/disclosure", year=year).text
    assert "登记机构信息公开" in page
    for key, name, n in (
        ("applications.transfer", "转让登记", transfers),
        ("applications.change", "变更登记", changes),
        ("applications.renewal", "续期登记", logged("RegistrationRenewed")),
    ):
        row = page.split(f'data-figure="{key}">', 1)[1].split("</tr>", 1)[0]
        assert name in row
        assert row.endswith(f"<td>{n}</td>"), row
    registrar = {"Authorization": f"Bearer {api.keys[Role.REGISTRAR]}"}
    pdf = api.client.get(f"/v1/disclosure/annual/{year}/pdf", headers=registrar)
    assert pdf.status_code == 200, pdf.text
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert f"{year}年度数据产权登记业务报告" in text
    year_table = text.split("全年业务数据", 1)[1].split("按月业务量", 1)[0]
    for name, n in (
        ("转让登记", transfers),
        ("变更登记", changes),
        ("续期登记", logged("RegistrationRenewed")),
    ):
        (line,) = [line for line in year_table.splitlines() if line.strip().startswith(name)]
        assert line.split()[-1] == str(n), year_table
