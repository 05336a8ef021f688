"""The national forms (guide annexes 1-5) through the API, and disclosure of one confidential
field.

``POST /v1/forms/applications`` (and ``transfers``, ``changes``, ``renewals``,
``cancellations``) takes the form and the materials it lists; it publishes only
the public manifest (the public part and a salted commitment per other field) to the content
store, keeps the confidential part and the materials encrypted (``ctx.materials``), and answers
what the application on chain takes (``POST /v1/assets``). ``GET
/v1/forms/{manifest_hash}/disclosures/{field}`` is the center disclosing one field (value and
salt); ``POST /v1/disclosures/check`` lets anyone check a disclosure against the published
commitment."""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Body, Depends, Path, Response
from pydantic import BaseModel, Field, ValidationError

from registry.api.deps import AppContext, Ctx, require
from registry.api.keys import Principal, Role
from registry.api.problems import ProblemError
from registry.content import ContentError
from registry.content.canonical import canonical_json
from registry.forms.annexes import CancellationForm, ChangeForm, RenewalForm, TransferForm
from registry.forms.application import ApplicationForm, Form, FormName, hints_json, parties
from registry.forms.errors import field_error, form_errors
from registry.forms.public import (
    CONFIDENTIAL_MATERIAL,
    Confidential,
    Disclosure,
    PublicManifest,
    check,
    split,
)
from registry.privacy import MaterialError

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["forms"])
Applicant = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.HOLDER))]
Registrar = Annotated[Principal, Depends(require(Role.REGISTRAR))]
ManifestHash = Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$")]
FieldPath = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[a-z_0-9.]+$")]
FORMS: dict[FormName, type[Form]] = {
    "application": ApplicationForm,
    "transfer": TransferForm,
    "change": ChangeForm,
    "renewal": RenewalForm,
    "cancellation": CancellationForm,
}
"""The forms by the name in their path (``/v1/forms/applications``, ``/v1/forms/transfers``...)."""


class FormOut(BaseModel):
    """What an act on chain takes from a published form (an application: its right-holders'
    identity commitments too), and the reviewer's hints on an application's name."""

    cid: str
    manifest_hash: str
    manifest_cid: str
    cid_codec: int
    size: int
    identity_hashes: list[str] = Field(
        default_factory=list,
        description="each right-holder's identity commitment, in order, for the application",
    )
    hints: list[dict[str, Any]] = Field(
        default_factory=list,
        description="what the data's name seems to lack (art. 19): hints, not refusals",
    )
    commitments: int = Field(description="how many confidential fields are committed to")


class DisclosureOut(BaseModel):
    manifest_hash: str
    field: str
    value: Any
    salt: str
    commitment: str


class CheckIn(BaseModel):
    manifest_hash: Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{64}$")]
    field: Annotated[str, Field(min_length=1, max_length=200)]
    value: Any
    salt: Annotated[str, Field(pattern=r"^[0-9a-f]{32,128}$")]


class CheckOut(BaseModel):
    matches: bool
    commitment: str | None = Field(description="the published commitment of the field, if any")


def invalid_form(errors: list[dict[str, str]]) -> ProblemError:
    """A form refused: ``errors[]`` names each field (path and Chinese label) with a Chinese
    and an English message; ``invalid_params`` as every other refusal of the API has it."""
    return ProblemError(
        422,
        "invalid-form",
        "The form is not valid / 申请表填写有误",
        "check: " + ", ".join(e["field"] for e in errors),
        errors=errors,
        invalid_params=[{"name": e["field"], "reason": e["en"]} for e in errors],
    )


def _contents(form: Any, given: Any) -> dict[str, bytes]:
    """The materials' bytes (base64 in the body), each matching the form's size and SHA-256."""
    if not isinstance(given, dict):
        given = {}
    errors: list[dict[str, str]] = []
    contents: dict[str, bytes] = {}
    listed = {m.name: m for m in form.materials}
    for i, material in enumerate(form.materials):
        field = f"form.materials.{i}"
        text = given.get(material.name)
        try:
            data = base64.b64decode(text, validate=True) if isinstance(text, str) else None
        except (binascii.Error, ValueError):
            data = None
        if data is None:
            errors.append(_error(field, "材料未提交或不是 base64", "not handed in, or not base64"))
        elif len(data) != material.size or hashlib.sha256(data).hexdigest() != material.sha256:
            errors.append(_error(field, "材料与所填大小或 SHA-256 不符", "size or SHA-256 differs"))
        else:
            contents[material.name] = data
    for name in sorted(set(given) - set(listed)):
        errors.append(_error(f"materials.{name}", "申请表未列出此材料", "not listed in the form"))
    if CONFIDENTIAL_MATERIAL in listed:
        errors.append(_error("form.materials", "材料名称为保留名称", "a reserved material name"))
    if errors:
        raise invalid_form(errors)
    return contents


def _error(field: str, zh: str, en: str) -> dict[str, str]:
    return {"field": field, "label": "申请材料", "zh": zh, "en": en}


def _not_the_center(ctx: AppContext, form: Form) -> None:
    """Art. 10(7): a center may not apply for registration at itself, so a form naming the
    center's own credit code as a party is refused, field by field."""
    own = ctx.texts.credit_code
    named = [loc for loc, party in parties(form) if own and party.credit_code == own]
    if named:
        raise invalid_form(
            [
                field_error(
                    type(form),
                    (*loc, "credit_code"),
                    "登记机构不得作为登记申请人在本机构申请登记（指引第十条第七项）",
                    "the center does not apply for registration at itself (art. 10(7))",
                    "form.",
                )
                for loc in named
            ]
        )


@router.post("/forms/{kind}", status_code=201, response_model=FormOut)
def submit_form(
    kind: Annotated[
        Literal["applications", "transfers", "changes", "renewals", "cancellations"],
        Path(description="which form: annex 1 to 5"),
    ],
    ctx: Ctx,
    who: Applicant,
    response: Response,
    body: Annotated[
        dict[str, Any], Body(description="{form: the form, materials: {name: base64}}")
    ],
) -> FormOut:
    """Publishes a national form: its public manifest (public part and per-field commitments)
    to the content store and the index, its materials and confidential part encrypted. The
    answer holds the hash and CID fields the act takes (an application, ``POST /v1/assets``:
    also the right-holders' identity commitments, and the reviewer's hints on the name)."""
    model = FORMS[cast(FormName, kind.removesuffix("s"))]
    try:
        form = model.model_validate(body.get("form"))
    except ValidationError as exc:
        raise invalid_form(form_errors(model, exc, "form.")) from None
    _not_the_center(ctx, form)
    contents = _contents(form, body.get("materials"))
    manifest, confidential = split(form)
    data = manifest.canonical_bytes()
    manifest_hash, digest, codec = manifest.chain_fields()
    registration = "0x" + manifest_hash.hex()
    kept = canonical_json(confidential.model_dump(mode="json"))
    try:
        stored = ctx.content.add(data, cid_version=1, pin=True)
        ctx.materials.seal(registration, {**contents, CONFIDENTIAL_MATERIAL: kept})
    except (ContentError, MaterialError) as exc:
        logger.warning("form %s not kept: %s", registration, exc)
        raise ProblemError(
            503, "content-unavailable", "The content store failed", str(exc)
        ) from None
    ctx.queries.record_manifest(manifest)
    submitter = f"key {who.key_id} (region {who.region}), {form.FORM} form {registration}"
    ctx.evidence.add(manifest_hash, submitter)
    for entry in manifest.files:
        ctx.evidence.add(bytes.fromhex(entry.sha256), submitter)
    response.headers["Location"] = f"/v1/manifests/{stored.cid}"
    identities, hints = [], []
    if isinstance(form, ApplicationForm):
        identities = [str(r["identity_hash"]) for r in manifest.public["rights"]]
        hints = hints_json(form.data.name)
    return FormOut(
        cid=str(stored.cid),
        manifest_hash=registration,
        manifest_cid="0x" + digest.hex(),
        cid_codec=codec,
        size=len(data),
        identity_hashes=identities,
        hints=hints,
        commitments=len(manifest.commitments),
    )


def _published(ctx: AppContext, manifest_hash: str) -> PublicManifest:
    document = ctx.queries.manifest(manifest_hash.lower())
    if document is None or "format" not in document:
        raise ProblemError(
            404, "not-found", "No such form", f"no national form published as {manifest_hash}"
        )
    return PublicManifest.model_validate(document)


@router.get("/forms/{manifest_hash}/disclosures/{field}", response_model=DisclosureOut)
def disclose(
    manifest_hash: ManifestHash, field: FieldPath, ctx: Ctx, who: Registrar
) -> DisclosureOut:
    """One confidential field of a form, with its salt: the center disclosing it (to a court,
    the applicant, an interested party), so that anyone can check it against the published
    commitment (``POST /v1/disclosures/check``) without learning any other field."""
    manifest = _published(ctx, manifest_hash)
    try:
        kept = Confidential.model_validate_json(
            ctx.materials.open(manifest_hash, CONFIDENTIAL_MATERIAL)
        )
    except MaterialError as exc:
        logger.warning("form %s: confidential part unreadable: %s", manifest_hash, exc)
        raise ProblemError(
            503, "materials-unavailable", "The materials are unreadable", str(exc)
        ) from None
    secret = kept.fields.get(field)
    if secret is None:
        raise ProblemError(
            404, "not-found", "No such field", f"{field} is not a confidential field of the form"
        )
    logger.info("form %s: field %s disclosed by key %s", manifest_hash, field, who.key_id)
    return DisclosureOut(
        manifest_hash=manifest_hash.lower(),
        field=field,
        value=secret.value,
        salt=secret.salt,
        commitment=manifest.commitments[field],
    )


@router.post("/disclosures/check", response_model=CheckOut)
def check_disclosure(body: CheckIn, ctx: Ctx) -> CheckOut:
    """Whether a disclosed field (value and salt) is what the published form committed to."""
    manifest = _published(ctx, body.manifest_hash)
    disclosure = Disclosure(field=body.field, value=body.value, salt=body.salt)
    return CheckOut(
        matches=check(manifest, disclosure), commitment=manifest.commitments.get(body.field)
    )
