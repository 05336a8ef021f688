"""The indexer follows events into SQL, and survives lost blocks by rewinding and replaying."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from web3 import Web3

from registry.chain import Deployment
from registry.chain.compiler import Artifact
from registry.chain.rpc import batch
from registry.chain.types import CertificateStatus, RightHolder, RightKind, Status
from registry.content.manifest import Manifest
from registry.devtools import joint_consent, transfer_whole
from registry.index import follower as follower_module
from registry.index import open_engine
from registry.index.follower import Follower
from registry.index.queries import Queries
from registry.index.schema import assets, certificates, events, grants, metadata
from tests.conftest import Flow, application, h, now
from tests.test_api_manifests import sample_manifest


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same index code on SQLite (default) and PostgreSQL (by URL), each from empty."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'index.db'}"
        return
    url = request.getfixturevalue("postgres_url")
    engine = open_engine(url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    engine.dispose()
    yield url


def follower(
    database: str, w3: Web3, deployment: Deployment, artifacts: dict[str, Artifact]
) -> Follower:
    return Follower(w3, open_engine(database), deployment, artifacts, chunk=7)


def test_sync_projects_assets_grants_and_certificates(
    flow: Flow, database: str, w3: Web3, deployment: Deployment, artifacts: dict[str, Artifact]
) -> None:
    asset_id = flow.issued("m1")
    grant_id = flow.grant(asset_id, scenario="analytics")
    flow.seize(asset_id, "court order")
    f = follower(database, w3, deployment, artifacts)
    f.sync()
    with f.engine.connect() as conn:
        row = conn.execute(sa.select(assets).where(assets.c.asset_id == asset_id)).one()
        assert row.status == Status.ISSUED
        assert row.frozen is True
        assert row.holder == flow.accounts.holder.address
        cert = conn.execute(sa.select(certificates)).one()
        assert int(cert.token_id) == flow.registry.assets.get_asset(asset_id).certificate_id
        assert cert.number == flow.registry.certificates.number_of(int(cert.token_id))
        grant = conn.execute(sa.select(grants)).one()
        assert grant.grant_id == "0x" + grant_id.hex()
        assert grant.kind == RightKind.PROCESSING
        names = (
            conn.execute(
                sa.select(events.c.name).where(events.c.asset_id == asset_id).order_by(events.c.id)
            )
            .scalars()
            .all()
        )
    assert names == [
        "Applied",
        "RightHolderRecorded",
        "ApplicationAccepted",
        "NoticeStarted",
        "CertificateIssued",
        "RegistrationIssued",
        "RightGranted",
        "FrozenChanged",
        "AnnotationRecorded",
    ]


def test_sync_projects_every_right_holder_in_order(
    flow: Flow, database: str, w3: Web3, deployment: Deployment, artifacts: dict[str, Artifact]
) -> None:
    a, acc = flow.registry.assets, flow.accounts
    co = RightHolder(acc.holder2.address, 0b110, 0, 2**39, h("id:2"), h("limits"), "仅限境内使用")
    app = application(acc.holder.address, "jointly held", co_holders=(co,))
    asset_id = a.submit_application(acc.holder, app, joint_consent(a, (None, acc.holder2), app))
    f = follower(database, w3, deployment, artifacts)
    f.sync()
    rows = Queries(f.engine).asset(asset_id, now(w3))["right_holders"]  # type: ignore[index]
    assert [(r["account"], r["position"], r["right_names"]) for r in rows] == [
        (acc.holder.address, 0, ["holding", "processing", "operating"]),
        (acc.holder2.address, 1, ["processing", "operating"]),
    ]
    assert (rows[1]["expiry"], rows[1]["restrictions"]) == (2**39, "仅限境内使用")
    assert rows[1]["identity_hash"] == "0x" + h("id:2").hex()
    held = Queries(f.engine).right_holdings(acc.holder2.address)
    assert [r["asset_id"] for r in held] == [asset_id]


def test_sync_rewinds_and_rebuilds_after_lost_blocks(
    flow: Flow, database: str, w3: Web3, deployment: Deployment, artifacts: dict[str, Artifact]
) -> None:
    kept = flow.applied("kept")
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    lost = flow.issued("lost")
    f = follower(database, w3, deployment, artifacts)
    f.sync()
    w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
    other = flow.applied("after the rollback")
    for _ in range(3):
        w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    f.sync()
    with f.engine.connect() as conn:
        rows = {r.asset_id: r for r in conn.execute(sa.select(assets)).all()}
        assert conn.execute(sa.select(sa.func.count()).select_from(certificates)).scalar() == 0
    assert lost == other  # the id was reused by the chain after the rollback
    assert rows[kept].status == Status.APPLIED
    assert rows[other].status == Status.APPLIED
    assert rows[other].manifest_hash == "0x" + h("after the rollback").hex()


def test_statistics_count_applications_in_their_month_in_beijing(
    flow: Flow, database: str, w3: Web3, deployment: Deployment, artifacts: dict[str, Artifact]
) -> None:
    flow.applied("stats-month")
    f = follower(database, w3, deployment, artifacts)
    f.sync()
    # 16:30 UTC on 31 March is 00:30 on 1 April in Beijing: an April application.
    boundary = int(dt.datetime(2026, 3, 31, 16, 30, tzinfo=dt.UTC).timestamp())
    with f.engine.begin() as conn:
        conn.execute(sa.update(assets).values(applied_at=boundary))
    assert Queries(f.engine).statistics()["month"] == [("2026-04", 1)]


def test_certificates_in_issue_order_have_the_chain_statuses(
    flow: Flow, database: str, w3: Web3, deployment: Deployment, artifacts: dict[str, Artifact]
) -> None:
    registry, accounts = flow.registry, flow.accounts
    kept, revoked, transferred = (flow.issued(m) for m in ("order-1", "order-2", "order-3"))
    first = [registry.assets.get_asset(a).certificate_id for a in (kept, revoked, transferred)]
    registry.assets.revoke(accounts.registrar, revoked, h("reasons"))
    transfer_whole(
        registry.assets, accounts.registrar, transferred, accounts.holder, accounts.holder2
    )
    successor = registry.assets.get_asset(transferred).certificate_id
    f = follower(database, w3, deployment, artifacts)
    f.sync()
    listed = Queries(f.engine).certificates_in_issue_order()
    assert [token for token, _ in listed] == [*first, successor]
    assert [status for _, status in listed] == [
        CertificateStatus(registry.certificates.status_of(token)) for token, _ in listed
    ]
    assert [status.name for _, status in listed] == ["VALID", "REVOKED", "SUPERSEDED", "VALID"]


def test_opening_an_index_made_before_an_index_was_added_creates_it(tmp_path: Path) -> None:
    """A database made by an earlier version gets the indexes added to its tables since (the
    console's pending transfers read events by name through ``events_by_name``)."""
    url = f"sqlite:///{tmp_path / 'older.db'}"
    engine = open_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX events_by_name")
    engine.dispose()
    engine = open_engine(url)
    names = {i["name"] for i in sa.inspect(engine).get_indexes("events")}
    assert "events_by_name" in names
    with engine.connect() as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT * FROM events WHERE name = 'TransferApplied'"
        ).all()
    assert "events_by_name" in str(plan)


def _applied_as(flow: Flow, name_zh: str, name_en: str) -> tuple[int, Manifest]:
    """An application for a variant of the sample manifest with these names (not yet
    published to the index); returns the asset id and the manifest."""
    fields = {**sample_manifest(), "name_zh": name_zh, "name_en": name_en, "version": name_zh}
    manifest = Manifest.model_validate(fields)
    app = dataclasses.replace(
        application(flow.accounts.holder.address, name_zh), manifest_hash=manifest.manifest_hash()
    )
    return flow.registry.assets.submit_application(flow.accounts.holder, app), manifest


def test_name_search_finds_any_part_of_either_name_of_any_length(
    flow: Flow, database: str, w3: Web3, deployment: Deployment, artifacts: dict[str, Artifact]
) -> None:
    port, port_manifest = _applied_as(flow, "青岛港集装箱物流运营数据集", "Qingdao Port Container")
    weather, weather_manifest = _applied_as(flow, "港口气象观测", "Port weather 100%_sample")
    late, late_manifest = _applied_as(flow, "晚到的清单", "Manifest published later")
    f = follower(database, w3, deployment, artifacts)
    queries = Queries(f.engine)
    queries.record_manifest(port_manifest)
    queries.record_manifest(weather_manifest)
    f.sync()

    def found(text: str) -> list[int]:
        return [a["asset_id"] for a in queries.search(now(w3), text=text).items]

    assert found("集装箱物流") == [port]
    assert found("港") == [port, weather]
    assert found("港口") == [weather]
    assert found("气象观测数据") == []
    assert found("container") == [port]
    assert found("PORT") == [port, weather]
    assert found("W") == [weather]
    # LIKE's wildcards are characters like any other.
    assert found("%") == [weather]
    assert found("_") == [weather]
    assert found("0%_s") == [weather]
    assert found("r_1") == []
    assert found("晚到") == []
    # A manifest published after its asset was indexed names the asset from then on.
    queries.record_manifest(late_manifest)
    assert found("晚到") == [late]
    assert found("published LATER") == [late]
    page = queries.search(now(w3), text="港", limit=1)
    assert [a["asset_id"] for a in page.items] == [port]
    after = queries.search(now(w3), text="港", limit=1, after=page.next_after)
    assert [a["asset_id"] for a in after.items] == [weather]


def test_opening_an_index_made_before_the_name_index_indexes_the_names_there(
    flow: Flow, tmp_path: Path, w3: Web3, deployment: Deployment, artifacts: dict[str, Artifact]
) -> None:
    """A SQLite index made by an earlier version (no ``asset_names``, no triggers) gets the
    name index, holding the names of the assets already indexed."""
    asset_id, manifest = _applied_as(flow, "早先的索引里的资产", "An asset indexed before")
    url = f"sqlite:///{tmp_path / 'older.db'}"
    f = follower(url, w3, deployment, artifacts)
    Queries(f.engine).record_manifest(manifest)
    f.sync()
    with f.engine.begin() as conn:
        for (trigger,) in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        ).all():
            conn.exec_driver_sql(f"DROP TRIGGER {trigger}")
        conn.exec_driver_sql("DROP TABLE asset_names")
    f.engine.dispose()
    queries = Queries(open_engine(url))
    assert [a["asset_id"] for a in queries.search(now(w3), text="索引").items] == [asset_id]
    assert [a["asset_id"] for a in queries.search(now(w3), text="before").items] == [asset_id]


def test_sync_asks_for_about_logs_per_round_logs_and_indexes_every_event(
    flow: Flow,
    database: str,
    w3: Web3,
    deployment: Deployment,
    artifacts: dict[str, Artifact],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A node answers a query of 200,000 logs in seconds, EDR nothing else meanwhile, and
    production nodes cap a query: a round's blocks follow the logs the last one had."""
    for i in range(8):
        flow.applied(f"span-{i}")  # a block each, two logs each
    answered: list[int] = []

    def counting(w3: Web3, requests: list[Any]) -> list[Any]:
        answers = batch(w3, requests)
        for (method, _params), answer in zip(requests, answers, strict=True):
            if method == "eth_getLogs":
                answered.append(len(answer))
        return answers

    monkeypatch.setattr(follower_module, "batch", counting)
    few = Follower(w3, open_engine(database), deployment, artifacts, logs_per_round=3)
    few.sync()
    # After the first round, each asks for the blocks of about 3 logs: none of many more.
    assert len(answered) > 2, answered
    assert max(answered[1:]) <= 2 * 3, answered
    logs = w3.eth.get_logs(
        {
            "fromBlock": deployment.block,
            "toBlock": w3.eth.block_number,
            "address": list(deployment.addresses.values()),
        }
    )
    with few.engine.connect() as conn:
        indexed = conn.execute(sa.select(events.c.block_number, events.c.log_index)).all()
    assert sorted(indexed) == sorted((log["blockNumber"], log["logIndex"]) for log in logs)
