"""Validation at the edge (issue 15, findings 4 and 8): every number bounded to its type and
written in ASCII digits, addresses with 0x, text bounded and plain, LIKE's wildcards taken as
written; an input the registry cannot take is a 4xx naming its field, never a 500."""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from registry.api.keys import Role
from registry.devtools import application, digest
from registry.fields import ascii_int, plain_text
from tests.api_support import Api, signed_in
from tests.conftest import Accounts
from tests.test_api_manifests import sample_manifest

NUMBER = "SJ3212026010001"  # well formed; no partner region issued it
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture(scope="module")
def receipt(mediated_api: Api) -> dict[str, Any]:
    """An anchored receipt, as the registry gives it."""
    data_hash = "0x" + digest("edge validation evidence").hex()
    mediated_api.post("/v1/evidence", {"hash": data_hash}, Role.REGISTRAR)
    deadline = time.monotonic() + 20
    while (found := mediated_api.get(f"/v1/evidence/{data_hash}").json())["status"] != "anchored":
        assert time.monotonic() < deadline, found
        time.sleep(0.1)
    return dict(found)


def named(response: Any, status: int = 422) -> set[str]:
    """The fields a problem+json answer names."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"]
    assert body["title"]
    return {p["name"] for p in body["invalid_params"]}


def with_file_size(size: Any) -> dict[str, Any]:
    manifest = sample_manifest()
    manifest["files"][0]["size"] = size
    return manifest


@pytest.mark.parametrize("size", [2**53, 2**64, 2**256, 2**300, -1, 1.5, "12"])
def test_manifest_file_size_past_2_53_or_uint256_is_refused_naming_it(
    mediated_api: Api, size: Any
) -> None:
    answer = mediated_api.post("/v1/manifests", with_file_size(size), Role.HOLDER)
    assert named(answer) == {"files.0.size"}


def test_manifest_file_size_up_to_2_53_is_published(mediated_api: Api) -> None:
    answer = mediated_api.post("/v1/manifests", with_file_size(2**53 - 1), Role.HOLDER)
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("block_time", [2**70, "1577836800", [1577836800], 1.5e9, True])
def test_receipt_block_time_not_a_uint64_is_refused_naming_it(
    mediated_api: Api, receipt: dict[str, Any], block_time: Any
) -> None:
    answer = mediated_api.post("/v1/verify", {"receipt": {**receipt, "block_time": block_time}})
    assert named(answer) == {"receipt.block_time"}


@pytest.mark.parametrize("chain_id", ["Infinity", "-Infinity", "NaN", '"３１３３７"', '"31337"'])
def test_receipt_chain_id_not_a_json_integer_is_refused_naming_it(
    mediated_api: Api, receipt: dict[str, Any], chain_id: str
) -> None:
    """Infinity and NaN are what Python's JSON parser reads beyond JSON; a full-width 31337
    is what ``int`` reads as 31337."""
    body = json.dumps({"receipt": {**receipt, "chain_id": 0}}).replace(
        '"chain_id": 0', f'"chain_id": {chain_id}'
    )
    answer = mediated_api.client.post(
        "/v1/verify", content=body, headers={"content-type": "application/json"}
    )
    assert named(answer) == {"receipt.chain_id"}


@pytest.mark.parametrize(
    ("member", "deep"),
    [
        ("error", '{"a": ' * 900 + "1" + "}" * 900),
        ("proof", "[" * 900 + "]" * 900),
        ("extra", "[" * 900 + "]" * 900),
    ],
)
def test_receipt_member_nested_900_deep_is_refused_naming_it(
    mediated_api: Api, receipt: dict[str, Any], member: str, deep: str
) -> None:
    body = json.dumps({"receipt": {**receipt, member: 0}}).replace(
        f'"{member}": 0', f'"{member}": {deep}'
    )
    answer = mediated_api.client.post(
        "/v1/verify", content=body, headers={"content-type": "application/json"}
    )
    assert {n.startswith(f"receipt.{member}") for n in named(answer)} == {True}


def test_genuine_receipt_still_verifies(mediated_api: Api, receipt: dict[str, Any]) -> None:
    report = mediated_api.post("/v1/verify", {"receipt": receipt})
    assert report.status_code == 200, report.text
    assert report.json()["verified"], report.json()


@pytest.mark.parametrize(
    "number",
    [
        "ABCDEFGHIJKLMNO",
        "数据产权登记证书编号一二三四五",
        NUMBER.translate(FULL_WIDTH),
        "2026013702000000017",  # the 19-character number before the national guide
        "SJ3702026130001",  # month 13
        "SJ9902026010001",  # no province 99
    ],
)
def test_certificate_number_not_sj_and_13_ascii_digits_is_refused_by_recognition(
    mediated_api: Api, number: str
) -> None:
    assert named(mediated_api.get(f"/v1/recognitions/370000/{number}")) == {"path.number"}
    assert named(mediated_api.client.post(f"/v1/recognitions/370000/{number}/recheck")) == {
        "path.number"
    }
    batch = mediated_api.post(
        "/v1/recognitions/batch", {"items": [{"region": 370000, "number": number}]}
    )
    assert named(batch) == {"items.0.number"}
    page = mediated_api.get(f"/recognitions/370000/{number}")
    assert page.status_code == 422, page.text
    recheck = mediated_api.client.post(f"/recognitions/370000/{number}/recheck")
    assert recheck.status_code == 422, recheck.text


@pytest.mark.parametrize("region", [10**23, -5, 2**256, "３７００００", "²"])
def test_region_out_of_range_or_other_digits_is_refused_by_recognition(
    mediated_api: Api, region: Any
) -> None:
    assert named(mediated_api.get(f"/v1/recognitions/{region}/{NUMBER}")) == {"path.region"}
    assert named(mediated_api.get(f"/recognitions/{region}/{NUMBER}")) == {"path.region"}
    recheck = mediated_api.client.post(f"/recognitions/{region}/{NUMBER}/recheck")
    assert named(recheck) == {"path.region"}
    batch = mediated_api.post(
        "/v1/recognitions/batch", {"items": [{"region": region, "number": NUMBER}]}
    )
    assert named(batch) == {"items.0.region"}


@pytest.mark.parametrize("region", ["²", "３７０２００", "٣٧٠٢٠٠", "9" * 30, "-370200", "0x5a618"])
def test_register_region_not_in_ascii_digits_or_range_is_a_form_error(
    mediated_api: Api, region: str
) -> None:
    page = mediated_api.get("/", region=region, lang="en")
    assert page.status_code == 200, page.text
    assert "Region code: GB/T 2260" in page.text


@pytest.mark.parametrize("after", [2**63, 10**30, -1, "²", "３"])
def test_register_after_past_sqlite_integers_is_refused_naming_it(
    mediated_api: Api, after: Any
) -> None:
    assert named(mediated_api.get("/", after=after)) == {"query.after"}


@pytest.mark.parametrize("csrf", ["数据产权", "🔑", "é" * 40])
def test_csrf_field_beyond_ascii_is_refused_as_a_wrong_token(mediated_api: Api, csrf: str) -> None:
    signed_in(mediated_api)
    client = mediated_api.client
    act = client.post(
        "/console/act?lang=en", data={"action": "issue", "asset_id": "1", "csrf": csrf}
    )
    assert act.status_code == 403, act.text
    assert "The form expired" in act.text
    out = client.post("/console/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303, out.text


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("name_zh",), "数据\x00集"),
        (("description",), "清单\u202egnp.exe"),
        (("holder", "name_en"), "Qingdao\u2066 Port"),
        (("fields", 0, "unit"), "TEU\x1b[31m"),
        (("samples", 0, "terminal"), "前湾\u200f"),
        (("holder", "name_en"), "x" * 1_000_000),
        (("description",), "描述" * 1001),
        (("fields", 0, "format"), "Y" * 201),
    ],
)
def test_manifest_text_too_long_or_with_nul_or_bidi_controls_is_refused_naming_it(
    mediated_api: Api, path: tuple[Any, ...], value: str
) -> None:
    manifest = sample_manifest()
    inner = manifest
    for key in path[:-1]:
        inner = inner[key]
    inner[path[-1]] = value
    answer = mediated_api.post("/v1/manifests", manifest, Role.HOLDER)
    if answer.status_code == 413:  # a body limit refused it before any field was read
        return
    assert named(answer) == {".".join(str(p) for p in path)}


def test_application_names_with_controls_are_refused_naming_them(mediated_api: Api) -> None:
    body = {
        "holders": [
            {
                "account": "0x15d34AAf54267DB7D7c367839aaf71A00a2C6A65",
                "rights": ["holding"],
                "identity_hash": "0x" + "44" * 32,
            }
        ],
        "region": 370200,
        "classification": "general",
        "manifest_hash": "0x" + "11" * 32,
        "manifest_cid": "0x" + "22" * 32,
        "name_zh": "港口\u202e数据",
        "name_en": "Port\x00",
        "consent": {},
    }
    assert named(mediated_api.post("/v1/assets", body, Role.REGISTRAR)) == {"name_zh", "name_en"}


def test_addresses_without_0x_are_refused_naming_them(mediated_api: Api) -> None:
    manifest = sample_manifest()
    manifest["holder"]["account"] = manifest["holder"]["account"].removeprefix("0x")
    assert named(mediated_api.post("/v1/manifests", manifest, Role.HOLDER)) == {"holder.account"}
    body = {
        "holders": [
            {
                "account": "15d34AAf54267DB7D7c367839aaf71A00a2C6A65",
                "rights": ["holding"],
                "identity_hash": "0x" + "44" * 32,
            }
        ],
        "region": 370200,
        "classification": "general",
        "manifest_hash": "0x" + "11" * 32,
        "manifest_cid": "0x" + "22" * 32,
        "consent": {},
    }
    assert named(mediated_api.post("/v1/assets", body, Role.REGISTRAR)) == {"holders.0.account"}
    pledge = mediated_api.post(
        "/v1/assets/1/pledge",
        {
            "pledgee": "15d34aaf54267db7d7c367839aaf71a00a2c6a65",
            "agreement_hash": "0x" + "33" * 32,
            "consent": {},
        },
        Role.REGISTRAR,
    )
    assert named(pledge) == {"pledgee"}


def test_search_matches_percent_and_underscore_as_written(
    mediated_api: Api, accounts: Accounts
) -> None:
    manifest = sample_manifest()
    manifest["identifier"] = "EDGE-LIKE-1"
    manifest["name_en"] = "Edge 100%_sample"
    published = mediated_api.post("/v1/manifests", manifest, Role.HOLDER)
    assert published.status_code == 201, published.text
    other = sample_manifest()
    other["identifier"] = "EDGE-LIKE-2"
    other["name_en"] = "Edge plain sample"
    published_other = mediated_api.post("/v1/manifests", other, Role.HOLDER)
    assert published_other.status_code == 201, published_other.text
    for found in (published.json(), published_other.json()):
        applied = dataclasses.replace(
            application(accounts.holder.address, "edge like"),
            manifest_hash=bytes.fromhex(found["manifest_hash"][2:]),
            manifest_cid=bytes.fromhex(found["manifest_cid"][2:]),
        )
        mediated_api.runtime.registry.assets.submit_application(accounts.holder, applied)
    mediated_api.indexed()

    def names(q: str) -> set[str]:
        answer = mediated_api.get("/v1/assets", q=q)
        assert answer.status_code == 200, answer.text
        return {a["name_en"] for a in answer.json()["items"]}

    assert names("Edge") == {"Edge 100%_sample", "Edge plain sample"}
    assert names("%") == {"Edge 100%_sample"}
    assert names("_") == {"Edge 100%_sample"}
    assert names("0%_s") == {"Edge 100%_sample"}
    assert names("e_p") == set()
    page = mediated_api.get("/", q="%", lang="en")
    assert page.status_code == 200
    assert "Edge 100%_sample" in page.text
    assert "Edge plain sample" not in page.text


def test_non_utf8_json_is_refused_naming_the_body(mediated_api: Api) -> None:
    answer = mediated_api.client.post(
        "/v1/verify",
        content='{"hash": "数据"}'.encode("gb18030"),
        headers={"content-type": "application/json"},
    )
    assert named(answer, 400) == {"body"}
    assert "UTF-8" in answer.json()["invalid_params"][0]["reason"]


@pytest.mark.parametrize("path", ["/v1/verify/file", "/v1/evidence/file", "/v1/reports/check"])
def test_multipart_without_boundary_is_refused_naming_the_body(
    mediated_api: Api, path: str
) -> None:
    answer = mediated_api.client.post(
        path,
        content=b"--x\r\ncontent-disposition: form-data; name=file\r\n\r\nabc\r\n--x--\r\n",
        headers={
            "content-type": "multipart/form-data",
            "authorization": f"Bearer {mediated_api.keys[Role.REGISTRAR]}",
        },
    )
    assert named(answer, 400) == {"body"}


def test_unparsable_json_names_the_body_and_where(mediated_api: Api) -> None:
    answer = mediated_api.client.post(
        "/v1/verify", content=b'{"hash": ', headers={"content-type": "application/json"}
    )
    assert named(answer) == {"body"}
    assert "at 9" in answer.json()["invalid_params"][0]["reason"]


def failing_app() -> FastAPI:
    """An app whose routes fail as no route should, behind the registry's catch-all."""
    from registry.api import problems

    app = FastAPI()
    problems.install(app)

    @app.get("/v1/fails")
    def fails() -> None:
        raise RuntimeError("a bug")

    @app.get("/a/fails")
    def page_fails() -> None:
        raise RuntimeError("a bug on a page")

    return app


def test_unexpected_exception_is_a_problem_500_with_an_error_id_that_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with TestClient(failing_app()) as client, caplog.at_level(logging.ERROR):
        answer = client.get("/v1/fails")
        assert answer.status_code == 500
        assert answer.headers["content-type"] == "application/problem+json"
        body = answer.json()
        assert body["type"].endswith("/internal-error")
        assert body["status"] == 500
        assert "a bug" not in answer.text
        page = client.get("/a/fails")
        assert page.status_code == 500
        assert page.headers["content-type"].startswith("text/html")
    logged = [r for r in caplog.records if r.name == "registry.api.problems"]
    assert body["error_id"] in logged[0].getMessage()
    assert logged[0].exc_info is not None
    assert "a bug" in str(logged[0].exc_info[1])
    assert any(r.exc_info and "on a page" in str(r.exc_info[1]) for r in logged)


def test_plain_text_refuses_controls_and_bidi_but_keeps_lines_and_chinese() -> None:
    assert plain_text("青岛港\n第二行\tTab") == "青岛港\n第二行\tTab"
    for bad in ("\x00", "a\u202eb", "\u2066", "\x7f", "\x9b", "\u061c"):
        with pytest.raises(ValueError, match="refused"):
            plain_text(bad)


def test_ascii_int_takes_only_ascii_digits_in_range() -> None:
    assert ascii_int("370200", 110000, 829999) == 370200
    for bad in ("²", "３７０２００", "٣٧٠٢٠٠", "-370200", "370200\n", " 370200", "1" * 400, ""):
        with pytest.raises(ValueError, match="ASCII digits"):
            ascii_int(bad, 110000, 829999)
