"""Manifests through the API: published into the content store as canonical JSON, fetched back
by CID as the very bytes whose SHA-256 goes on chain, and found by name once applied for."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from registry.api.keys import Role
from registry.content import Cid
from registry.content.manifest import build_manifest
from tests.api_support import Api
from tests.conftest import ROOT

SAMPLE = ROOT / "samples" / "qingdao-port-logistics"


def sample_manifest() -> dict[str, Any]:
    meta = json.loads(SAMPLE.with_suffix(".meta.json").read_text(encoding="utf-8"))
    return build_manifest(SAMPLE, meta).model_dump(mode="json")


def test_publish_stores_the_canonical_bytes(api: Api) -> None:
    manifest = sample_manifest()
    answer = api.post("/v1/manifests", manifest, Role.HOLDER)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert answer.headers["location"] == f"/v1/manifests/{body['cid']}"
    stored = api.get(f"/v1/manifests/{body['cid']}")
    assert stored.status_code == 200
    assert "0x" + hashlib.sha256(stored.content).hexdigest() == body["manifest_hash"]
    assert json.loads(stored.content) == manifest
    cid = Cid.parse(body["cid"])
    assert (cid.version, cid.codec) == (1, body["cid_codec"])
    assert "0x" + cid.digest.hex() == body["manifest_cid"]
    assert api.post("/v1/manifests", manifest, Role.REGISTRAR).json() == body
    for evidence in [body["manifest_hash"], *("0x" + f["sha256"] for f in manifest["files"])]:
        receipt = api.get(f"/v1/evidence/{evidence}").json()
        assert receipt["status"] in ("queued", "batched", "sent", "anchored")
        assert "manifest" in receipt["submitter"]


def test_invalid_manifest_names_the_fields(api: Api) -> None:
    manifest = sample_manifest()
    manifest["holder"]["credit_code"] = "91370200MA3C0000X0"
    manifest["classification"] = "core"
    answer = api.post("/v1/manifests", manifest, Role.HOLDER)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    names = {p["name"] for p in answer.json()["invalid_params"]}
    assert names == {"holder.credit_code", "classification"}


def test_publish_needs_a_holder_or_registrar_key(api: Api) -> None:
    assert api.post("/v1/manifests", sample_manifest()).status_code == 401
    assert api.post("/v1/manifests", sample_manifest(), Role.AUDITOR).status_code == 403


@pytest.mark.parametrize(
    ("cid", "status"),
    [
        ("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", 404),
        ("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH", 404),
        ("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk!", 422),
        ("x" * 50, 422),
    ],
)
def test_bad_or_unknown_cid_is_a_problem(api: Api, cid: str, status: int) -> None:
    answer = api.get(f"/v1/manifests/{cid}")
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
