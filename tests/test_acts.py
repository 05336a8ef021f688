"""The act table (registry.acts) drives the API's routes, their authorisation, the console and
the CLI: the table and the routes are checked against each other, every act is refused to a key
of a wrong role and to a key of another region, and every act's command reaches its route."""

from __future__ import annotations

import re
import threading
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from registry.acts import ACTS, BY_NAME, Act
from registry.api.drafts import Draft
from registry.api.keys import Role
from registry.chain.node import free_port
from registry.chain.types import RightKind, TransferShare
from registry.cli import app as cli_app
from registry.cli import remote
from registry.cli.acts import BUILT_ELSEWHERE
from registry.client.http import RegistryClient
from registry.devtools import transfer_consent
from tests.api_support import Api
from tests.conftest import Flow, h
from tests.test_api_manifests import sample_manifest
from tests.test_browser import anchored

OTHER_REGION = 321000
H = "0x" + "ab" * 32
ADDRESS = "0x" + "12" * 20
H32 = bytes.fromhex("ab" * 32)
NOT_ACTS = {
    ("POST", "/v1/assets/batch"),  # the application, many at once (authorised as "apply")
    ("POST", "/v1/consent-requests/{request_id}/signature"),  # the holder's signature
    ("POST", "/v1/evidence"),  # evidence hashes, anchored in Merkle batches by the batcher
    ("POST", "/v1/evidence/file"),
    ("POST", "/v1/recognitions/{region}/{number}/recheck"),  # the mediator's work, queued
}
"""Writes that answer an operation without being a row of their own."""


@dataclass
class Targets:
    asset: int
    objection: int
    grant: str
    annotation: int
    transfer: int

    def of(self, act: Act) -> int | str | None:
        return {
            "asset": self.asset,
            "objection": self.objection,
            "grant": self.grant,
            "annotation": self.annotation,
            "transfer": self.transfer,
        }.get(act.target)


def body_of(act: Act, asset: int) -> dict[str, Any] | None:
    """A body the act's request model takes (what the chain would say of it is not asked)."""
    bodies: dict[str, dict[str, Any] | None] = {
        "apply": {
            "holders": [{"account": ADDRESS, "rights": ["holding"], "identity_hash": H}],
            "region": 370200,
            "classification": "general",
            "manifest_hash": H,
            "manifest_cid": H,
            "consent": {},
        },
        "accept": None,
        "return_for_supplements": {"list_hash": H, "deadline": "2030-01-01"},
        "supply_supplements": {"materials_hash": H, "consent": {}},
        "request_proof": {"request_hash": H},
        "supply_proof": {"proof_hash": H, "consent": {}},
        "extend": {"days": 1, "reason_hash": H},
        "terminate": {"reason_hash": H},
        "refuse": {"reason": "unlawful_source", "reason_hash": H},
        "approve": {"notice": True},
        "object": {"evidence_hash": H},
        "decide_objection": {"upheld": False, "reason_hash": H},
        "object_after_registration": {"form_hash": H, "evidence_hash": H},
        "confirm_objection_materials": None,
        "notify_applicant": {"notice_hash": H},
        "answer_objection": {"agrees": False, "reply_hash": H},
        "conclude_objection": {"upheld": False, "conclusion_hash": H},
        "record_judgment": {"kind": "court_judgment", "outcome": "stands", "document_hash": H},
        "settle_objection": {"act_hash": H},
        "issue": None,
        "change": {"manifest_hash": H, "manifest_cid": H, "consent": {}},
        "apply_transfer": {
            "shares": [
                {
                    "transferor": ADDRESS,
                    "transferee": "0x" + "34" * 20,
                    "rights": ["holding"],
                    "identity_hash": H,
                }
            ],
            "agreement_hash": H,
            "consent": {},
            "co_signatures": ["0x"],
        },
        "register_transfer": None,
        "change_identity": {"account": ADDRESS, "identity_hash": H, "consent": {}},
        "change_by_judgment": {"manifest_hash": H, "manifest_cid": H},
        "cancel_by_center": {"ground": "data_destroyed", "reason": "销毁", "notice": "告知"},
        "refuse_transfer": {"reason": "unlawful_source", "reason_hash": H},
        "renew": {"consent": {}},
        "pledge": {"pledgee": ADDRESS, "agreement_hash": H, "consent": {}},
        "release_pledge": None,
        "annotate": {
            "kind": "seizure",
            "authority": "court",
            "document_number": "(2026)1号",
            "text": "seized",
        },
        "lift": {"document_number": "(2026)1号之一"},
        "cancel": {"consent": {}},
        "revoke": {"reason_hash": H},
        "grant": {
            "grantor": ADDRESS,
            "asset_id": asset,
            "kind": "processing",
            "grantee": ADDRESS,
            "scenario": H,
            "start": 0,
            "expiry": 2**39,
            "consent": {},
        },
        "revoke_grant": {"revoker": ADDRESS, "reason_hash": H, "consent": {}},
        "annul_grant": {"reason_hash": H},
        "licence": {"asset_id": asset, "kind": "processing", "grantee": ADDRESS, "scenario": H},
    }
    assert set(bodies) == set(BY_NAME), "a new act needs its sample body here"
    return bodies[act.name]


@pytest.fixture
def targets(api: Api, flow: Flow) -> Targets:
    asset = flow.issued("acts")
    grant = flow.grant(asset)
    noticed = flow.in_notice("acts objection")
    objection = flow.registry.assets.file_objection(flow.accounts.outsider, noticed, h("e"))
    annotation = flow.seize(noticed)
    a, acc = flow.registry.assets, flow.accounts
    shares = [TransferShare(acc.holder.address, acc.holder2.address, RightKind.HOLDING.bit, H32)]
    consent = transfer_consent(a, asset, shares, h("deal"), (acc.holder, acc.holder2))
    transfer = a.apply_transfer(acc.holder, asset, shares, h("deal"), consent)
    api.indexed()
    return Targets(asset, objection, "0x" + grant.hex(), annotation, transfer)


def test_every_act_has_its_route_and_every_act_route_its_row(api: Api) -> None:
    """Read from the OpenAPI document, what a partner's generated client would use."""
    paths = api.get("/openapi.json").json()["paths"]
    for act in ACTS:
        route = paths.get("/v1" + act.path, {}).get(act.method.lower())
        assert route is not None, f"{act.name}: no route {act.method} /v1{act.path}"
        assert "202" in route["responses"], act.name
        params = {p["name"] for p in route.get("parameters", []) if p["in"] == "path"}
        assert params == ({act.target_param} if act.target_param else set()), act.name
        schema = route.get("requestBody", {}).get("content", {}).get("application/json", {})
        body = schema.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1] or None
        assert body == (act.body.__name__ if act.body else None), act.name
    acts = {(a.method, "/v1" + a.path) for a in ACTS}
    writes = {
        (method.upper(), path)
        for path, item in paths.items()
        for method, route in item.items()
        if method == "post" and "202" in route["responses"]
    }
    assert writes - acts == NOT_ACTS


def test_drafts_are_the_acts_the_table_lets_staff_draft() -> None:
    models = typing.get_args(typing.get_args(Draft)[0])
    drafted = {typing.get_args(m.model_fields["act"].annotation)[0] for m in models}
    assert drafted == {a.name for a in ACTS if a.draftable}
    assert all(BY_NAME[name].consent for name in drafted)


def test_the_act_table_is_published(api: Api) -> None:
    published = api.get("/v1/acts").json()
    assert [a["name"] for a in published] == [a.name for a in ACTS]
    release = next(a for a in published if a["name"] == "release_pledge")
    assert release == {
        "name": "release_pledge",
        "summary": BY_NAME["release_pledge"].summary,
        "method": "POST",
        "path": "/v1/assets/{asset_id}/pledge/release",
        "request": None,
        "contract": "assets",
        "functions": ["releasePledge"],
        "sender": "registrar",
        "consent": None,
        "roles": ["registrar"],
        "same_region": True,
        "target": "asset",
        "cli": "registry asset release",
    }
    transfer = next(a for a in published if a["name"] == "apply_transfer")
    assert (transfer["consent"], transfer["request"]) == ("Transfer", "TransferIn")


def test_every_act_is_refused_to_a_wrong_role_and_to_another_region(
    api: Api, targets: Targets
) -> None:
    elsewhere = {
        role: api.runtime.keys.create(role, OTHER_REGION, f"other {role.value}")[1] for role in Role
    }
    blocks = api.runtime.registry.chain.w3.eth.block_number
    checked = 0
    for act in ACTS:
        path = "/v1" + act.url(targets.of(act))
        body = body_of(act, targets.asset)
        if act.roles is None:
            continue
        refused = api.client.post(path, json=body)
        assert (refused.status_code, refused.json()["type"].rsplit("/", 1)[1]) == (
            401,
            "unauthenticated",
        ), act.name
        for role in set(Role) - act.roles:
            refused = api.post(path, body, role)
            assert refused.status_code == 403, (act.name, role, refused.json())
            assert refused.json()["type"].endswith("/wrong-role"), (act.name, role)
            assert act.name in refused.json()["detail"]
            checked += 1
        if act.same_region:
            for role in act.roles:
                headers = {"Authorization": f"Bearer {elsewhere[role]}"}
                refused = api.client.post(path, json=body, headers=headers)
                assert refused.status_code == 403, (act.name, role, refused.json())
                assert refused.json()["type"].endswith("/wrong-region"), (act.name, role)
                checked += 1
    assert checked > 60
    assert api.runtime.registry.chain.w3.eth.block_number == blocks  # nothing was sent


def test_every_console_act_is_refused_to_a_wrong_role_and_to_another_region(
    api: Api, targets: Targets
) -> None:
    from registry.web.console import ACTS as BUTTONS

    def signed_in(key: str) -> str:
        api.client.cookies.clear()
        page = api.client.post("/console/login", data={"api_key": key})
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found, page.text
        return found.group(1)

    elsewhere = {
        role: api.runtime.keys.create(role, OTHER_REGION, f"other {role.value}")[1] for role in Role
    }
    # The ordered change's new description, published (the console names it by its CID).
    # Publishing anchors its hashes as evidence: the batch is mined before counting blocks.
    manifest = sample_manifest()
    published = api.post("/v1/manifests", manifest, Role.HOLDER).json()
    manifest_cid = published["cid"]
    for data_hash in [published["manifest_hash"], *("0x" + f["sha256"] for f in manifest["files"])]:
        anchored(api, data_hash)
    blocks = api.runtime.registry.chain.w3.eth.block_number
    for action, button in BUTTONS.items():
        assert button.act.roles is not None
        form = {
            "action": action,
            "asset_id": str(targets.asset),
            "objection_id": str(targets.objection),
            "annotation_id": str(targets.annotation),
            "transfer_id": str(targets.transfer),
            "manifest_cid": manifest_cid,
            "text": "reason",
            "upheld": "false",
            "deadline": "2030-01-01",
            "kind": {"record_judgment": "court_judgment", "cancel_by_center": "data_destroyed"}.get(
                action, "seizure"
            ),
            "authority": "court",
            "document_number": "(2026)1号",
        }
        for role in set(Role) - button.act.roles:
            form["csrf"] = signed_in(api.keys[role])
            refused = api.client.post("/console/act", data=form)
            assert refused.status_code == 403, (action, role)
        for role in button.act.roles:
            form["csrf"] = signed_in(elsewhere[role])
            refused = api.client.post("/console/act", data=form)
            assert refused.status_code == 403, (action, role)
            assert "This key is bound to another region" in refused.text, (action, role)
    assert api.runtime.registry.chain.w3.eth.block_number == blocks


@pytest.fixture
def served(api: Api) -> Iterator[str]:
    """The API over real HTTP on 127.0.0.1, for the command line."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(api.runtime.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def cli_args(act: Act, targets: Targets) -> list[str]:
    """The act's command with its target and every option it requires."""
    group, name = act.cli or ("", "")
    args = [group, name]
    if act.target_param is not None:
        args.append(str(targets.of(act)))
    for option in act.cli_options:
        value = {
            "asset_id": str(targets.asset),
            "days": "1",
            "deadline": "2030-01-01",
            "reason": "unlawful_source",
            "kind": {"annotate": "seizure", "record_judgment": "court_judgment"}.get(
                act.name, "processing"
            ),
            "outcome": "stands",
            "authority": "court",
            "document_number": "(2026)1号",
            "text": "seized",
            "new_holder": ADDRESS,
            "pledgee": ADDRESS,
            "grantee": ADDRESS,
            "grantor": ADDRESS,
            "revoker": ADDRESS,
            "account": ADDRESS,
            "ground": "data_destroyed",
            "start": "2030-01-01",
            "expiry": "2031-01-01",
            "scenario": "a scenario",
            "licensee_name": "青岛港航运数据科技有限公司",
            "licensee_kind": "legal_person",
            "licensee_credit_code": "91370211MA3D7U2W42",
        }.get(option.field, H)
        if not option.flags:
            args.append(value)
        elif "/" in option.flags[0]:
            args.append(option.flags[0].split("/")[0])
        else:
            args += [option.flags[0], value]
    return args


def test_every_act_command_reaches_its_route(
    api: Api, targets: Targets, served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each command of the table is run as a user would (the holder's key set for the acts
    that take consent) and must reach its act's route: whatever the chain then says of it,
    the route answered, never a 404 or 405 for a path the API does not have."""
    seen: list[tuple[str, str, int, str]] = []

    class Recording(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = super().handle_request(request)
            response.read()
            kind = ""
            if response.headers.get("content-type", "").endswith("json") and response.is_error:
                kind = response.json().get("type", "")
            seen.append((request.method, request.url.path, response.status_code, kind))
            return response

    def recorded(url: str, key: str | None = None, **kw: Any) -> RegistryClient:
        return RegistryClient(url, key, transport=Recording(), **kw)

    monkeypatch.setattr(remote, "RegistryClient", recorded)
    monkeypatch.setenv("REGISTRY_HOLDER_KEY", api.runtime.registry.chain.w3.to_hex(b"\x01" * 32))
    runner = CliRunner()
    for act in ACTS:
        if act.cli is None or act.name in BUILT_ELSEWHERE:
            # They publish a manifest first or take every party's key: tests/test_walkthrough.py
            # and tests/test_cli_registration_types.py run them.
            continue
        role = Role.REVIEWER if act.roles == {Role.REVIEWER} else Role.REGISTRAR
        seen.clear()
        args = [*cli_args(act, targets), "--api", served, "--key", api.keys[role], "--no-wait"]
        result = runner.invoke(cli_app, args)
        url = "/v1" + act.url(targets.of(act) if act.target_param else None)
        reached = [s for s in seen if (s[0], s[1]) == (act.method, url)]
        assert reached, (act.name, args, seen, result.output)
        status, kind = reached[-1][2], reached[-1][3]
        assert status != 405, (act.name, reached, result.output)
        assert not kind.endswith("/not-found"), (act.name, reached, result.output)
