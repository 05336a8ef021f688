"""The public register's pages over HTTP: search by Chinese name, the asset page with its
manifest, rights and history, the public notice with its objection form, statistics as SVG,
and user-supplied text always escaped."""

from __future__ import annotations

import hashlib
import json
import re

from web3 import Web3

from registry.api.keys import Role
from registry.api.models import ApplicationIn
from registry.chain import Registry
from registry.chain.types import (
    ALL_RIGHTS,
    Application,
    AssetKind,
    Classification,
    RightHolder,
    RightKind,
    TransferShare,
    TransferState,
    rights_mask,
)
from registry.devtools import joint_consent, transfer_consent
from tests.api_support import Api, signed_in, until
from tests.conftest import Accounts, Flow, h, past_notice
from tests.test_api import application_body, confirmed
from tests.test_api_manifests import sample_manifest
from tests.test_lifecycle import holder_consent


def applied(
    api: Api,
    registry: Registry,
    accounts: Accounts,
    name_zh: str,
    version: str,
    *,
    other_data: bool = False,
) -> int:
    """The sample manifest (a variant) published and applied for; returns the asset id.
    ``other_data``: its files' hashes made distinct, so a second asset of the same applicant
    in one test is not the same data (which the registry refuses as a duplicate)."""
    manifest = sample_manifest()
    manifest["version"] = version
    manifest["name_zh"] = name_zh
    if other_data:
        for entry in manifest["files"]:
            entry["sha256"] = hashlib.sha256(f"{version}{entry['sha256']}".encode()).hexdigest()
    published = api.post("/v1/manifests", manifest, Role.HOLDER).json()
    app = Application(
        holders=(RightHolder(accounts.holder.address, identity_hash=h("identity")),),
        region=370200,
        classification=Classification.GENERAL,
        kind=AssetKind.RESOURCE,
        manifest_hash=bytes.fromhex(published["manifest_hash"][2:]),
        manifest_cid=bytes.fromhex(published["manifest_cid"][2:]),
        cid_codec=published["cid_codec"],
    )
    op = confirmed(
        api, api.post("/v1/assets", application_body(registry, accounts, app), Role.HOLDER)
    )
    api.indexed()
    return int(op["result"]["asset_id"])


def test_joint_application_shows_every_right_holder_on_the_asset_page(
    api: Api, registry: Registry, accounts: Accounts
) -> None:
    manifest = sample_manifest()
    manifest["version"] = "pages-joint"
    published = api.post("/v1/manifests", manifest, Role.HOLDER).json()
    co = RightHolder(
        accounts.holder2.address,
        RightKind.PROCESSING.bit | RightKind.OPERATING.bit,
        0,
        0,
        h("id:2"),
        h("limits"),
        "仅限境内使用",
    )
    app = Application(
        holders=(RightHolder(accounts.holder.address, identity_hash=h("identity")), co),
        region=370200,
        classification=Classification.GENERAL,
        kind=AssetKind.RESOURCE,
        manifest_hash=bytes.fromhex(published["manifest_hash"][2:]),
        manifest_cid=bytes.fromhex(published["manifest_cid"][2:]),
        cid_codec=published["cid_codec"],
    )
    consent = joint_consent(registry.assets, (accounts.holder, accounts.holder2), app)
    body = ApplicationIn.of(app, consent).model_dump(mode="json")
    missing = api.post("/v1/assets", {**body, "co_signatures": []}, Role.HOLDER)
    assert missing.status_code == 422
    assert [p["name"] for p in missing.json()["invalid_params"]] == ["co_signatures"]
    op = confirmed(api, api.post("/v1/assets", body, Role.HOLDER))
    api.indexed()
    asset_id = int(op["result"]["asset_id"])
    asset = api.get(f"/v1/assets/{asset_id}").json()
    assert [(r["account"], r["right_names"]) for r in asset["right_holders"]] == [
        (accounts.holder.address, ["holding", "processing", "operating"]),
        (accounts.holder2.address, ["processing", "operating"]),
    ]
    rights = api.get(f"/v1/assets/{asset_id}/rights").json()
    assert [r["account"] for r in rights["right_holders"]] == [
        accounts.holder.address,
        accounts.holder2.address,
    ]
    page = api.get(f"/a/{asset_id}").text
    assert accounts.holder2.address in page
    assert "仅限境内使用" in page
    assert page.count("数据经营权") >= 2  # the right shared by the two right-holders


def test_register_finds_the_sample_and_shows_its_page(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3
) -> None:
    asset_id = applied(api, registry, accounts, "青岛港集装箱物流运营数据集", "pages-1")
    found = api.get("/", q="集装箱物流")
    assert found.status_code == 200
    assert f'href="/a/{asset_id}?lang=zh"' in found.text
    assert "unsafe-inline" not in found.headers["content-security-policy"]
    none = api.get("/", q="不存在的名称")
    assert "没有符合条件的资产" in none.text

    registry.assets.accept(accounts.reviewer, asset_id)
    registry.assets.approve(accounts.reviewer, asset_id)
    api.indexed()
    page = api.get(f"/a/{asset_id}")
    assert "青岛港智慧物流数据有限公司" in page.text  # the holder, from the manifest
    assert "berth_schedule.csv" in page.text
    assert "数据持有权" in page.text
    assert "提交登记申请" in page.text  # the history in words, with the contract's event name
    assert "审查通过，开始公示（5个工作日）" in page.text
    assert '<code class="muted">NoticeStarted</code>' in page.text
    assert "Approved; notice of 5 working days" in api.get(f"/a/{asset_id}", lang="en").text
    assert f'action="/a/{asset_id}/objection?lang=zh"' in page.text
    assert f'href="/a/{asset_id}?lang=zh"' in api.get("/").text.split("公示中（可提出异议）")[1]

    assert "权属争议" in page.text
    assert "非法人组织" in page.text
    objection = {
        "grounds": "unlawful_source",
        "reason": "数据来源存疑",
        "name": "张三",
        "kind": "natural_person",
        "contact": "13800000000",
    }
    filed = api.client.post(f"/a/{asset_id}/objection", data=objection)
    assert filed.status_code == 200, filed.text
    assert "异议已提交" in filed.text
    api.indexed()
    assert api.get(f"/v1/assets/{asset_id}").json()["open_objections"] == 1

    past_notice(w3, registry, asset_id)
    stats = api.get("/stats", lang="en")
    assert stats.status_code == 200
    assert "<svg" in stats.text
    assert "Qingdao 370200" in stats.text


def test_user_supplied_names_are_shown_as_text(
    api: Api, registry: Registry, accounts: Accounts
) -> None:
    asset_id = applied(api, registry, accounts, "<script>alert(1)</script>", "pages-xss")
    for page in (api.get("/", q="script"), api.get(f"/a/{asset_id}")):
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_bad_filters_are_explained(api: Api) -> None:
    page = api.get("/", holder="nope", region="x")
    assert page.status_code == 200
    assert 'role="alert"' in page.text
    assert api.get("/a/999999").status_code == 404


def test_console_session_survives_a_restart_and_ends_with_its_key(api: Api) -> None:
    from registry.api.keys import ApiKeys
    from registry.web.sessions import COOKIE, Sessions

    signed_in = api.client.post("/console/login", data={"api_key": api.keys[Role.REGISTRAR]})
    assert signed_in.status_code == 200  # followed the redirect to the console
    session_id = api.client.cookies.get(COOKIE)
    assert session_id
    assert "需持有人同意的登记" in signed_in.text  # the registrar sees consent requests

    # Another process on the same database (a restart) knows the session.
    restarted = Sessions(ApiKeys(api.runtime.engine))
    session = restarted.get(session_id)
    assert session is not None
    assert session.principal.role == Role.REGISTRAR
    assert restarted.get("forged-" + session_id) is None

    key_id = session.principal.key_id
    assert api.runtime.keys.revoke(key_id)
    assert restarted.get(session_id) is None
    assert 'id="api_key"' in api.client.get("/console").text  # signed out


def test_console_offers_what_an_issued_asset_allows_and_performs_it_on_chain(
    api: Api, flow: Flow
) -> None:
    """The release of a pledge, the drafts of a renewal and a cancellation (none while
    pledged), and the pending transfer applications: registered by the registrar, refused by
    the reviewer, each button shown only to the role that may press it."""
    a, acc = flow.registry.assets, flow.accounts
    pledged = flow.issued("console pledged")
    a.pledge(
        acc.registrar,
        pledged,
        acc.pledgee.address,
        h("loan"),
        holder_consent(
            flow, "Pledge", assetId=pledged, pledgee=acc.pledgee.address, agreementHash=h("loan")
        ),
    )
    transfers = {}
    for name in ("registered", "refused"):
        asset_id = flow.issued(f"console transfer {name}")
        shares = [TransferShare(acc.holder.address, acc.holder2.address, ALL_RIGHTS, h("id:2"))]
        consent = transfer_consent(a, asset_id, shares, h("deal"), (acc.holder, acc.holder2))
        transfers[name] = (
            asset_id,
            a.apply_transfer(acc.registrar, asset_id, shares, h("deal"), consent),
        )
    api.indexed()

    csrf = signed_in(api, Role.REVIEWER)
    page = api.client.get("/console").text
    refused_asset, refused_transfer = transfers["refused"]
    assert f'data-transfer="{refused_transfer}"' in page
    assert f'data-act="refuse_transfer-{refused_transfer}"' in page
    assert 'data-act="register_transfer-' not in page
    assert f'data-act="release_pledge-{pledged}"' not in page
    done = api.client.post(
        "/console/act",
        data={
            "csrf": csrf,
            "action": "refuse_transfer",
            "asset_id": str(refused_asset),
            "transfer_id": str(refused_transfer),
            "ground": "ownership_disputed",
            "text": "转让合同未经全部共有人同意",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    until(lambda: a.get_transfer(refused_transfer).state == TransferState.REFUSED)

    csrf = signed_in(api)
    api.indexed()
    page = api.client.get("/console").text
    registered_asset, registered_transfer = transfers["registered"]
    assert f'data-transfer="{refused_transfer}"' not in page  # decided: off the queue
    assert f'data-act="register_transfer-{registered_transfer}"' in page
    assert 'data-act="refuse_transfer-' not in page
    assert f'data-act="release_pledge-{pledged}"' in page
    assert f'data-act="draft-renew-{pledged}"' in page
    assert f'data-act="draft-cancel-{pledged}"' not in page  # a pledge blocks cancellation
    assert f'data-act="draft-cancel-{registered_asset}"' in page
    english = api.client.get("/console", params={"lang": "en"}).text
    for words in ("Pending transfer applications", "Register the transfer", "Release the pledge"):
        assert words in english
    for action, asset_id, extra in (
        ("register_transfer", registered_asset, {"transfer_id": str(registered_transfer)}),
        ("release_pledge", pledged, {}),
    ):
        form = {"csrf": csrf, "action": action, "asset_id": str(asset_id), **extra}
        done = api.client.post("/console/act", data=form, follow_redirects=False)
        assert done.status_code == 303, (action, done.text)
    until(lambda: a.pledgee_of(pledged) == "0x" + "00" * 20)
    until(lambda: a.holder_of(registered_asset) == acc.holder2.address)
    api.indexed()
    page = api.client.get("/console").text
    assert f'data-act="release_pledge-{pledged}"' not in page
    assert f'data-act="draft-cancel-{pledged}"' in page
    assert 'data-transfer="' not in page


def test_console_drafts_a_change_of_identity_that_the_right_holder_signs(
    api: Api, flow: Flow
) -> None:
    """A right-holder's renaming (art. 35 (1)): drafted from the console's consent form with
    the new name and code, whose commitment alone is signed and goes on chain."""
    from eth_account.messages import encode_typed_data

    from registry.chain.types import identity_commitment

    a, holder = flow.registry.assets, flow.accounts.holder
    asset_id = flow.issued("console identity")
    before = a.get_asset(asset_id).certificate_id
    api.indexed()
    csrf = signed_in(api)
    assert '<option value="change_identity">' in api.client.get("/console").text
    name, code = "青岛港智慧物流数据集团有限公司", "91370200MA3C5R8K13"
    drafted = api.client.post(
        "/console/consent",
        data={
            "csrf": csrf,
            "act": "change_identity",
            "asset_id": str(asset_id),
            "party": holder.address,
            "identity_name": name,
            "identity_code": code,
        },
        follow_redirects=False,
    )
    assert drafted.status_code == 303, drafted.text
    page = api.client.get("/console").text
    request_id = re.search(r'data-request="([0-9a-f]{32})"', page).group(1)  # type: ignore[union-attr]
    typed = api.get(f"/v1/consent-requests/{request_id}").json()["typed_data"]
    expected = "0x" + identity_commitment(name, code).hex()
    assert typed["primaryType"] == "IdentityChange"
    assert typed["message"]["identityHash"] == expected
    signature = holder.sign_message(encode_typed_data(full_message=typed)).signature
    relayed = api.client.post(
        f"/console/consent/{request_id}/signature",
        data={"csrf": csrf, "signature": "0x" + bytes(signature).hex()},
        follow_redirects=False,
    )
    assert relayed.status_code == 303, relayed.text
    until(lambda: a.get_asset(asset_id).certificate_id != before)
    api.indexed()
    history = api.get(f"/v1/assets/{asset_id}/history").json()
    assert [e["args"]["identityHash"] for e in history if e["name"] == "IdentityChanged"] == [
        expected
    ]


def test_console_drafts_a_transfer_that_both_parties_sign_and_sends_it(
    api: Api, flow: Flow
) -> None:
    """The transfer application from the console (art. 34): the share checked on chain with no
    signature, the typed data shown for both parties, their signatures pasted and the
    application filed; a seized asset's draft is refused before anyone signs."""
    import html

    from eth_account.messages import encode_typed_data

    from registry.chain.types import identity_commitment

    a, acc = flow.registry.assets, flow.accounts
    asset_id = flow.issued("console transfer apply")
    api.indexed()
    csrf = signed_in(api)
    assert f'data-act="draft-transfer-{asset_id}"' in api.client.get("/console").text
    name, code = "青岛港航运数据科技有限公司", "91370200MA3C9X2Y4P"
    share = {
        "csrf": csrf,
        "asset_id": str(asset_id),
        "transferor": acc.holder.address,
        "transferee": acc.holder2.address,
        "rights": ["holding", "processing"],
        "transferee_name": name,
        "transferee_code": code,
        "agreement": "数据资产转让合同 2026-031",
    }
    drafted = api.client.post("/console/transfer/draft", data=share)
    assert drafted.status_code == 200, drafted.text
    typed = json.loads(
        html.unescape(re.search(r"<pre[^>]*>(.*?)</pre>", drafted.text, re.S).group(1))
    )  # type: ignore[union-attr]
    assert typed["primaryType"] == "Transfer"
    assert typed["message"]["shares"][0]["to"] == acc.holder2.address
    assert (
        typed["message"]["shares"][0]["identityHash"]
        == "0x" + identity_commitment(name, code).hex()
    )
    assert a.transfer_count() == 0  # nothing sent yet
    hidden = dict(
        re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
            drafted.text.split('id="transfer-draft"')[1],
        )
    )
    signatures = [
        "0x" + bytes(p.sign_message(encode_typed_data(full_message=typed)).signature).hex()
        for p in (acc.holder, acc.holder2)
    ]
    sent = api.client.post(
        "/console/transfer",
        data={**{k: html.unescape(v) for k, v in hidden.items()}, "signatures": signatures},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    until(lambda: a.transfer_count() == 1)
    applied = a.get_transfer(1)
    assert applied.state == TransferState.APPLIED
    assert applied.shares[0].rights == rights_mask((RightKind.HOLDING, RightKind.PROCESSING))
    api.indexed()
    assert 'data-transfer="1"' in api.client.get("/console").text

    flow.seize(asset_id)
    refused = api.client.post("/console/transfer/draft", data=share)
    assert refused.status_code == 409, refused.text
    assert "Frozen" in refused.text
