"""Annotations (备注, guide art. 23): each kind recorded and lifted by the registrar, on chain
and through the API; a seizure (查封) blocks transfer, change and cancellation until the last
one is lifted, which only a registrar does and only on a document; and every annotation shows
on the asset page, the certificate page and PDF, the console and in verification."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from web3 import Web3

from registry.api.keys import Role
from registry.api.models import ConsentIn
from registry.chain import Registry
from registry.chain.deploy import MODULE, REGISTRAR
from registry.chain.signing import fresh_nonce, message_of, sign
from registry.chain.types import ZERO32, AnnotationKind, Status, TransferShare
from registry.devtools import FAR_DEADLINE
from tests.api_support import Api, signed_in, until
from tests.conftest import (
    Accounts,
    Flow,
    assert_emitted,
    h,
    last_receipt,
    now,
    past_notice,
    reverts,
)
from tests.test_api import confirmed
from tests.test_documents import anchored, pdf_facts
from tests.test_lifecycle import act, in_state
from tests.test_pages import applied

COURT = "山东省青岛市中级人民法院"
RULING = "(2026)鲁02执保123号"
LIFTING = "(2026)鲁02执保123号之一"
BY_AUTHORITY = (AnnotationKind.SEIZURE, AnnotationKind.ADMINISTRATIVE_CONTROL)


def note(kind: AnnotationKind, text: str = "annotated") -> tuple[Any, ...]:
    """``annotate``'s arguments after the asset: an authority's kinds name it and its document."""
    if kind in BY_AUTHORITY:
        return (kind, h("authority"), h("document"), h(text))
    return (kind, ZERO32, ZERO32, h(text))


def sha(text: str) -> str:
    return "0x" + hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- on chain


def test_annotate_records_every_kind_with_who_when_and_its_event(flow: Flow) -> None:
    n, acc = flow.registry.annotations, flow.accounts
    asset_id = flow.issued()
    for i, kind in enumerate(AnnotationKind, start=1):
        receipt = n.annotate_tx(acc.registrar, asset_id, *note(kind))
        annotation_id = asset_id * 1000 + i
        assert_emitted(
            receipt,
            n,
            "AnnotationRecorded",
            annotationId=annotation_id,
            assetId=asset_id,
            kind=kind,
            recordedBy=acc.registrar.address,
            authorityHash=note(kind)[1],
            documentHash=note(kind)[2],
            textHash=h("annotated"),
        )
        got = n.get_annotation(annotation_id)
        assert (got.asset_id, got.kind, got.recorded_by) == (asset_id, kind, acc.registrar.address)
        assert got.recorded_at == now(flow.w3)
        assert (int(got.lifted_by, 16), got.lifted_at) == (0, 0)
    ids = n.annotations_of(asset_id)
    assert ids == [asset_id * 1000 + i for i in range(1, len(AnnotationKind) + 1)]
    assert n.seizures_of(asset_id) == 1
    assert n.get_annotation(asset_id * 1000 + 99).recorded_at == 0
    assert n.annotations_of(asset_id + 1) == []


def test_annotate_refused_without_text_or_authority_on_a_closed_asset_or_to_non_registrar(
    flow: Flow,
) -> None:
    n, acc = flow.registry.annotations, flow.accounts
    asset_id = flow.issued()
    with reverts("AccessControlUnauthorizedAccount", acc.reviewer.address, REGISTRAR):
        n.annotate(acc.reviewer, asset_id, *note(AnnotationKind.OTHER))
    with reverts("EmptyAnnotation", asset_id):
        n.annotate(acc.registrar, asset_id, AnnotationKind.OTHER, ZERO32, ZERO32, ZERO32)
    for kind in BY_AUTHORITY:
        with reverts("MissingAuthority", asset_id, kind):
            n.annotate(acc.registrar, asset_id, kind, h("authority"), ZERO32, h("t"))
        with reverts("MissingAuthority", asset_id, kind):
            n.annotate(acc.registrar, asset_id, kind, ZERO32, h("document"), h("t"))
    with reverts("UnknownAsset", 999):
        n.annotate(acc.registrar, 999, *note(AnnotationKind.OTHER))
    with reverts("UnknownAsset", 999):
        n.annotate(acc.registrar, 999, *note(AnnotationKind.SEIZURE))
    for state in ("rejected", "cancelled", "revoked"):
        closed = in_state(flow, state)
        status = flow.registry.assets.get_asset(closed).status
        for kind in (AnnotationKind.SEIZURE, AnnotationKind.AGREED_LIMIT):
            with reverts("InvalidTransition", closed, status):
                n.annotate(acc.registrar, closed, *note(kind))
    assert n.annotations_of(asset_id) == []


def test_only_the_annotations_module_sets_the_frozen_bit(flow: Flow) -> None:
    asset_id = flow.issued()
    registrar = flow.accounts.registrar
    with reverts("AccessControlUnauthorizedAccount", registrar.address, MODULE):
        flow.registry.assets._send(registrar, "setFrozen", asset_id, True)


def test_lift_refused_to_a_non_registrar_without_its_document_unknown_or_twice(
    flow: Flow,
) -> None:
    n, acc = flow.registry.annotations, flow.accounts
    asset_id = flow.issued()
    seizure = flow.seize(asset_id)
    with reverts("AccessControlUnauthorizedAccount", acc.reviewer.address, REGISTRAR):
        n.lift(acc.reviewer, seizure, h("lifted"))
    with reverts("AccessControlUnauthorizedAccount", acc.holder.address, REGISTRAR):
        n.lift(acc.holder, seizure, h("lifted"))
    with reverts("MissingLiftDocument", seizure):
        n.lift(acc.registrar, seizure, ZERO32)
    with reverts("UnknownAnnotation", seizure + 1):
        n.lift(acc.registrar, seizure + 1, h("lifted"))
    assert flow.registry.assets.get_asset(asset_id).frozen
    receipt = n.lift(acc.registrar, seizure, h("lifted"))
    assert_emitted(
        receipt,
        n,
        "AnnotationLifted",
        annotationId=seizure,
        assetId=asset_id,
        liftedBy=acc.registrar.address,
        documentHash=h("lifted"),
    )
    lifted = n.get_annotation(seizure)
    assert (lifted.lifted_by, lifted.lifted_at) == (acc.registrar.address, now(flow.w3))
    with reverts("AlreadyLifted", seizure, lifted.lifted_at):
        n.lift(acc.registrar, seizure, h("lifted"))
    assert not flow.registry.assets.get_asset(asset_id).frozen


def test_seizure_blocks_transfer_change_pledge_and_cancel_until_the_last_is_lifted(
    flow: Flow,
) -> None:
    """Two seizures at once (轮候查封): lifting the first leaves the asset seized."""
    a = flow.registry.assets
    asset_id = flow.issued()
    limit = flow.registry.annotations.annotate(
        flow.accounts.registrar, asset_id, *note(AnnotationKind.AGREED_LIMIT)
    )
    assert a.standing_of(asset_id).frozen is False  # an agreed limit blocks nothing
    first = flow.seize(asset_id, "ruling 1")
    assert_emitted(last_receipt(flow.w3), a, "FrozenChanged", assetId=asset_id, frozen=True)
    second = flow.seize(asset_id, "ruling 2")
    assert a.events(last_receipt(flow.w3), "FrozenChanged") == []  # frozen already
    assert a.standing_of(asset_id).frozen
    for name in ("change", "transfer", "pledge", "cancel"):
        with reverts("Frozen", asset_id):
            act(flow, name, asset_id)
    assert a.events(flow.lift(first), "FrozenChanged") == []
    assert flow.registry.annotations.seizures_of(asset_id) == 1
    for name in ("change", "transfer", "cancel"):
        with reverts("Frozen", asset_id):
            act(flow, name, asset_id)
    flow.lift(limit)
    assert a.standing_of(asset_id).frozen
    receipt = flow.lift(second)
    assert_emitted(receipt, a, "FrozenChanged", assetId=asset_id, frozen=False)
    assert not a.standing_of(asset_id).frozen
    act(flow, "change", asset_id)
    act(flow, "cancel", asset_id)
    assert a.get_asset(asset_id).status == Status.CANCELLED
    # A cancelled registration takes no new seizure.
    with reverts("InvalidTransition", asset_id, Status.CANCELLED):
        flow.seize(asset_id)


# ---------------------------------------------------------------- through the API


def annotate(api: Api, asset_id: int, body: dict[str, Any]) -> int:
    op = confirmed(api, api.post(f"/v1/assets/{asset_id}/annotations", body, Role.REGISTRAR))
    return int(op["result"]["annotation_id"])


SEIZURE = {"kind": "seizure", "authority": COURT, "document_number": RULING, "text": "查封全部权利"}


def test_api_annotates_each_kind_and_lists_them_with_a_seizures_authority(
    api: Api, flow: Flow
) -> None:
    asset_id = flow.issued("api-annotations")
    bodies = {
        "agreed_limit": {"kind": "agreed_limit", "text": "仅限境内使用，至2027年底"},
        "seizure": SEIZURE,
        "administrative_control": {
            "kind": "administrative_control",
            "authority": "青岛市数据局",
            "document_number": "青数管〔2026〕7号",
            "text": "暂停对外提供",
        },
        "required_by_law": {"kind": "required_by_law", "text": "含个人信息，依法记载"},
        "other": {"kind": "other", "text": "登记机构认为必要的事项"},
    }
    ids = {kind: annotate(api, asset_id, body) for kind, body in bodies.items()}
    assert list(ids.values()) == [asset_id * 1000 + i for i in range(1, 6)]
    api.indexed()
    listed = api.get(f"/v1/assets/{asset_id}/annotations").json()
    assert [n["kind_name"] for n in listed] == list(bodies)
    by_kind = {n["kind_name"]: n for n in listed}
    seizure = by_kind["seizure"]
    assert (seizure["authority"], seizure["document_number"]) == (COURT, RULING)
    assert seizure["authority_hash"] == sha(COURT)
    assert seizure["document_hash"] == sha(RULING)
    assert seizure["text_hash"] == sha(SEIZURE["text"])
    assert seizure["recorded_by"] == flow.accounts.registrar.address
    assert seizure["in_force"] is True
    # Only a seizure's authority and document number are public; no annotation's text is.
    for kind in ("agreed_limit", "administrative_control", "required_by_law", "other"):
        assert (by_kind[kind]["authority"], by_kind[kind]["document_number"]) == (None, None)
    assert by_kind["agreed_limit"]["authority_hash"] == "0x" + "00" * 32
    assert "仅限境内使用" not in api.get(f"/v1/assets/{asset_id}/annotations").text
    asset = api.get(f"/v1/assets/{asset_id}").json()
    assert asset["frozen"] is True
    assert [n["annotation_id"] for n in asset["annotations"]] == list(ids.values())
    missing = api.post(
        f"/v1/assets/{asset_id}/annotations", {"kind": "seizure", "text": "x"}, Role.REGISTRAR
    )
    assert missing.status_code == 422, missing.text
    refused = api.post(f"/v1/assets/{asset_id}/annotations", SEIZURE, Role.REVIEWER)
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/wrong-role")


def test_api_seizure_blocks_transfer_change_and_cancel_until_lifted_on_its_document(
    api: Api, flow: Flow, registry: Registry, accounts: Accounts
) -> None:
    asset_id = flow.issued("api-seizure")
    assets = registry.assets

    def consent(primary: str, **fields: Any) -> dict[str, Any]:
        message = {"assetId": asset_id, **fields, "nonce": fresh_nonce()}
        signed = sign(accounts.holder, assets.domain(), primary, message, FAR_DEADLINE)
        return ConsentIn.of(signed).model_dump(mode="json")

    agreement = h("api-seizure-deal")

    def transfer_body() -> dict[str, Any]:
        """The holder's application to transfer all to holder2, both signing (art. 34)."""
        share = TransferShare(accounts.holder.address, accounts.holder2.address, 7, h("id:2"))
        message = {
            **message_of("Transfer", (asset_id, [share.to_abi()], agreement)),
            "nonce": fresh_nonce(),
        }
        mine, theirs = (
            sign(signer, assets.domain(), "Transfer", message, FAR_DEADLINE)
            for signer in (accounts.holder, accounts.holder2)
        )
        return {
            "shares": [
                {
                    "transferor": share.from_,
                    "transferee": share.to,
                    "rights": ["holding", "processing", "operating"],
                    "identity_hash": "0x" + share.identity_hash.hex(),
                }
            ],
            "agreement_hash": "0x" + agreement.hex(),
            "consent": ConsentIn.of(mine).model_dump(mode="json"),
            "co_signatures": ["0x" + theirs.signature.hex()],
        }

    manifest, cid = h("api-seizure-v2"), h("cid:api-seizure-v2")
    acts = {
        "change": lambda: {
            "manifest_hash": "0x" + manifest.hex(),
            "manifest_cid": "0x" + cid.hex(),
            "cid_codec": 85,
            "consent": consent("Change", manifestHash=manifest, manifestCid=cid, cidCodec=85),
        },
        "transfers": lambda: transfer_body(),
        "cancel": lambda: {"consent": consent("Cancel")},
    }
    seizure = annotate(api, asset_id, SEIZURE)
    for name, body in acts.items():
        refused = api.post(f"/v1/assets/{asset_id}/{name}", body(), Role.REGISTRAR)
        assert refused.status_code == 409, (name, refused.text)
        problem = refused.json()
        assert problem["type"].endswith("/contract/Frozen"), name
        assert (problem["rule"], problem["args"]) == ("Frozen", [asset_id]), name

    lift = f"/v1/annotations/{seizure}/lift"
    refused = api.post(lift, {"document_number": LIFTING}, Role.REVIEWER)
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/wrong-role")
    assert api.client.post(lift, json={"document_number": LIFTING}).status_code == 401
    for body in ({}, {"document_number": ""}):
        missing = api.post(lift, body, Role.REGISTRAR)
        assert missing.status_code == 422, missing.text
        params = missing.json()["invalid_params"]
        assert any("document_number" in p["name"] for p in params), params
    unknown = api.post(
        f"/v1/annotations/{seizure + 1}/lift", {"document_number": LIFTING}, Role.REGISTRAR
    )
    assert unknown.status_code == 404
    assert unknown.json()["type"].endswith("/contract/UnknownAnnotation")
    confirmed(api, api.post(lift, {"document_number": LIFTING}, Role.REGISTRAR))
    again = api.post(lift, {"document_number": LIFTING}, Role.REGISTRAR)
    assert again.status_code == 409
    assert again.json()["rule"] == "AlreadyLifted"

    for name, body in acts.items():
        confirmed(api, api.post(f"/v1/assets/{asset_id}/{name}", body(), Role.REGISTRAR))
    assert assets.get_asset(asset_id).status == Status.CANCELLED
    api.indexed()
    (lifted,) = api.get(f"/v1/assets/{asset_id}/annotations").json()
    assert lifted["in_force"] is False
    assert lifted["lift_document_hash"] == sha(LIFTING)
    assert lifted["lifted_by"] == accounts.registrar.address


def test_annotations_show_on_the_pages_the_pdf_and_in_verification(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3, tmp_path: Path
) -> None:
    # Every registrar act through the API: its writer owns the registrar key's nonces.
    asset_id = applied(api, registry, accounts, "青岛港集装箱物流运营数据集", "1.0-annotations")
    registry.assets.accept(accounts.reviewer, asset_id)  # the reviewer's key, not the API's
    registry.assets.approve(accounts.reviewer, asset_id)
    past_notice(w3, registry, asset_id)
    op = confirmed(api, api.post(f"/v1/assets/{asset_id}/issue", None, Role.REGISTRAR))
    number = op["result"]["certificate"]
    limit = annotate(api, asset_id, {"kind": "agreed_limit", "text": "仅限境内使用"})
    seizure = annotate(api, asset_id, SEIZURE)
    api.indexed()

    def shown(html: str) -> list[str]:
        rows = re.findall(r'<tr data-annotation="(\d+)">(.*?)</tr>', html, re.S)
        return [f"{i} {' '.join(re.sub(r'<[^>]+>', ' ', row).split())}" for i, row in rows]

    asset_page = shown(api.get(f"/a/{asset_id}").text)
    cert_page = shown(api.get(f"/c/{number}").text)
    for page in (asset_page, cert_page):
        assert len(page) == 2
        assert page[0].startswith(f"{limit} 约定的期限或行使条件限制 #{limit}")
        assert "仅限境内使用" not in page[0]
        assert page[1].startswith(f"{seizure} 查封或其他保全措施 #{seizure}")
        assert f"{COURT} {RULING}" in page[1]
        assert "有效" in page[1]
    assert "已被查封" in api.get(f"/a/{asset_id}").text
    english = shown(api.get(f"/c/{number}", lang="en").text)
    assert "Seizure or other preservation" in english[1]

    text, _codes = pdf_facts(api.get(f"/v1/certificates/{number}/pdf").content, tmp_path)
    flat = " ".join(text.split())
    notes = flat[flat.index("备注 Annotations") :]
    # The table's narrow first column wraps the kinds' names; the facts are whole.
    assert f"#{limit} 有效 in force agreed_limit" in notes
    assert f"{COURT} {RULING} #{seizure} 有效 in force seizure" in notes
    assert "仅限境内使用" not in flat
    assert "（北京时间 UTC+08:00）" in notes
    assert "UTC " not in flat

    manifest_hash = api.get(f"/v1/certificates/{number}/credential").json()["credentialSubject"][
        "manifestHash"
    ]
    assert anchored(api, manifest_hash)["status"] == "anchored"
    (linked,) = api.post("/v1/verify", {"hash": manifest_hash}).json()["linked"]
    notes = {n["annotation_id"]: n for n in linked["annotations"]}
    assert set(notes) == {limit, seizure}
    assert notes[seizure]["kind_name"] == "seizure"
    assert (notes[seizure]["authority"], notes[seizure]["document_number"]) == (COURT, RULING)
    assert notes[seizure]["in_force"] is True
    assert notes[limit]["authority"] is None
    subject = api.get(f"/v1/certificates/{number}/credential").json()["credentialSubject"]
    assert [n["annotation_id"] for n in subject["annotations"]] == [limit, seizure]
    assert subject["annotations"][1]["document_number"] == RULING
    issued = api.post("/v1/verify/report", {"hash": manifest_hash}).json()
    (tmp_path / "report").mkdir()
    report, _ = pdf_facts(api.get(issued["pdf"]).content, tmp_path / "report")
    assert f"备注 #{seizure}" in " ".join(report.split())

    confirmed(
        api,
        api.post(f"/v1/annotations/{seizure}/lift", {"document_number": LIFTING}, Role.REGISTRAR),
    )
    api.indexed()
    lifted = shown(api.get(f"/c/{number}").text)[1]
    assert "已解除" in lifted
    assert "已被查封" not in api.get(f"/a/{asset_id}").text


def test_console_annotates_and_lifts_a_seizure(api: Api, flow: Flow) -> None:
    asset_id = flow.issued("console-annotations")
    api.indexed()
    csrf = signed_in(api)
    base = {"csrf": csrf, "asset_id": str(asset_id)}
    incomplete = api.client.post(
        "/console/act", data={**base, "action": "annotate", "kind": "seizure", "text": "x"}
    )
    assert incomplete.status_code == 422
    form = {
        **base,
        "action": "annotate",
        "kind": "seizure",
        "authority": COURT,
        "document_number": RULING,
        "text": "查封",
    }
    done = api.client.post("/console/act", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    seizure = asset_id * 1000 + 1
    until(lambda: flow.registry.annotations.annotations_of(asset_id) == [seizure])
    api.indexed()
    page = api.client.get("/console").text
    assert f'data-act="lift-{seizure}"' in page
    assert f"{COURT} {RULING}" in page
    lift = {**base, "action": "lift", "annotation_id": str(seizure), "text": LIFTING}
    done = api.client.post("/console/act", data=lift, follow_redirects=False)
    assert done.status_code == 303, done.text
    until(lambda: not flow.registry.assets.get_asset(asset_id).frozen)
    api.indexed()
    assert f'data-act="lift-{seizure}"' not in api.client.get("/console").text
