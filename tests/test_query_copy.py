"""Query and copy of registration materials (issue 19, item 3; guide art. 30): the applicant, an
interested party with its interest and a court with its legal basis ask, stating the purpose;
the registrar approves or refuses; each view and copy is logged in a hash chain whose head is
anchored as evidence; the applicant reads who saw its materials. Content in the js-ipfs daemon."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from web3 import Web3

from registry.access.store import access_log
from registry.api.keys import Role
from registry.api.routers.access import access_log_message, access_request_message
from registry.chain import Deployment
from registry.chain.compiler import Artifact
from tests.api_support import Api, reverted_api
from tests.conftest import Accounts
from tests.ipfs_support import ipfs_daemon
from tests.test_pages import applied

PROOF = "营业执照扫描件：统一社会信用代码 91370200MA3C0LXXXX".encode()
COURT = "山东省青岛市中级人民法院"


@pytest.fixture(scope="module")
def api(
    tmp_path_factory: pytest.TempPathFactory,
    w3: Web3,
    deployment: Deployment,
    artifacts: dict[str, Artifact],
    accounts: Accounts,
) -> Iterator[Api]:
    with (
        ipfs_daemon(tmp_path_factory.mktemp("ipfs")) as ipfs,
        reverted_api(
            tmp_path_factory.mktemp("access"),
            w3,
            deployment,
            artifacts,
            accounts,
            settings={"ipfs_url": ipfs},
        ) as running,
    ):
        yield running


def signed(account: LocalAccount, message: str) -> str:
    return "0x" + bytes(account.sign_message(encode_defunct(text=message)).signature).hex()


def ask(api: Api, asset_id: int, role: Role, **body: Any) -> Any:
    return api.post(f"/v1/assets/{asset_id}/access-requests", body, role)


def read(api: Api, request_id: str, name: str, role: Role, copy: bool = False) -> Any:
    return api.client.get(
        f"/v1/access-requests/{request_id}/materials/{name}",
        params={"copy": str(copy).lower()},
        headers={"Authorization": f"Bearer {api.keys[role]}"},
    )


def decide(api: Api, request_id: str, approve: bool, reason: str) -> Any:
    return api.post(
        f"/v1/access-requests/{request_id}/decision",
        {"approve": approve, "reason": reason},
        Role.REGISTRAR,
    )


def problem_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


def staff_get(api: Api, path: str, role: Role = Role.AUDITOR) -> Any:
    return api.client.get(path, headers={"Authorization": f"Bearer {api.keys[role]}"})


def test_applicant_party_and_court_query_and_copy_each_logged_and_anchored(
    api: Api, accounts: Accounts
) -> None:
    registry = api.runtime.registry
    asset_id = applied(api, registry, accounts, "2026年青岛市港口吞吐数据集", "qc1")
    registration = "0x" + registry.assets.get_asset(asset_id).manifest_hash.hex()
    api.runtime.context.materials.seal(registration, {"identity-proof.pdf": PROOF})
    purpose = "办理数据资产入表 / booking the data as an asset"
    holder = accounts.holder

    # The applicant proves its account; someone else's signature, or an account with no right
    # in the registration, is refused by name.
    mine = access_request_message(asset_id, holder.address, purpose)
    forged = problem_of(
        ask(
            api,
            asset_id,
            Role.HOLDER,
            kind="applicant",
            requester="青岛港数据公司",
            account=holder.address,
            signature=signed(accounts.outsider, mine),
            purpose=purpose,
            materials=["manifest"],
        ),
        422,
    )
    assert forged["invalid_params"][0]["name"] == "signature"
    outsider = access_request_message(asset_id, accounts.outsider.address, purpose)
    stranger = problem_of(
        ask(
            api,
            asset_id,
            Role.HOLDER,
            kind="applicant",
            requester="某公司",
            account=accounts.outsider.address,
            signature=signed(accounts.outsider, outsider),
            purpose=purpose,
            materials=["manifest"],
        ),
        403,
    )
    assert stranger["type"].endswith("not-the-applicant")
    applicant = ask(
        api,
        asset_id,
        Role.HOLDER,
        kind="applicant",
        requester="青岛港数据公司",
        account=holder.address,
        signature=signed(holder, mine),
        purpose=purpose,
        materials=["manifest", "identity-proof.pdf"],
    )
    assert applicant.status_code == 201, applicant.text
    assert applicant.json()["status"] == "pending"

    # An interested party says why it is interested; a court gives its legal basis, with a key
    # of its own role (a holder's key may not speak for a state organ, nor a court's for others).
    no_interest = problem_of(
        ask(
            api,
            asset_id,
            Role.HOLDER,
            kind="interested_party",
            requester="某数据交易所",
            purpose="核实权属",
            materials=["manifest"],
        ),
        422,
    )
    assert "interest" in no_interest["detail"] or no_interest.get("invalid_params")
    party = ask(
        api,
        asset_id,
        Role.HOLDER,
        kind="interested_party",
        requester="某数据交易所",
        interest="拟受让该数据的经营权",
        purpose="核实权属",
        materials=["manifest"],
    )
    assert party.status_code == 201, party.text
    as_court = problem_of(
        ask(
            api,
            asset_id,
            Role.HOLDER,
            kind="state_organ",
            requester=COURT,
            legal_basis="民事诉讼法第七十条",
            purpose="审理案件",
            materials=["manifest"],
        ),
        403,
    )
    assert as_court["invalid_params"][0]["name"] == "kind"
    assert problem_of(
        ask(
            api,
            asset_id,
            Role.STATE_ORGAN,
            kind="state_organ",
            requester=COURT,
            purpose="审理案件",
            materials=["identity-proof.pdf"],
        ),
        422,
    )
    court = ask(
        api,
        asset_id,
        Role.STATE_ORGAN,
        kind="state_organ",
        requester=COURT,
        legal_basis="《民事诉讼法》第七十条；(2026)鲁02民初123号",
        purpose="审理(2026)鲁02民初123号案",
        materials=["identity-proof.pdf"],
    )
    assert court.status_code == 201, court.text
    unknown = problem_of(
        ask(
            api,
            asset_id,
            Role.STATE_ORGAN,
            kind="state_organ",
            requester=COURT,
            legal_basis="x",
            purpose="y",
            materials=["contract.pdf"],
        ),
        422,
    )
    assert unknown["invalid_params"] == [{"name": "materials.0", "reason": "no such material"}]

    ids = {
        name: r.json()["request_id"]
        for name, r in (("applicant", applicant), ("party", party), ("court", court))
    }
    pending = api.client.get(
        "/v1/access-requests", headers={"Authorization": f"Bearer {api.keys[Role.REGISTRAR]}"}
    ).json()
    assert {r["request_id"] for r in pending} >= set(ids.values())
    assert read(api, ids["court"], "identity-proof.pdf", Role.STATE_ORGAN).status_code == 403

    # The registrar decides; a decided request is not decided again.
    assert decide(api, ids["applicant"], True, "申请人本人").json()["status"] == "approved"
    assert decide(api, ids["court"], True, "依法调查").json()["status"] == "approved"
    assert decide(api, ids["party"], False, "利害关系未证明").json()["status"] == "refused"
    again = problem_of(decide(api, ids["party"], True, "再议"), 409)
    assert again["type"].endswith("access-request-decided")
    assert problem_of(
        api.post(
            f"/v1/access-requests/{ids['court']}/decision",
            {"approve": True, "reason": "x"},
            Role.REVIEWER,
        ),
        403,
    )

    # Reads: only approved, only what was asked for, only by the key that asked.
    viewed = read(api, ids["applicant"], "manifest", Role.HOLDER)
    assert viewed.status_code == 200, viewed.text
    assert viewed.json()["name_zh"] == "2026年青岛市港口吞吐数据集"
    assert viewed.headers["content-disposition"].startswith("inline")
    proof = read(api, ids["applicant"], "identity-proof.pdf", Role.HOLDER)
    assert proof.content == PROOF
    copied = read(api, ids["court"], "identity-proof.pdf", Role.STATE_ORGAN, copy=True)
    assert copied.content == PROOF
    assert copied.headers["content-disposition"].startswith("attachment")
    assert problem_of(read(api, ids["party"], "manifest", Role.HOLDER), 403)["type"].endswith(
        "access-not-approved"
    )
    assert problem_of(read(api, ids["court"], "identity-proof.pdf", Role.HOLDER), 403)[
        "type"
    ].endswith("not-the-requester")
    assert problem_of(read(api, ids["court"], "manifest", Role.STATE_ORGAN), 403)["type"].endswith(
        "material-not-requested"
    )

    # The applicant reads who saw its materials, with its signature; nobody else can.
    deadline = api.runtime.context.now() + 300
    log_path = f"/v1/assets/{asset_id}/access-log"
    message = access_log_message(asset_id, deadline)
    entries = api.get(
        log_path, account=holder.address, deadline=deadline, signature=signed(holder, message)
    ).json()
    assert [(e["kind"], e["requester"], e["action"], e["material"]) for e in entries] == [
        ("applicant", "青岛港数据公司", "view", "manifest"),
        ("applicant", "青岛港数据公司", "view", "identity-proof.pdf"),
        ("state_organ", COURT, "copy", "identity-proof.pdf"),
    ]
    assert entries[2]["purpose"] == "审理(2026)鲁02民初123号案"
    assert all(e["at"].endswith("+08:00") for e in entries)
    assert entries[2]["entry_hash"] == copied.headers["x-access-log-hash"]
    other = api.get(
        log_path,
        account=accounts.outsider.address,
        deadline=deadline,
        signature=signed(accounts.outsider, message),
    )
    assert problem_of(other, 403)["type"].endswith("not-the-applicant")
    assert api.get(log_path).status_code == 401

    # The chain is intact; its head goes to the evidence batcher, once a day, and is anchored.
    head = staff_get(api, "/v1/access-log").json()
    assert head["intact"] is True
    assert head["count"] == 3
    assert head["head"] == entries[2]["entry_hash"]
    anchored = api.post("/v1/access-log/anchor", None, Role.REGISTRAR).json()
    assert [(a["seq"], a["head"]) for a in anchored["anchors"]] == [(3, head["head"])]
    assert (
        api.post("/v1/access-log/anchor", None, Role.REGISTRAR).json()["anchors"]
        == anchored["anchors"]
    )  # once a day
    deadline_s = time.monotonic() + 30
    while (receipt := api.get(f"/v1/evidence/{head['head']}").json())["status"] != "anchored":
        assert time.monotonic() < deadline_s, receipt
        time.sleep(0.2)
    assert receipt["submitter"] == "access-log"

    # An entry changed behind the service's back breaks the chain from that entry on.
    engine = api.runtime.engine
    with engine.begin() as conn:
        conn.execute(sa.update(access_log).where(access_log.c.seq == 2).values(purpose="另作他用"))
    broken = staff_get(api, "/v1/access-log").json()
    assert broken["intact"] is False
    assert broken["first_bad"] == 2
    with engine.begin() as conn:
        conn.execute(sa.update(access_log).where(access_log.c.seq == 2).values(purpose=purpose))
    assert staff_get(api, "/v1/access-log").json()["intact"] is True

    # The next Beijing day, the log having moved, its new head is anchored in turn; today's
    # anchor is not made again.
    seen = read(api, ids["applicant"], "manifest", Role.HOLDER)
    assert seen.status_code == 200
    anchor = api.runtime.context.access_anchor
    assert anchor.anchor_once() is False
    assert anchor.anchor_once(time.time() + 24 * 3600) is True
    anchors = api.post("/v1/access-log/anchor", None, Role.REGISTRAR).json()["anchors"]
    assert [(a["seq"], a["head"]) for a in anchors] == [
        (3, head["head"]),
        (4, seen.headers["x-access-log-hash"]),
    ]
    assert anchors[0]["day"] < anchors[1]["day"]
