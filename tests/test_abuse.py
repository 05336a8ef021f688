"""Abuse of the public and staff entry points (issue 15, findings 3, 7 and 8): a refused
application names nothing, public objections are limited and need a confidential contact, the
console's sign-in refuses forms from other sites, sign-out ends the session, and wrong keys are
throttled per client address."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import Any

from registry.api.keys import Role
from registry.api.limits import ClientLimit
from registry.api.models import ApplicationIn
from registry.chain import Registry
from registry.chain.types import Application, AssetKind, Classification, Consent, RightHolder
from registry.content.canonical import canonical_json
from registry.content.manifest import Manifest
from registry.web.sessions import COOKIE, sessions_of
from tests.api_support import Api, signed_in
from tests.conftest import Accounts, Flow, h
from tests.test_api import application_body, confirmed
from tests.test_api_manifests import sample_manifest

FALSE_NAME = "国家数据局认证数据集"


def _unpublished(version: str) -> tuple[dict[str, Any], Application]:
    """A manifest nobody has published yet, and its holder's application."""
    manifest = sample_manifest()
    manifest["version"] = version
    manifest_hash, digest, codec = Manifest.model_validate(manifest).chain_fields()
    app = Application(
        holders=(RightHolder(manifest["holder"]["account"], identity_hash=h("identity")),),
        region=370200,
        classification=Classification.GENERAL,
        kind=AssetKind.RESOURCE,
        manifest_hash=manifest_hash,
        manifest_cid=digest,
        cid_codec=codec,
    )
    return manifest, app


def test_a_refused_application_names_nothing_and_breaks_no_page(
    api: Api, registry: Registry, accounts: Accounts
) -> None:
    manifest, app = _unpublished("abuse-squat")
    assert app.holder == accounts.holder.address
    squat = ApplicationIn.of(app, Consent(0, 0, b"")).model_dump(mode="json")
    named = api.post("/v1/assets", {**squat, "name_zh": FALSE_NAME}, Role.HOLDER)
    assert named.status_code == 422
    assert {p["name"] for p in named.json()["invalid_params"]} == {"name_zh"}
    refused = api.post("/v1/assets", squat, Role.HOLDER)  # no holder consent: the chain refuses
    assert refused.status_code == 422, refused.text
    assert "/contract/" in refused.json()["type"]

    # The holder then publishes the manifest and applies: the asset has the manifest's names.
    published = api.post("/v1/manifests", manifest, Role.HOLDER).json()
    assert published["manifest_hash"] == "0x" + app.manifest_hash.hex()
    op = confirmed(
        api, api.post("/v1/assets", application_body(registry, accounts, app), Role.HOLDER)
    )
    api.indexed()
    asset_id = int(op["result"]["asset_id"])
    asset = api.get(f"/v1/assets/{asset_id}").json()
    assert (asset["name_zh"], asset["name_en"]) == (manifest["name_zh"], manifest["name_en"])
    assert api.get("/v1/assets", q=FALSE_NAME).json()["items"] == []
    page = api.get(f"/a/{asset_id}")
    assert page.status_code == 200
    assert FALSE_NAME not in page.text
    assert str(manifest["name_zh"]) in page.text


def _objection(name: str = "张三", contact: str = "13800000000") -> dict[str, str]:
    return {
        "grounds": "unlawful_source",
        "reason": "数据来源存疑 the data's source is doubtful",
        "name": name,
        "kind": "legal_person",
        "contact": contact,
    }


def test_public_objections_are_limited_per_client_address(api: Api, flow: Flow) -> None:
    asset_id = flow.in_notice("abuse objection flood")
    api.indexed()
    limit = api.runtime.context.limits.objections.count
    answers = [
        api.client.post(f"/a/{asset_id}/objection", data=_objection()).status_code
        for _ in range(20)
    ]
    assert answers == [200] * limit + [429] * (20 - limit)
    flooded = api.client.post(f"/a/{asset_id}/objection", data=_objection())
    assert int(flooded.headers["retry-after"]) > 0
    assert "该网络地址提交的异议过多" in flooded.text
    # The API's objection route shares the limit for callers without a key ...
    body = {
        "evidence_hash": "0x" + "ab" * 32,
        "objector": {"name": "李四", "kind": "natural_person", "contact": "x@y.cn"},
        "grounds": "ownership_dispute",
        "reason": "该数据由我方采集",
    }
    anonymous = api.post(f"/v1/assets/{asset_id}/objections", body)
    assert anonymous.status_code == 429
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert anonymous.json()["retry_after"] > 0
    # ... and a caller with a key (whom the center knows) is not counted against it.
    keyed = api.post(
        f"/v1/assets/{asset_id}/objections", {"evidence_hash": "0x" + "cd" * 32}, Role.REGISTRAR
    )
    confirmed(api, keyed)
    api.indexed()
    assert api.get(f"/v1/assets/{asset_id}").json()["open_objections"] == limit + 1


def test_a_public_objection_needs_a_contact_that_never_reaches_the_chain_or_a_page(
    api: Api, flow: Flow
) -> None:
    asset_id = flow.in_notice("abuse objection contact")
    api.indexed()
    w3 = api.runtime.registry.chain.w3
    blocks = w3.eth.block_number
    unnamed = api.client.post(f"/a/{asset_id}/objection", data={"reason": "数据来源存疑"})
    assert unnamed.status_code == 422
    blank = api.client.post(f"/a/{asset_id}/objection", data=_objection(name="  "))
    assert blank.status_code == 422
    anonymous = api.post(f"/v1/assets/{asset_id}/objections", {"evidence_hash": "0x" + "ab" * 32})
    assert anonymous.status_code == 422
    assert [p["name"] for p in anonymous.json()["invalid_params"]] == [
        "objector",
        "grounds",
        "reason",
    ]
    assert w3.eth.block_number == blocks  # nothing was sent

    contact = "lisi-objector@example.cn"
    filed = api.client.post(f"/a/{asset_id}/objection", data=_objection("李四公司", contact))
    assert filed.status_code == 200, filed.text
    found = re.search(r'href="/v1/operations/([^"]+)"', filed.text)
    assert found
    op = api.wait(found.group(1))
    assert op["status"] == "confirmed", op
    api.indexed()

    # The center has the objector, with the statement whose hash is on chain ...
    registrar = {"Authorization": f"Bearer {api.keys[Role.REGISTRAR]}"}
    objectors = api.client.get(f"/v1/assets/{asset_id}/objectors", headers=registrar).json()
    assert [(o["name"], o["contact"]) for o in objectors] == [("李四公司", contact)]
    statement = objectors[0]["statement"]
    digest = "0x" + hashlib.sha256(canonical_json(statement)).hexdigest()
    (objection,) = api.get(f"/v1/assets/{asset_id}").json()["objections"]
    assert objection["evidence_hash"] == digest == objectors[0]["evidence_hash"]
    assert api.client.get(f"/v1/assets/{asset_id}/objectors").status_code == 401
    holder = {"Authorization": f"Bearer {api.keys[Role.HOLDER]}"}
    assert api.client.get(f"/v1/assets/{asset_id}/objectors", headers=holder).status_code == 403

    # ... and neither the transaction nor any public answer holds the name or the contact.
    sent = bytes(w3.eth.get_transaction(op["tx_hash"])["input"])
    receipt = w3.eth.get_transaction_receipt(op["tx_hash"])
    logged = b"".join(bytes(log["data"]) for log in receipt["logs"])
    for secret in (contact, "李四公司"):
        assert secret.encode() not in sent + logged
        for public in (
            filed.text,
            api.get(f"/a/{asset_id}").text,
            api.get(f"/a/{asset_id}", lang="en").text,
            api.get(f"/v1/assets/{asset_id}").text,
            api.get(f"/v1/assets/{asset_id}/history").text,
            api.get(f"/v1/evidence/{digest}").text,
        ):
            assert secret not in public

    # The region's registrars see who objected, how to reach them, and why, in the console.
    assert statement["grounds"] == "unlawful_source"
    assert statement["objector"]["kind"]
    signed_in(api)
    try:
        console = api.client.get("/console").text
    finally:
        api.client.cookies.clear()
    assert contact in console
    assert "数据来源不合法" in console
    assert "数据来源存疑" in console
    assert "法人" in console


def test_a_public_objection_through_the_api_keeps_its_form_with_the_objector(
    api: Api, flow: Flow
) -> None:
    asset_id = flow.in_notice("abuse objection api form")
    api.indexed()
    body = {
        "evidence_hash": "0x" + "ef" * 32,
        "objector": {"name": "王五", "kind": "natural_person", "contact": "wangwu@example.cn"},
        "grounds": "registration_error",
        "reason": "登记的时间范围有误",
    }
    op = confirmed(api, api.post(f"/v1/assets/{asset_id}/objections", body))
    registrar = {"Authorization": f"Bearer {api.keys[Role.REGISTRAR]}"}
    (kept,) = api.client.get(f"/v1/assets/{asset_id}/objectors", headers=registrar).json()
    assert kept["operation"] == op["id"]
    assert (kept["name"], kept["contact"]) == ("王五", "wangwu@example.cn")
    form = kept["statement"]
    assert (form["grounds"], form["reason"]) == ("registration_error", "登记的时间范围有误")
    assert form["objector"]["kind"] == "natural_person"
    assert form["materials_sha256"] == body["evidence_hash"]


def test_a_sign_in_form_from_another_site_is_refused(api: Api) -> None:
    key = {"api_key": api.keys[Role.REGISTRAR]}
    for headers in (
        {"Origin": "https://attacker.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://attacker.example"},
        {"Sec-Fetch-Site": "same-site"},
    ):
        refused = api.client.post("/console/login", data=key, headers=headers)
        assert refused.status_code == 403, headers
        assert "登录表单来自其他网站" in refused.text
        assert COOKIE not in refused.headers.get("set-cookie", "")
        assert api.client.cookies.get(COOKIE) is None
    same = api.client.post(
        "/console/login", data=key, headers={"Origin": "http://testserver"}, follow_redirects=False
    )
    assert same.status_code == 303
    fetched = api.client.post("/console/login", data=key, headers={"Sec-Fetch-Site": "same-origin"})
    assert 'id="role"' in fetched.text


def test_sign_out_ends_the_session_whatever_the_token(api: Api) -> None:
    for token in ("wrong", "中文😀", ""):
        signed_in = api.client.post("/console/login", data={"api_key": api.keys[Role.REGISTRAR]})
        assert 'id="role"' in signed_in.text
        session_id = api.client.cookies.get(COOKIE)
        assert session_id is not None
        out = api.client.post("/console/logout", data={"csrf": token}, follow_redirects=False)
        assert out.status_code == 303
        assert sessions_of(api.runtime.keys).get(session_id) is None, token
        copy = {"Cookie": f"{COOKIE}={session_id}"}  # whoever kept a copy of the cookie
        assert 'id="api_key"' in api.client.get("/console", headers=copy).text  # signed out
        api.client.cookies.clear()


def test_wrong_keys_are_throttled_per_client_address(api: Api) -> None:
    clock = [1000.0]
    limit = api.runtime.context.limits.failed_auth
    api.runtime.context.limits = replace(
        api.runtime.context.limits,
        failed_auth=ClientLimit(
            "failed authentications", limit.count, limit.window, clock=lambda: clock[0]
        ),
    )
    valid = api.keys[Role.REGISTRAR]
    wrong = {"api_key": "drk_0000_wrong"}
    for _ in range(limit.count - 1):
        assert api.client.post("/console/login", data=wrong).status_code == 401
    denied = api.post("/v1/assets/1/issue", None, **{"Authorization": "Bearer drk_0000_wrong"})
    assert denied.status_code == 401  # the last one allowed: console and API count together
    for answer in (
        api.client.post("/v1/assets/1/issue", headers={"Authorization": "Bearer drk_x"}),
        api.client.post("/v1/assets/1/issue", headers={"Authorization": f"Bearer {valid}"}),
        api.client.post("/console/login", data={"api_key": valid}),
    ):
        assert answer.status_code == 429, answer.text
        assert int(answer.headers["retry-after"]) > 0
    assert "该网络地址的密钥错误次数过多" in api.client.post("/console/login", data=wrong).text
    assert api.get("/v1/assets/1").status_code in (200, 404)  # no key: no limit

    clock[0] += limit.window + 1  # the window passed: the right key works again
    again = api.client.post("/console/login", data={"api_key": valid})
    assert 'id="role"' in again.text
