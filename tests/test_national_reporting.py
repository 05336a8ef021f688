"""Reporting to the national registration service system (issue 19, item 4; guide art. 24, 26):
every notice, deposit, change, annotation and cancellation becomes a record under a key taken
from the chain, written with the index update that sees its event, and sent until acknowledged:

pytestmark = pytest.mark.chain  # starts chain nodes of its own
by HTTP to a stand-in receiver that drops, delays and duplicates acknowledgements, through two
SIGKILLs of the service, or to the JSON Lines feed under the data directory."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from eth_typing import ABIEvent
from eth_utils.abi import event_abi_to_log_topic
from web3 import Web3

from registry.api.keys import ApiKeys, Role
from registry.api.models import ConsentIn
from registry.certificates.numbers import format_number
from registry.chain.compiler import Artifact, write_artifacts
from registry.chain.signing import fresh_nonce, message_of, sign
from registry.chain.types import ALL_RIGHTS, TransferShare
from registry.config import Settings
from registry.devtools import FAR_DEADLINE, DevChain, fresh_chain
from registry.index import open_engine
from registry.index.reports import REPORTED, report_key
from registry.reporting import JsonLinesSender, Report
from tests.api_support import Api, ServiceProcess, running_api, signed_in
from tests.conftest import ROOT, SESSION_GENESIS, Accounts, h, past_notice
from tests.stand_in_national_receiver import StandInNationalReceiver
from tests.test_durability import signed_bodies
from tests.test_pages import applied

REGION = 370200


@pytest.fixture(scope="module")
def chain(
    tmp_path_factory: pytest.TempPathFactory,
    accounts: Accounts,
    artifacts: dict[str, Artifact],
) -> Iterator[DevChain]:
    """A chain of this module's own (the service under test is killed; the session chain is
    not its to share)."""
    write_artifacts(artifacts, ROOT / "build" / "contracts")
    with fresh_chain(
        artifacts,
        admin=accounts.admin,
        **accounts.staff(),
        genesis_timestamp=SESSION_GENESIS,
        log_file=tmp_path_factory.mktemp("anvil") / "anvil.log",
    ) as dev_chain:
        yield dev_chain


def expected_keys(
    w3: Web3, chain: DevChain, artifacts: dict[str, Artifact], since: int
) -> dict[str, str]:
    """Every reported event's key and kind, from the chain's logs directly (not the index):
    each registry event's place among its transaction's registry events."""
    names = {Web3.to_checksum_address(a): n for n, a in chain.deployment.addresses.items()}
    events = {
        (address, event_abi_to_log_topic(cast(ABIEvent, item))): item["name"]
        for address, name in names.items()
        for item in artifacts[name].abi
        if item.get("type") == "event"
    }
    logs = w3.eth.get_logs({"fromBlock": since, "toBlock": "latest", "address": list(names)})
    places: dict[str, int] = {}
    found = {}
    for log in logs:
        tx = "0x" + bytes(log["transactionHash"]).hex()
        place = places.get(tx, 0)
        places[tx] = place + 1
        address = Web3.to_checksum_address(log["address"])
        kind = REPORTED.get((names[address], events[(address, bytes(log["topics"][0]))]))
        if kind is not None:
            found[report_key(tx, place)] = kind
    return found


def until(done: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


class Acts:
    """Acts through a service that may be down: each posted until answered, under one
    idempotency key, then waited for until confirmed."""

    def __init__(self, service: ServiceProcess, keys: dict[Role, str]) -> None:
        self.service = service
        self.keys = keys
        self.done = 0
        self._lock = threading.Lock()

    def post(self, path: str, body: Any, role: Role, key: str) -> None:
        deadline = time.monotonic() + 400
        headers = {"Authorization": f"Bearer {self.keys[role]}", "Idempotency-Key": key}
        with httpx.Client(base_url=self.service.url, timeout=10) as client:
            while True:
                try:
                    r = client.post(path, json=body, headers=headers)
                    assert r.status_code == 202, r.text
                    answer = r.json()
                    ops = [o["id"] for o in (answer if isinstance(answer, list) else [answer])]
                    for op in ops:
                        self._confirmed(client, op, deadline)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the service did not come back"
                    time.sleep(0.1)
        with self._lock:
            self.done += len(body) if isinstance(body, list) else 1

    def _confirmed(self, client: httpx.Client, op: str, deadline: float) -> None:
        while (status := client.get(f"/v1/operations/{op}").json()["status"]) != "confirmed":
            assert status != "failed", op
            assert time.monotonic() < deadline, f"{op} stuck at {status}"
            time.sleep(0.05)


def test_500_acts_through_30_percent_drops_and_two_kills_arrive_each_exactly_once(
    chain: DevChain, tmp_path: Path, accounts: Accounts, artifacts: dict[str, Artifact]
) -> None:
    started = time.monotonic()
    w3 = chain.registry.chain.w3
    since = w3.eth.block_number + 1
    chain.deployment.save(tmp_path / "deployment.json")
    receiver = StandInNationalReceiver().start()
    from registry.chain.node import free_port

    service = ServiceProcess(tmp_path, chain.node.url, accounts, free_port())
    service.env |= {
        "REGISTRY_NATIONAL_ENDPOINT": receiver.url,
        "REGISTRY_NATIONAL_TIMEOUT": "0.5",
        "REGISTRY_NATIONAL_RETRY_BASE": "0.05",
        "REGISTRY_NATIONAL_RETRY_CAP": "1",
    }
    settings = Settings(data_dir=tmp_path)
    api_keys = ApiKeys(open_engine(settings.database_url))
    keys = {role: api_keys.create(role, REGION)[1] for role in (Role.HOLDER, *STAFF)}
    # Starts are slow on a loaded machine (a start imports the whole service, twice: the API
    # and its follower): the kills test what is lost, not how fast a start is.
    service.start(timeout=300)
    acts = Acts(service, keys)
    bodies = signed_bodies(chain.registry, accounts.holder, "national", 100)
    first = chain.registry.assets.asset_count() + 1
    ids = range(first, first + 100)
    phases: list[tuple[str, Callable[[int], Any], Role]] = [
        ("accept", lambda _: None, Role.REVIEWER),
        (
            "approve",
            lambda i: {"notice": False, "reason_hash": "0x" + h(f"asked {i}").hex()},
            Role.REVIEWER,
        ),
        ("issue", lambda _: None, Role.REGISTRAR),
        ("annotations", lambda i: {"kind": "agreed_limit", "text": f"limit {i}"}, Role.REGISTRAR),
    ]
    kills = {"accept": 40, "issue": 60}  # the service is killed when this many are done

    try:
        acts.post("/v1/assets/batch", bodies, Role.HOLDER, "apply")
        for path, body, role in phases:
            base = acts.done
            with ThreadPoolExecutor(8) as pool:
                futures = [
                    pool.submit(acts.post, f"/v1/assets/{i}/{path}", body(i), role, f"{path}-{i}")
                    for i in ids
                ]
                if path in kills:
                    wanted = base + kills[path]
                    until(lambda w=wanted: acts.done >= w, 300, f"{path} stalled")
                    service.kill()
                    service.start(timeout=300)
                for f in futures:
                    f.result()
        assert acts.done == 500
        expected = expected_keys(w3, chain, artifacts, since)
        assert sorted(expected.values()).count("deposit") == 100
        assert len(expected) == 400  # acceptance, waived notice, deposit, annotation: 4 x 100
        until(lambda: set(receiver.received) >= set(expected), 300, "not every record arrived")
        with httpx.Client(base_url=service.url, timeout=10) as client:
            staff = {"Authorization": f"Bearer {keys[Role.AUDITOR]}"}
            until(
                lambda: client.get("/v1/reports/pending", headers=staff).json()["count"] == 0,
                30,
                "acknowledged records still pending",
            )
    finally:
        service.stop()
        receiver.stop()
    assert set(receiver.received) == set(expected)
    assert not receiver.conflicts, "a key was delivered again with another body"
    assert {k: receiver.received[k]["kind"] for k in expected} == expected
    deposits = [r for r in receiver.received.values() if r["kind"] == "deposit"]
    assert sorted(r["asset_id"] for r in deposits) == list(ids)
    assert all(r["certificate_number"].startswith("SJ37") for r in deposits)
    # The receiver dropped about 30% and saw some records more than once: acknowledgements
    # were lost and the sender sent again, which it counts under the same key.
    assert receiver.dropped > 0.2 * len(expected)
    assert sum(receiver.deliveries.values()) > len(expected)
    print(
        f"{receiver.requests} requests, {receiver.dropped} dropped, "
        f"{sum(receiver.deliveries.values()) - len(expected)} duplicate deliveries, "
        f"{time.monotonic() - started:.1f} s"
    )


STAFF = (Role.REGISTRAR, Role.REVIEWER, Role.AUDITOR)


@pytest.fixture(scope="module")
def api(
    chain: DevChain,
    tmp_path_factory: pytest.TempPathFactory,
    accounts: Accounts,
    artifacts: dict[str, Artifact],
) -> Iterator[Api]:
    """The service in this process with the default sender, the JSON Lines feed."""
    with running_api(
        tmp_path_factory.mktemp("jsonl"),
        chain.registry.chain.w3,
        chain.deployment,
        artifacts,
        accounts,
    ) as running:
        yield running


def feed(api: Api) -> list[dict[str, Any]]:
    path = api.runtime.settings.national_feed_file
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_notice_and_deposit_go_to_the_feed_with_the_public_part_only(
    api: Api, chain: DevChain, accounts: Accounts
) -> None:
    asset_id = applied(api, chain.registry, accounts, "2026年青岛市港口吞吐数据集", "n1")
    for path, role, body in (
        ("accept", Role.REVIEWER, None),
        ("approve", Role.REVIEWER, {}),
    ):
        r = api.post(f"/v1/assets/{asset_id}/{path}", body, role)
        assert r.status_code == 202, r.text
        assert api.wait(r.json()["id"])["status"] == "confirmed"
    until(lambda: any(r["kind"] == "notice" for r in feed(api)), 20, "no notice in the feed")
    records = [r for r in feed(api) if r["asset_id"] == asset_id]
    assert [r["kind"] for r in records] == ["acceptance", "notice"]
    notice = records[1]
    assert notice["event"] == "NoticeStarted"
    assert notice["occurred_at"].endswith("+08:00")
    public = notice["public"]
    assert public["data_name"] == "2026年青岛市港口吞吐数据集"
    assert public["applicants"]
    assert public["summary"]
    assert public["restrictions"] == ["无"]
    # Nothing confidential: the manifest's credit code and its files are not in the record.
    manifest = api.runtime.context.queries.manifest(
        "0x" + chain.registry.assets.get_asset(asset_id).manifest_hash.hex()
    )
    assert manifest is not None
    text = json.dumps(notice, ensure_ascii=False)
    assert manifest["holder"]["credit_code"] not in text
    assert all(f["sha256"] not in text for f in manifest["files"])
    # Each line's key is the transaction hash and the event's place in it.
    receipt = chain.registry.chain.w3.eth.get_transaction_receipt(notice["tx_hash"])
    assert notice["key"] == report_key(notice["tx_hash"], 0)
    assert receipt["blockNumber"] == notice["block_number"]
    assert api.get("/v1/reports/pending").status_code == 401
    pending = api.client.get(
        "/v1/reports/pending", headers={"Authorization": f"Bearer {api.keys[Role.AUDITOR]}"}
    ).json()
    assert pending == {"count": 0, "sender": "jsonl", "items": []}
    holder = api.client.get(
        "/v1/reports/pending", headers={"Authorization": f"Bearer {api.keys[Role.HOLDER]}"}
    )
    assert holder.status_code == 403


def test_identity_change_and_registered_transfer_go_to_the_feed_as_change_and_transfer(
    api: Api, chain: DevChain, accounts: Accounts
) -> None:
    """Both are registrations the guide has deposited (art. 34, 35): each is a record, with
    the certificate it issued and the notice's public part. Every staff act goes through the
    API (the service's writer holds the staff keys' nonces)."""
    a = chain.registry.assets

    def done(path: str, body: Any, role: Role) -> None:
        r = api.post(path, body, role)
        assert r.status_code == 202, r.text
        assert api.wait(r.json()["id"])["status"] == "confirmed"

    def consent(primary: str, fields: dict[str, Any]) -> Any:
        message = {**fields, "nonce": fresh_nonce()}
        return sign(accounts.holder, a.domain(), primary, message, FAR_DEADLINE)

    asset_id = applied(api, chain.registry, accounts, "转让与身份变更报送", "n2", other_data=True)
    done(f"/v1/assets/{asset_id}/accept", None, Role.REVIEWER)
    done(f"/v1/assets/{asset_id}/approve", {}, Role.REVIEWER)
    past_notice(chain.registry.chain.w3, chain.registry, asset_id)
    done(f"/v1/assets/{asset_id}/issue", None, Role.REGISTRAR)
    identity = {"assetId": asset_id, "account": accounts.holder.address, "identityHash": h("new")}
    body = {
        "account": accounts.holder.address,
        "identity_hash": "0x" + h("new").hex(),
        "consent": ConsentIn.of(consent("IdentityChange", identity)).model_dump(mode="json"),
    }
    done(f"/v1/assets/{asset_id}/identity", body, Role.REGISTRAR)
    renamed = a.get_asset(asset_id).certificate_id
    share = TransferShare(accounts.holder.address, accounts.holder2.address, ALL_RIGHTS, h("to"))
    message = {
        **message_of("Transfer", (asset_id, [share.to_abi()], h("deal"))),
        "nonce": fresh_nonce(),
    }
    mine, theirs = (
        sign(signer, a.domain(), "Transfer", message, FAR_DEADLINE)
        for signer in (accounts.holder, accounts.holder2)
    )
    body = {
        "shares": [
            {
                "transferor": accounts.holder.address,
                "transferee": accounts.holder2.address,
                "rights": ["holding", "processing", "operating"],
                "identity_hash": "0x" + h("to").hex(),
            }
        ],
        "agreement_hash": "0x" + h("deal").hex(),
        "consent": ConsentIn.of(mine).model_dump(mode="json"),
        "co_signatures": ["0x" + theirs.signature.hex()],
    }
    done(f"/v1/assets/{asset_id}/transfers", body, Role.REGISTRAR)
    done(f"/v1/transfers/{a.transfer_count()}/registration", None, Role.REGISTRAR)
    received = a.get_asset(asset_id).certificate_id
    until(
        lambda: any(r["kind"] == "transfer" and r["asset_id"] == asset_id for r in feed(api)),
        20,
        "no transfer in the feed",
    )
    records = {r["event"]: r for r in feed(api) if r["asset_id"] == asset_id}
    change, transfer = records["IdentityChanged"], records["TransferRegistered"]
    assert change["kind"] == "change"
    assert change["certificate_number"] == format_number(renamed)
    assert transfer["kind"] == "transfer"
    assert transfer["certificate_number"] == format_number(received)
    assert transfer["public"]["data_name"] == "转让与身份变更报送"


def test_console_lists_what_the_national_system_has_not_acknowledged(
    api: Api, chain: DevChain, accounts: Accounts
) -> None:
    from registry.index.schema import national_reports

    engine = api.runtime.engine
    with engine.begin() as conn:
        conn.execute(
            national_reports.insert().values(
                key="0xfeed:0",
                kind="cancellation",
                asset_id=1,
                block_number=10**9,  # never confirmed here, so never sent
                log_index=0,
                payload={"certificate_number": "SJ3702026030001"},
                created_at=time.time(),
                attempts=3,
                next_attempt_at=time.time(),
                last_error="HTTP 503",
            )
        )
    try:
        signed_in(api)
        page = api.client.get("/console").text
        assert 'data-count="1"' in page
        row = page[page.index('data-report="0xfeed:0"') :]
        assert "注销登记" in row
        assert "HTTP 503" in row
        out = api.client.get(
            "/v1/reports/pending", headers={"Authorization": f"Bearer {api.keys[Role.REVIEWER]}"}
        ).json()
        assert out["count"] == 1
        assert out["items"][0]["certificate_number"] == "SJ3702026030001"
        assert out["items"][0]["next_attempt_at"].endswith("+08:00")
    finally:
        with engine.begin() as conn:
            conn.execute(national_reports.delete().where(national_reports.c.key == "0xfeed:0"))


def test_feed_cuts_a_torn_line_and_writes_no_key_twice_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "reports.jsonl"
    sender = JsonLinesSender(path)
    assert sender.send([Report("a:0", {"kind": "notice"})]).acknowledged == ["a:0"]
    sender.close()
    with open(path, "ab") as f:  # a write cut off by a kill: no newline, never acknowledged
        f.write(b'{"key": "b:0", "ki')
    again = JsonLinesSender(path)
    # a:0 was written but (say) its acknowledgement not committed: sent again, not written again.
    outcome = again.send([Report("a:0", {"kind": "notice"}), Report("b:0", {"kind": "deposit"})])
    again.close()
    assert outcome.acknowledged == ["a:0", "b:0"]
    assert not outcome.failed
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines == [{"key": "a:0", "kind": "notice"}, {"key": "b:0", "kind": "deposit"}]
