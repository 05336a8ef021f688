"""Query and copy of a registration's materials (guide art. 30), and the log of who saw them.

- ``POST /v1/assets/{id}/access-requests``: the applicant (a holder key, with its account's
  signature of ``access_request_message``), an interested party (a holder key, with its
  interest) or a state organ (a ``state_organ`` key, with its legal basis) asks for named
  materials and states the purpose.
- ``POST /v1/access-requests/{id}/decision``: the registrar of the asset's region approves or
  refuses.
- ``GET /v1/access-requests/{id}/materials/{name}``: the requester's own key reads an approved
  material (``?copy=true`` for a copy); each read is an entry of the hash-chained log.
- ``GET /v1/assets/{id}/access-log``: who saw the materials, for the applicant (its signature of
  ``access_log_message``) or the region's registrar; ``GET /v1/access-log`` the head, checked.

The materials are the manifest the registry published and the confidential materials sealed
for the registration (``registry.privacy.MaterialStore``), decrypted only to be served here."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from typing import Annotated, Any, Literal

from eth_account import Account
from eth_account.messages import encode_defunct
from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field, model_validator

from registry import times
from registry.access import AccessError, AccessRequest, Entry
from registry.api.deps import AppContext, AssetId, Ctx, asset_in_region, require
from registry.api.keys import Principal, Role
from registry.api.models import Strict
from registry.api.problems import ProblemError
from registry.api.responses import BINARY_SCHEMA
from registry.fields import Address, PlainText
from registry.privacy import MaterialError

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["query and copy"])
Asker = Annotated[Principal, Depends(require(Role.HOLDER, Role.STATE_ORGAN, Role.REGISTRAR))]
Registrar = Annotated[Principal, Depends(require(Role.REGISTRAR))]
Staff = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.AUDITOR))]
MANIFEST = "manifest"
"""The material that is the registration's published manifest."""
SIGNATURE_WINDOW = 600
"""Seconds ahead an applicant's signed read of its access log may be valid."""

Reason = Annotated[str, Field(min_length=1, max_length=1000), PlainText]


def access_request_message(asset_id: int, account: str, purpose: str) -> str:
    """What the applicant signs (EIP-191) to ask for its own registration's materials."""
    purpose_hash = hashlib.sha256(purpose.encode()).hexdigest()
    return (
        f"数据产权登记资料查询复制 / query and copy of registration materials\n"
        f"asset {asset_id}\napplicant {account.lower()}\npurpose sha256 {purpose_hash}"
    )


def access_log_message(asset_id: int, deadline: int) -> str:
    """What the applicant signs (EIP-191) to read who saw its materials, until ``deadline``."""
    return (
        f"数据产权登记资料查阅记录 / access log of registration materials\n"
        f"asset {asset_id}\nuntil {deadline}"
    )


def _signer(message: str, signature: str, name: str) -> str:
    try:
        return str(Account.recover_message(encode_defunct(text=message), signature=signature))
    except Exception as exc:  # any malformed signature: eth-account raises several kinds
        logger.info("a query-copy signature did not recover: %s", exc)
        raise ProblemError(
            422,
            "invalid-signature",
            "The signature does not recover",
            str(exc),
            invalid_params=[{"name": name, "reason": "not an EIP-191 signature"}],
        ) from None


class AccessRequestIn(Strict):
    """A request to query and copy (art. 30). The applicant signs ``access_request_message``
    with its account; an interested party says why it is interested; a state organ gives the
    legal basis (the law and its case or document number)."""

    kind: Literal["applicant", "interested_party", "state_organ"]
    requester: Annotated[str, Field(min_length=1, max_length=200), PlainText] = Field(
        description="the asker's name: the person, company or organ"
    )
    account: Address | None = Field(None, description="the applicant's account")
    signature: Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{130}$")] | None = None
    interest: Reason | None = Field(None, description="why an interested party is interested")
    legal_basis: Reason | None = Field(None, description="a state organ's legal basis")
    purpose: Reason = Field(description="what the materials are for (art. 30: nothing else)")
    materials: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=200)]],
        Field(min_length=1, max_length=50),
    ]

    @model_validator(mode="after")
    def _states_its_standing(self) -> AccessRequestIn:
        if self.kind == "applicant" and not (self.account and self.signature):
            raise ValueError("an applicant gives its account and its signature")
        if self.kind == "interested_party" and not self.interest:
            raise ValueError("an interested party says why it is interested (interest)")
        if self.kind == "state_organ" and not self.legal_basis:
            raise ValueError("a state organ gives its legal basis (legal_basis)")
        return self


class DecisionIn(Strict):
    approve: bool
    reason: Reason


class AccessRequestOut(BaseModel):
    request_id: str
    asset_id: int
    kind: str
    requester: str
    account: str | None
    interest: str | None
    legal_basis: str | None
    purpose: str
    materials: list[str]
    status: str = Field(description="pending, approved or refused")
    created_at: str
    decided_at: str | None
    decision_reason: str | None

    @classmethod
    def of(cls, r: AccessRequest) -> AccessRequestOut:
        return cls(
            request_id=r.request_id,
            asset_id=r.asset_id,
            kind=r.kind,
            requester=r.requester,
            account=r.account,
            interest=r.interest,
            legal_basis=r.legal_basis,
            purpose=r.purpose,
            materials=r.materials,
            status=r.status,
            created_at=times.iso(int(r.created_at)),
            decided_at=times.iso(int(r.decided_at)) if r.decided_at else None,
            decision_reason=r.decision_reason,
        )


class EntryOut(BaseModel):
    """One view or copy: who, which material, the purpose, when (Beijing time)."""

    seq: int
    at: str
    kind: str = Field(description="applicant, interested_party or state_organ")
    requester: str
    action: str = Field(description="view or copy")
    material: str
    sha256: str
    purpose: str
    entry_hash: str

    @classmethod
    def of(cls, e: Entry) -> EntryOut:
        return cls(
            seq=e.seq,
            at=times.iso(int(e.at)),
            kind=e.kind,
            requester=e.requester,
            action=e.action,
            material=e.material,
            sha256=e.sha256,
            purpose=e.purpose,
            entry_hash=e.entry_hash,
        )


class AccessLogOut(BaseModel):
    count: int
    head: str = Field(description="the last entry's hash, anchored as evidence daily")
    intact: bool = Field(description="every entry chains to the one before it")
    first_bad: int | None
    anchors: list[dict[str, Any]] = Field(description="the heads anchored, by Beijing day")


def _refused(error: AccessError) -> ProblemError:
    extra = (
        {"invalid_params": [{"name": error.field, "reason": error.detail}]} if error.field else {}
    )
    return ProblemError(error.status, error.rule, error.detail, error.detail, **extra)


def _registration(ctx: AppContext, asset_id: int) -> str:
    standing = ctx.service.standing(asset_id)
    assert standing is not None  # asset_in_region answered 404 otherwise
    return "0x" + ctx.service.registry.assets.get_asset(asset_id).manifest_hash.hex()


def available(ctx: AppContext, registration: str) -> list[str]:
    """The materials a request may name: the manifest and the sealed confidential ones."""
    names = [MANIFEST] if ctx.queries.manifest(registration) is not None else []
    # No confidential materials sealed for it: only the manifest.
    with contextlib.suppress(MaterialError):
        names += ctx.materials.names(registration)
    return names


@router.post("/assets/{asset_id}/access-requests", status_code=201, response_model=AccessRequestOut)
def request_access(
    asset_id: AssetId, body: AccessRequestIn, ctx: Ctx, who: Asker
) -> AccessRequestOut:
    """Asks for named materials of a registration, stating the purpose; the registrar decides."""
    asset_in_region(ctx, None, asset_id)
    if (who.role == Role.STATE_ORGAN) != (body.kind == "state_organ"):
        raise ProblemError(
            403,
            "wrong-role",
            "A state organ asks with a state organ's key, and only it",
            f"kind {body.kind} with a {who.role.value} key",
            invalid_params=[{"name": "kind", "reason": f"not for a {who.role.value} key"}],
        )
    if who.role == Role.REGISTRAR:
        raise ProblemError(
            403, "wrong-role", "The center does not query its own register", "registrar key"
        )
    if body.kind == "applicant":
        # The model's rule: an applicant gives both.
        assert body.account is not None
        assert body.signature is not None
        signer = _signer(
            access_request_message(asset_id, body.account, body.purpose),
            body.signature,
            "signature",
        )
        if signer.lower() != body.account.lower():
            raise ProblemError(
                422,
                "invalid-signature",
                "The signature is not the account's",
                f"signed by {signer}",
                invalid_params=[{"name": "signature", "reason": f"signed by {signer}"}],
            )
        if body.account.lower() not in ctx.access.holders_of(asset_id):
            raise ProblemError(
                403,
                "not-the-applicant",
                "The account is no right-holder of this registration",
                f"{body.account} holds no right in asset {asset_id}; ask as an interested party",
                invalid_params=[{"name": "account", "reason": "no right-holder of the asset"}],
            )
    registration = _registration(ctx, asset_id)
    offered = available(ctx, registration)
    for i, name in enumerate(body.materials):
        if name not in offered:
            raise ProblemError(
                422,
                "unknown-material",
                "No such material",
                f"{name!r} is not among this registration's materials: {', '.join(offered)}",
                invalid_params=[{"name": f"materials.{i}", "reason": "no such material"}],
            )
    made = ctx.access.create(
        asset_id=asset_id,
        registration=registration,
        kind=body.kind,
        requester=body.requester,
        account=body.account,
        interest=body.interest,
        legal_basis=body.legal_basis,
        purpose=body.purpose,
        materials=list(dict.fromkeys(body.materials)),
        key_id=who.key_id,
    )
    return AccessRequestOut.of(made)


def _request(ctx: AppContext, request_id: str) -> AccessRequest:
    found = ctx.access.get(request_id)
    if found is None:
        raise ProblemError(404, "unknown-access-request", "No such request", request_id)
    return found


@router.get("/access-requests/{request_id}", response_model=AccessRequestOut)
def access_request(request_id: str, ctx: Ctx, who: Asker) -> AccessRequestOut:
    """A request, to its requester's key or the region's registrar."""
    found = _request(ctx, request_id)
    if who.role == Role.REGISTRAR:
        asset_in_region(ctx, who, found.asset_id)
    elif who.key_id != found.key_id:
        raise ProblemError(403, "not-the-requester", "Another key filed this request")
    return AccessRequestOut.of(found)


@router.get("/access-requests", response_model=list[AccessRequestOut])
def pending_requests(ctx: Ctx, who: Registrar) -> list[AccessRequestOut]:
    """Requests waiting for a decision, of assets in the registrar's region, oldest first."""
    return [AccessRequestOut.of(r) for r in ctx.access.pending(who.region)]


@router.post("/access-requests/{request_id}/decision", response_model=AccessRequestOut)
def decide(request_id: str, body: DecisionIn, ctx: Ctx, who: Registrar) -> AccessRequestOut:
    """The registrar approves or refuses, with the reason."""
    found = _request(ctx, request_id)
    asset_in_region(ctx, who, found.asset_id)
    try:
        return AccessRequestOut.of(
            ctx.access.decide(request_id, body.approve, body.reason, who.key_id)
        )
    except AccessError as error:
        raise _refused(error) from None


@router.get(
    "/access-requests/{request_id}/materials/{name}",
    response_class=Response,
    responses={
        200: {
            "description": "The material's exact bytes (the manifest as published, JSON; any "
            "other material as it was sealed); X-Content-SHA256 is their hash",
            "content": {
                "application/json": {"schema": BINARY_SCHEMA},
                "application/octet-stream": {"schema": BINARY_SCHEMA},
            },
        }
    },
)
def read_material(
    request_id: str,
    name: str,
    ctx: Ctx,
    who: Asker,
    copy: Annotated[bool, Query(description="a copy (a download) rather than a view")] = False,
) -> Response:
    """An approved material, to the requester's own key; logged as a view or a copy."""
    found = _request(ctx, request_id)
    if who.key_id != found.key_id:
        raise ProblemError(403, "not-the-requester", "Another key filed this request")
    if found.status != "approved":
        raise ProblemError(
            403, "access-not-approved", "The request is not approved", f"it is {found.status}"
        )
    if name not in found.materials:
        raise ProblemError(
            403, "material-not-requested", "The request did not name this material", name
        )
    content = _material(ctx, found.registration, name)
    sha256 = "0x" + hashlib.sha256(content).hexdigest()
    entry = ctx.access.record(found, "copy" if copy else "view", name, sha256)
    disposition = "attachment" if copy else "inline"
    filename = f"{found.asset_id}-{name}".replace('"', "")
    return Response(
        content,
        media_type="application/json" if name == MANIFEST else "application/octet-stream",
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Access-Log-Entry": str(entry.seq),
            "X-Access-Log-Hash": entry.entry_hash,
            "X-Content-SHA256": sha256,
        },
    )


def _material(ctx: AppContext, registration: str, name: str) -> bytes:
    if name == MANIFEST:
        document = ctx.queries.manifest(registration)
        assert document is not None  # offered only when published
        return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
    try:
        return ctx.materials.open(registration, name)
    except MaterialError as exc:
        logger.error("material %r of %s could not be opened: %s", name, registration, exc)
        raise ProblemError(500, "material-unreadable", "The material could not be opened") from exc


@router.get("/assets/{asset_id}/access-log", response_model=list[EntryOut])
def asset_access_log(
    asset_id: AssetId,
    ctx: Ctx,
    account: Annotated[str | None, Query(pattern=r"^0x[0-9a-fA-F]{40}$")] = None,
    deadline: Annotated[int | None, Query(ge=0, lt=2**40)] = None,
    signature: Annotated[str | None, Query(pattern=r"^0x[0-9a-fA-F]{130}$")] = None,
) -> list[EntryOut]:
    """Who saw this registration's materials (the applicant's signed read)."""
    asset_in_region(ctx, None, asset_id)
    if not (account and deadline is not None and signature):
        raise ProblemError(
            401,
            "unauthenticated",
            "The applicant's signed read is required",
            "give account, deadline and signature (EIP-191 of access_log_message)",
        )
    now = ctx.now()
    if not now <= deadline <= now + SIGNATURE_WINDOW:
        raise ProblemError(
            422,
            "signature-expired",
            "The deadline is past or too far ahead",
            f"deadline {deadline}; chain time {now}, at most {SIGNATURE_WINDOW} s ahead",
            invalid_params=[{"name": "deadline", "reason": "past or too far ahead"}],
        )
    signer = _signer(access_log_message(asset_id, deadline), signature, "signature")
    if signer.lower() != account.lower() or signer.lower() not in ctx.access.holders_of(asset_id):
        raise ProblemError(
            403,
            "not-the-applicant",
            "Only the registration's right-holders read its access log",
            f"signed by {signer}",
        )
    return [EntryOut.of(e) for e in ctx.access.entries(asset_id)]


@router.get("/assets/{asset_id}/access-log/staff", response_model=list[EntryOut])
def staff_access_log(asset_id: AssetId, ctx: Ctx, who: Registrar) -> list[EntryOut]:
    """The same log, for the registrar of the asset's region."""
    asset_in_region(ctx, who, asset_id)
    return [EntryOut.of(e) for e in ctx.access.entries(asset_id)]


@router.get("/access-log", response_model=AccessLogOut)
def access_log_head(ctx: Ctx, who: Staff) -> AccessLogOut:
    """The whole log checked from its first entry, its head, and the heads anchored."""
    verified = ctx.access.verify()
    return AccessLogOut(
        count=verified.count,
        head=verified.head,
        intact=verified.first_bad is None,
        first_bad=verified.first_bad,
        anchors=ctx.access.anchors(),
    )


@router.post("/access-log/anchor", response_model=AccessLogOut)
def anchor_now(ctx: Ctx, who: Registrar) -> AccessLogOut:
    """Hands today's head to the evidence batcher now, if it is due (the daily loop does the
    same); its receipt is at ``/v1/evidence/{head}``."""
    ctx.access_anchor.anchor_once()
    return access_log_head(ctx, who)
