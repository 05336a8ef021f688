"""Every registration act, described once.

A row of ``ACTS`` says what an act is on chain (the contract function, the staff key that sends
it, whose consent it takes and as which EIP-712 type), how it is asked for (HTTP method, path and
request model; the CLI command and its options) and who may ask (roles, and whether the key's
region must be the asset's). The API's act routes, the typed client, the holder's consent signer,
the consent requests, the console and the CLI are all built from these rows, so adding an act is
one row here plus its rule in the contract; ``GET /v1/acts`` publishes the table."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from registry.api.models import (
    AnnotationIn,
    ApplicationIn,
    ApproveIn,
    CenterCancellationIn,
    ChangeIn,
    ChangeTerms,
    ExtensionIn,
    GrantIn,
    HolderActIn,
    IdentityChangeIn,
    JudgmentIn,
    LicenceIn,
    LiftIn,
    ObjectionAnswerIn,
    ObjectionConclusionIn,
    ObjectionDecisionIn,
    ObjectionIn,
    ObjectionNoticeIn,
    PledgeIn,
    PostObjectionIn,
    ProofIn,
    ProofRequestIn,
    ReasonIn,
    RefuseIn,
    RevokeGrantIn,
    SettlementIn,
    SupplementsIn,
    SupplementsRequestIn,
    TransferDecisionIn,
    TransferIn,
    b32,
    ground,
)
from registry.api.roles import Role
from registry.chain.types import (
    AnnotationKind,
    CancellationGround,
    JudgmentKind,
    ObjectionOutcome,
    RightKind,
)
from registry.services.calls import ActCall, Contract, Sender
from registry.times import end_of

Target = Literal["new", "asset", "objection", "grant", "annotation", "transfer"]
"""What an act is on: a new application (its region is in the body), an asset, an objection, a
grant, an annotation or a transfer application (each found on chain, and through it the asset
and its region)."""

_PARAM = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class CliOption:
    """How a field of the act's request model is given on the command line: ``flags`` as for
    ``typer.Option`` (``"--to"``, ``"--upheld/--dismissed"``), none for a positional
    argument; ``parser`` turns the text into the field's value."""

    field: str
    flags: tuple[str, ...]
    help: str
    parser: Literal["hash", "text-hash", "start", "end"] | None = None


@dataclass(frozen=True)
class Act:
    name: str
    summary: str
    contract: Contract
    functions: tuple[str, ...]
    """The contract functions the act may call (review: begin, approve or reject)."""
    sender: Sender
    consent: str | None
    """The EIP-712 type of the holder's consent it takes, if any."""
    path: str
    """Under ``/v1``; a ``{name}`` in it is the target's id."""
    body: type[BaseModel] | None
    roles: frozenset[Role] | None
    """The API key roles that may ask for it; None: anyone, with a key or without."""
    same_region: bool
    """Whether the key must be bound to the region of the asset acted on."""
    target: Target
    encode: Callable[[Any, Any], tuple[str, tuple[Any, ...]]]
    """``(body, target id) -> (function, args)``, the consent not included."""
    cli: tuple[str, str] | None
    """``(group, command)``: ``registry <group> <command> <target> <options>``."""
    cli_options: tuple[CliOption, ...] = ()
    method: Literal["POST"] = "POST"
    draftable: bool = False
    """Whether staff may draft it for the holder to sign later (a consent request)."""
    texts: Callable[[Any], tuple[str, ...]] | None = None
    """The plain texts whose SHA-256 the act puts on chain, kept by the center under their
    hashes once the act is accepted (``Queries.keep_texts``) so the pages can show them."""
    starts: tuple[str, ...] = ()
    """Fields of the request model that are a start (Unix seconds): one before the start of
    today in Beijing (chain time) is refused, because the contract would silently record the
    registration time instead; a start within today is recorded from the registration."""

    @property
    def target_param(self) -> str | None:
        """The path parameter naming the target, if the target is in the path."""
        found = _PARAM.search(self.path)
        return found.group(1) if found else None

    def url(self, target: int | str | None) -> str:
        """The act's path (under ``/v1``) for ``target``."""
        param = self.target_param
        return self.path if param is None else self.path.replace(f"{{{param}}}", str(target))

    def target_of(self, target: Any, body: BaseModel | None) -> Any:
        """The id acted on: from the path, or (grants, licences) the body's ``asset_id``."""
        if self.target_param is None and self.target == "asset":
            return getattr(body, "asset_id")  # noqa: B009 (the body model is the row's)
        return target

    def call(self, body: BaseModel | None, target: Any) -> ActCall:
        function, args = self.encode(body, target)
        if function not in self.functions:
            raise ValueError(f"{self.name} does not call {function}")
        return ActCall(self.name, self.contract, function, self.sender, args, self.consent)


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


_STAFF = frozenset({Role.REGISTRAR})
# Acceptance and the return for supplements are the reviewer's: the guide gives them to the
# center without naming a separate post, they are the first look at the same file the reviewer
# then reviews, and a separate clerk key would add a role, a key and a grant at deployment with
# no rule that tells the two apart.
_REVIEWER = frozenset({Role.REVIEWER})
_HOLDER_OR_STAFF = frozenset({Role.REGISTRAR, Role.HOLDER})
_REASON = CliOption(
    "reason_hash", ("--reason",), "The reasons: 0x + 64 hex digits, or a file.", "hash"
)
_AGREEMENT = CliOption(
    "agreement_hash", ("--agreement",), "The agreement: 0x + 64 hex digits, or a file.", "hash"
)
_KIND = CliOption("kind", ("--kind",), "Which right: processing or operating.")
_GRANTEE = CliOption("grantee", ("--grantee",), "Who receives the right.")
_GRANTOR = CliOption(
    "grantor", ("--grantor",), "The holder of the operating right who grants it and consents."
)
_LICENSEE = (
    CliOption("licensee_name", ("--licensee-name",), "The licensee's name, in Chinese."),
    CliOption(
        "licensee_kind",
        ("--licensee-kind",),
        "legal_person, unincorporated or natural_person (named without a code).",
    ),
    CliOption(
        "licensee_credit_code",
        ("--licensee-code",),
        "The licensee's unified social credit code (统一社会信用代码).",
    ),
)
_SCENARIO = CliOption(
    "scenario",
    ("--scenario",),
    "The use scenario (一场景一授权), as text; its SHA-256 goes on chain.",
    "text-hash",
)


def _on_asset(function: str) -> Callable[[Any, Any], tuple[str, tuple[Any, ...]]]:
    return lambda body, asset_id: (function, (asset_id,))


def _digest(text: str) -> bytes:
    """An optional text's hash on chain: zero for none."""
    return _sha256(text) if text else bytes(32)


def _outcome(name: str) -> int:
    return int(ObjectionOutcome[name.upper()])


_OUTCOME = CliOption("outcome", ("--outcome",), "stands, change or cancel.")


def _with_hash(function: str, field: str) -> Callable[[Any, Any], tuple[str, tuple[Any, ...]]]:
    return lambda body, target: (function, (target, b32(getattr(body, field))))


ACTS: tuple[Act, ...] = (
    Act(
        "apply",
        "Initial application (首次登记), of one applicant or several jointly (共同申请): the"
        " rights configuration, signed by every right-holder",
        "assets",
        ("submitApplication",),
        "registrar",
        "Application",
        "/assets",
        ApplicationIn,
        _HOLDER_OR_STAFF,
        True,
        "new",
        lambda body, _: ("submitApplication", (body.to_application().to_abi(),)),
        ("asset", "apply"),
    ),
    Act(
        "accept",
        "Acceptance (受理, art. 17): the review and the 10 working days' time limit start",
        "assets",
        ("accept",),
        "reviewer",
        None,
        "/assets/{asset_id}/accept",
        None,
        _REVIEWER,
        True,
        "asset",
        _on_asset("accept"),
        ("asset", "accept"),
    ),
    Act(
        "return_for_supplements",
        "Return for supplements (补正, art. 17): every missing material listed, with a deadline",
        "assets",
        ("returnForSupplements",),
        "reviewer",
        None,
        "/assets/{asset_id}/supplements/request",
        SupplementsRequestIn,
        _REVIEWER,
        True,
        "asset",
        lambda body, asset_id: (
            "returnForSupplements",
            (asset_id, b32(body.list_hash), end_of(body.deadline)),
        ),
        ("asset", "return"),
        (
            CliOption(
                "list_hash", ("--list",), "The list of missing materials (hash or file).", "hash"
            ),
            CliOption("deadline", ("--deadline",), "Supplied by the end of (YYYY-MM-DD)."),
        ),
    ),
    Act(
        "supply_supplements",
        "The applicant supplies the supplements, with its consent; a new acceptance time",
        "assets",
        ("supplySupplements",),
        "registrar",
        "Supplements",
        "/assets/{asset_id}/supplements",
        SupplementsIn,
        _HOLDER_OR_STAFF,
        True,
        "asset",
        _with_hash("supplySupplements", "materials_hash"),
        ("asset", "supplement"),
        (CliOption("materials_hash", ("--materials",), "The materials (hash or file).", "hash"),),
    ),
    Act(
        "request_proof",
        "A request for more proof (art. 20); the time limit's clock pauses until supplied",
        "assets",
        ("requestProof",),
        "reviewer",
        None,
        "/assets/{asset_id}/proof/request",
        ProofRequestIn,
        _REVIEWER,
        True,
        "asset",
        _with_hash("requestProof", "request_hash"),
        ("asset", "ask-proof"),
        (CliOption("request_hash", ("--request",), "What is asked (hash or file).", "hash"),),
    ),
    Act(
        "supply_proof",
        "The applicant supplies the proof asked for, with its consent; the clock runs again",
        "assets",
        ("supplyProof",),
        "registrar",
        "Proof",
        "/assets/{asset_id}/proof",
        ProofIn,
        _HOLDER_OR_STAFF,
        True,
        "asset",
        _with_hash("supplyProof", "proof_hash"),
        ("asset", "prove"),
        (CliOption("proof_hash", ("--proof",), "The proof (hash or file).", "hash"),),
    ),
    Act(
        "extend",
        "Extension of the time limit (art. 28), at most 10 working days in all, with reasons",
        "assets",
        ("extend",),
        "reviewer",
        None,
        "/assets/{asset_id}/extension",
        ExtensionIn,
        _REVIEWER,
        True,
        "asset",
        lambda body, asset_id: ("extend", (asset_id, body.days, b32(body.reason_hash))),
        ("asset", "extend"),
        (CliOption("days", ("--days",), "Working days to add (1 to 10 in all)."), _REASON),
    ),
    Act(
        "terminate",
        "Termination of the review (终止, art. 20): the application cannot be verified",
        "assets",
        ("terminate",),
        "reviewer",
        None,
        "/assets/{asset_id}/terminate",
        ReasonIn,
        _REVIEWER,
        True,
        "asset",
        _with_hash("terminate", "reason_hash"),
        ("asset", "terminate"),
        (_REASON,),
    ),
    Act(
        "refuse",
        "Refusal (不予登记, art. 22) on a named ground, with the written reasons",
        "assets",
        ("refuse",),
        "reviewer",
        None,
        "/assets/{asset_id}/refuse",
        RefuseIn,
        _REVIEWER,
        True,
        "asset",
        lambda body, asset_id: (
            "refuse",
            (asset_id, int(ground(body.reason)), b32(body.reason_hash)),
        ),
        ("asset", "refuse"),
        (
            CliOption(
                "reason",
                ("--ground",),
                "harms_security_public_interest_or_others, unlawful_source, ownership_disputed,"
                " concealment_or_false_proof or other_legal_grounds.",
            ),
            _REASON,
        ),
    ),
    Act(
        "approve",
        "Approval (art. 24): the public notice of 5 working days, or none on the applicant's"
        " reasoned request",
        "assets",
        ("approve", "approveWithoutNotice"),
        "reviewer",
        None,
        "/assets/{asset_id}/approve",
        ApproveIn,
        _REVIEWER,
        True,
        "asset",
        lambda body, asset_id: (
            ("approve", (asset_id,))
            if body.notice
            else ("approveWithoutNotice", (asset_id, b32(body.reason_hash)))
        ),
        ("asset", "approve"),
        (
            CliOption("notice", ("--notice/--no-notice",), "Whether the notice is published."),
            CliOption(
                "reason_hash", ("--reason",), "The applicant's reasons, without notice.", "hash"
            ),
        ),
    ),
    Act(
        "object",
        "An objection (异议) during the public notice, with the hash of the evidence; anyone",
        "assets",
        ("fileObjection",),
        "registrar",
        None,
        "/assets/{asset_id}/objections",
        ObjectionIn,
        None,
        False,
        "asset",
        _with_hash("fileObjection", "evidence_hash"),
        ("asset", "object"),
        (
            CliOption(
                "evidence_hash",
                ("--evidence",),
                "The evidence: 0x + 64 hex digits, or a file.",
                "hash",
            ),
        ),
    ),
    Act(
        "decide_objection",
        "The decision on an objection after its investigation (art. 25): upheld (refused on a"
        " ground of art. 22) or dismissed",
        "assets",
        ("decideObjection",),
        "registrar",
        None,
        "/objections/{objection_id}/decision",
        ObjectionDecisionIn,
        _STAFF,
        True,
        "objection",
        lambda body, objection_id: (
            "decideObjection",
            (
                objection_id,
                body.upheld,
                int(ground(body.reason)) if body.reason else 0,
                b32(body.reason_hash),
            ),
        ),
        ("asset", "decide"),
        (
            CliOption("upheld", ("--upheld/--dismissed",), "Whether the objection is upheld."),
            _REASON,
            CliOption("reason", ("--ground",), "Upheld: the ground of the refusal (art. 22)."),
        ),
    ),
    Act(
        "object_after_registration",
        "An objection after registration (登记后异议, art. 29): an ownership dispute or a"
        " registration error, with the objection form and initial evidence; anyone",
        "assets",
        ("fileObjectionAfterRegistration",),
        "registrar",
        None,
        "/assets/{asset_id}/objections/after-registration",
        PostObjectionIn,
        None,
        False,
        "asset",
        lambda body, asset_id: (
            "fileObjectionAfterRegistration",
            (asset_id, b32(body.form_hash), b32(body.evidence_hash)),
        ),
        ("asset", "object-after"),
        (
            CliOption("form_hash", ("--form",), "The objection form (hash or file).", "hash"),
            CliOption("evidence_hash", ("--evidence",), "The evidence (hash or file).", "hash"),
        ),
    ),
    Act(
        "confirm_objection_materials",
        "An objection after registration's materials are complete: the applicant is to be"
        " told within 5 working days (art. 29)",
        "assets",
        ("confirmObjectionMaterials",),
        "registrar",
        None,
        "/objections/{objection_id}/materials-complete",
        None,
        _STAFF,
        True,
        "objection",
        lambda body, objection_id: ("confirmObjectionMaterials", (objection_id,)),
        ("asset", "objection-complete"),
    ),
    Act(
        "notify_applicant",
        "The applicant was told of the objection after registration (art. 29)",
        "assets",
        ("notifyApplicant",),
        "registrar",
        None,
        "/objections/{objection_id}/notification",
        ObjectionNoticeIn,
        _STAFF,
        True,
        "objection",
        _with_hash("notifyApplicant", "notice_hash"),
        ("asset", "objection-notify"),
        (CliOption("notice_hash", ("--notice",), "The notification (hash or file).", "hash"),),
    ),
    Act(
        "answer_objection",
        "The applicant's written answer to an objection after registration: agreement (a"
        " change or cancellation follows) or dispute",
        "assets",
        ("recordAnswer",),
        "registrar",
        None,
        "/objections/{objection_id}/answer",
        ObjectionAnswerIn,
        _STAFF,
        True,
        "objection",
        lambda body, objection_id: (
            "recordAnswer",
            (objection_id, body.agrees, _outcome(body.outcome), b32(body.reply_hash)),
        ),
        ("asset", "objection-answer"),
        (
            CliOption("agrees", ("--agrees/--disputes",), "Whether the applicant agrees."),
            _OUTCOME,
            CliOption("reply_hash", ("--reply",), "The written reply (hash or file).", "hash"),
        ),
    ),
    Act(
        "conclude_objection",
        "The center's conclusion on a disputed objection after registration, after"
        " investigation: upheld (change or cancel) or dismissed",
        "assets",
        ("concludeObjection",),
        "registrar",
        None,
        "/objections/{objection_id}/conclusion",
        ObjectionConclusionIn,
        _STAFF,
        True,
        "objection",
        lambda body, objection_id: (
            "concludeObjection",
            (objection_id, body.upheld, _outcome(body.outcome), b32(body.conclusion_hash)),
        ),
        ("asset", "objection-conclude"),
        (
            CliOption("upheld", ("--upheld/--dismissed",), "Whether the objection is upheld."),
            _OUTCOME,
            CliOption(
                "conclusion_hash", ("--conclusion",), "The conclusion (hash or file).", "hash"
            ),
        ),
    ),
    Act(
        "record_judgment",
        "An effective court judgment or arbitral award on an objection after registration,"
        " and what it orders",
        "assets",
        ("recordJudgment",),
        "registrar",
        None,
        "/objections/{objection_id}/judgment",
        JudgmentIn,
        _STAFF,
        True,
        "objection",
        lambda body, objection_id: (
            "recordJudgment",
            (
                objection_id,
                int(JudgmentKind[body.kind.upper()]),
                _outcome(body.outcome),
                b32(body.document_hash),
            ),
        ),
        ("asset", "objection-judgment"),
        (
            CliOption("kind", ("--kind",), "court_judgment or arbitral_award."),
            _OUTCOME,
            CliOption("document_hash", ("--document",), "The judgment (hash or file).", "hash"),
        ),
    ),
    Act(
        "settle_objection",
        "The objection after registration's outcome carried out: the registration stands, its"
        " change registration is confirmed, or it is cancelled (注销, art. 37)",
        "assets",
        ("settleObjection",),
        "registrar",
        None,
        "/objections/{objection_id}/settlement",
        SettlementIn,
        _STAFF,
        True,
        "objection",
        _with_hash("settleObjection", "act_hash"),
        ("asset", "objection-settle"),
        (CliOption("act_hash", ("--act",), "The center's act (hash or file).", "hash"),),
    ),
    Act(
        "issue",
        "Deposit and certificate (存证, 凭证核发, art. 26): after a notice with no open objection;"
        " valid from the deposit",
        "assets",
        ("issue",),
        "registrar",
        None,
        "/assets/{asset_id}/issue",
        None,
        _STAFF,
        True,
        "asset",
        _on_asset("issue"),
        ("asset", "issue"),
    ),
    Act(
        "change",
        "Change registration (变更登记) to a new manifest, with the holder's consent",
        "assets",
        ("change",),
        "registrar",
        "Change",
        "/assets/{asset_id}/change",
        ChangeIn,
        _STAFF,
        True,
        "asset",
        lambda body, asset_id: (
            "change",
            (asset_id, b32(body.manifest_hash), b32(body.manifest_cid), body.cid_codec),
        ),
        ("asset", "change"),
        draftable=True,
    ),
    Act(
        "change_identity",
        "Change registration of a right-holder's identity details (变更登记, art. 35 (1)), with"
        " its consent; never a change of right-holder (a transfer)",
        "assets",
        ("changeIdentity",),
        "registrar",
        "IdentityChange",
        "/assets/{asset_id}/identity",
        IdentityChangeIn,
        _STAFF,
        True,
        "asset",
        lambda body, asset_id: (
            "changeIdentity",
            (asset_id, body.account, b32(body.identity_hash)),
        ),
        ("asset", "change-identity"),
        (
            CliOption("account", ("--account",), "The right-holder whose details changed."),
            CliOption(
                "identity_hash", ("--identity",), "Its new identity commitment (hash).", "hash"
            ),
        ),
        draftable=True,
    ),
    Act(
        "change_by_judgment",
        "The change of the data's description an effective judgment or award ordered on an"
        " objection after registration (art. 29), carried out without consent",
        "assets",
        ("changeByJudgment",),
        "registrar",
        None,
        "/objections/{objection_id}/ordered-change",
        ChangeTerms,
        _STAFF,
        True,
        "objection",
        lambda body, objection_id: (
            "changeByJudgment",
            (objection_id, b32(body.manifest_hash), b32(body.manifest_cid), body.cid_codec),
        ),
        ("asset", "ordered-change"),
    ),
    Act(
        "cancel_by_center",
        "Cancellation by the center of its own motion (注销, art. 37): data destroyed, its"
        " finding or other legal grounds, with a written notice to the applicant",
        "assets",
        ("cancelByCenter",),
        "registrar",
        None,
        "/assets/{asset_id}/cancellation",
        CenterCancellationIn,
        _STAFF,
        True,
        "asset",
        lambda body, asset_id: (
            "cancelByCenter",
            (
                asset_id,
                int(CancellationGround[body.ground.upper()]),
                _sha256(body.reason),
                _sha256(body.notice),
            ),
        ),
        ("asset", "cancel-by-center"),
        (
            CliOption(
                "ground", ("--ground",), "data_destroyed, center_finding or other_legal_grounds."
            ),
            CliOption("reason", ("--reason",), "The written reasons."),
            CliOption("notice", ("--notice",), "The written notice to the applicant."),
        ),
        texts=lambda body: (body.reason, body.notice),
    ),
    Act(
        "apply_transfer",
        "Transfer application (转让登记, art. 34): transferors and transferees apply together for"
        " all or some of the rights, every one consenting",
        "assets",
        ("applyTransfer",),
        "registrar",
        "Transfer",
        "/assets/{asset_id}/transfers",
        TransferIn,
        _HOLDER_OR_STAFF,
        True,
        "asset",
        lambda body, asset_id: (
            "applyTransfer",
            (asset_id, body.to_shares(), b32(body.agreement_hash)),
        ),
        ("asset", "transfer"),
    ),
    Act(
        "register_transfer",
        "Registration of a reviewed transfer: each transferee's transfer certificate, each"
        " transferor's superseded by one for what it keeps",
        "assets",
        ("registerTransfer",),
        "registrar",
        None,
        "/transfers/{transfer_id}/registration",
        None,
        _STAFF,
        True,
        "transfer",
        lambda body, transfer_id: ("registerTransfer", (transfer_id,)),
        ("asset", "register-transfer"),
    ),
    Act(
        "refuse_transfer",
        "Refusal of a transfer application (不予登记, art. 22) on a named ground",
        "assets",
        ("refuseTransfer",),
        "reviewer",
        None,
        "/transfers/{transfer_id}/refusal",
        TransferDecisionIn,
        _REVIEWER,
        True,
        "transfer",
        lambda body, transfer_id: (
            "refuseTransfer",
            (transfer_id, int(ground(body.reason)), b32(body.reason_hash)),
        ),
        ("asset", "refuse-transfer"),
        (CliOption("reason", ("--ground",), "The ground of the refusal (art. 22)."), _REASON),
    ),
    Act(
        "renew",
        "Renewal (续期, art. 36): from 6 months before expiry to the day before, with the"
        " holder's consent",
        "assets",
        ("renew",),
        "registrar",
        "Renew",
        "/assets/{asset_id}/renew",
        HolderActIn,
        _STAFF,
        True,
        "asset",
        _on_asset("renew"),
        ("asset", "renew"),
        draftable=True,
    ),
    Act(
        "pledge",
        "Pledge registration (质押登记), with the holder's consent",
        "assets",
        ("pledge",),
        "registrar",
        "Pledge",
        "/assets/{asset_id}/pledge",
        PledgeIn,
        _STAFF,
        True,
        "asset",
        lambda body, asset_id: ("pledge", (asset_id, body.pledgee, b32(body.agreement_hash))),
        ("asset", "pledge"),
        (CliOption("pledgee", ("--pledgee",), "The pledgee's address (a bank, say)."), _AGREEMENT),
        draftable=True,
    ),
    Act(
        "release_pledge",
        "Release of the pledge (解除质押)",
        "assets",
        ("releasePledge",),
        "registrar",
        None,
        "/assets/{asset_id}/pledge/release",
        None,
        _STAFF,
        True,
        "asset",
        _on_asset("releasePledge"),
        ("asset", "release"),
    ),
    Act(
        "annotate",
        "An annotation (备注, guide art. 23): an agreed limit, a seizure (查封) or other "
        "preservation, an administrative control, a matter required by law, or another",
        "annotations",
        ("annotate",),
        "registrar",
        None,
        "/assets/{asset_id}/annotations",
        AnnotationIn,
        _STAFF,
        True,
        "asset",
        lambda body, asset_id: (
            "annotate",
            (
                asset_id,
                int(AnnotationKind[body.kind.upper()]),
                _digest(body.authority),
                _digest(body.document_number),
                _sha256(body.text),
            ),
        ),
        ("asset", "annotate"),
        (
            CliOption(
                "kind",
                ("--kind",),
                "agreed_limit, seizure, administrative_control, required_by_law or other.",
            ),
            CliOption("authority", ("--authority",), "The ordering authority (seizure, control)."),
            CliOption("document_number", ("--document",), "Its document's number."),
            CliOption("text", ("--text",), "What is annotated."),
        ),
        texts=lambda body: (body.authority, body.document_number, body.text),
    ),
    Act(
        "lift",
        "Lifting of an annotation, on the document that ends it (a seizure: the authority's)",
        "annotations",
        ("lift",),
        "registrar",
        None,
        "/annotations/{annotation_id}/lift",
        LiftIn,
        _STAFF,
        True,
        "annotation",
        lambda body, annotation_id: ("lift", (annotation_id, _sha256(body.document_number))),
        ("asset", "lift"),
        (CliOption("document_number", ("--document",), "The lifting document's number."),),
        texts=lambda body: (body.document_number,),
    ),
    Act(
        "cancel",
        "Cancellation (注销登记) or withdrawal of an application, signed by the holder",
        "assets",
        ("cancel",),
        "registrar",
        "Cancel",
        "/assets/{asset_id}/cancel",
        HolderActIn,
        _HOLDER_OR_STAFF,
        True,
        "asset",
        _on_asset("cancel"),
        ("asset", "cancel"),
        draftable=True,
    ),
    Act(
        "revoke",
        "Revocation by the center (撤销登记), with the hash of the reasons",
        "assets",
        ("revoke",),
        "registrar",
        None,
        "/assets/{asset_id}/revoke",
        ReasonIn,
        _STAFF,
        True,
        "asset",
        _with_hash("revoke", "reason_hash"),
        ("asset", "revoke"),
        (_REASON,),
    ),
    Act(
        "grant",
        "A licence of use (processing) or operating for one scenario: an exercise of the"
        " operating right, with its holder's consent",
        "rights",
        ("grant",),
        "registrar",
        "Grant",
        "/rights",
        GrantIn,
        _HOLDER_OR_STAFF,
        True,
        "asset",
        lambda body, _: ("grant", (body.to_request().to_abi(),)),
        ("right", "grant"),
        (
            CliOption("asset_id", (), "The asset's id."),
            _GRANTOR,
            _KIND,
            _GRANTEE,
            _SCENARIO,
            CliOption(
                "start",
                ("--start",),
                "When it starts: a date (the start of that day, Beijing time; not before "
                "today) or Unix time.",
                "start",
            ),
            CliOption(
                "expiry",
                ("--expiry",),
                "When it ends: a date (it lasts to the end of that day, Beijing time) or Unix "
                "time.",
                "end",
            ),
            CliOption("exclusive", ("--exclusive/--shared",), "Whether it is exclusive."),
            CliOption("revocable", ("--revocable/--irrevocable",), "Whether it is revocable."),
            CliOption(
                "terms_hash", ("--terms",), "The terms: 0x + 64 hex digits, or a file.", "hash"
            ),
            *_LICENSEE,
        ),
        draftable=True,
        texts=lambda body: (body.licence_terms(),),
        starts=("start",),
    ),
    Act(
        "revoke_grant",
        "A holder of the operating right revokes a revocable grant, with its consent",
        "rights",
        ("revokeGrant",),
        "registrar",
        "RevokeGrant",
        "/rights/{grant_id}/revoke",
        RevokeGrantIn,
        _HOLDER_OR_STAFF,
        True,
        "grant",
        lambda body, grant_id: (
            "revokeGrant",
            (b32(grant_id), body.revoker, b32(body.reason_hash)),
        ),
        ("right", "revoke"),
        (
            CliOption("revoker", ("--revoker",), "The holder of the operating right who consents."),
            _REASON,
        ),
    ),
    Act(
        "annul_grant",
        "The registrar annuls a grant (on a court's judgment, say), without consent",
        "rights",
        ("annulGrant",),
        "registrar",
        None,
        "/rights/{grant_id}/annul",
        ReasonIn,
        _STAFF,
        True,
        "grant",
        lambda body, grant_id: ("annulGrant", (b32(grant_id), b32(body.reason_hash))),
        ("right", "annul"),
        (_REASON,),
    ),
    Act(
        "licence",
        "Licence registration (许可登记): the grantee receives a licence certificate",
        "rights",
        ("registerLicence",),
        "registrar",
        None,
        "/licences",
        LicenceIn,
        _STAFF,
        True,
        "asset",
        lambda body, _: (
            "registerLicence",
            (body.asset_id, int(RightKind[body.kind.upper()]), body.grantee, b32(body.scenario)),
        ),
        ("right", "licence"),
        (CliOption("asset_id", (), "The asset's id."), _KIND, _GRANTEE, _SCENARIO, *_LICENSEE),
    ),
)

BY_NAME: dict[str, Act] = {act.name: act for act in ACTS}


def act(name: str) -> Act:
    """The act called ``name``; KeyError names it if there is none."""
    return BY_NAME[name]


def text_hash(text: str) -> str:
    """What goes on chain for a text (a scenario, a reason typed in the console): the 0x-hex
    SHA-256 of its UTF-8 bytes; the text stays with the center."""
    return "0x" + _sha256(text).hex()
