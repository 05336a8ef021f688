"""A hypothesis state machine drives random sequences of lifecycle and rights calls against the
deployed contracts and against a Python model of the rules; every call's outcome (success, or
the exact custom error) and all state after it must agree.

The national procedure's clocks are modelled on China's working days as ``chinesecalendar``
counts them (registry.workdays, a check independent of the chain's WorkCalendar): acceptance
within 3 working days or deemed on the 4th, supplements, proof requests pausing the time limit,
its extensions, a notice of 5 working days, objections' investigation dates, and a count that
reaches a year nobody published refused as ``CalendarNotPublished``.

Rule times are block times. A prediction uses the next block's time; where a rule's outcome
would turn within a few seconds of it (the node's clock may run a second ahead), the call is made
and the model follows whatever the chain did, so no example depends on timing luck.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from web3 import Web3

from registry.chain import ContractError, Deployment, Registry
from registry.chain.compiler import Artifact
from registry.chain.signing import sign
from registry.chain.types import (
    ZERO32,
    AnnotationKind,
    CancellationGround,
    CertificateStatus,
    GrantRequest,
    JointConsent,
    JudgmentKind,
    ObjectionOutcome,
    PostObjectionStatus,
    RefusalReason,
    RightHolder,
    RightKind,
    Status,
    TransferShare,
)
from registry.devtools import engine, joint_consent, transfer_consent
from registry.workdays import (
    CalendarDataError,
    add_working_days,
    beijing_date,
    beijing_midnight,
    working_days_between,
)
from tests.conftest import DAY, Accounts, application, h

UNSURE = 5  # seconds around a boundary within which the chain decides
DEADLINE = 2**40
EXAMPLES = 200 if engine() == "anvil" else 50
"""Sequences tried. On the second engine the model checks that both run the contracts alike, not
the rules' search itself, which the anvil pass runs in full: a quarter keeps the suite's time."""


@dataclass
class MAsset:
    holder: LocalAccount
    clock: int  # the acceptance clock's start: the application, or the supplements
    status: Status = Status.APPLIED
    accepted: int = 0
    supplements_due: int = 0
    paused_at: int = 0
    paused_days: int = 0
    extension_days: int = 0
    notice_ends: int = 0
    objections: int = 0
    annotations: int = 0
    seizures: list[int] = field(default_factory=list)
    """The ids of the seizure annotations in force, oldest first."""
    pledgee: str | None = None
    expires: int = 0
    certificate: int = 0
    co: tuple[LocalAccount, int, int] | None = None
    """The joint applicant, if any: its account, rights mask and expiry (0: with the asset)."""
    superseded: list[int] = field(default_factory=list)

    @property
    def frozen(self) -> bool:
        return bool(self.seizures)


@dataclass
class MPost:
    """An objection after registration (art. 29)."""

    asset: int
    status: PostObjectionStatus = PostObjectionStatus.FILED
    outcome: ObjectionOutcome = ObjectionOutcome.STANDS
    judgment: JudgmentKind = JudgmentKind.NONE
    notification_due: int = 0
    changed: bool = False
    """Whether a change registration was made since the filing."""


_POST_STEPS = ("confirm", "notify", "answer", "conclude", "judgment", "settle")
_POST_FROM = {
    "confirm": (PostObjectionStatus.FILED,),
    "notify": (PostObjectionStatus.MATERIALS_COMPLETE,),
    "answer": (PostObjectionStatus.NOTIFIED,),
    "conclude": (PostObjectionStatus.DISPUTED,),
    "judgment": (PostObjectionStatus.DISPUTED, PostObjectionStatus.CONCLUDED),
    "settle": (
        PostObjectionStatus.AGREED,
        PostObjectionStatus.CONCLUDED,
        PostObjectionStatus.JUDGED,
    ),
}
"""Where each step of an objection after registration is taken from."""


@dataclass
class MGrant:
    asset: int
    kind: RightKind
    grantee: str
    scenario: bytes
    start: int
    expiry: int
    exclusive: bool
    revocable: bool
    revoked: bool = False


@dataclass
class MExcl:
    shared_from: int = 0
    shared_until: int = 0
    shared_live: int = 0
    excl_from: int = 0
    excl_until: int = 0


class UnsureError(Exception):
    """The outcome turns within UNSURE seconds of the next block time."""


class UnpublishedError(Exception):
    """A working-day count reaches a year the calendar has no data for."""


def end_after(moment: int, days: int) -> int:
    """The end (next Beijing midnight) of the ``days``-th working day after ``moment``'s day."""
    try:
        last = add_working_days(beijing_date(moment), days)
    except CalendarDataError:
        raise UnpublishedError from None
    return beijing_midnight(last + dt.timedelta(days=1))


def deemed_at(clock: int) -> int:
    """The start of the first working day after the 3 of the acceptance time (art. 17)."""
    try:
        return beijing_midnight(add_working_days(beijing_date(clock), 4))
    except CalendarDataError:
        raise UnpublishedError from None


def renewal_window(expires: int) -> tuple[int, int]:
    """From 6 calendar months before the expiry's Beijing date to its start (art. 36)."""
    day = beijing_date(expires)
    year, month = divmod(day.year * 12 + day.month - 1 - 6, 12)
    last = calendar.monthrange(year, month + 1)[1]
    opens = beijing_midnight(dt.date(year, month + 1, min(day.day, last)))
    return opens, beijing_midnight(day)


class Model(RuleBasedStateMachine):
    env: tuple[Web3, Registry, Accounts]

    def __init__(self) -> None:
        super().__init__()
        w3, self.reg, accounts = self.env
        self.w3, self.acc = w3, accounts
        self.snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
        self.assets: dict[int, MAsset] = {}
        self.objections: dict[int, tuple[int, bool]] = {}
        self.posts: dict[int, MPost] = {}
        """Objections after registration; their ids come from the notice objections' counter."""
        self.grants: dict[bytes, MGrant] = {}
        self.excl: dict[tuple[int, RightKind], MExcl] = {}
        self.validity = self.reg.assets.validity_period()
        self.touched: set[int] = set()
        self.holders = [accounts.holder, accounts.holder2]
        self.grantees = [accounts.grantee.address, accounts.grantee2.address]

    def teardown(self) -> None:
        try:
            self.touched = set(self.assets)
            self.assets_agree()
            self.rights_agree()
        finally:
            self.w3.provider.make_request("evm_revert", [self.snapshot])  # type: ignore[arg-type]

    # ------------------------------------------------------------ helpers

    def t(self) -> int:
        """The time the next transaction will most likely run at."""
        return int(self.w3.eth.get_block("latest")["timestamp"]) + 1

    def sure(self, t: int, *boundaries: int) -> None:
        if any(abs(t - b) < UNSURE for b in boundaries if b):
            raise UnsureError

    def asset_id(self, index: int) -> int:
        ids = sorted(self.assets)
        chosen = ids[index] if index < len(ids) else len(ids) + 1
        self.touched.add(chosen)
        return chosen

    def call(self, expected: str | None, fn: Any, *args: Any) -> bool:
        """Makes the call and checks it against the prediction; True when it succeeded."""
        refusal: ContractError | None = None
        try:
            fn(*args)
        except ContractError as error:
            refusal = error
        if refusal is None:
            assert expected is None, f"model expected {expected}, chain succeeded"
            return True
        assert expected is not None, f"model expected success, chain said {refusal}"
        assert refusal.name == expected, f"model expected {expected}, chain said {refusal}"
        return False

    def attempt(self, predict: Any, fn: Any, *args: Any) -> bool:
        """Predicts, calls, compares; for an unsure prediction the chain's outcome is taken."""
        try:
            expected = predict()
        except UnpublishedError:
            expected = "CalendarNotPublished"
        except UnsureError:
            try:
                fn(*args)
                return True
            except ContractError:
                return False
        return self.call(expected, fn, *args)

    def consent(self, primary: str, holder: LocalAccount, **fields: Any) -> JointConsent:
        """Every right-holder's consent to an act on the asset ``fields["assetId"]``: the
        holder's, and its co-holder's if it has one, under the holder's nonce."""
        message = {**fields, "nonce": self.reg.assets.nonces(holder.address)}
        a = self.assets.get(int(fields["assetId"]))
        signers = [holder] if a is None or a.co is None else [holder, a.co[0]]
        domain = self.reg.assets.domain()
        signed = [sign(s, domain, primary, message, DEADLINE) for s in signers]
        return JointConsent.of(signed, [s.address for s in signers[1:]])

    def require_active(self, asset_id: int, t: int) -> str | None:
        a = self.assets.get(asset_id)
        if a is None:
            return "UnknownAsset"
        if a.status != Status.ISSUED:
            return "InvalidTransition"
        self.sure(t, a.expires)
        if t >= a.expires:
            return "RegistrationExpired"
        return "Frozen" if a.frozen else None

    def require_open(self, asset_id: int) -> str | None:
        a = self.assets.get(asset_id)
        if a is None:
            return "UnknownAsset"
        if a.status in (Status.REJECTED, Status.CANCELLED, Status.REVOKED, Status.TERMINATED):
            return "InvalidTransition"
        if a.status == Status.SUPPLEMENTING:
            t = self.t()
            self.sure(t, a.supplements_due)
            if t >= a.supplements_due:
                return "InvalidTransition"  # withdrawn
        return None

    def in_review(self, asset_id: int, proof_too: bool) -> str | None:
        """The review acts' rule: accepted (or deemed accepted now) and in review."""
        a = self.assets.get(asset_id)
        if a is None:
            return "UnknownAsset"
        if a.status == Status.APPLIED:
            deemed, t = deemed_at(a.clock), self.t()
            self.sure(t, deemed)
            return "InvalidTransition" if t < deemed else None
        if a.status == Status.UNDER_REVIEW or (proof_too and a.status == Status.AWAITING_PROOF):
            return None
        return "InvalidTransition"

    def entered_review(self, asset_id: int) -> None:
        """After a review act succeeded: a deemed acceptance is recorded at its time."""
        a = self.assets[asset_id]
        if a.status == Status.APPLIED:
            a.status, a.accepted = Status.UNDER_REVIEW, deemed_at(a.clock)

    def require_status(self, asset_id: int, status: Status) -> str | None:
        a = self.assets.get(asset_id)
        if a is None:
            return "UnknownAsset"
        return None if a.status == status else "InvalidTransition"

    def last_time(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def reissue(self, asset_id: int) -> None:
        a = self.assets[asset_id]
        a.superseded.append(a.certificate)
        a.certificate = self.reg.assets.get_asset(asset_id).certificate_id

    # ------------------------------------------------------------ lifecycle rules

    @initialize()
    def start_with_assets_in_three_states(self) -> None:
        """An issued asset, one in public notice and one applied, so that every rule has
        something to act on from the first step."""
        a, acc = self.reg.assets, self.acc
        for holder, manifest in ((0, 1), (1, 2), (0, 3)):
            self.apply(holder, manifest)
        for aid in (1, 2):
            a.accept(acc.reviewer, aid)
            a.approve(acc.reviewer, aid)
        self.advance(a.get_asset(1).notice_ends_at - self.last_time())
        a.issue(acc.registrar, 1)
        for aid, status in ((1, Status.ISSUED), (2, Status.IN_NOTICE)):
            m, chain = self.assets[aid], a.get_asset(aid)
            m.status, m.notice_ends, m.expires = status, chain.notice_ends_at, chain.expires_at
            m.certificate = chain.certificate_id
            m.accepted = a.procedure_of(aid).accepted_at
            m.paused_at = a.procedure_of(aid).paused_at

    def has(self, a: MAsset, kind: RightKind, account: str, t: int) -> bool:
        """The model of ``hasRight``: the holder holds all three; the joint applicant its mask
        until its expiry; nothing counts on an asset not issued now or expired by ``t``."""
        if a.status != Status.ISSUED or t >= a.expires:
            return False
        if account == a.holder.address:
            return True
        if a.co is None or a.co[0].address != account:
            return False
        return bool(a.co[1] & kind.bit) and (a.co[2] == 0 or t < a.co[2])

    @rule(
        holder=st.sampled_from([0, 1]),
        manifest=st.integers(0, 10**9),
        co=st.sampled_from([0, 0b001, 0b010, 0b100, 0b110, 0b111]),
        co_days=st.sampled_from([0, 3, 400]),
    )
    def apply(self, holder: int, manifest: int, co: int = 0, co_days: int = 0) -> None:
        """A sole application, or a joint one (共同申请) with the other holder as co-holder of
        ``co`` (a rights mask) until ``co_days`` from now (0: with the registration)."""
        who, other = self.holders[holder], self.holders[1 - holder]
        expiry = self.t() + co_days * DAY if co_days else 0
        joint = (RightHolder(other.address, co, 0, expiry, h("id"), ZERO32, "无"),) if co else ()
        app = application(who.address, f"m{manifest}-{len(self.assets)}", co_holders=joint)
        signers = (None, other) if co else (None,)
        consent = joint_consent(self.reg.assets, signers, app)
        asset_id = self.reg.assets.submit_application(who, app, consent)
        self.assets[asset_id] = MAsset(
            holder=who, clock=self.last_time(), co=(other, co, expiry) if co else None
        )

    @rule(i=st.integers(0, 3))
    def accept(self, i: int) -> None:
        aid = self.asset_id(i)

        def predict() -> str | None:
            error = self.require_status(aid, Status.APPLIED)
            if error:
                return error
            deemed_at(self.assets[aid].clock)  # counted: the calendar must reach it
            return None

        if self.attempt(predict, self.reg.assets.accept, self.acc.reviewer, aid):
            a = self.assets[aid]
            a.status, a.accepted = Status.UNDER_REVIEW, min(self.last_time(), deemed_at(a.clock))

    @rule(i=st.integers(0, 3), days=st.sampled_from([1, 10]))
    def return_for_supplements(self, i: int, days: int) -> None:
        aid = self.asset_id(i)
        deadline = self.t() + days * DAY

        def predict() -> str | None:
            error = self.require_status(aid, Status.APPLIED)
            if error:
                return error
            deemed, t = deemed_at(self.assets[aid].clock), self.t()
            self.sure(t, deemed)
            return "AcceptanceTimeOver" if t >= deemed else None

        fn = self.reg.assets.return_for_supplements
        if self.attempt(predict, fn, self.acc.reviewer, aid, h("list"), deadline):
            a = self.assets[aid]
            a.status, a.supplements_due = Status.SUPPLEMENTING, deadline

    @rule(i=st.integers(0, 3))
    def supply_supplements(self, i: int) -> None:
        aid = self.asset_id(i)
        holder = self.assets[aid].holder if aid in self.assets else self.acc.holder

        def predict() -> str | None:
            error = self.require_status(aid, Status.SUPPLEMENTING)
            if error:
                return error
            a, t = self.assets[aid], self.t()
            self.sure(t, a.supplements_due)
            return "SupplementsOverdue" if t >= a.supplements_due else None

        def send() -> None:
            c = self.consent("Supplements", holder, assetId=aid, materialsHash=h("more"))
            self.reg.assets.supply_supplements(self.acc.registrar, aid, h("more"), c)

        if self.attempt(predict, send):
            a = self.assets[aid]
            a.status, a.clock, a.supplements_due = Status.APPLIED, self.last_time(), 0

    @rule(i=st.integers(0, 3))
    def request_proof(self, i: int) -> None:
        aid = self.asset_id(i)
        fn = self.reg.assets.request_proof
        if self.attempt(lambda: self.in_review(aid, False), fn, self.acc.reviewer, aid, h("q")):
            self.entered_review(aid)
            a = self.assets[aid]
            a.status, a.paused_at = Status.AWAITING_PROOF, self.last_time()

    @rule(i=st.integers(0, 3))
    def supply_proof(self, i: int) -> None:
        aid = self.asset_id(i)
        holder = self.assets[aid].holder if aid in self.assets else self.acc.holder

        def paused(a: MAsset) -> int:
            try:
                return working_days_between(beijing_date(a.paused_at), beijing_date(self.t()))
            except CalendarDataError:
                raise UnpublishedError from None

        def predict() -> str | None:
            error = self.require_status(aid, Status.AWAITING_PROOF)
            if error:
                return error
            paused(self.assets[aid])
            return None

        def send() -> None:
            c = self.consent("Proof", holder, assetId=aid, proofHash=h("proof"))
            self.reg.assets.supply_proof(self.acc.registrar, aid, h("proof"), c)

        if self.attempt(predict, send):
            a = self.assets[aid]
            a.paused_days += working_days_between(
                beijing_date(a.paused_at), beijing_date(self.last_time())
            )
            a.status, a.paused_at = Status.UNDER_REVIEW, 0

    @rule(i=st.integers(0, 3), days=st.sampled_from([1, 4, 11]))
    def extend(self, i: int, days: int) -> None:
        aid = self.asset_id(i)

        def predict() -> str | None:
            error = self.in_review(aid, True)
            if error:
                return error
            return "ExtensionTooLong" if self.assets[aid].extension_days + days > 10 else None

        fn = self.reg.assets.extend
        if self.attempt(predict, fn, self.acc.reviewer, aid, days, h("why")):
            self.entered_review(aid)
            self.assets[aid].extension_days += days

    @rule(i=st.integers(0, 3), terminate=st.booleans())
    def end_review(self, i: int, terminate: bool) -> None:
        """Termination (unverifiable) or refusal on a ground of art. 22."""
        aid = self.asset_id(i)
        a = self.reg.assets
        if terminate:
            fn, args, status = a.terminate, (h("t"),), Status.TERMINATED
        else:
            fn, args = a.refuse, (RefusalReason.CONCEALMENT_OR_FALSE_PROOF, h("r"))
            status = Status.REJECTED
        if self.attempt(lambda: self.in_review(aid, True), fn, self.acc.reviewer, aid, *args):
            self.entered_review(aid)
            self.assets[aid].status = status

    @rule(i=st.integers(0, 3), notice=st.booleans())
    def approve(self, i: int, notice: bool) -> None:
        aid = self.asset_id(i)

        def predict() -> str | None:
            error = self.in_review(aid, False)
            if error is None and notice:
                end_after(self.t(), 5)
            return error

        a = self.reg.assets
        fn, args = (a.approve, ()) if notice else (a.approve_without_notice, (h("asked"),))
        if self.attempt(predict, fn, self.acc.reviewer, aid, *args):
            self.entered_review(aid)
            m, t = self.assets[aid], self.last_time()
            m.status, m.paused_at = Status.IN_NOTICE, t
            m.notice_ends = end_after(t, 5) if notice else t

    @rule(i=st.integers(0, 3))
    def file_objection(self, i: int) -> None:
        aid = self.asset_id(i)

        def predict() -> str | None:
            error = self.require_status(aid, Status.IN_NOTICE)
            if error:
                return error
            t = self.t()
            self.sure(t, self.assets[aid].notice_ends)
            if t >= self.assets[aid].notice_ends:
                return "NoticeClosed"
            end_after(t, 10)  # the investigation's due date is counted
            return None

        oid = self.next_objection()
        before = self.reg.assets.get_objection(oid)
        assert before.asset_id == 0
        if self.attempt(predict, self.reg.assets.file_objection, self.acc.outsider, aid, h("e")):
            self.assets[aid].objections += 1
            self.objections[oid] = (aid, True)
            due = self.reg.assets.get_objection(oid).investigation_due
            assert due == end_after(self.last_time(), 10), oid

    def next_objection(self) -> int:
        return len(self.objections) + len(self.posts) + 1

    @rule(i=st.integers(0, 3), form=st.booleans(), evidence=st.booleans())
    def file_post_objection(self, i: int, form: bool, evidence: bool) -> None:
        aid = self.asset_id(i)

        def predict() -> str | None:
            a = self.assets.get(aid)
            if a is None:
                return "UnknownAsset"
            if a.status != Status.ISSUED:
                return "NotRegistered"
            t = self.t()
            self.sure(t, a.expires)
            if t >= a.expires:
                return "NotRegistered"
            if not form:
                return "MissingObjectionForm"
            return None if evidence else "MissingObjectionEvidence"

        oid = self.next_objection()
        hashes = (h("form") if form else ZERO32, h("evidence") if evidence else ZERO32)
        send = self.reg.assets.file_objection_after_registration
        if self.attempt(predict, send, self.acc.outsider, aid, *hashes):
            self.posts[oid] = MPost(aid)

    @rule(
        o=st.integers(1, 6),
        step=st.sampled_from(_POST_STEPS),
        founded=st.booleans(),
        outcome=st.sampled_from(list(ObjectionOutcome)),
        kind=st.sampled_from(list(JudgmentKind)),
        document=st.booleans(),
    )
    def post_objection_step(
        self,
        o: int,
        step: str,
        founded: bool,
        outcome: ObjectionOutcome,
        kind: JudgmentKind,
        document: bool,
    ) -> None:
        """A step of an objection after registration, in order or not, by the registrar."""
        p = self.posts.get(o)
        doc = h("document") if document else ZERO32
        args: dict[str, tuple[Any, ...]] = {
            "confirm": ("confirmObjectionMaterials", o),
            "notify": ("notifyApplicant", o, doc),
            "answer": ("recordAnswer", o, founded, outcome, doc),
            "conclude": ("concludeObjection", o, founded, outcome, doc),
            "judgment": ("recordJudgment", o, kind, outcome, doc),
            "settle": ("settleObjection", o, doc),
        }

        def predict() -> str | None:
            if p is None:
                return "UnknownObjection"
            if p.status not in _POST_FROM[step]:
                return "ObjectionStepNotOpen"
            if step == "confirm":
                end_after(self.t(), 5)  # the notification due date is counted
                return None
            if step == "judgment" and kind == JudgmentKind.NONE:
                return "JudgmentKindMissing"
            if not document:
                return "MissingObjectionDocument"
            if step in ("answer", "conclude") and founded != (outcome != ObjectionOutcome.STANDS):
                return "OutcomeMismatch"
            if step == "settle" and p.outcome == ObjectionOutcome.CANCEL:
                a = self.assets[p.asset]
                if a.status != Status.ISSUED:
                    return "InvalidTransition"
                return "Frozen" if a.frozen else None
            if step == "settle" and p.outcome == ObjectionOutcome.CHANGE and not p.changed:
                return "ChangeNotRegistered"
            return None

        registrar = self.acc.registrar
        if p is not None:
            self.touched.add(p.asset)
        if not self.attempt(predict, self.reg.assets._send, registrar, *args[step]):
            return
        assert p is not None
        if step == "confirm":
            p.status = PostObjectionStatus.MATERIALS_COMPLETE
            p.notification_due = end_after(self.last_time(), 5)
        elif step == "notify":
            p.status = PostObjectionStatus.NOTIFIED
        elif step == "answer":
            agreed, disputed = PostObjectionStatus.AGREED, PostObjectionStatus.DISPUTED
            p.status, p.outcome = (agreed if founded else disputed), outcome
        elif step == "conclude":
            p.status, p.outcome = PostObjectionStatus.CONCLUDED, outcome
        elif step == "judgment":
            p.status, p.outcome, p.judgment = PostObjectionStatus.JUDGED, outcome, kind
        else:
            p.status = PostObjectionStatus.SETTLED
            if p.outcome == ObjectionOutcome.CANCEL:
                self.assets[p.asset].status = Status.CANCELLED

    @rule(o=st.integers(1, 6))
    def change_by_judgment(self, o: int) -> None:
        """The change a judgment or award ordered (art. 29), registered without consent: a new
        manifest version and certificate, after which the objection can be settled."""
        p = self.posts.get(o)
        m = h(f"ordered-{o}")

        def predict() -> str | None:
            if p is None:
                return "UnknownObjection"
            if p.status != PostObjectionStatus.JUDGED:
                return "ObjectionStepNotOpen"
            if p.outcome != ObjectionOutcome.CHANGE:
                return "NoChangeOrdered"
            return self.require_active(p.asset, self.t())

        if p is not None:
            self.touched.add(p.asset)
        args = ("changeByJudgment", o, m, m, 0x55)
        if self.attempt(predict, self.reg.assets._send, self.acc.registrar, *args):
            assert p is not None
            self.reissue(p.asset)
            for q in self.posts.values():
                q.changed = q.changed or q.asset == p.asset

    @rule(o=st.integers(1, 4), upheld=st.booleans(), grounded=st.booleans())
    def decide_objection(self, o: int, upheld: bool, grounded: bool) -> None:
        reason = RefusalReason.OWNERSHIP_DISPUTED if grounded else RefusalReason.NONE

        def predict() -> str | None:
            if o not in self.objections:
                return "UnknownObjection"
            aid, is_open = self.objections[o]
            if not is_open:
                return "ObjectionNotOpen"
            error = self.require_status(aid, Status.IN_NOTICE)
            if error:
                return error
            return "RefusalReasonMissing" if upheld and not grounded else None

        if self.call(
            predict(),
            self.reg.assets.decide_objection,
            self.acc.registrar,
            o,
            upheld,
            h("d"),
            reason,
        ):
            aid, _ = self.objections[o]
            self.objections[o] = (aid, False)
            self.assets[aid].objections -= 1
            if upheld:
                self.assets[aid].status = Status.REJECTED

    @rule(i=st.integers(0, 3))
    def issue(self, i: int) -> None:
        aid = self.asset_id(i)

        def predict() -> str | None:
            error = self.require_status(aid, Status.IN_NOTICE)
            if error:
                return error
            a, t = self.assets[aid], self.t()
            self.sure(t, a.notice_ends)
            if t < a.notice_ends:
                return "NoticeNotEnded"
            if a.objections:
                return "ObjectionsOpen"
            return "Frozen" if a.frozen else None

        if self.attempt(predict, self.reg.assets.issue, self.acc.registrar, aid):
            a = self.assets[aid]
            a.status = Status.ISSUED
            a.expires = self.last_time() + self.validity
            a.certificate = self.reg.assets.get_asset(aid).certificate_id

    @rule(i=st.integers(0, 3), manifest=st.integers(0, 10**6))
    def change(self, i: int, manifest: int) -> None:
        aid = self.asset_id(i)
        holder = self.assets[aid].holder if aid in self.assets else self.acc.holder
        m = h(f"change-{manifest}")

        def send() -> None:
            c = self.consent(
                "Change", holder, assetId=aid, manifestHash=m, manifestCid=m, cidCodec=0x55
            )
            self.reg.assets.change(self.acc.registrar, aid, m, m, 0x55, c)

        if self.attempt(lambda: self.require_active(aid, self.t()), send):
            self.reissue(aid)
            for p in self.posts.values():
                p.changed = p.changed or p.asset == aid

    @rule(i=st.integers(0, 3), who=st.sampled_from(["holder", "co-holder", "other"]))
    def change_identity(self, i: int, who: str) -> None:
        """A right-holder's new identity commitment (art. 35, a renaming), with its consent;
        the holder's certificate, which names it, is reissued."""
        aid = self.asset_id(i)
        a = self.assets.get(aid)
        holder = a.holder if a is not None else self.acc.holder
        other = self.holders[1] if holder is self.holders[0] else self.holders[0]
        account = {
            "holder": holder,
            "co-holder": a.co[0] if a is not None and a.co is not None else self.acc.outsider,
            "other": other,
        }[who]

        def predict() -> str | None:
            error = self.require_active(aid, self.t())
            if error:
                return error
            assert a is not None  # require_active refused an unknown asset
            held = account is a.holder or (a.co is not None and a.co[0] is account)
            return None if held else "NotRightHolder"

        def send() -> None:
            message = {
                "assetId": aid,
                "account": account.address,
                "identityHash": h("renamed"),
                "nonce": self.reg.assets.nonces(account.address),
            }
            signed = sign(account, self.reg.assets.domain(), "IdentityChange", message, DEADLINE)
            consent = JointConsent.of([signed]).to_abi()
            fn = self.reg.assets.contract.functions.changeIdentity(
                aid, account.address, h("renamed"), consent
            )
            self.reg.chain.send(fn, self.acc.registrar)

        if self.attempt(predict, send):
            self.reissue(aid)

    @rule(i=st.integers(0, 3), refused=st.booleans())
    def transfer(self, i: int, refused: bool) -> None:
        aid = self.asset_id(i)
        holder = self.assets[aid].holder if aid in self.assets else self.acc.holder
        to = self.holders[1] if holder is self.holders[0] else self.holders[0]

        def predict() -> str | None:
            error = self.require_active(aid, self.t())
            if error:
                return error
            co = self.assets[aid].co
            if co is not None and co[0] is to:
                return "InvalidHolder"  # a co-holder's rights would merge unseen
            return "Pledged" if self.assets[aid].pledgee else None

        def send() -> None:
            # The holder transfers all it holds (art. 34), both consenting; then its registration.
            a = self.reg.assets
            shares = [TransferShare(holder.address, to.address, 0b111, h("id:" + to.address))]
            c = transfer_consent(a, aid, shares, h("deal"), (holder, to))
            transfer_id = a.apply_transfer(self.acc.registrar, aid, shares, h("deal"), c)
            if refused:  # the review finds a ground (art. 22): nothing moves
                a.refuse_transfer(
                    self.acc.reviewer, transfer_id, RefusalReason.OWNERSHIP_DISPUTED, h("no")
                )
            else:
                a.register_transfer(self.acc.registrar, transfer_id)

        if self.attempt(predict, send) and not refused:
            self.assets[aid].holder = to
            self.reissue(aid)

    @rule(i=st.integers(0, 3))
    def renew(self, i: int) -> None:
        aid = self.asset_id(i)
        holder = self.assets[aid].holder if aid in self.assets else self.acc.holder

        def predict() -> str | None:
            error = self.require_status(aid, Status.ISSUED)
            if error:
                return error
            a, t = self.assets[aid], self.t()
            opens, closes = renewal_window(a.expires)
            self.sure(t, opens, closes)
            if t >= closes:
                return "RenewalLapsed"
            return "RenewalNotOpen" if t < opens else None

        def send() -> None:
            c = self.consent("Renew", holder, assetId=aid)
            self.reg.assets.renew(self.acc.registrar, aid, c)

        if self.attempt(predict, send):
            self.assets[aid].expires += self.validity

    @rule(i=st.integers(0, 3))
    def pledge(self, i: int) -> None:
        aid = self.asset_id(i)
        holder = self.assets[aid].holder if aid in self.assets else self.acc.holder

        def predict() -> str | None:
            error = self.require_active(aid, self.t())
            if error:
                return error
            return "Pledged" if self.assets[aid].pledgee else None

        def send() -> None:
            pledgee = self.acc.pledgee.address
            c = self.consent(
                "Pledge", holder, assetId=aid, pledgee=pledgee, agreementHash=h("loan")
            )
            self.reg.assets.pledge(self.acc.registrar, aid, pledgee, h("loan"), c)

        if self.attempt(predict, send):
            self.assets[aid].pledgee = self.acc.pledgee.address

    @rule(i=st.integers(0, 3))
    def release_pledge(self, i: int) -> None:
        aid = self.asset_id(i)

        def predict() -> str | None:
            error = self.require_open(aid)
            if error:
                return error
            return None if self.assets[aid].pledgee else "NotPledged"

        if self.call(predict(), self.reg.assets.release_pledge, self.acc.pledgee, aid):
            self.assets[aid].pledgee = None

    @rule(i=st.integers(0, 3))
    def seize(self, i: int) -> None:
        """A seizure annotation; several may be in force at once (轮候查封)."""
        aid = self.asset_id(i)
        n = self.reg.annotations
        args = (AnnotationKind.SEIZURE, h("court"), h("order"), h("seized"))
        if self.call(self.require_open(aid), n.annotate, self.acc.registrar, aid, *args):
            a = self.assets[aid]
            a.annotations += 1
            a.seizures.append(aid * 1000 + a.annotations)

    @rule(i=st.integers(0, 3))
    def lift(self, i: int) -> None:
        """Lifts the asset's oldest seizure in force, or (none in force) its first annotation."""
        aid = self.asset_id(i)
        a = self.assets.get(aid)
        if a is not None and a.seizures:
            target, error = a.seizures[0], None
        else:
            target = aid * 1000 + 1
            error = "AlreadyLifted" if a is not None and a.annotations else "UnknownAnnotation"
        if self.call(error, self.reg.annotations.lift, self.acc.registrar, target, h("lifted")):
            self.assets[aid].seizures.remove(target)

    @rule(i=st.integers(0, 3))
    def cancel(self, i: int) -> None:
        aid = self.asset_id(i)
        holder = self.assets[aid].holder if aid in self.assets else self.acc.holder

        def predict() -> str | None:
            error = self.require_open(aid)
            if error:
                return error
            a = self.assets[aid]
            return "Frozen" if a.frozen else ("Pledged" if a.pledgee else None)

        consent = self.consent("Cancel", holder, assetId=aid)
        if self.call(predict(), self.reg.assets.cancel, holder, aid, consent):
            self.assets[aid].status = Status.CANCELLED

    @rule(i=st.integers(0, 3), ground=st.sampled_from(list(CancellationGround)))
    def cancel_by_center(self, i: int, ground: CancellationGround) -> None:
        """The center's cancellation of its own motion (art. 37): issued, not seized, a ground."""
        aid = self.asset_id(i)

        def predict() -> str | None:
            error = self.require_status(aid, Status.ISSUED)
            if error:
                return error
            if self.assets[aid].frozen:
                return "Frozen"
            return "CancellationGroundMissing" if ground == CancellationGround.NONE else None

        def send() -> None:
            self.reg.assets._send(
                self.acc.registrar, "cancelByCenter", aid, int(ground), h("why"), h("told")
            )

        if self.attempt(predict, send):
            self.assets[aid].status = Status.CANCELLED

    @rule(i=st.integers(0, 3))
    def revoke(self, i: int) -> None:
        aid = self.asset_id(i)
        if self.call(
            self.require_status(aid, Status.ISSUED),
            self.reg.assets.revoke,
            self.acc.registrar,
            aid,
            h("fraud"),
        ):
            self.assets[aid].status = Status.REVOKED

    @rule(seconds=st.sampled_from([3600, DAY, 3 * DAY, 11 * DAY, 40 * DAY, 400 * DAY, 1700 * DAY]))
    def advance(self, seconds: int) -> None:
        self.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
        self.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
        self.touched = set(self.assets)  # time moves every asset

    # ------------------------------------------------------------ rights rules

    @rule(
        i=st.integers(0, 3),
        kind=st.sampled_from([RightKind.PROCESSING, RightKind.OPERATING]),
        grantee=st.sampled_from([0, 1]),
        scenario=st.sampled_from(["a", "b"]),
        exclusive=st.booleans(),
        revocable=st.booleans(),
        offset=st.sampled_from([-DAY, 0, 2 * DAY, 20 * DAY]),
        days=st.sampled_from([1, 5, 30, 400]),
        by_co=st.booleans(),
    )
    def grant(
        self,
        i: int,
        kind: RightKind,
        grantee: int,
        scenario: str,
        exclusive: bool,
        revocable: bool,
        offset: int,
        days: int,
        by_co: bool,
    ) -> None:
        """A licence granted by the holder, or by the co-holder (which needs the operating
        right now: NotOperator otherwise)."""
        aid = self.asset_id(i)
        t0 = self.t()
        start, expiry = t0 + offset, t0 + offset + days * DAY
        holder = self.assets[aid].holder if aid in self.assets else self.acc.holder
        co = self.assets[aid].co if aid in self.assets else None
        grantor = co[0] if by_co and co is not None else holder
        request = GrantRequest(
            grantor.address,
            aid,
            kind,
            self.grantees[grantee],
            h(scenario),
            start,
            expiry,
            exclusive,
            revocable,
            h("terms"),
        )
        grant_id = self.reg.rights.grant_id_of(aid, kind, request.grantee, request.scenario)

        def predict() -> str | None:
            t = self.t()
            eff = max(start, t)
            self.sure(t, start, expiry)
            if expiry <= eff:
                return "InvalidTerm"
            a = self.assets.get(aid)
            if a is None or a.status != Status.ISSUED:
                return "AssetNotIssued"
            self.sure(t, a.expires)
            if t >= a.expires:
                return "AssetNotIssued"
            if a.frozen:
                return "AssetFrozen"
            if a.co is not None and grantor is a.co[0]:
                self.sure(t, a.co[2])
            if not self.has(a, RightKind.OPERATING, grantor.address, t):
                return "NotOperator"
            old = self.grants.get(grant_id)
            if old is not None and not old.revoked:
                self.sure(t, old.expiry)
                if old.expiry > t:
                    return "GrantStillActive"
            x = self.excl.get((aid, kind), MExcl())
            self.sure(t, x.excl_until, x.shared_until)
            if x.excl_until > eff and x.excl_from < expiry:
                return "ExclusiveConflict"
            counted = x.shared_live != 0 and x.shared_until > t
            if exclusive:
                if x.excl_until > t:
                    return "ExclusiveConflict"
                if counted and x.shared_until > eff and x.shared_from < expiry:
                    return "ExclusiveConflict"
            return None

        if self.attempt(predict, self.reg.rights.grant, grantor, request):
            stored = self.reg.rights.get_grant(grant_id)
            t = self.last_time()
            x = self.excl.setdefault((aid, kind), MExcl())
            counted = x.shared_live != 0 and x.shared_until > t
            if exclusive:
                x.excl_from, x.excl_until = stored.start, stored.expiry
            elif counted:
                x.shared_from = min(x.shared_from, stored.start)
                x.shared_until = max(x.shared_until, stored.expiry)
                x.shared_live += 1
            else:
                x.shared_from, x.shared_until, x.shared_live = stored.start, stored.expiry, 1
            self.grants[grant_id] = MGrant(
                aid,
                kind,
                request.grantee,
                request.scenario,
                stored.start,
                stored.expiry,
                exclusive,
                revocable,
            )

    def _revoke_model(self, g: MGrant) -> None:
        g.revoked = True
        x = self.excl[(g.asset, g.kind)]
        if g.exclusive:
            x.excl_from, x.excl_until = 0, 0
        elif x.shared_live > 1:
            x.shared_live -= 1
        else:
            x.shared_from, x.shared_until, x.shared_live = 0, 0, 0

    def _live(self, grant_id: bytes) -> str | None:
        g = self.grants.get(grant_id)
        if g is None:
            return "UnknownGrant"
        t = self.t()
        self.sure(t, g.expiry)
        return "GrantNotActive" if g.revoked or g.expiry <= t else None

    @rule(g=st.integers(0, 5), annul=st.booleans())
    def revoke_grant(self, g: int, annul: bool) -> None:
        ids = list(self.grants)
        grant_id = ids[g] if g < len(ids) else h("no such grant")
        if annul:
            ok = self.attempt(
                lambda: self._live(grant_id),
                self.reg.rights.annul_grant,
                self.acc.registrar,
                grant_id,
                h("court"),
            )
        else:
            model = self.grants.get(grant_id)
            holder = self.assets[model.asset].holder if model else self.acc.holder

            def predict() -> str | None:
                error = self._live(grant_id)
                if error:
                    return error
                return None if self.grants[grant_id].revocable else "GrantNotRevocable"

            ok = self.attempt(predict, self.reg.rights.revoke_grant, holder, grant_id, h("why"))
        if ok:
            self._revoke_model(self.grants[grant_id])

    # ------------------------------------------------------------ invariants

    # After each step the assets it touched are compared (all of them after time moved), and
    # every asset at the end of the example: view calls through web3 cost milliseconds each.

    @invariant()
    def chain_agrees_with_model(self) -> None:
        self.assets_agree()
        self.rights_agree()
        self.touched = set()

    def assets_agree(self) -> None:
        now = self.last_time()
        for oid, p in self.posts.items():
            if p.asset not in self.touched:
                continue
            chain_post = self.reg.assets.get_post_objection(oid)
            assert (chain_post.asset_id, chain_post.status) == (p.asset, p.status), oid
            assert (chain_post.outcome, chain_post.judgment) == (p.outcome, p.judgment), oid
            assert chain_post.notification_due == p.notification_due, oid
        for aid, m in self.assets.items():
            if aid not in self.touched:
                continue
            chain = self.reg.assets.get_asset(aid)
            assert chain.holder == m.holder.address, aid
            assert chain.status == m.status, (aid, chain.status, m.status)
            assert chain.frozen == m.frozen, aid
            assert self.reg.annotations.seizures_of(aid) == len(m.seizures), aid
            assert chain.open_objections == m.objections, aid
            assert chain.expires_at == m.expires, aid
            assert chain.notice_ends_at == m.notice_ends, aid
            procedure = self.reg.assets.procedure_of(aid)
            assert procedure.accepted_at == m.accepted, aid
            assert procedure.paused_days == m.paused_days, aid
            assert procedure.extension_days == m.extension_days, aid
            assert procedure.supplements_due == m.supplements_due, aid
            expected = m.status
            if m.status == Status.ISSUED and now >= m.expires:
                expected = Status.EXPIRED
            elif m.status == Status.SUPPLEMENTING and now >= m.supplements_due:
                expected = Status.WITHDRAWN
            elif m.status == Status.APPLIED:
                try:
                    if now >= deemed_at(m.clock):
                        expected = Status.DEEMED_ACCEPTED
                except UnpublishedError:
                    pass  # the view leaves it as stored
            assert self.reg.assets.status_of(aid) == expected, aid
            if m.accepted and m.status == Status.UNDER_REVIEW:
                try:
                    due = end_after(m.accepted, 10 + m.paused_days + m.extension_days)
                except UnpublishedError:
                    due = None
                if due is not None:
                    assert self.reg.assets.deadlines_of(aid).processing_due == due, aid
            pledgee = self.reg.assets.pledgee_of(aid)
            assert (None if int(pledgee, 16) == 0 else pledgee) == m.pledgee, aid
            if m.certificate:
                assert chain.certificate_id == m.certificate
                cert = self.reg.certificates.status_of(m.certificate)
                if m.status == Status.REVOKED:
                    assert cert == CertificateStatus.REVOKED
                elif m.status == Status.CANCELLED:
                    assert cert == CertificateStatus.CANCELLED
                else:
                    valid = (
                        CertificateStatus.EXPIRED if now >= m.expires else CertificateStatus.VALID
                    )
                    assert cert == valid, (aid, cert)
                    for old in m.superseded:
                        assert self.reg.certificates.status_of(old) == CertificateStatus.SUPERSEDED

    def rights_agree(self) -> None:
        now = self.last_time()
        for grant_id, g in self.grants.items():
            if g.asset not in self.touched:
                continue
            a = self.assets[g.asset]
            counted = a.status == Status.ISSUED and now < a.expires
            live = not g.revoked and g.start <= now < g.expiry
            chain = self.reg.rights.has_right(g.asset, g.kind, g.grantee, g.scenario, now)
            assert chain == (counted and live), grant_id.hex()
        for (aid, kind), x in self.excl.items():
            if aid not in self.touched:
                continue
            e = self.reg.rights.exclusivity_of(aid, kind)
            assert (e.shared_from, e.shared_until, e.shared_live) == (
                x.shared_from,
                x.shared_until,
                x.shared_live,
            )
            assert (e.exclusive_from, e.exclusive_until) == (x.excl_from, x.excl_until)
        for aid, a in self.assets.items():
            if aid not in self.touched:
                continue
            holding = self.reg.rights.has_right(
                aid, RightKind.HOLDING, a.holder.address, ZERO32, now
            )
            assert holding == (a.status == Status.ISSUED and now < a.expires)
            if a.co is not None and abs(now - a.co[2]) >= UNSURE:
                for kind in RightKind:
                    chain = self.reg.assets.has_right(aid, kind, a.co[0].address, now)
                    assert chain == self.has(a, kind, a.co[0].address, now), (aid, kind)


@pytest.mark.usefixtures("registry")
def test_contracts_follow_the_model_of_the_rules(
    w3: Web3, deployment: Deployment, artifacts: dict[str, Artifact], accounts: Accounts
) -> None:
    Model.env = (w3, Registry.connect(w3, deployment, artifacts), accounts)
    run_state_machine_as_test(
        Model,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=10,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
