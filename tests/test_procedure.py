"""The national procedure (指引 art. 14-29) through the API against the chain: acceptance, deemed
acceptance with no transaction, supplements, proof requests that pause the time limit,
extensions, termination, refusal on a named ground, notice of 5 working days (or none),
objections with their investigation date, and the center's deadlines (``GET /v1/deadlines``).

Expected dates come from the seeded calendar (registry.workdays, counted independently of the
chain) and, for a few, from the State Council's 2026 notice by hand: a weekend, the National Day
holiday (1-7 October) and its make-up Saturday (10 October)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from web3 import Web3

from registry.api.keys import Role
from registry.chain import Registry
from registry.chain.signing import sign
from registry.chain.types import RefusalReason, Status
from registry.workdays import add_working_days, beijing_date, beijing_midnight
from tests.api_support import Api, signed_in
from tests.conftest import (
    DAY,
    Accounts,
    application,
    assert_emitted,
    h,
    last_receipt,
    now,
)
from tests.test_api import confirmed, problem

HOUR = 3600
DEADLINE = 2**40


def at_beijing(day: dt.date, hour: int = 10) -> int:
    """``hour`` o'clock in Beijing on ``day``, as Unix time."""
    return beijing_midnight(day) + hour * HOUR


def mine_at(w3: Web3, timestamp: int) -> None:
    """Mines an empty block at ``timestamp``: the next calls run from then."""
    w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def end_of(day: dt.date) -> int:
    """The end of ``day`` in Beijing: a deadline that ends then is met before it."""
    return beijing_midnight(day + dt.timedelta(days=1))


def hex32(value: bytes) -> str:
    return "0x" + value.hex()


def applied(registry: Registry, accounts: Accounts, manifest: str = "procedure") -> int:
    holder = accounts.holder
    return registry.assets.submit_application(holder, application(holder.address, manifest))


def holder_consent(registry: Registry, accounts: Accounts, primary: str, **fields: Any) -> Any:
    """The holder's signed consent, as the API's request body carries it."""
    a = registry.assets
    message = {**fields, "nonce": a.nonces(accounts.holder.address)}
    consent = sign(accounts.holder, a.domain(), primary, message, DEADLINE)
    return {
        "deadline": consent.deadline,
        "nonce": consent.nonce,
        "signature": hex32(consent.signature),
    }


def post(api: Api, path: str, body: Any, role: Role) -> dict[str, Any]:
    return confirmed(api, api.post(path, body, role))


# ---------------------------------------------------------------- acceptance


def test_accept_through_the_api_starts_the_review_and_its_clock(
    api: Api, registry: Registry, accounts: Accounts
) -> None:
    asset_id = applied(registry, accounts)
    problem(api.post(f"/v1/assets/{asset_id}/accept", None, Role.REGISTRAR), 403)
    post(api, f"/v1/assets/{asset_id}/accept", None, Role.REVIEWER)
    a = registry.assets
    assert a.status_of(asset_id) == Status.UNDER_REVIEW
    accepted = a.procedure_of(asset_id).accepted_at
    assert accepted == now(registry.chain.w3)
    due = a.deadlines_of(asset_id).processing_due
    assert due == end_of(add_working_days(beijing_date(accepted), 10))
    refused = problem(api.post(f"/v1/assets/{asset_id}/accept", None, Role.REVIEWER), 409)
    assert (refused["rule"], refused["args"]) == (
        "InvalidTransition",
        [asset_id, Status.UNDER_REVIEW],
    )


def test_deemed_acceptance_after_a_weekend_needs_no_transaction(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3
) -> None:
    # Thursday 12 March 2026: Friday, Monday, Tuesday are the 3 working days; deemed accepted
    # from the start of Wednesday 18 March.
    mine_at(w3, at_beijing(dt.date(2026, 3, 12)))
    asset_id = applied(registry, accounts)
    a = registry.assets
    deemed = beijing_midnight(dt.date(2026, 3, 18))
    assert deemed == beijing_midnight(add_working_days(dt.date(2026, 3, 12), 4))
    assert a.deadlines_of(asset_id).acceptance_due == end_of(dt.date(2026, 3, 17))
    assert a.deadlines_of(asset_id).deemed_accepted_at == deemed
    mine_at(w3, deemed - 1)
    assert a.status_of(asset_id) == Status.APPLIED
    block = w3.eth.block_number
    mine_at(w3, deemed)
    assert a.status_of(asset_id) == Status.DEEMED_ACCEPTED
    assert w3.eth.block_number == block + 1  # an empty block: no transaction did it
    assert a.get_asset(asset_id).status == Status.APPLIED  # as stored
    # The deemed acceptance cannot be undone by a late return for supplements.
    body = {"list_hash": hex32(h("list")), "deadline": "2026-03-30"}
    refused = problem(
        api.post(f"/v1/assets/{asset_id}/supplements/request", body, Role.REVIEWER), 409
    )
    assert (refused["rule"], refused["args"]) == ("AcceptanceTimeOver", [asset_id, deemed])
    # The center's next act records the acceptance at the deemed time.
    post(
        api, f"/v1/assets/{asset_id}/proof/request", {"request_hash": hex32(h("q"))}, Role.REVIEWER
    )
    history = registry.assets.events(last_receipt(w3), "ApplicationAccepted")
    assert [dict(e["args"]) for e in history] == [
        {"assetId": asset_id, "by": "0x" + "00" * 20, "acceptedAt": deemed}
    ]
    assert a.procedure_of(asset_id).accepted_at == deemed


def test_deemed_acceptance_across_national_day_falls_on_the_calendar_date(
    registry: Registry, accounts: Accounts, w3: Web3
) -> None:
    # Wednesday 30 September 2026: 1-7 October are off; 8, 9 and Saturday 10 October (a make-up
    # working day) are the 3 working days, so it is deemed accepted from Monday 12 October.
    mine_at(w3, at_beijing(dt.date(2026, 9, 30)))
    asset_id = applied(registry, accounts)
    deemed = registry.assets.deadlines_of(asset_id).deemed_accepted_at
    assert deemed == beijing_midnight(dt.date(2026, 10, 12))
    assert deemed == beijing_midnight(add_working_days(dt.date(2026, 9, 30), 4))
    mine_at(w3, deemed - HOUR)
    assert registry.assets.status_of(asset_id) == Status.APPLIED
    mine_at(w3, deemed)
    assert registry.assets.status_of(asset_id) == Status.DEEMED_ACCEPTED


# ---------------------------------------------------------------- supplements


def test_supplements_supplied_in_time_restart_the_acceptance_clock(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3
) -> None:
    a = registry.assets
    asset_id = applied(registry, accounts)
    day = beijing_date(now(w3)) + dt.timedelta(days=10)
    body = {"list_hash": hex32(h("all missing")), "deadline": day.isoformat()}
    post(api, f"/v1/assets/{asset_id}/supplements/request", body, Role.REVIEWER)
    assert a.status_of(asset_id) == Status.SUPPLEMENTING
    assert a.procedure_of(asset_id).supplements_due == end_of(day)
    consent = holder_consent(
        registry, accounts, "Supplements", assetId=asset_id, materialsHash=h("m")
    )
    body = {"materials_hash": hex32(h("m")), "consent": consent}
    post(api, f"/v1/assets/{asset_id}/supplements", body, Role.HOLDER)
    supplied = now(w3)
    assert a.status_of(asset_id) == Status.APPLIED
    assert a.procedure_of(asset_id).resubmitted_at == supplied
    due = a.deadlines_of(asset_id).acceptance_due
    assert due == end_of(add_working_days(beijing_date(supplied), 3))


def test_supplements_not_supplied_by_the_deadline_withdraw_the_application(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3
) -> None:
    a = registry.assets
    asset_id = applied(registry, accounts)
    day = beijing_date(now(w3)) + dt.timedelta(days=2)
    body = {"list_hash": hex32(h("all missing")), "deadline": day.isoformat()}
    post(api, f"/v1/assets/{asset_id}/supplements/request", body, Role.REVIEWER)
    mine_at(w3, end_of(day))
    assert a.status_of(asset_id) == Status.WITHDRAWN
    consent = holder_consent(
        registry, accounts, "Supplements", assetId=asset_id, materialsHash=h("m")
    )
    body = {"materials_hash": hex32(h("m")), "consent": consent}
    refused = problem(api.post(f"/v1/assets/{asset_id}/supplements", body, Role.HOLDER), 409)
    assert (refused["rule"], refused["args"]) == ("SupplementsOverdue", [asset_id, end_of(day)])


# ---------------------------------------------------------------- review


def test_proof_request_pauses_the_time_limit_by_the_working_days_it_took(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3
) -> None:
    a = registry.assets
    mine_at(w3, at_beijing(dt.date(2026, 3, 16)))  # a Monday
    asset_id = applied(registry, accounts)
    post(api, f"/v1/assets/{asset_id}/accept", None, Role.REVIEWER)
    accepted = a.procedure_of(asset_id).accepted_at
    post(
        api, f"/v1/assets/{asset_id}/proof/request", {"request_hash": hex32(h("q"))}, Role.REVIEWER
    )
    assert a.status_of(asset_id) == Status.AWAITING_PROOF
    assert a.deadlines_of(asset_id).paused
    # Supplied the next Monday: Tuesday to Friday and Monday, 5 working days, are not counted.
    mine_at(w3, at_beijing(dt.date(2026, 3, 23)))
    consent = holder_consent(registry, accounts, "Proof", assetId=asset_id, proofHash=h("p"))
    body = {"proof_hash": hex32(h("p")), "consent": consent}
    op = post(api, f"/v1/assets/{asset_id}/proof", body, Role.HOLDER)
    assert op["status"] == "confirmed"
    assert_emitted(
        last_receipt(w3),
        a,
        "ProofSupplied",
        assetId=asset_id,
        proofHash=h("p"),
        pausedDays=5,
        totalPausedDays=5,
    )
    d = a.deadlines_of(asset_id)
    assert (d.paused, d.paused_days) == (False, 5)
    assert d.processing_due == end_of(add_working_days(beijing_date(accepted), 15))


def test_extension_beyond_ten_working_days_in_all_is_refused(
    api: Api, registry: Registry, accounts: Accounts
) -> None:
    asset_id = applied(registry, accounts)
    post(api, f"/v1/assets/{asset_id}/accept", None, Role.REVIEWER)
    path = f"/v1/assets/{asset_id}/extension"
    post(api, path, {"days": 6, "reason_hash": hex32(h("complex"))}, Role.REVIEWER)
    refused = problem(
        api.post(path, {"days": 5, "reason_hash": hex32(h("more"))}, Role.REVIEWER), 409
    )
    assert (refused["rule"], refused["args"]) == ("ExtensionTooLong", [asset_id, 11, 10])
    post(api, path, {"days": 4, "reason_hash": hex32(h("more"))}, Role.REVIEWER)
    d = registry.assets.deadlines_of(asset_id)
    assert d.extension_days == 10
    accepted = registry.assets.procedure_of(asset_id).accepted_at
    assert d.processing_due == end_of(add_working_days(beijing_date(accepted), 20))


def test_refusal_names_its_ground_and_termination_ends_the_review(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3
) -> None:
    a = registry.assets
    refused_id, terminated_id = applied(registry, accounts, "r"), applied(registry, accounts, "t")
    for asset_id in (refused_id, terminated_id):
        post(api, f"/v1/assets/{asset_id}/accept", None, Role.REVIEWER)
    body = {"reason": "concealment_or_false_proof", "reason_hash": hex32(h("false proof"))}
    post(api, f"/v1/assets/{refused_id}/refuse", body, Role.REVIEWER)
    assert_emitted(
        last_receipt(w3),
        a,
        "ApplicationRefused",
        assetId=refused_id,
        by=accounts.reviewer.address,
        reason=RefusalReason.CONCEALMENT_OR_FALSE_PROOF,
        reasonHash=h("false proof"),
    )
    assert a.status_of(refused_id) == Status.REJECTED
    bad = api.post(
        f"/v1/assets/{terminated_id}/refuse",
        {"reason": "none", "reason_hash": hex32(h("x"))},
        Role.REVIEWER,
    )
    assert bad.status_code == 422
    post(
        api,
        f"/v1/assets/{terminated_id}/terminate",
        {"reason_hash": hex32(h("unverifiable"))},
        Role.REVIEWER,
    )
    assert a.status_of(terminated_id) == Status.TERMINATED
    refused = problem(api.post(f"/v1/assets/{terminated_id}/approve", {}, Role.REVIEWER), 409)
    assert (refused["rule"], refused["args"]) == (
        "InvalidTransition",
        [terminated_id, Status.TERMINATED],
    )


# ---------------------------------------------------------------- notice and objections


def test_notice_started_on_29_september_2026_ends_after_national_day(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3
) -> None:
    mine_at(w3, at_beijing(dt.date(2026, 9, 29)))
    asset_id = applied(registry, accounts)
    post(api, f"/v1/assets/{asset_id}/accept", None, Role.REVIEWER)
    post(api, f"/v1/assets/{asset_id}/approve", {}, Role.REVIEWER)
    ends = registry.assets.get_asset(asset_id).notice_ends_at
    # 30 September, 8, 9, 10 (the make-up Saturday) and 12 October.
    assert ends == end_of(dt.date(2026, 10, 12))
    assert ends == end_of(add_working_days(dt.date(2026, 9, 29), 5))
    assert_emitted(
        last_receipt(w3), registry.assets, "NoticeStarted", assetId=asset_id, noticeEndsAt=ends
    )
    mine_at(w3, ends - HOUR)
    refused = problem(api.post(f"/v1/assets/{asset_id}/issue", None, Role.REGISTRAR), 409)
    assert (refused["rule"], refused["args"]) == ("NoticeNotEnded", [asset_id, ends])
    mine_at(w3, ends)
    post(api, f"/v1/assets/{asset_id}/issue", None, Role.REGISTRAR)
    asset = registry.assets.get_asset(asset_id)
    assert asset.expires_at == asset.issued_at + 5 * 365 * DAY


def test_approval_without_notice_on_the_applicants_request_is_issued_at_once(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3
) -> None:
    asset_id = applied(registry, accounts)
    post(api, f"/v1/assets/{asset_id}/accept", None, Role.REVIEWER)
    refused = problem(
        api.post(f"/v1/assets/{asset_id}/approve", {"notice": False}, Role.REVIEWER), 409
    )
    assert refused["rule"] == "EmptyHash"
    body = {"notice": False, "reason_hash": hex32(h("trade secret"))}
    post(api, f"/v1/assets/{asset_id}/approve", body, Role.REVIEWER)
    assert_emitted(
        last_receipt(w3),
        registry.assets,
        "NoticeWaived",
        assetId=asset_id,
        reasonHash=h("trade secret"),
    )
    assert registry.assets.procedure_of(asset_id).notice_waived
    post(api, f"/v1/assets/{asset_id}/issue", None, Role.REGISTRAR)
    assert registry.assets.status_of(asset_id) == Status.ISSUED


def test_upheld_objection_refuses_on_its_ground_after_the_investigation(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3
) -> None:
    a = registry.assets
    asset_id = applied(registry, accounts)
    a.accept(accounts.reviewer, asset_id)
    a.approve(accounts.reviewer, asset_id)
    objection = a.file_objection(accounts.outsider, asset_id, h("evidence"))
    filed = now(w3)
    due = a.get_objection(objection).investigation_due
    assert due == end_of(add_working_days(beijing_date(filed), 10))
    path = f"/v1/objections/{objection}/decision"
    body = {"upheld": True, "reason_hash": hex32(h("upheld"))}
    refused = problem(api.post(path, body, Role.REGISTRAR), 409)
    assert refused["rule"] == "RefusalReasonMissing"
    post(api, path, {**body, "reason": "ownership_disputed"}, Role.REGISTRAR)
    assert_emitted(
        last_receipt(w3),
        a,
        "ApplicationRefused",
        assetId=asset_id,
        by=accounts.registrar.address,
        reason=RefusalReason.OWNERSHIP_DISPUTED,
        reasonHash=h("upheld"),
    )
    assert a.get_objection(objection).decided_at == now(w3)


# ---------------------------------------------------------------- deadlines


def test_deadlines_list_overdue_first_with_beijing_dates(
    api: Api, registry: Registry, accounts: Accounts, w3: Web3
) -> None:
    a = registry.assets
    mine_at(w3, at_beijing(dt.date(2026, 3, 16)))
    late = applied(registry, accounts, "late")
    a.accept(accounts.reviewer, late)
    a.extend(accounts.reviewer, late, 2, h("complex"))
    noticed = applied(registry, accounts, "noticed")
    a.accept(accounts.reviewer, noticed)
    a.approve(accounts.reviewer, noticed)
    objection = a.file_objection(accounts.outsider, noticed, h("evidence"))
    # 13 working days on: the late one's 12 are over; the new one is in time.
    mine_at(w3, at_beijing(add_working_days(dt.date(2026, 3, 16), 13)))
    fresh = applied(registry, accounts, "fresh")
    api.indexed()
    problem(api.client.get("/v1/deadlines"), 401)
    holder = {"Authorization": f"Bearer {api.keys[Role.HOLDER]}"}
    assert api.client.get("/v1/deadlines", headers=holder).status_code == 403
    listed = api.client.get(
        "/v1/deadlines", headers={"Authorization": f"Bearer {api.keys[Role.REVIEWER]}"}
    )
    assert listed.status_code == 200, listed.text
    rows = {r["asset_id"]: r for r in listed.json()}
    assert listed.json()[0]["asset_id"] == late
    first = rows[late]
    assert first["overdue"] is True
    assert first["processing_due"] == add_working_days(dt.date(2026, 3, 16), 12).isoformat()
    assert (first["extension_days"], first["extension_reasons"]) == (2, [hex32(h("complex"))])
    assert first["accepted_on"] == "2026-03-16"
    new = rows[fresh]
    assert new["overdue"] is False
    assert new["acceptance_due"] == add_working_days(beijing_date(now(w3)), 3).isoformat()
    notice = rows[noticed]
    assert notice["notice_ends"] == add_working_days(dt.date(2026, 3, 16), 5).isoformat()
    assert notice["paused"] is True
    assert notice["objections"] == [
        {
            "objection_id": objection,
            "filed_on": "2026-03-16",
            "investigation_due": add_working_days(dt.date(2026, 3, 16), 10).isoformat(),
            "overdue": True,
        }
    ]
    assert notice["overdue"] is True
    # The console's deadline table is the same rows, the overdue ones marked, dates as dates.
    signed_in(api, Role.REVIEWER)
    table = api.client.get("/console").text.split('<table id="deadlines">', 1)[1]
    table = table.split("</table>", 1)[0]
    row = table.split(f'data-asset="{late}"', 1)
    assert row[0].endswith('<tr class="overdue" ')
    late_row = row[1].split("</tr>", 1)[0]
    assert first["processing_due"] in late_row
    assert "已超期" in late_row
    fresh_row = table.split(f'data-asset="{fresh}"', 1)
    assert fresh_row[0].endswith("<tr ")
    assert new["acceptance_due"] in fresh_row[1].split("</tr>", 1)[0]
    assert "已超期" not in fresh_row[1].split("</tr>", 1)[0]
