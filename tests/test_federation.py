"""Three regions on three chains (`registry up --regions 3`): a certificate issued in Qingdao is
recognised in Yangzhou and Jinhua, and its revocation, transfer and the origin chain's outage
reach them; every answer carries proofs the asker checks against the origin chain itself."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_utils.crypto import keccak
from web3 import Web3

from registry.certificates.numbers import center_of, format_number, parse_number
from registry.chain import Deployment, Registry
from registry.chain.compiler import Artifact
from registry.chain.deploy import MEDIATOR
from registry.chain.types import AnnotationKind
from registry.devtools import application, dev_account, transfer_whole
from registry.recognition import load_partners, verify_proofs
from registry.regions import Center
from tests.conftest import SESSION_GENESIS, Accounts, Flow, advance, h, now

pytestmark = pytest.mark.chain  # starts chain nodes of its own

A, B, C = 370200, 321000, 330700
BOUND = 10.0  # seconds for a change at the origin to reach every partner
FLOODED_BOUND = 5.0  # seconds for a withdrawal under a flood of junk numbers (8.3 s before)
MAX_AGE = 3  # the agreements' max_age (the setting recognition_max_age, by default)
UTC8 = dt.timezone(dt.timedelta(hours=8))


def _free_run(count: int) -> int:
    """A base port with ``count`` free ports from it."""
    for base in range(20_000 + os.getpid() % 1000 * 20, 60_000, 97):
        sockets = []
        try:
            for port in range(base, base + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free ports")


@dataclass
class Region:
    code: int
    api: str
    rpc: str
    data_dir: Path

    def recognition(self, origin: int, number: str) -> dict[str, Any]:
        return dict(httpx.get(f"{self.api}/v1/recognitions/{origin}/{number}", timeout=10).json())


@dataclass
class Federation:
    regions: dict[int, Region]
    process: subprocess.Popen[str]

    def registry(self, code: int, artifacts: dict[str, Artifact]) -> Registry:
        region = self.regions[code]
        w3 = Web3(Web3.HTTPProvider(region.rpc))
        return Registry.connect(w3, Deployment.load(region.data_dir / "deployment.json"), artifacts)


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    data = tmp_path_factory.mktemp("federation")
    api, chain = _free_run(3), _free_run(3) + 3
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "REGISTRY_DATA_DIR": str(data),
        "REGISTRY_API_PORT": str(api),
        # Every region's chain on published working days, whatever day the suite runs.
        "REGISTRY_CHAIN_GENESIS": str(SESSION_GENESIS),
    }
    log = (data / "federation.log").open("w")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "registry.cli", "up", "--regions", "3"),
            *("--chain-port", str(chain), "--region-engines", "anvil,edr"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, (data / "federation.log").read_text()
        members = json.loads(line)
        regions = {
            m["region"]: Region(m["region"], m["api"], m["rpc"], Path(m["data_dir"]))
            for m in members
        }
        yield Federation(regions, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def until(condition: Callable[[], Any], timeout: float = 30.0) -> tuple[Any, float]:
    """Polls until ``condition()`` is truthy; returns it and the seconds it took."""
    start = time.monotonic()
    while True:
        value = condition()
        if value or time.monotonic() - start > timeout:
            return value, time.monotonic() - start
        time.sleep(0.2)


def status_is(region: Region, origin: int, number: str, *status: str) -> Callable[[], Any]:
    def check() -> Any:
        answer = region.recognition(origin, number)
        return answer if answer.get("status") in status else None

    return check


def issue_at(origin: Registry, accounts: Accounts, manifest: str, **application: Any) -> int:
    """An asset issued in region A at once: accepted, approved without notice (on the
    applicant's reasoned request) and deposited, the origin's clock left where it is (the
    working-day calendar is published for so many years only)."""
    flow = Flow(origin, accounts, origin.chain.w3)
    return issued(origin, accounts, flow.applied(manifest, **application))


def issued(origin: Registry, accounts: Accounts, asset_id: int) -> int:
    """``asset_id``, applied for in region A, accepted, approved without notice and deposited."""
    origin.assets.accept(accounts.reviewer, asset_id)
    origin.assets.approve_without_notice(accounts.reviewer, asset_id, h("reasoned request"))
    origin.assets.issue(accounts.registrar, asset_id)
    return asset_id


def issued_at_origin(
    federation: Federation,
    artifacts: dict[str, Artifact],
    accounts: Accounts,
    manifest: str,
    **application: Any,
) -> str:
    """The number of a certificate just issued in region A."""
    origin = federation.registry(A, artifacts)
    asset_id = issue_at(origin, accounts, manifest, **application)
    return origin.certificates.number_of(origin.assets.get_asset(asset_id).certificate_id)


def test_each_region_is_a_center_and_partners_read_it_off_the_number(
    federation: Federation, artifacts: dict[str, Artifact], accounts: Accounts
) -> None:
    """Qingdao numbers under Shandong (37), Yangzhou under Jiangsu (32), Jinhua under Zhejiang
    (33); a partner tells the issuing center from the number alone."""
    expected = {A: Center(37, 0), B: Center(32, 1), C: Center(33, 1)}
    for code, region in federation.regions.items():
        assert federation.registry(code, artifacts).certificates.center == expected[code]
        described = httpx.get(f"{region.api}/v1/federation", timeout=10).json()
        assert described["center"] == expected[code].code
        # Each partner's center, as read from the partner's own chain at the agreement.
        partners = load_partners(region.data_dir / "partners.json")
        assert {p.region: p.serving for p in partners} == {
            other: center for other, center in expected.items() if other != code
        }
    number = issued_at_origin(federation, artifacts, accounts, "center-of-number")
    assert number.startswith("SJ370")
    assert len(number) == 15
    assert center_of(number) == expected[A]
    yangzhou = federation.regions[B]
    answer, _ = until(status_is(yangzhou, A, number, "recognised"), 60)
    assert answer, yangzhou.recognition(A, number)
    assert answer["center"] == "370"


def test_each_region_mediates_with_its_own_key_made_at_first_start(
    federation: Federation, artifacts: dict[str, Artifact]
) -> None:
    """Item 6 of the issue: the development federation's mediator key was a public dev key.
    Each region now makes its own at first start, kept in its data directory for its owner
    only, holding the mediator role on its chain and no other region's."""
    public = {dev_account(i).address for i in range(20)}
    keys = {}
    for code, region in federation.regions.items():
        path = region.data_dir / "mediator.key"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        keys[code] = Account.from_key(path.read_text().strip()).address
        assert keys[code] not in public
    assert len(set(keys.values())) == len(keys)
    for code in federation.regions:
        roles = federation.registry(code, artifacts).roles
        for other, address in keys.items():
            assert roles.has_role(MEDIATOR, address) == (other == code)


def test_issue_revoke_transfer_and_outage_reach_every_partner(
    federation: Federation, artifacts: dict[str, Artifact], accounts: Accounts
) -> None:
    origin = federation.registry(A, artifacts)
    yangzhou, jinhua = federation.regions[B], federation.regions[C]

    asset_id = issue_at(origin, accounts, "federated")
    number = origin.certificates.number_of(origin.assets.get_asset(asset_id).certificate_id)
    for partner in (yangzhou, jinhua):
        # The first answer waits for the origin's own index too, on a machine running three
        # regions: the bound is measured below, on changes to certificates already known.
        answer, _ = until(status_is(partner, A, number, "recognised"), 60)
        assert answer, partner.recognition(A, number)
        assert answer["record"]["holder"] == accounts.holder.address
        assert answer["since"]
        # The asker checks it against the origin chain itself, trusting no registry.
        evidence = answer["evidence"]
        block = origin.chain.w3.eth.get_block(evidence["block"])
        assert keccak(bytes.fromhex(evidence["header"][2:])) == bytes(block["hash"])
        assert evidence["checkpoint"]["block_hash"] == "0x" + bytes(block["hash"]).hex()
        proven = verify_proofs(
            evidence["proofs"],
            bytes(block["stateRoot"]),
            int(block["timestamp"]),
            answer["agreement"]["certificates"],
            answer["agreement"]["assets"],
            answer["agreement"]["annotations"],
        )
        assert (proven.holder, proven.status.name) == (accounts.holder.address, "VALID")
        assert answer["agreement"]["annotations"] == origin.annotations.address

    origin.assets.revoke(accounts.registrar, asset_id, h("court order"))
    for partner in (yangzhou, jinhua):
        answer, took = until(status_is(partner, A, number, "not_recognised"), BOUND + 5)
        assert answer, partner.recognition(A, number)
        assert answer["reason"] == "revoked"
        assert took <= BOUND

    moved = issue_at(origin, accounts, "federated-transfer")
    old = origin.certificates.number_of(origin.assets.get_asset(moved).certificate_id)
    assert until(status_is(yangzhou, A, old, "recognised"))[0]
    transfer_whole(origin.assets, accounts.registrar, moved, accounts.holder, accounts.holder2)
    new = origin.certificates.number_of(origin.assets.get_asset(moved).certificate_id)
    superseded, took = until(status_is(yangzhou, A, old, "not_recognised"), BOUND + 5)
    assert superseded
    assert superseded["reason"] == "superseded"
    assert took <= BOUND
    # The withdrawal is answered from the proof at once; the record with the successor follows.
    recorded, _ = until(
        lambda: (yangzhou.recognition(A, old).get("record") or {}).get("successor"), BOUND
    )
    assert recorded == new
    successor, _ = until(status_is(yangzhou, A, new, "recognised"), BOUND + 5)
    assert successor
    assert successor["record"]["holder"] == accounts.holder2.address

    # A seizure at the origin lapses the recognition until it is lifted.
    seizure = origin.annotations.annotate(
        accounts.registrar, moved, AnnotationKind.SEIZURE, h("court"), h("ruling"), h("seized")
    )
    frozen, took = until(status_is(yangzhou, A, new, "not_recognised"), BOUND + 5)
    assert frozen
    assert frozen["reason"] == "frozen"
    assert took <= BOUND
    origin.annotations.lift(accounts.registrar, seizure, h("ruling lifted"))
    assert until(status_is(yangzhou, A, new, "recognised"), BOUND + 5)[0]

    node = _node_pid(int(federation.regions[A].rpc.rsplit(":", 1)[1]))
    os.kill(node, signal.SIGSTOP)
    try:
        # What was recognised is stale while the origin is silent (it used to be "pending").
        stale, _ = until(status_is(yangzhou, A, new, "stale"), BOUND + 5)
        assert stale
        assert stale["reason"] in ("origin-unreachable", "older-than-max-age")
    finally:
        os.kill(node, signal.SIGCONT)
    back, _ = until(status_is(yangzhou, A, new, "recognised"), BOUND + 5)
    assert back
    # Jinhua too has seen the seizure lifted, so its next not_recognised is the expiry's.
    assert until(status_is(jinhua, A, new, "recognised"), BOUND + 5)[0]


def _node_of(federation: Federation, code: int) -> int:
    return _node_pid(int(federation.regions[code].rpc.rsplit(":", 1)[1]))


def _renew(federation: Federation, artifacts: dict[str, Artifact], accounts: Accounts) -> None:
    """Every partner's agreement with A renewed to a year past A's clock."""
    origin_now = now(federation.registry(A, artifacts).chain.w3)
    for code in (B, C):
        local = federation.registry(code, artifacts)
        assert local.recognition is not None
        agreement = local.recognition.get_agreement(A)
        local.recognition.set_agreement(
            accounts.admin,
            A,
            replace(
                agreement,
                valid_from=min(agreement.valid_from, now(local.chain.w3)),
                valid_until=origin_now + 365 * 86_400,
            ),
            local.recognition.partner_keys(A),
        )


def test_a_certificate_issued_after_the_term_by_the_origins_clock_is_refused_until_renewal(
    federation: Federation, artifacts: dict[str, Artifact], accounts: Accounts
) -> None:
    origin = federation.registry(A, artifacts)
    ends = {}
    for code in (B, C):
        local = federation.registry(code, artifacts)
        assert local.recognition is not None
        agreement = local.recognition.get_agreement(A)
        ends[code] = max(now(local.chain.w3), now(origin.chain.w3)) + 300
        local.recognition.set_agreement(
            accounts.admin,
            A,
            replace(agreement, valid_until=ends[code]),
            local.recognition.partner_keys(A),
        )
    # The origin's clock past the partners' terms; theirs inside them for minutes yet.
    advance(origin.chain.w3, 600)
    number = issued_at_origin(federation, artifacts, accounts, "after-the-term")
    for code in (B, C):
        refused, _ = until(status_is(federation.regions[code], A, number, "refused"), 60)
        assert refused, federation.regions[code].recognition(A, number)
        assert refused["reason"] == "outside-term-at-origin"
        assert refused["agreement"]["in_force"]  # by the partner's own clock
        assert f"the agreement ends at {ends[code]}" in refused["detail"]
    # A renewal rechecks what it refused, with no recheck asked for.
    _renew(federation, artifacts, accounts)
    for code in (B, C):
        recognised, took = until(status_is(federation.regions[code], A, number, "recognised"))
        assert recognised, federation.regions[code].recognition(A, number)
        assert took <= BOUND


def test_a_revocation_then_a_silent_origin_is_never_recognised_past_max_age(
    federation: Federation, artifacts: dict[str, Artifact], accounts: Accounts
) -> None:
    origin = federation.registry(A, artifacts)
    asset_id = issue_at(origin, accounts, "revoked-then-silent")
    number = origin.certificates.number_of(origin.assets.get_asset(asset_id).certificate_id)
    partners = [federation.regions[B], federation.regions[C]]
    for partner in partners:
        answer, _ = until(status_is(partner, A, number, "recognised"), 60)
        assert answer, partner.recognition(A, number)
        assert answer["agreement"]["max_age"] == MAX_AGE
        assert answer["as_of"]["age"] < MAX_AGE
        assert answer["as_of"]["origin_block"] >= answer["record"]["proof_block"]
    node = _node_of(federation, A)
    origin.assets.revoke(accounts.registrar, asset_id, h("court order"))
    os.kill(node, signal.SIGSTOP)  # the moment the revocation is mined
    revoked_at = time.time()
    seen: list[tuple[float, str, dict[str, Any]]] = []
    try:
        while time.time() < revoked_at + MAX_AGE + 4:
            for partner in partners:
                asked = time.time()
                seen.append((asked - revoked_at, partner.api, partner.recognition(A, number)))
            time.sleep(0.1)
    finally:
        os.kill(node, signal.SIGCONT)
    late = [(t, api, a["status"]) for t, api, a in seen if t >= MAX_AGE]
    assert late
    assert all(status != "recognised" for _t, _api, status in late), late
    for _t, _api, answer in seen:
        if answer["status"] == "recognised":
            assert answer["as_of"]["age"] < MAX_AGE
    assert {a["status"] for _t, _api, a in seen[-2:]} <= {"stale", "not_recognised"}
    for partner in partners:
        assert until(status_is(partner, A, number, "not_recognised"), BOUND + 5)[0]


def test_one_silent_partner_delays_no_other(
    federation: Federation, artifacts: dict[str, Artifact], accounts: Accounts
) -> None:
    origin = federation.registry(A, artifacts)
    asset_id = issue_at(origin, accounts, "one-partner-silent")
    number = origin.certificates.number_of(origin.assets.get_asset(asset_id).certificate_id)
    yangzhou = federation.regions[B]
    assert until(status_is(yangzhou, A, number, "recognised"), 60)[0]
    jinhua = _node_of(federation, C)  # Yangzhou follows Jinhua too
    os.kill(jinhua, signal.SIGSTOP)
    try:
        time.sleep(1.5)  # Yangzhou's round with Jinhua is waiting on it now
        origin.assets.revoke(accounts.registrar, asset_id, h("court order"))
        withdrawn, took = until(status_is(yangzhou, A, number, "not_recognised"), BOUND)
    finally:
        os.kill(jinhua, signal.SIGCONT)
    assert withdrawn
    assert took < 2.5  # 3.5 s when partners were read one after another


def test_a_certificate_numbered_or_recorded_for_another_region_is_refused(
    federation: Federation, artifacts: dict[str, Artifact], accounts: Accounts
) -> None:
    # Qingdao's chain issues an asset of Jinhua's region: its number is Qingdao's center's.
    number = issued_at_origin(federation, artifacts, accounts, "spoofed", region=C)
    assert center_of(number) == Center(37, 0)
    yangzhou = federation.regions[B]
    # Given as Jinhua's, the number names another center: refused before anything is read.
    answer = httpx.get(f"{yangzhou.api}/v1/recognitions/{C}/{number}", timeout=10)
    assert answer.status_code == 422
    assert answer.json()["invalid_params"] == [
        {"name": "number", "reason": f"numbered by center 370, not 331 (region {C})"}
    ]
    batch = httpx.post(
        f"{yangzhou.api}/v1/recognitions/batch",
        json={"items": [{"region": C, "number": number}]},
        timeout=10,
    ).json()
    assert (batch[0]["status"], batch[0]["reason"]) == ("refused", "invalid-number")
    # As Qingdao's, the mediator reading the issue at the origin refuses it on the asset's record.
    journal = sqlite3.connect(federation.regions[B].data_dir / "recognition.db")

    def refusal() -> Any:
        row = journal.execute(
            "SELECT refused FROM certificate_checks WHERE region = ? AND token_id = ?",
            (A, str(parse_number(number))),
        ).fetchone()
        return None if row is None or row[0] is None else json.loads(row[0])

    try:
        refused, _ = until(refusal, 60)
    finally:
        journal.close()
    assert refused
    assert refused["reason"] == "foreign-region"
    assert f"recorded for region {C}" in refused["detail"]


def test_expired_agreement_and_unknown_partner(
    federation: Federation, artifacts: dict[str, Artifact], accounts: Accounts
) -> None:
    number = issued_at_origin(federation, artifacts, accounts, "agreement-lapses")
    jinhua = federation.regions[C]
    assert until(status_is(jinhua, A, number, "recognised"))[0]

    local = federation.registry(C, artifacts)
    assert local.recognition is not None
    agreement = local.recognition.get_agreement(A)
    t = now(local.chain.w3)
    local.recognition.set_agreement(
        accounts.admin,
        A,
        replace(agreement, valid_from=t - 20, valid_until=t - 10),
        local.recognition.partner_keys(A),
    )
    answer = jinhua.recognition(A, number)
    assert (answer["status"], answer["reason"]) == ("not_recognised", "agreement-not-in-force")

    page = httpx.get(f"{jinhua.api}/recognitions/{A}/{number}")
    assert page.status_code == 200
    assert "不予互认" in page.text
    assert "互认协议不在有效期内" in page.text  # the reason in words, not its slug
    queued = httpx.post(f"{jinhua.api}/v1/recognitions/{A}/{number}/recheck")
    assert queued.status_code == 202

    # A number of Beijing's center (110), with which there is no agreement.
    beijing = "SJ110" + number[5:]
    unknown = httpx.get(f"{jinhua.api}/v1/recognitions/110000/{beijing}")
    assert unknown.status_code == 404
    assert unknown.json()["type"].endswith("unknown-partner")
    batch = httpx.post(
        f"{jinhua.api}/v1/recognitions/batch",
        json={"items": [{"region": 110000, "number": beijing}, {"region": A, "number": number}]},
    ).json()
    assert [(b["status"], b.get("reason")) for b in batch] == [
        ("refused", "unknown-partner"),
        ("not_recognised", "agreement-not-in-force"),
    ]


def test_reading_a_recognition_queues_nothing_and_the_page_button_queues_a_check(
    federation: Federation, artifacts: dict[str, Artifact], accounts: Accounts
) -> None:
    issued = issued_at_origin(federation, artifacts, accounts, "never-read")
    # A number of the origin's that no event names: only a request makes the mediator look.
    number = format_number(parse_number(issued) + 999)
    yangzhou = federation.regions[B]
    for _ in range(4):  # the mediator polls every 0.5 s: several rounds pass
        answer = yangzhou.recognition(A, number)
        assert (answer["status"], answer["reason"]) == (
            "pending",
            "not-checked-yet",
        )
        time.sleep(0.5)
    page = httpx.post(f"{yangzhou.api}/recognitions/{A}/{number}/recheck?lang=en")
    assert page.status_code == 303
    assert page.headers["location"] == f"/recognitions/{A}/{number}?lang=en"
    refused, took = until(status_is(yangzhou, A, number, "refused"), BOUND + 5)
    assert refused, yangzhou.recognition(A, number)
    assert refused["reason"] == "unknown-certificate"
    assert took <= BOUND


def _node_pid(port: int) -> int:
    """The chain node listening on ``port``: anvil, or Node.js running Hardhat's EDR."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith((b"anvil", b"node")) and str(port).encode() in args:
            return int(entry.name)
    raise LookupError(f"no chain node on port {port}")


def published_at_origin(federation: Federation, manifest: dict[str, Any]) -> dict[str, Any]:
    """``manifest`` published at region A's registry with a holder's key made there."""
    origin = federation.regions[A]
    key = subprocess.run(
        [sys.executable, "-m", "registry.cli", "keys", "create", "--role", "holder"],
        env={**os.environ, "REGISTRY_DATA_DIR": str(origin.data_dir), "REGISTRY_REGION": str(A)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    answer = httpx.post(
        f"{origin.api}/v1/manifests",
        json=manifest,
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_recognition_page_in_chromium(
    federation: Federation, artifacts: dict[str, Artifact], accounts: Accounts, browser: Any
) -> None:
    from tests.test_api_manifests import sample_manifest
    from tests.test_browser import Visit, axe_violations, screenshots

    # A certificate of a manifest the origin publishes: its names reach the page, fetched from
    # the origin's registry and checked against the proven manifest hash.
    manifest = sample_manifest()
    published = published_at_origin(federation, manifest)
    origin = federation.registry(A, artifacts)
    applied = replace(
        application(accounts.holder.address, "recognition-page"),
        manifest_hash=bytes.fromhex(published["manifest_hash"][2:]),
        manifest_cid=bytes.fromhex(published["manifest_cid"][2:]),
        cid_codec=published["cid_codec"],
    )
    asset_id = issued(origin, accounts, origin.assets.submit_application(accounts.holder, applied))
    number = origin.certificates.number_of(origin.assets.get_asset(asset_id).certificate_id)
    yangzhou = federation.regions[B]
    recognised, _ = until(status_is(yangzhou, A, number, "recognised"), 60)
    assert recognised
    named, _ = until(lambda: yangzhou.recognition(A, number).get("names"), BOUND)
    assert named == {
        "asset_name_zh": manifest["name_zh"],
        "asset_name_en": manifest["name_en"],
        "holder_name_zh": manifest["holder"]["name_zh"],
        "holder_name_en": manifest["holder"]["name_en"],
        "credit_code": manifest["holder"]["credit_code"],
    }

    url = f"{yangzhou.api}/recognitions/{A}/{number}"
    visit = Visit(browser)
    try:
        visit.page.goto(url)
        assert visit.page.inner_text("#status") == "已互认"
        assert number in visit.page.content()
        assert accounts.holder.address in visit.page.content()
        assert manifest["holder"]["name_zh"] in visit.page.inner_text("#holder")
        assert visit.page.inner_text("#asset-name") == f"{manifest['name_zh']} (#{asset_id})"
        # What an exchange's clerk needs: dates and times in Beijing time, annotations, the
        # origin block, the last check, the origin's page.
        assert "北京时间" in visit.page.inner_text("#as-of")
        assert "北京时间" in visit.page.inner_text("#checked-at")
        assert visit.page.inner_text("#annotations") == "无"
        origin_page = visit.page.get_attribute("#origin-page", "href")
        assert origin_page == f"{federation.regions[A].api}/c/{number}"
        assert "UTC" not in visit.page.inner_text("main")
        record = recognised["record"]
        issued_at = dt.datetime.fromtimestamp(record["issued_at"], UTC8)
        last_day = dt.datetime.fromtimestamp(record["expires_at"] - 1, UTC8).date()
        assert f"{issued_at:%Y-%m-%d %H:%M:%S}（北京时间）" in visit.page.inner_text("main")
        assert f"{last_day.isoformat()}（北京时间）" in visit.page.inner_text("main")
        assert "互认起始" in visit.page.inner_text("main")
        visit.page.goto(url + "?lang=en")
        assert visit.page.inner_text("#status") == "recognised"
        assert manifest["holder"]["name_en"] in visit.page.inner_text("#holder")
    finally:
        visit.close()
    screenshots(browser, url, "recognition")
    assert axe_violations(browser, url) == []
    # The other states, each its own badge and its reason in words (no exception text, no
    # "recognised since"): stale while the origin is silent, pending for a number no one has
    # checked, refused once checked and never issued, not recognised once revoked.
    node = _node_of(federation, A)
    os.kill(node, signal.SIGSTOP)
    try:
        assert until(status_is(yangzhou, A, number, "stale"), BOUND + 5)[0]
        unreachable, too_old = "暂时无法连接发证地", "最近一次读取发证链已超过协议允许的时限"
        badge(browser, url, "stale", (unreachable, too_old))
        screenshots(browser, url, "recognition-stale")
        assert axe_violations(browser, url) == []
    finally:
        os.kill(node, signal.SIGCONT)
    assert until(status_is(yangzhou, A, number, "recognised"), BOUND + 5)[0]
    unissued = format_number(parse_number(number) + 1)
    unissued_url = f"{yangzhou.api}/recognitions/{A}/{unissued}"
    badge(browser, unissued_url, "pending", ("尚未向发证地核验",))
    screenshots(browser, unissued_url, "recognition-pending")
    assert axe_violations(browser, unissued_url) == []
    assert httpx.post(f"{unissued_url}/recheck").status_code == 303
    assert until(status_is(yangzhou, A, unissued, "refused"), BOUND + 5)[0]
    badge(browser, unissued_url, "refused", ("发证地未签发此编号的证书",))
    screenshots(browser, unissued_url, "recognition-refused")
    assert axe_violations(browser, unissued_url) == []
    origin.assets.revoke(accounts.registrar, asset_id, h("court order"))
    assert until(status_is(yangzhou, A, number, "not_recognised"), BOUND + 5)[0]
    badge(browser, url, "not_recognised", ("证书已在发证地撤销",))
    screenshots(browser, url, "recognition-withdrawn")
    assert axe_violations(browser, url) == []


def badge(browser: Any, url: str, status: str, reasons: tuple[str, ...]) -> None:
    """The page at ``url`` shows ``status``'s badge and one of ``reasons``, in words."""
    from tests.test_browser import Visit

    visit = Visit(browser)
    try:
        visit.page.goto(url)
        assert visit.page.get_attribute("#status", "class") == f"badge {status}"
        assert visit.page.inner_text("#reason") in reasons
        main = visit.page.inner_text("main")
        assert "互认起始" not in main  # "recognised since" only while recognised
        assert "Error" not in main  # no exception's name or text
        assert "Traceback" not in main
        if status == "not_recognised":
            assert "history" in visit.page.content()
    finally:
        visit.close()


# Last: the flood leaves its client at Yangzhou over the limit for a minute.
def test_a_flood_of_junk_numbers_delays_no_withdrawal(
    federation: Federation, artifacts: dict[str, Artifact], accounts: Accounts
) -> None:
    origin = federation.registry(A, artifacts)
    asset_id = issue_at(origin, accounts, "flooded")
    number = origin.certificates.number_of(origin.assets.get_asset(asset_id).certificate_id)
    yangzhou = federation.regions[B]
    assert until(status_is(yangzhou, A, number, "recognised"), 60)[0]
    token = parse_number(number)
    # The center's numbers of this month, never issued (serials 2000-7999).
    junk = [format_number(token - token % 10**4 + 2_000 + i) for i in range(6_000)]
    junk[0] = "SJ331" + number[5:]  # Jinhua's center's number given as Qingdao's
    codes: list[int] = []

    def flood() -> None:
        with httpx.Client(base_url=yangzhou.api, timeout=30) as http:
            for start in range(0, len(junk), 200):
                items = [{"region": A, "number": n} for n in junk[start : start + 200]]
                codes.append(http.post("/v1/recognitions/batch", json={"items": items}).status_code)
                for n in junk[start : start + 5]:
                    codes.append(http.post(f"/v1/recognitions/{A}/{n}/recheck").status_code)

    flooders = [threading.Thread(target=flood) for _ in range(2)]
    for t in flooders:
        t.start()
    try:
        time.sleep(0.5)
        origin.assets.revoke(accounts.registrar, asset_id, h("court order"))
        # How soon (p99 under 2 s) is measured by `scripts/bench.py recognition`; here the
        # bound only tells the split queue from the single one, which took 8.3 s (2.38 s was
        # the slowest seen since, on a loaded machine).
        withdrawn, took = until(status_is(yangzhou, A, number, "not_recognised"), BOUND)
    finally:
        for t in flooders:
            t.join(120)
    assert withdrawn
    assert took < FLOODED_BOUND
    assert 429 in codes  # one client, past its limit
    # 422: the recheck of the number of another center.
    assert all(code in (200, 202, 422, 429, 503) for code in codes), set(codes)


def test_expiry_by_the_origins_clock_reaches_the_partners(
    federation: Federation, artifacts: dict[str, Artifact], accounts: Accounts
) -> None:
    # Last: the origin's clock moves years ahead, past its published working-day calendar.
    origin = federation.registry(A, artifacts)
    asset_id = issue_at(origin, accounts, "expires")
    token = origin.assets.get_asset(asset_id).certificate_id
    number = origin.certificates.number_of(token)
    yangzhou = federation.regions[B]
    assert until(status_is(yangzhou, A, number, "recognised"), 60)[0]
    expires = origin.certificates.get_certificate(token).expires_at
    # No act at the origin: the partners find the expiry by its clock.
    advance(origin.chain.w3, expires - now(origin.chain.w3) + 86_400)
    expired, took = until(status_is(yangzhou, A, number, "not_recognised"), BOUND + 5)
    assert expired
    assert expired["reason"] == "expired"
    assert took <= BOUND
