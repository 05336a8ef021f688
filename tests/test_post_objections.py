"""Objections after registration (登记后异议, guide art. 29), on chain and through the API: filed
against an issued registration with its form and evidence (by the public through the objection
form, the objector kept confidential); the materials complete, the applicant to be told within 5
working days (a due date in ``GET /v1/deadlines`` and the console); agreement followed by a
cancellation or a change, or dispute, the center's conclusion, a court judgment or arbitral award,
and the registrar carrying out what it orders. Expected dates come from the seeded calendar
(registry.workdays, counted apart from the chain)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from typing import Any

from web3 import Web3

from registry.api.keys import Role
from registry.chain.deploy import REGISTRAR
from registry.chain.types import (
    ZERO32,
    JudgmentKind,
    ObjectionOutcome,
    PostObjectionStatus,
    Status,
)
from registry.content.canonical import canonical_json
from registry.workdays import add_working_days, beijing_date
from tests.api_support import Api, signed_in
from tests.conftest import Flow, assert_emitted, h, last_receipt, now, reverts
from tests.test_api import confirmed, problem
from tests.test_lifecycle import act
from tests.test_procedure import at_beijing, end_of, hex32, mine_at

Outcome = ObjectionOutcome


def filed(flow: Flow, asset_id: int, form: str = "form") -> int:
    return flow.registry.assets.file_objection_after_registration(
        flow.accounts.outsider, asset_id, h(form), h("evidence")
    )


def send(flow: Flow, name: str, *args: Any) -> Any:
    """One step of the objection, sent by the registrar."""
    return flow.registry.assets._send(flow.accounts.registrar, name, *args)


def told(flow: Flow, objection: int) -> None:
    """Materials complete and the applicant told."""
    send(flow, "confirmObjectionMaterials", objection)
    send(flow, "notifyApplicant", objection, h("notice"))


# ---------------------------------------------------------------- on chain


def test_agreed_objection_is_followed_by_the_cancellation_with_every_step_timed(
    flow: Flow,
) -> None:
    a, acc, w3 = flow.registry.assets, flow.accounts, flow.w3
    asset_id = flow.issued("post agreed")
    version = a.get_asset(asset_id).version
    objection = filed(flow, asset_id)
    assert_emitted(
        last_receipt(w3),
        a,
        "PostObjectionFiled",
        objectionId=objection,
        assetId=asset_id,
        filedBy=acc.outsider.address,
        formHash=h("form"),
        evidenceHash=h("evidence"),
    )
    got = a.get_post_objection(objection)
    assert (got.status, got.asset_id, got.filed_by) == (
        PostObjectionStatus.FILED,
        asset_id,
        acc.outsider.address,
    )
    assert (got.filed_at, got.version_at_filing, got.notification_due) == (now(w3), version, 0)

    send(flow, "confirmObjectionMaterials", objection)
    completed = now(w3)
    due = end_of(add_working_days(beijing_date(completed), 5))
    assert_emitted(
        last_receipt(w3),
        a,
        "ObjectionMaterialsComplete",
        objectionId=objection,
        assetId=asset_id,
        notificationDue=due,
    )
    send(flow, "notifyApplicant", objection, h("notice"))
    assert_emitted(
        last_receipt(w3),
        a,
        "ApplicantNotified",
        objectionId=objection,
        assetId=asset_id,
        noticeHash=h("notice"),
        inTime=True,
    )
    send(flow, "recordAnswer", objection, True, Outcome.CANCEL, h("reply"))
    assert_emitted(
        last_receipt(w3),
        a,
        "ObjectionAnswered",
        objectionId=objection,
        assetId=asset_id,
        agrees=True,
        outcome=Outcome.CANCEL,
        replyHash=h("reply"),
    )
    receipt = send(flow, "settleObjection", objection, h("act"))
    assert_emitted(
        receipt,
        a,
        "PostObjectionSettled",
        objectionId=objection,
        assetId=asset_id,
        outcome=Outcome.CANCEL,
        actHash=h("act"),
    )
    assert_emitted(receipt, a, "RegistrationCancelled", assetId=asset_id, holder=acc.holder.address)
    assert a.status_of(asset_id) == Status.CANCELLED
    got = a.get_post_objection(objection)
    assert got.status == PostObjectionStatus.SETTLED
    assert (got.completed_at, got.notification_due) == (completed, due)
    assert got.notified_at
    assert got.answered_at
    assert got.settled_at == now(w3)
    assert (got.concluded_at, got.judged_at, got.judgment) == (0, 0, JudgmentKind.NONE)


def test_disputed_objection_is_concluded_then_judged_and_the_judgment_carried_out(
    flow: Flow,
) -> None:
    a, w3 = flow.registry.assets, flow.w3
    asset_id = flow.issued("post disputed")
    objection = filed(flow, asset_id)
    told(flow, objection)
    send(flow, "recordAnswer", objection, False, Outcome.STANDS, h("reply"))
    assert a.get_post_objection(objection).status == PostObjectionStatus.DISPUTED
    send(flow, "concludeObjection", objection, False, Outcome.STANDS, h("conclusion"))
    assert_emitted(
        last_receipt(w3),
        a,
        "ObjectionConcluded",
        objectionId=objection,
        assetId=asset_id,
        upheld=False,
        outcome=Outcome.STANDS,
        conclusionHash=h("conclusion"),
    )
    # The objector goes to court, which orders a change of the registration.
    send(flow, "recordJudgment", objection, JudgmentKind.COURT_JUDGMENT, Outcome.CHANGE, h("j"))
    assert_emitted(
        last_receipt(w3),
        a,
        "JudgmentRecorded",
        objectionId=objection,
        assetId=asset_id,
        kind=JudgmentKind.COURT_JUDGMENT,
        outcome=Outcome.CHANGE,
        documentHash=h("j"),
    )
    got = a.get_post_objection(objection)
    assert (got.status, got.outcome, got.judgment) == (
        PostObjectionStatus.JUDGED,
        Outcome.CHANGE,
        JudgmentKind.COURT_JUDGMENT,
    )
    assert got.concluded_at
    assert got.judged_at == now(w3)
    version = a.get_asset(asset_id).version
    with reverts("ChangeNotRegistered", objection, version):
        send(flow, "settleObjection", objection, h("act"))
    act(flow, "change", asset_id)
    send(flow, "settleObjection", objection, h("act"))
    assert a.get_post_objection(objection).status == PostObjectionStatus.SETTLED
    assert a.status_of(asset_id) == Status.ISSUED


def test_an_arbitral_award_straight_after_the_dispute_may_leave_the_registration_standing(
    flow: Flow,
) -> None:
    a = flow.registry.assets
    asset_id = flow.issued("post award")
    objection = filed(flow, asset_id)
    told(flow, objection)
    send(flow, "recordAnswer", objection, False, Outcome.STANDS, h("reply"))
    send(flow, "recordJudgment", objection, JudgmentKind.ARBITRAL_AWARD, Outcome.STANDS, h("a"))
    send(flow, "settleObjection", objection, h("closed"))
    assert a.get_post_objection(objection).outcome == Outcome.STANDS
    assert a.status_of(asset_id) == Status.ISSUED


def test_objection_after_registration_refusals_name_their_rule(flow: Flow) -> None:
    a, acc = flow.registry.assets, flow.accounts
    noticed = flow.in_notice("post in notice")
    with reverts("NotRegistered", noticed, Status.IN_NOTICE):
        filed(flow, noticed)
    notice_objection = a.file_objection(acc.outsider, noticed, h("evidence"))
    with reverts("UnknownAsset", 999):
        filed(flow, 999)
    asset_id = flow.issued("post refusals")
    with reverts("MissingObjectionForm", asset_id):
        a.file_objection_after_registration(acc.outsider, asset_id, ZERO32, h("evidence"))
    with reverts("MissingObjectionEvidence", asset_id):
        a.file_objection_after_registration(acc.outsider, asset_id, h("form"), ZERO32)
    objection = filed(flow, asset_id)
    with reverts("AccessControlUnauthorizedAccount", acc.reviewer.address, REGISTRAR):
        a._send(acc.reviewer, "confirmObjectionMaterials", objection)
    with reverts("ObjectionStepNotOpen", objection, PostObjectionStatus.FILED):
        send(flow, "notifyApplicant", objection, h("notice"))
    with reverts("UnknownObjection", objection + 1):
        send(flow, "confirmObjectionMaterials", objection + 1)
    # A notice objection's id names no objection after registration.
    with reverts("UnknownObjection", notice_objection):
        send(flow, "settleObjection", notice_objection, h("act"))
    send(flow, "confirmObjectionMaterials", objection)
    with reverts("MissingObjectionDocument", objection):
        send(flow, "notifyApplicant", objection, ZERO32)
    send(flow, "notifyApplicant", objection, h("notice"))
    with reverts("OutcomeMismatch", objection, True, Outcome.STANDS):
        send(flow, "recordAnswer", objection, True, Outcome.STANDS, h("reply"))
    with reverts("OutcomeMismatch", objection, False, Outcome.CANCEL):
        send(flow, "recordAnswer", objection, False, Outcome.CANCEL, h("reply"))
    with reverts("ObjectionStepNotOpen", objection, PostObjectionStatus.NOTIFIED):
        send(flow, "settleObjection", objection, h("act"))
    with reverts("ObjectionStepNotOpen", objection, PostObjectionStatus.NOTIFIED):
        send(flow, "recordJudgment", objection, JudgmentKind.COURT_JUDGMENT, Outcome.CANCEL, h("j"))
    send(flow, "recordAnswer", objection, False, Outcome.STANDS, h("reply"))
    with reverts("OutcomeMismatch", objection, True, Outcome.STANDS):
        send(flow, "concludeObjection", objection, True, Outcome.STANDS, h("c"))
    with reverts("JudgmentKindMissing", objection):
        send(flow, "recordJudgment", objection, JudgmentKind.NONE, Outcome.CANCEL, h("j"))
    send(flow, "concludeObjection", objection, True, Outcome.CANCEL, h("c"))
    # A seizure blocks the cancellation, as it blocks the holder's.
    seizure = flow.seize(asset_id)
    with reverts("Frozen", asset_id):
        send(flow, "settleObjection", objection, h("act"))
    flow.lift(seizure)
    with reverts("MissingObjectionDocument", objection):
        send(flow, "settleObjection", objection, ZERO32)
    send(flow, "settleObjection", objection, h("act"))
    with reverts("ObjectionStepNotOpen", objection, PostObjectionStatus.SETTLED):
        send(flow, "settleObjection", objection, h("act"))
    with reverts("NotRegistered", asset_id, Status.CANCELLED):
        filed(flow, asset_id)


def test_a_late_notification_is_recorded_as_late(flow: Flow) -> None:
    a, w3 = flow.registry.assets, flow.w3
    asset_id = flow.issued("post late")
    objection = filed(flow, asset_id)
    send(flow, "confirmObjectionMaterials", objection)
    due = a.get_post_objection(objection).notification_due
    mine_at(w3, due)
    send(flow, "notifyApplicant", objection, h("notice"))
    assert a.events(last_receipt(w3), "ApplicantNotified")[0]["args"]["inTime"] is False


# ---------------------------------------------------------------- through the API


def sha(value: Any) -> str:
    return "0x" + hashlib.sha256(canonical_json(value)).hexdigest()


PUBLIC = {
    "evidence_hash": "0x" + "ee" * 32,
    "objector": {
        "name": "青岛某数据科技有限公司",
        "kind": "legal_person",
        "contact": "0532-1234567",
    },
    "grounds": "ownership_dispute",
    "reason": "该数据由我方采集，申请人非持有人",
}


def test_api_objection_after_registration_from_the_public_to_the_judgment_acted_on(
    api: Api, flow: Flow, w3: Web3
) -> None:
    a = flow.registry.assets
    asset_id = flow.issued("post api")
    mine_at(w3, at_beijing(dt.date(2026, 9, 28)))  # a Monday before the National Day holiday
    path = f"/v1/assets/{asset_id}/objections/after-registration"
    missing = problem(api.post(path, {"evidence_hash": PUBLIC["evidence_hash"]}), 422)
    assert {p["name"] for p in missing["invalid_params"]} == {"objector", "grounds", "reason"}
    op = confirmed(api, api.post(path, PUBLIC))
    objection = int(op["result"]["objection_id"])
    kept = api.runtime.context.objectors.of_asset(asset_id)
    assert [(o["name"], o["contact"]) for o in kept] == [("青岛某数据科技有限公司", "0532-1234567")]
    event = a.events(last_receipt(w3), "PostObjectionFiled")[0]["args"]
    # The form on chain is the statement the center keeps; its objector is not on chain.
    assert hex32(event["formHash"]) == sha(kept[0]["statement"])
    assert hex32(event["evidenceHash"]) == PUBLIC["evidence_hash"]
    assert event["filedBy"] == flow.accounts.registrar.address

    staff = f"/v1/objections/{objection}"
    refused = problem(
        api.post(f"{staff}/notification", {"notice_hash": hex32(h("n"))}, Role.REGISTRAR), 409
    )
    assert (refused["rule"], refused["args"]) == (
        "ObjectionStepNotOpen",
        [objection, PostObjectionStatus.FILED],
    )
    assert api.post(f"{staff}/materials-complete", None, Role.REVIEWER).status_code == 403
    confirmed(api, api.post(f"{staff}/materials-complete", None, Role.REGISTRAR))
    # 5 working days from Monday 28 September 2026: the 29th and 30th, then the holiday
    # (1-7 October), the 8th, the 9th and the make-up Saturday 10 October.
    due = add_working_days(dt.date(2026, 9, 28), 5)
    assert due == dt.date(2026, 10, 10)
    api.indexed()
    staff_key = {"Authorization": f"Bearer {api.keys[Role.REGISTRAR]}"}
    rows = {r["asset_id"]: r for r in api.client.get("/v1/deadlines", headers=staff_key).json()}
    assert rows[asset_id]["status"] == "issued"
    assert rows[asset_id]["post_objections"] == [
        {
            "objection_id": objection,
            "status": "materials_complete",
            "filed_on": "2026-09-28",
            "notification_due": "2026-10-10",
            "notified_on": None,
            "overdue": False,
        }
    ]
    page = api.client.get("/console")
    assert page.status_code == 200
    signed_in(api)
    console = api.client.get("/console").text
    assert f'data-act="notify_applicant-{objection}"' in console
    assert "2026-10-10" in re.sub(r"\s+", " ", console)

    mine_at(w3, at_beijing(dt.date(2026, 10, 13)))
    api.indexed()
    late = api.client.get("/v1/deadlines", headers=staff_key).json()
    row = next(r for r in late if r["asset_id"] == asset_id)
    assert row["overdue"] is True
    assert row["post_objections"][0]["overdue"] is True

    steps = [
        ("notification", {"notice_hash": hex32(h("notice"))}),
        ("answer", {"agrees": False, "reply_hash": hex32(h("reply"))}),
        ("conclusion", {"upheld": False, "conclusion_hash": hex32(h("conclusion"))}),
        (
            "judgment",
            {"kind": "court_judgment", "outcome": "cancel", "document_hash": hex32(h("j"))},
        ),
        ("settlement", {"act_hash": hex32(h("act"))}),
    ]
    for step, body in steps:
        confirmed(api, api.post(f"{staff}/{step}", body, Role.REGISTRAR))
    assert a.status_of(asset_id) == Status.CANCELLED
    api.indexed()
    shown = api.get(f"/v1/assets/{asset_id}").json()
    assert shown["status_name"] == "cancelled"
    (later,) = shown["post_objections"]
    assert (later["status_name"], later["outcome_name"], later["judgment_name"]) == (
        "settled",
        "cancel",
        "court_judgment",
    )
    assert later["notified_in_time"] is False
    assert later["notification_due"] == end_of(due)
    assert later["document_hash"] == hex32(h("act"))
    history = [e["name"] for e in api.get(f"/v1/assets/{asset_id}/history").json()]
    assert history[-8:] == [
        "PostObjectionFiled",
        "ObjectionMaterialsComplete",
        "ApplicantNotified",
        "ObjectionAnswered",
        "ObjectionConcluded",
        "JudgmentRecorded",
        "RegistrationCancelled",
        "PostObjectionSettled",
    ]
    rows = {r["asset_id"] for r in api.client.get("/v1/deadlines", headers=staff_key).json()}
    assert asset_id not in rows  # settled: nothing left to meet


def test_public_form_on_an_issued_registration_files_an_objection_after_registration(
    api: Api, flow: Flow, w3: Web3
) -> None:
    a = flow.registry.assets
    asset_id = flow.issued("post page")
    api.indexed()
    page = api.client.get(f"/a/{asset_id}").text
    assert "对登记结果提出异议" in page
    form = {
        "reason": "登记事项错误：数据时间范围有误",
        "name": "张三",
        "contact": "13800000000",
        "kind": "natural_person",
        "grounds": "registration_error",
    }
    answer = api.client.post(f"/a/{asset_id}/objection", data=form)
    assert answer.status_code == 200, answer.text
    # The page answers once the objection is filed with the writer, not once it is mined: a
    # loaded machine (CI's) read the block before it.
    deadline = time.monotonic() + 30
    while not (found := a.events(last_receipt(w3), "PostObjectionFiled")):
        assert time.monotonic() < deadline, "the objection was not mined"
        time.sleep(0.05)
    (event,) = found
    assert event["args"]["assetId"] == asset_id
    statement = api.runtime.context.objectors.of_asset(asset_id)[0]["statement"]
    assert hex32(event["args"]["formHash"]) == sha(statement)
    assert "张三" not in api.client.get(f"/v1/assets/{asset_id}").text
