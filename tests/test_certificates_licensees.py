"""Licensees named on the certificates (issue 17 item 4: the right-holders with their credit
codes): a grant names its licensee's name and unified social credit code, bound to the chain
through the grant's terms hash, which the grantor's consent covers; the registration
certificate's PDF and page, the licence certificate and the JSON answers show them beside the
account. A mistyped code (GB 32100), the center's own code (art. 10(7)) and a licence naming
another licensee than its grant are refused, naming the field; a licence on a grant naming none
records the center's name, and the documents say it is not bound on chain."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

from registry.api.keys import Role
from registry.chain import Deployment, Registry
from registry.chain.compiler import Artifact
from registry.chain.types import CertificateKind
from registry.client.consents import HolderSigner
from tests.api_support import Api, running_api, signed_in
from tests.conftest import DAY, Accounts, now, past_notice
from tests.test_api import confirmed
from tests.test_documents import pdf_facts
from tests.test_pages import applied

# A long name, as a bank's or a port group's subsidiaries have: the PDF's table wraps it.
LICENSEE = "山东省青岛港国际集装箱物流供应链大数据服务与智慧港口运营管理股份有限公司"
CODE = "91370211MA3D7U2W42"  # its GB 32100 check character (2) holds
MISTYPED = "91370211MA3D7U2W40"
CENTER_CODE = "12370000MB1234567N"
"""The center's own credit code (a public institution's), configured for this module."""
SCENARIO = "港口运力规划 port capacity planning"
"""A use scenario the sample manifest lists."""


@pytest.fixture
def api(
    registry: Registry,
    tmp_path: Path,
    w3: Web3,
    deployment: Deployment,
    artifacts: dict[str, Artifact],
    accounts: Accounts,
) -> Iterator[Api]:
    """The registry's API on the session chain, its center's own credit code configured."""
    with running_api(
        tmp_path, w3, deployment, artifacts, accounts, settings={"center_credit_code": CENTER_CODE}
    ) as a:
        yield a


def issued(api: Api, registry: Registry, accounts: Accounts, w3: Web3, variant: str) -> int:
    """The sample manifest applied for and issued, the registrar's acts through the API (its
    writer owns the registrar key's nonces); returns the asset's id."""
    asset_id = applied(api, registry, accounts, "青岛港集装箱物流运营数据集", f"1.0-{variant}")
    registry.assets.accept(accounts.reviewer, asset_id)
    registry.assets.approve(accounts.reviewer, asset_id)
    past_notice(w3, registry, asset_id)
    confirmed(api, api.post(f"/v1/assets/{asset_id}/issue", None, Role.REGISTRAR))
    return asset_id


def grant_body(
    api: Api, accounts: Accounts, w3: Web3, asset_id: int, scenario: str, **named: Any
) -> dict[str, Any]:
    """A processing licence of a year to the grantee under ``scenario``, the holder's consent
    signed here; ``named``: the licensee's fields."""
    from registry.acts import text_hash
    from registry.api.models import GrantIn

    start = now(w3)
    body = GrantIn.model_validate(
        {
            "grantor": accounts.holder.address,
            "asset_id": asset_id,
            "kind": "processing",
            "grantee": accounts.grantee.address,
            "scenario": text_hash(scenario),
            "start": start,
            "expiry": start + 365 * DAY,
            "consent": {},
            **named,
        }
    )
    signer = HolderSigner(accounts.holder, api.get("/v1/eip712").json(), start)
    return signer.signed("grant", None, body).model_dump(mode="json")


def licence_body(accounts: Accounts, asset_id: int, grant: dict[str, Any]) -> dict[str, Any]:
    return {
        "asset_id": asset_id,
        "kind": "processing",
        "grantee": accounts.grantee.address,
        "scenario": grant["scenario"],
    }


def raw_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text in drawing order, whitespace removed: a table cell's wrapped lines join
    again (``-layout`` interleaves the other columns' lines)."""
    source = tmp_path / "raw.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-raw", source, "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(out.split())


def refused_field(answer: Any) -> str:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    (param,) = answer.json()["invalid_params"]
    return str(param["name"])


def test_a_licensee_named_by_its_grant_is_on_the_certificates_with_its_credit_code(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3, tmp_path: Path
) -> None:
    asset_id = issued(api, registry, accounts, w3, "licensee")
    grant = grant_body(
        api,
        accounts,
        w3,
        asset_id,
        SCENARIO,
        licensee_name=LICENSEE,
        licensee_credit_code=CODE.lower(),  # taken in either case, kept upper-case
    )
    op = confirmed(api, api.post("/v1/rights", grant, Role.REGISTRAR))
    grant_id = op["result"]["grant_id"]

    # Bound to the chain: the grant's terms hash is the SHA-256 of the licence terms, which
    # name the licensee and the agreement's hash; the holder signed that hash.
    terms = {
        "format": "licence-terms/1",
        "licensee": {"credit_code": CODE, "kind": "legal_person", "name": LICENSEE},
        "terms": "0x" + "00" * 32,
    }
    text = json.dumps(terms, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    on_chain = registry.rights.terms_of(bytes.fromhex(grant_id[2:]))
    assert on_chain == hashlib.sha256(text.encode("utf-8")).digest()

    # A licence naming another licensee than its grant is refused, naming the field.
    other = {**licence_body(accounts, asset_id, grant), "licensee_name": "另一家公司"}
    other["licensee_credit_code"] = CODE
    answer = api.post("/v1/licences", other, Role.REGISTRAR)
    assert refused_field(answer) == "licensee_name"
    assert answer.json()["type"].endswith("/licensee-differs")
    licence = confirmed(
        api, api.post("/v1/licences", licence_body(accounts, asset_id, grant), Role.REGISTRAR)
    )["result"]["certificate"]
    api.indexed()

    named = {"name": LICENSEE, "kind": "legal_person", "credit_code": CODE, "source": "grant"}
    (listed,) = api.get(f"/v1/assets/{asset_id}/rights").json()["grants"]
    assert listed["licensee"] == named
    answer = api.get(f"/v1/certificates/{licence}").json()
    assert answer["kind"] == CertificateKind.LICENCE
    assert answer["licensee"] == named

    # The registration certificate: the licensee with its code beside its account.
    number = registry.certificates.number_of(registry.assets.get_asset(asset_id).certificate_id)
    pdf = api.get(f"/v1/certificates/{number}/pdf").content
    flat = raw_text(pdf, tmp_path)
    assert LICENSEE + "被许可人licensee" in flat
    assert CODE + accounts.grantee.address in flat
    assert "termsHash" in flat
    _layout, codes = pdf_facts(pdf, tmp_path)  # every page drawn, the QR code readable
    assert codes
    assert CODE in api.get(f"/a/{asset_id}").text  # the asset's page lists it too
    page = api.get(f"/c/{number}").text
    assert LICENSEE in page
    assert CODE in page
    assert "授权人签署、哈希上链的许可条款" in page

    # The licence certificate: its holder is the licensee, named with its code.
    licence_pdf = raw_text(api.get(f"/v1/certificates/{licence}/pdf").content, tmp_path)
    assert "数据权利许可登记证书" in licence_pdf
    assert CODE in licence_pdf
    assert LICENSEE in licence_pdf
    licence_page = api.get(f"/c/{licence}").text
    assert LICENSEE in licence_page
    assert CODE in licence_page


def test_a_mistyped_or_the_centers_own_credit_code_is_refused_naming_the_field(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3
) -> None:
    asset_id = issued(api, registry, accounts, w3, "licensee-refused")
    cases = (
        ({"licensee_name": LICENSEE, "licensee_credit_code": MISTYPED}, "GB 32100"),
        ({"licensee_name": LICENSEE}, "is named with its unified social credit code"),
        (
            {
                "licensee_name": "张三",
                "licensee_kind": "natural_person",
                "licensee_credit_code": CODE,
            },
            "a natural person is named without a credit code",
        ),
    )
    for named, reason in cases:
        body = grant_body(api, accounts, w3, asset_id, SCENARIO)
        answer = api.post("/v1/rights", {**body, **named}, Role.REGISTRAR)
        assert refused_field(answer) == "licensee_credit_code"
        assert reason in answer.json()["invalid_params"][0]["reason"]
    # The center is not a party to a registration at itself (art. 10(7)), as on the forms:
    # neither in the act nor in a consent request drafted for the holder.
    own = grant_body(
        api,
        accounts,
        w3,
        asset_id,
        SCENARIO,
        licensee_name="登记机构",
        licensee_credit_code=CENTER_CODE,
    )
    for path, body in (
        ("/v1/rights", own),
        (
            "/v1/consent-requests",
            {**{k: v for k, v in own.items() if k != "consent"}, "act": "grant"},
        ),
    ):
        answer = api.post(path, body, Role.REGISTRAR)
        assert refused_field(answer) == "licensee_credit_code"
        assert answer.json()["type"].endswith("/center-as-party")
    # The console's grant form drafts through the same model: refused, naming the field.
    form = {
        "csrf": signed_in(api),
        "act": "grant",
        "asset_id": str(asset_id),
        "party": accounts.grantee.address,
        "scenario": SCENARIO,
        "expiry": "2030-12-31",
        "licensee_name": LICENSEE,
        "licensee_credit_code": MISTYPED,
    }
    console = api.client.post(
        "/console/consent", data=form, headers={"origin": str(api.client.base_url)}
    )
    assert console.status_code == 422
    assert "licensee_credit_code: the check character does not match" in console.text
    api.indexed()
    assert api.get(f"/v1/assets/{asset_id}/rights").json()["grants"] == []


def test_a_licence_on_a_grant_naming_none_records_the_centers_name_marked_as_not_on_chain(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3, tmp_path: Path
) -> None:
    asset_id = issued(api, registry, accounts, w3, "licensee-center")
    grant = grant_body(api, accounts, w3, asset_id, SCENARIO)
    confirmed(api, api.post("/v1/rights", grant, Role.REGISTRAR))
    mistyped = {
        **licence_body(accounts, asset_id, grant),
        "licensee_name": LICENSEE,
        "licensee_credit_code": MISTYPED,
    }
    assert refused_field(api.post("/v1/licences", mistyped, Role.REGISTRAR)) == (
        "licensee_credit_code"
    )
    named = {**mistyped, "licensee_credit_code": CODE}
    licence = confirmed(api, api.post("/v1/licences", named, Role.REGISTRAR))["result"][
        "certificate"
    ]
    api.indexed()
    recorded = {"name": LICENSEE, "kind": "legal_person", "credit_code": CODE, "source": "center"}
    (listed,) = api.get(f"/v1/assets/{asset_id}/rights").json()["grants"]
    assert listed["licensee"] == recorded
    assert api.get(f"/v1/certificates/{licence}").json()["licensee"] == recorded
    number = registry.certificates.number_of(registry.assets.get_asset(asset_id).certificate_id)
    flat = raw_text(api.get(f"/v1/certificates/{number}/pdf").content, tmp_path)
    assert LICENSEE + "被许可人licensee（登记机构记载，未经链上许可条款绑定" in flat
    assert "termsHash" not in flat  # no licensee here is bound by its terms
    page = api.get(f"/c/{licence}").text
    assert LICENSEE in page
    assert "未经链上绑定" in page
