"""The public register (公示与查询): search and browse, the assets in public notice with an
objection form, an asset's page (manifest, the three rights, certificates, lineage, history),
and statistics drawn as SVG."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from registry.api.deps import Ctx
from registry.api.limits import client_of
from registry.api.models import (
    ObjectionGrounds,
    ObjectionIn,
    ObjectorIn,
    PostObjectionIn,
)
from registry.api.problems import ProblemError
from registry.api.routers.disclosure import disclosure as disclosure_of
from registry.api.routers.objections import file_objection
from registry.certificates.view import AnnotationShown
from registry.chain.types import AssetKind, RightKind, Status
from registry.content.canonical import canonical_json
from registry.fields import REGIONS, address, ascii_int
from registry.forms.public import public_view
from registry.licensees import PartyKind
from registry.regions import region_name
from registry.web.charts import bar_chart
from registry.web.i18n import translator
from registry.web.render import Lang, render

router = APIRouter(include_in_schema=False)
STATUSES = [s.name.lower() for s in Status if s != Status.NONE]
PAGE = 25
AssetId = Annotated[int, Path(ge=1, lt=2**63)]


def _namer(lang: str) -> Any:
    def name(asset: dict[str, Any]) -> str:
        zh, en = asset.get("name_zh") or "", asset.get("name_en") or ""
        return (en or zh if lang == "en" else zh or en) or f"#{asset['asset_id']}"

    return name


@router.get("/")
def register(
    ctx: Ctx,
    request: Request,
    lang: Lang = "zh",
    q: str = "",
    holder: str = "",
    region: str = "",
    status: str = "",
    kind: str = "",
    after: Annotated[int | None, Query(ge=0, lt=2**63)] = None,
) -> Response:
    """Search and browse the register; keyset pages of 25."""
    filters = {
        "q": q.strip()[:100],
        "holder": holder.strip(),
        "region": region.strip(),
        "status": status,
        "kind": kind,
    }
    t = translator(lang)
    error = None
    account = region_code = None
    try:
        account = address(filters["holder"]) if filters["holder"] else None
    except ValueError:
        error, filters["holder"] = f"{t('reg.holder')}: 0x + 40 hex", ""
    try:
        region_code = ascii_int(filters["region"], *REGIONS) if filters["region"] else None
    except ValueError:
        error, filters["region"] = f"{t('reg.region')}: GB/T 2260", ""
    now = ctx.now()
    page = ctx.queries.search(
        now,
        holder=account,
        region=region_code,
        status=Status[status.upper()] if status in STATUSES else None,
        kind=int(AssetKind[kind.upper()]) if kind in ("resource", "product") else None,
        text=filters["q"] or None,
        after=after,
        limit=PAGE,
    )
    next_url = None
    if page.next_after is not None:
        query = {k: v for k, v in request.query_params.items() if k != "after"}
        next_url = "/?" + urlencode({**query, "after": page.next_after})
    notice = ctx.queries.search(now, status=Status.IN_NOTICE, limit=20).items
    return render(
        request,
        "register.html",
        lang,
        filters=filters,
        statuses=STATUSES,
        items=page.items,
        next_url=next_url,
        notice=notice,
        name=_namer(lang),
        error=error,
    )


def _asset_page(ctx: Any, request: Request, asset_id: int, lang: str, **extra: Any) -> Response:
    now = ctx.now()
    asset = ctx.queries.asset(asset_id, now)
    if asset is None:
        return _refused(request, lang, 404, f"#{asset_id}: 404")
    kept = ctx.queries.manifest(asset["manifest_hash"])
    manifest = public_view(kept) if kept is not None else None
    holder = (manifest or {}).get("holder") or {}
    named = str(holder.get("account", "")).lower() == str(asset["holder"]).lower()
    grants = [
        {**g, "right": RightKind(int(g["kind"])).names[0 if lang == "zh" else 1]}
        for g in ctx.queries.rights_of_asset(asset_id, now)
        if int(g["kind"]) != RightKind.HOLDING
    ]
    return render(
        request,
        "asset.html",
        lang,
        asset=asset,
        manifest=manifest,
        holder_name=(holder.get("name_zh") if lang == "zh" else holder.get("name_en"))
        if named
        else "",
        region=region_name(int(asset["region"]), lang),
        kind=AssetKind(int(asset["kind"])).name.lower(),
        grants=grants,
        certificates=ctx.queries.certificates_of(asset_id),
        history=ctx.queries.history(asset_id),
        center_notices=ctx.queries.center_notices(asset_id),
        notes=[AnnotationShown.of(n) for n in asset["annotations"]],
        name=_namer(lang),
        **extra,
    )


@router.get("/a/{asset_id}")
def asset_page(asset_id: AssetId, ctx: Ctx, request: Request, lang: Lang = "zh") -> Response:
    """An asset: its manifest summary, the three rights and who holds each, certificates,
    lineage, and the full history with each act's transaction and block time."""
    return _asset_page(ctx, request, asset_id, lang)


@router.post("/a/{asset_id}/objection")
def objection(
    asset_id: AssetId,
    reason: Annotated[str, Form(min_length=1, max_length=4000)],
    name: Annotated[str, Form(min_length=1, max_length=100)],
    contact: Annotated[str, Form(min_length=1, max_length=200)],
    ctx: Ctx,
    kind: Annotated[PartyKind, Form()],
    grounds: Annotated[ObjectionGrounds, Form()],
    request: Request,
    lang: Lang = "zh",
) -> Response:
    """Files a public objection (异议) by a named objector the registration center can contact
    (name and contact are kept confidential, never on chain or on a page), a few per address
    per hour. The statement is hashed and only the hash goes on chain with the objection and is
    anchored as evidence, so the statement can later be proven unaltered; a random salt in it
    keeps the hash from being matched against guessed names."""
    objector: dict[str, Any] = {"name": name.strip(), "kind": kind, "contact": contact.strip()}
    statement = {
        "asset_id": asset_id,
        "grounds": grounds,
        "reason": reason,
        "objector": objector,
        "at": int(time.time()),
        "salt": secrets.token_hex(16),
    }
    digest = hashlib.sha256(canonical_json(statement)).digest()
    hashed = "0x" + digest.hex()
    # An issued registration takes an objection after registration (art. 29): the statement
    # is its form and, as the form holds the reasons, its initial evidence too.
    after = ctx.service.standing(asset_id).status == Status.ISSUED
    try:
        body = (
            PostObjectionIn(
                form_hash=hashed, evidence_hash=hashed, **_public(objector, grounds, reason)
            )
            if after
            else ObjectionIn(evidence_hash=hashed, **_public(objector, grounds, reason))
        )
        op = file_objection(
            ctx,
            client_of(request),
            None,
            asset_id,
            body,
            f"objection-{uuid.uuid4().hex}",
            statement,
        )
    except ValidationError as exc:
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
        return _refused(request, lang, 422, f"#{asset_id}: {fields}")
    except ProblemError as problem:
        if "retry_after" not in problem.extra:
            return _refused(request, lang, problem.status, f"#{asset_id}: {_reason(problem)}")
        page = _refused(request, lang, 429, translator(lang)("obj.too_many"))
        page.headers["Retry-After"] = str(problem.extra["retry_after"])
        return page
    ctx.evidence.add(digest, f"public objection to asset {asset_id}")
    filed = {"hash": "0x" + digest.hex(), "operation": op.key}
    return _asset_page(ctx, request, asset_id, lang, filed=filed)


def _public(objector: dict[str, Any], grounds: str, reason: str) -> dict[str, Any]:
    """What an objection from the public names besides its hashes."""
    return {"objector": ObjectorIn(**objector), "grounds": grounds, "reason": reason}


def _reason(problem: ProblemError) -> str:
    """A refusal in a line: the contract's rule by name, or the problem's title and detail."""
    rule = problem.extra.get("rule")
    return str(rule) if rule else f"{problem.title} ({problem.detail})"


def _refused(request: Request, lang: str, status: int, error: str) -> Response:
    return render(
        request,
        "register.html",
        lang,
        status,
        filters={},
        statuses=STATUSES,
        items=[],
        notice=[],
        name=_namer(lang),
        error=error,
    )


@router.get("/stats")
def statistics(ctx: Ctx, request: Request, lang: Lang = "zh") -> Response:
    """Registrations by month, by region and by type, as SVG bar charts and tables."""
    t = translator(lang)
    found = ctx.queries.statistics()
    series = [
        (t("stats.by_month"), [(str(k), n) for k, n in found["month"]]),
        (
            t("stats.by_region"),
            [(f"{region_name(int(k), lang)} {k}", n) for k, n in found["region"]],
        ),
        (
            t("stats.by_kind"),
            [(t("kind." + AssetKind(int(k)).name.lower()), n) for k, n in found["kind"]],
        ),
    ]
    charts = [(title, bar_chart(title, rows), rows) for title, rows in series]
    return render(request, "stats.html", lang, charts=charts)


@router.get("/disclosure")
def disclosure_page(ctx: Ctx, request: Request, lang: Lang = "zh", year: str = "") -> Response:
    """The center's disclosure (art. 10-11): its process, fees and complaint channel, and its
    figures by Beijing month of ``year`` (this year if not a year), as ``GET /v1/disclosure``."""
    chosen = int(year) if year.isascii() and year.isdigit() and 2025 <= int(year) <= 2100 else None
    report = disclosure_of(ctx, chosen)
    index = 1 if lang == "en" else 0
    names = {k: (v["zh"], v["en"])[index] for k, v in report["figures"].items()}
    months = report["months"]
    series = [(m["month"], int(m["figures"]["applications.initial"] or 0)) for m in months]
    chart = bar_chart(translator(lang)("disc.chart"), series)
    return render(
        request, "disclosure.html", lang, report=report, names=names, months=months, chart=chart
    )
