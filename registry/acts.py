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
    ApplicationIn,
    ChangeIn,
    GrantIn,
    HolderActIn,
    LicenceIn,
    ObjectionDecisionIn,
    ObjectionIn,
    OrderIn,
    PledgeIn,
    ReasonIn,
    ReviewIn,
    RevokeGrantIn,
    TransferIn,
    b32,
)
from registry.api.roles import Role
from registry.chain.types import RightKind
from registry.services.calls import ActCall, Contract, Sender

Target = Literal["new", "asset", "objection", "grant"]
"""What an act is on: a new application (its region is in the body), an asset, an objection or
a grant (each found on chain, and through it the asset and its region)."""

_PARAM = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class CliOption:
    """How a field of the act's request model is given on the command line: ``flags`` as for
    ``typer.Option`` (``"--to"``, ``"--upheld/--dismissed"``), none for a positional
    argument; ``parser`` turns the text into the field's value."""

    field: str
    flags: tuple[str, ...]
    help: str
    parser: Literal["hash", "text-hash", "moment"] | None = None


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


_REVIEW = {"start": "beginReview", "approve": "approve", "reject": "reject"}
_STAFF = frozenset({Role.REGISTRAR})
_HOLDER_OR_STAFF = frozenset({Role.REGISTRAR, Role.HOLDER})
_REASON = CliOption(
    "reason_hash", ("--reason",), "The reasons: 0x + 64 hex digits, or a file.", "hash"
)
_ORDER = CliOption("order_hash", ("--order",), "The order: 0x + 64 hex digits, or a file.", "hash")
_AGREEMENT = CliOption(
    "agreement_hash", ("--agreement",), "The agreement: 0x + 64 hex digits, or a file.", "hash"
)
_KIND = CliOption("kind", ("--kind",), "Which right: processing or operating.")
_GRANTEE = CliOption("grantee", ("--grantee",), "Who receives the right.")
_SCENARIO = CliOption(
    "scenario",
    ("--scenario",),
    "The use scenario (一场景一授权), as text; its SHA-256 goes on chain.",
    "text-hash",
)


def _on_asset(function: str) -> Callable[[Any, Any], tuple[str, tuple[Any, ...]]]:
    return lambda body, asset_id: (function, (asset_id,))


def _with_hash(function: str, field: str) -> Callable[[Any, Any], tuple[str, tuple[Any, ...]]]:
    return lambda body, target: (function, (target, b32(getattr(body, field))))


ACTS: tuple[Act, ...] = (
    Act(
        "apply",
        "Initial application (首次登记), signed by the holder",
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
        "review",
        "Review (审核): start it, approve it (the public notice begins) or reject it",
        "assets",
        tuple(_REVIEW.values()),
        "reviewer",
        None,
        "/assets/{asset_id}/review",
        ReviewIn,
        frozenset({Role.REVIEWER}),
        True,
        "asset",
        lambda body, asset_id: (
            _REVIEW[body.decision],
            (asset_id, b32(body.reason_hash)) if body.decision == "reject" else (asset_id,),
        ),
        ("asset", "review"),
        (
            CliOption("decision", (), "start, approve or reject."),
            CliOption("reason_hash", ("--reason",), "Reason (hash or file), for reject.", "hash"),
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
        "The registrar's decision on an objection: upheld or dismissed",
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
            (objection_id, body.upheld, b32(body.reason_hash)),
        ),
        ("asset", "decide"),
        (
            CliOption("upheld", ("--upheld/--dismissed",), "Whether the objection is upheld."),
            _REASON,
        ),
    ),
    Act(
        "issue",
        "The registration certificate (登记证书), after a notice with no open objection",
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
        "transfer",
        "Transfer registration (转移登记) to a new holder, with the holder's consent",
        "assets",
        ("transfer",),
        "registrar",
        "Transfer",
        "/assets/{asset_id}/transfer",
        TransferIn,
        _STAFF,
        True,
        "asset",
        lambda body, asset_id: (
            "transfer",
            (asset_id, body.new_holder, b32(body.agreement_hash)),
        ),
        ("asset", "transfer"),
        (CliOption("new_holder", ("--to",), "The new holder's address."), _AGREEMENT),
        draftable=True,
    ),
    Act(
        "renew",
        "Renewal (续展), with the holder's consent",
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
        "freeze",
        "Judicial freeze (司法冻结) on a court order, identified by its hash",
        "assets",
        ("freeze",),
        "registrar",
        None,
        "/assets/{asset_id}/freeze",
        OrderIn,
        _STAFF,
        True,
        "asset",
        _with_hash("freeze", "order_hash"),
        ("asset", "freeze"),
        (_ORDER,),
    ),
    Act(
        "unfreeze",
        "Lifting of a freeze, on the order that ends it",
        "assets",
        ("unfreeze",),
        "registrar",
        None,
        "/assets/{asset_id}/unfreeze",
        OrderIn,
        _STAFF,
        True,
        "asset",
        _with_hash("unfreeze", "order_hash"),
        ("asset", "unfreeze"),
        (_ORDER,),
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
        "A processing or operating right for one scenario, with the holder's consent",
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
            _KIND,
            _GRANTEE,
            _SCENARIO,
            CliOption("start", ("--start",), "When it starts (date or Unix time).", "moment"),
            CliOption("expiry", ("--expiry",), "When it ends (date or Unix time).", "moment"),
            CliOption("exclusive", ("--exclusive/--shared",), "Whether it is exclusive."),
            CliOption("revocable", ("--revocable/--irrevocable",), "Whether it is revocable."),
            CliOption(
                "terms_hash", ("--terms",), "The terms: 0x + 64 hex digits, or a file.", "hash"
            ),
        ),
        draftable=True,
    ),
    Act(
        "revoke_grant",
        "The holder revokes a revocable grant, with consent",
        "rights",
        ("revokeGrant",),
        "registrar",
        "RevokeGrant",
        "/rights/{grant_id}/revoke",
        RevokeGrantIn,
        _HOLDER_OR_STAFF,
        True,
        "grant",
        lambda body, grant_id: ("revokeGrant", (b32(grant_id), b32(body.reason_hash))),
        ("right", "revoke"),
        (_REASON,),
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
        (CliOption("asset_id", (), "The asset's id."), _KIND, _GRANTEE, _SCENARIO),
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
