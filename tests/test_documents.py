"""Certificates and verification reports as documents people hold: PDFs rendered to PNG with
pdftoppm, their text read with pdftotext and their QR codes decoded with zbarimg; the public
certificate and verification pages; and every status (valid, revoked, expired, superseded)
shown the same in the page, the PDF, the credential and verification."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from web3 import Web3

from registry.certificates import status_list
from registry.certificates.numbers import format_number, parse_number
from registry.chain import Registry
from registry.devtools import transfer_whole
from tests.api_support import Api
from tests.conftest import DAY, Accounts, advance, h, past_notice
from tests.test_pages import applied

HOLDER_NAME = "青岛港智慧物流数据有限公司"
BASE = "http://testserver"


def issued_sample(api: Api, registry: Registry, accounts: Accounts, w3: Web3, variant: str) -> str:
    """A variant of the sample manifest published, applied for and issued; returns the
    certificate's number."""
    asset_id = applied(api, registry, accounts, "青岛港集装箱物流运营数据集", f"1.0-{variant}")
    assets = registry.assets
    assets.accept(accounts.reviewer, asset_id)
    assets.approve(accounts.reviewer, asset_id)
    past_notice(w3, registry, asset_id)
    assets.issue(accounts.registrar, asset_id)
    api.indexed()
    return registry.certificates.number_of(assets.get_asset(asset_id).certificate_id)


def pdf_facts(pdf: bytes, tmp_path: Path) -> tuple[str, list[str]]:
    """The PDF's text, and the QR codes on its pages, after checking no page is blank."""
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "110", "-png", source, tmp_path / "page"], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages
    codes: list[str] = []
    for page in pages:
        with Image.open(page) as image:
            low, _high = image.convert("L").getextrema()
            assert low < 128, f"{page.name} is blank"
        found = subprocess.run(
            ["zbarimg", "--quiet", "--raw", page], capture_output=True, text=True, check=False
        )
        codes += found.stdout.split()
    text = subprocess.run(
        ["pdftotext", "-layout", source, "-"], capture_output=True, text=True, check=True
    ).stdout
    return text, codes


def anchored(api: Api, data_hash: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        receipt = api.get(f"/v1/evidence/{data_hash}").json()
        if receipt.get("status") == "anchored" or time.monotonic() > deadline:
            return dict(receipt)
        time.sleep(0.1)


def status_everywhere(api: Api, number: str, tmp_path: Path) -> dict[str, str]:
    """The certificate's status as the page, the PDF, the credential and the API show it; the
    credential's as a verifier reads it: ``revoked`` when its bit in the revocation list is set
    (revoked, cancelled or superseded on chain), ``expired`` past its ``validUntil``."""
    page = api.get(f"/c/{number}")
    assert page.status_code == 200
    text, _codes = pdf_facts(api.get(f"/v1/certificates/{number}/pdf").content, tmp_path)
    api.indexed()
    credential = api.get(f"/v1/certificates/{number}/credential").json()
    entry = credential["credentialStatus"]
    listed = api.get(entry["statusListCredential"]).json()["credentialSubject"]["encodedList"]
    if status_list.is_set(listed, int(entry["statusListIndex"])):
        read = "revoked"
    elif datetime.fromisoformat(credential["validUntil"]).timestamp() <= api.runtime.context.now():
        read = "expired"
    else:
        read = "valid"
    return {
        "api": api.get(f"/v1/certificates/{number}").json()["status"],
        "credential": read,
        "page": page.text.split('id="status">')[1].split("<")[0],
        "pdf": next(line for line in text.splitlines() if "证书状态" in line or "Status" in line),
    }


def test_certificate_pdf_has_number_holder_and_qr(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3, tmp_path: Path
) -> None:
    number = issued_sample(api, registry, accounts, w3, "pdf")
    answer = api.get(f"/v1/certificates/{number}/pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    text, codes = pdf_facts(answer.content, tmp_path)
    assert number in text
    assert HOLDER_NAME in text
    assert "数据持有权" in text
    assert codes == [f"{BASE}/c/{number}"]
    # The same content gives the same document: its bytes up to the signature's incremental
    # update (which holds the signing time, so differs each time) can be compared.
    again = api.get(f"/v1/certificates/{number}/pdf").content
    assert unsigned(again) == unsigned(answer.content)


def unsigned(pdf: bytes) -> bytes:
    """The PDF as rendered, before the signature appended to it as an incremental update."""
    end = pdf.index(b"%%EOF") + len(b"%%EOF")
    assert len(pdf) > end + 1000, "no signature appended"
    return pdf[:end]


def test_certificate_page_shows_the_record(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3
) -> None:
    number = issued_sample(api, registry, accounts, w3, "page")
    page = api.get(f"/c/{number}")
    assert page.status_code == 200
    assert HOLDER_NAME in page.text
    assert "有效" in page.text
    csp = page.headers["content-security-policy"]
    assert "unsafe-inline" not in csp
    assert "default-src 'none'" in csp
    english = api.get(f"/c/{number}", lang="en")
    assert "Qingdao Port Smart Logistics Data Co., Ltd." in english.text
    assert '<html lang="en">' in english.text
    unknown = api.get(f"/c/{format_number(parse_number(number) + 999)}")
    assert unknown.status_code == 404


def test_verification_report_is_signed_and_links_the_record(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3, tmp_path: Path
) -> None:
    number = issued_sample(api, registry, accounts, w3, "report")
    manifest_hash = api.get(f"/v1/certificates/{number}/credential").json()["credentialSubject"][
        "manifestHash"
    ]
    assert anchored(api, manifest_hash)["status"] == "anchored"

    page = api.get("/verify", hash=manifest_hash)
    assert page.status_code == 200
    assert 'class="verdict pass"' in page.text
    assert number in page.text

    issued = api.post("/v1/verify/report", {"hash": manifest_hash})
    assert issued.status_code == 201, issued.text
    body = issued.json()
    assert body["verified"] is True
    pdf = api.get(body["pdf"]).content
    assert hashlib.sha256(pdf).hexdigest() == body["id"]
    text, codes = pdf_facts(pdf, tmp_path)
    assert "电子数据存证核验报告" in text
    assert "merkle_proof" in text
    assert number in text
    assert HOLDER_NAME in text
    assert body["report_hash"] in text.replace("\n", "")
    assert codes == [f"{BASE}/verify?hash={manifest_hash.lower()}"]

    signature = api.get(body["signature"]).json()
    assert signature["signature"]["signer"] == accounts.registrar.address

    def check(data: bytes) -> dict[str, Any]:
        answer = api.client.post(
            "/v1/reports/check",
            files={"file": ("report.pdf", data, "application/pdf")},
            data={"signature": json.dumps(signature)},
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    assert check(pdf)["authentic"] is True
    altered = bytearray(pdf)
    altered[len(altered) // 2] ^= 0x01
    result = check(bytes(altered))
    assert result["authentic"] is False
    assert result["checks"]["file_unaltered"] is False


def test_report_of_a_tampered_receipt_names_the_failed_check(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3, tmp_path: Path
) -> None:
    number = issued_sample(api, registry, accounts, w3, "tampered")
    subject = api.get(f"/v1/certificates/{number}/credential").json()["credentialSubject"]
    receipt = anchored(api, subject["manifestHash"])
    receipt["root"] = "0x" + "00" * 32
    body = api.post("/v1/verify/report", {"receipt": receipt}).json()
    assert body["verified"] is False
    text, _codes = pdf_facts(api.get(body["pdf"]).content, tmp_path)
    assert "未通过" in text
    assert "merkle_proof" in text


def test_revoked_certificate_shows_revoked_everywhere(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3, tmp_path: Path
) -> None:
    number = issued_sample(api, registry, accounts, w3, "revoked")
    assert status_everywhere(api, number, tmp_path)["credential"] == "valid"
    asset_id = int(api.get(f"/v1/certificates/{number}").json()["asset_id"])
    registry.assets.revoke(accounts.registrar, asset_id, h("court order"))
    shown = status_everywhere(api, number, tmp_path)
    assert shown["api"] == shown["credential"] == "revoked"
    assert shown["page"] == "已撤销"
    assert "已撤销" in shown["pdf"]
    manifest_hash = api.get(f"/v1/certificates/{number}/credential").json()["credentialSubject"][
        "manifestHash"
    ]
    anchored(api, manifest_hash)
    linked = api.post("/v1/verify", {"hash": manifest_hash}).json()["linked"]
    assert [item["certificate"]["status_now"] for item in linked] == ["revoked"]


def test_superseded_certificate_points_to_its_successor(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3, tmp_path: Path
) -> None:
    number = issued_sample(api, registry, accounts, w3, "superseded")
    asset_id = int(api.get(f"/v1/certificates/{number}").json()["asset_id"])
    transfer_whole(registry.assets, accounts.registrar, asset_id, accounts.holder, accounts.holder2)
    api.indexed()
    shown = status_everywhere(api, number, tmp_path)
    assert shown["api"] == "superseded"
    assert shown["credential"] == "revoked"
    assert shown["page"] == "已被替代"
    assert "已被替代" in shown["pdf"]
    successor = registry.certificates.number_of(registry.assets.get_asset(asset_id).certificate_id)
    page = api.get(f"/c/{number}").text
    assert f"/c/{successor}" in page
    assert status_everywhere(api, successor, tmp_path)["api"] == "valid"


def test_expired_certificate_shows_expired_everywhere(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3, tmp_path: Path
) -> None:
    number = issued_sample(api, registry, accounts, w3, "expired")
    advance(w3, registry.assets.validity_period() + DAY)
    shown = status_everywhere(api, number, tmp_path)
    assert shown["api"] == shown["credential"] == "expired"
    assert shown["page"] == "已过期"
    assert "已过期" in shown["pdf"]


@pytest.mark.parametrize(
    ("query", "status"),
    [({"hash": "0x12"}, 422), ({"number": "nope"}, 422), ({"hash": "0x" + "ab" * 32}, 404)],
)
def test_verify_page_explains_bad_input(api: Api, query: dict[str, str], status: int) -> None:
    page = api.get("/verify", **query)
    assert page.status_code == status
    assert 'role="alert"' in page.text
