"""`registry asset ...`: the registration lifecycle, over the REST API of a running registry. The
acts' commands are made from the act table (``registry.cli.acts``); here are the application
and the change, which publish a manifest first, and the reads."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from registry import times
from registry.certificates.numbers import format_number
from registry.chain.types import (
    Application,
    AssetKind,
    Classification,
    JointConsent,
    RightHolder,
    RightKind,
    identity_commitment,
    rights_mask,
)
from registry.cli.app import app
from registry.cli.remote import (
    DEFAULT_API,
    ApiKey,
    ApiUrl,
    AsJson,
    Wait,
    connected,
    hash32,
    holder_account,
    show,
    signer,
    when,
    write,
)
from registry.content.manifest import Manifest

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from registry.api.models import ChangeTerms
    from registry.client.http import RegistryClient

logger = logging.getLogger(__name__)
asset = typer.Typer(help="Assets and their registration (登记) lifecycle.", no_args_is_help=True)
app.add_typer(asset, name="asset")
AssetId = Annotated[int, typer.Argument(min=1, help="The asset's id.")]
ManifestFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, help="From `registry manifest build`.")
]


def _manifest(path: Path) -> Manifest:
    try:
        return Manifest.model_validate_json(path.read_bytes())
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="MANIFEST") from None


def _published(client: RegistryClient, manifest: Manifest) -> ChangeTerms:
    """The manifest published through the API; the new version's fields a change takes."""
    from registry.api.models import ChangeTerms

    stored = client.publish_manifest(manifest.model_dump(mode="json"))
    return ChangeTerms(
        manifest_hash=stored["manifest_hash"],
        manifest_cid=stored["manifest_cid"],
        cid_codec=stored["cid_codec"],
    )


def _co_holder(text: str) -> RightHolder:
    """``ACCOUNT:RIGHTS:NAME:CODE``, RIGHTS ``+``-joined of holding, processing, operating."""
    parts = text.split(":", 3)
    if len(parts) != 4:
        raise typer.BadParameter(f"{text!r}: ACCOUNT:RIGHTS:NAME:CODE", param_hint="--co-holder")
    account, rights, name, code = parts
    try:
        mask = rights_mask(RightKind[r.strip().upper()] for r in rights.split("+"))
    except KeyError as unknown:
        raise typer.BadParameter(f"no right {unknown}", param_hint="--co-holder") from None
    return RightHolder(account, mask, identity_hash=identity_commitment(name, code))


def _co_keys() -> dict[str, LocalAccount]:
    """The other parties' keys (joint applicants, a transfer's other transferors and
    transferees), from REGISTRY_CO_HOLDER_KEYS (comma-separated hex): each signs here, under
    the holder's nonce and deadline, and is never sent."""
    from eth_account import Account

    raw = os.environ.get("REGISTRY_CO_HOLDER_KEYS", "")
    accounts = [Account.from_key(k.strip()) for k in raw.split(",") if k.strip()]
    return {a.address.lower(): a for a in accounts}


@asset.command("apply")
def apply(
    manifest_file: ManifestFile,
    region: Annotated[int, typer.Option(help="GB/T 2260 region code.")] = 370200,
    kind: Annotated[Literal["resource", "product"], typer.Option()] = "resource",
    co_holder: Annotated[
        list[str] | None,
        typer.Option(
            "--co-holder",
            help="A joint applicant (共同申请), ACCOUNT:RIGHTS:NAME:CODE (RIGHTS e.g."
            " processing+operating), signed with its key from REGISTRY_CO_HOLDER_KEYS; repeat.",
        ),
    ] = None,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """Publish the manifest and file the initial application (首次登记), signed with the
    holder's key (REGISTRY_HOLDER_KEY), and every joint applicant's (--co-holder)."""
    from registry.api.models import ApplicationIn

    manifest = _manifest(manifest_file)
    holder = holder_account()
    if holder.address != manifest.holder.account:
        raise typer.BadParameter(
            f"the manifest's holder is {manifest.holder.account}, the key is {holder.address}"
        )
    others = tuple(_co_holder(c) for c in co_holder or ())
    keys = _co_keys() if others else {}
    missing = [o.account for o in others if o.account.lower() not in keys]
    if missing:
        raise typer.BadParameter(
            f"no key in REGISTRY_CO_HOLDER_KEYS for {', '.join(missing)}", param_hint="--co-holder"
        )
    with connected(api, key) as client:
        stored = client.publish_manifest(manifest.model_dump(mode="json"))
        identity = identity_commitment(manifest.holder.name_zh, manifest.holder.credit_code)
        application = Application(
            holders=(RightHolder(holder.address, identity_hash=identity), *others),
            region=region,
            classification=Classification[manifest.classification.upper()],
            kind=AssetKind[kind.upper()],
            manifest_hash=bytes.fromhex(stored["manifest_hash"][2:]),
            manifest_cid=bytes.fromhex(stored["manifest_cid"][2:]),
            cid_codec=int(stored["cid_codec"]),
        )
        body = ApplicationIn.of(application, JointConsent(0, 0, (b"",) * len(application.holders)))
        holder_signer = signer(client)
        signed = holder_signer.signed("apply", None, body)
        if others:
            # Every joint applicant signs the same application under the holder's nonce.
            co_signatures = holder_signer.co_signatures(
                "apply", None, signed, [keys[o.account.lower()] for o in others]
            )
            signed = signed.model_copy(update={"co_signatures": co_signatures})
        if not as_json:
            typer.echo(f"manifest {stored['cid']}")
        write(client, client.perform("apply", None, signed), wait, as_json)


@asset.command("change")
def change(
    asset_id: AssetId,
    manifest_file: ManifestFile,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """Change registration (变更登记) to a new manifest, with the holder's consent."""
    from registry.api.models import ChangeIn, ConsentIn

    manifest = _manifest(manifest_file)
    with connected(api, key) as client:
        terms = _published(client, manifest)
        body = ChangeIn(**terms.model_dump(), consent=ConsentIn())
        signed = signer(client).signed("change", asset_id, body)
        write(client, client.perform("change", asset_id, signed), wait, as_json)


def _share(text: str) -> dict[str, Any]:
    """``FROM:TO:RIGHTS:NAME:CODE``: the transferor, the transferee, the rights (``+``-joined)
    and the transferee's name and credit code or ID number, which its identity commits to."""
    parts = text.split(":", 4)
    if len(parts) != 5:
        raise typer.BadParameter(f"{text!r}: FROM:TO:RIGHTS:NAME:CODE", param_hint="--share")
    transferor, transferee, rights, name, code = parts
    return {
        "transferor": transferor,
        "transferee": transferee,
        "rights": [r.strip().lower() for r in rights.split("+")],
        "identity_hash": "0x" + identity_commitment(name, code).hex(),
    }


@asset.command("transfer")
def transfer(
    asset_id: AssetId,
    share: Annotated[
        list[str],
        typer.Option(
            "--share",
            help="FROM:TO:RIGHTS:NAME:CODE: the transferor, the transferee, the rights"
            " transferred (e.g. holding+processing+operating) and the transferee's name and"
            " credit code; repeat for each share.",
        ),
    ],
    agreement: Annotated[
        str,
        typer.Option(
            "--agreement", parser=hash32, help="The transfer agreement (转让合同): hash or file."
        ),
    ],
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """Transfer application (转让登记, art. 34) of all or some of the rights: the first share's
    transferor signs with REGISTRY_HOLDER_KEY, every other party (each share's transferee, each
    further transferor) with its key from REGISTRY_CO_HOLDER_KEYS."""
    from pydantic import ValidationError

    from registry.api.models import TransferIn

    shares = [_share(s) for s in share]
    parties = [p for s in shares for p in (s["transferor"], s["transferee"])]
    holder = holder_account()
    if parties[0].lower() != holder.address.lower():
        raise typer.BadParameter(
            f"the first transferor is {parties[0]}, REGISTRY_HOLDER_KEY is {holder.address}",
            param_hint="--share",
        )
    keys = _co_keys()
    missing = [p for p in parties[1:] if p.lower() not in keys]
    if missing:
        raise typer.BadParameter(
            f"no key in REGISTRY_CO_HOLDER_KEYS for {', '.join(missing)}", param_hint="--share"
        )
    try:
        body = TransferIn.model_validate(
            {
                "shares": shares,
                "agreement_hash": agreement,
                "consent": {},
                "co_signatures": ["0x"] * (len(parties) - 1),
            }
        )
    except ValidationError as exc:
        raise typer.BadParameter(str(exc), param_hint="--share") from None
    with connected(api, key) as client:
        transfer_signer = signer(client)
        signed = transfer_signer.signed("apply_transfer", asset_id, body)
        co_signatures = transfer_signer.co_signatures(
            "apply_transfer", asset_id, signed, [keys[p.lower()] for p in parties[1:]]
        )
        signed = signed.model_copy(update={"co_signatures": co_signatures})
        write(client, client.perform("apply_transfer", asset_id, signed), wait, as_json)


@asset.command("ordered-change")
def ordered_change(
    objection_id: Annotated[
        int,
        typer.Argument(min=1, help="The objection after registration whose judgment orders it."),
    ],
    manifest_file: ManifestFile,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """The change of the data's description an effective judgment or award ordered on an
    objection after registration (art. 29), to a new manifest; no consent."""
    manifest = _manifest(manifest_file)
    with connected(api, key) as client:
        body = _published(client, manifest)
        write(client, client.perform("change_by_judgment", objection_id, body), wait, as_json)


# ---------------------------------------------------------------------- reads


@asset.command("show")
def show_asset(asset_id: AssetId, api: ApiUrl = DEFAULT_API, as_json: AsJson = False) -> None:
    """The asset as indexed, with its status now: names, holder, dates (Beijing time), pledge,
    annotations; `--json` for the API's answer as it is."""
    with connected(api, None) as client:
        found = client.asset(asset_id)
        if as_json:
            show(found, True)
            return
        typer.echo(_asset_text(found, _holder_names(_manifest_of(client, found), found)))


@asset.command("history")
def history(asset_id: AssetId, api: ApiUrl = DEFAULT_API, as_json: AsJson = False) -> None:
    """Every act on the asset, in chain order."""
    with connected(api, None) as client:
        show(client.history(asset_id), as_json, _history_text)


@asset.command("rights")
def rights(
    asset_id: AssetId,
    at: Annotated[int | None, typer.Option(help="Unix time (default now).")] = None,
    api: ApiUrl = DEFAULT_API,
    as_json: AsJson = False,
) -> None:
    """The asset's rights configuration (every right-holder, its rights and term) and the
    licences granted under the operating right, in Beijing time; `--json` for the API's answer."""
    with connected(api, None) as client:
        held = client.asset_rights(asset_id, at)
        if as_json:
            show(held, True)
            return
        found = client.asset(asset_id)
        manifest = _manifest_of(client, found)
        typer.echo(_rights_text(found, _holder_names(manifest, found), _scenarios(manifest), held))


@asset.command("search")
def search(
    q: Annotated[str | None, typer.Option(help="Name, Chinese or English.")] = None,
    holder: Annotated[str | None, typer.Option()] = None,
    region: Annotated[int | None, typer.Option()] = None,
    status: Annotated[str | None, typer.Option()] = None,
    after: Annotated[int | None, typer.Option(help="next_after of the previous page.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
    api: ApiUrl = DEFAULT_API,
    as_json: AsJson = False,
) -> None:
    """Registered assets, filtered, a page at a time."""
    with connected(api, None) as client:
        page = client.search(
            q=q, holder=holder, region=region, status=status, after=after, limit=limit
        )
        show(page, as_json, _page_text)


def _manifest_of(client: RegistryClient, a: dict[str, Any]) -> dict[str, Any]:
    """The asset's manifest as published; empty when it cannot be read (the command still
    prints what the chain says)."""
    from registry.client.http import ApiError
    from registry.content.cid import Cid

    cid = Cid(1, int(a["cid_codec"]), bytes.fromhex(str(a["manifest_cid"])[2:]))
    try:
        return client.manifest(str(cid))
    except ApiError as exc:
        logger.warning("manifest %s of asset %s not read: %s", cid, a["asset_id"], exc)
        return {}


def _holder_names(manifest: dict[str, Any], a: dict[str, Any]) -> str:
    """The holder's names from the asset's manifest, while it names the holder's account (as
    the certificate shows them)."""
    holder = manifest.get("holder") or {}
    if str(holder.get("account", "")).lower() != str(a.get("holder", "")).lower():
        return ""
    return " / ".join(x for x in (holder.get("name_zh"), holder.get("name_en")) if x)


def _scenarios(manifest: dict[str, Any]) -> dict[str, str]:
    """The manifest's use scenarios by the SHA-256 a grant puts on chain (``text_hash``)."""
    from registry.acts import text_hash

    return {text_hash(str(t)): str(t) for t in manifest.get("scenarios") or []}


def _asset_text(a: dict[str, Any], holder_names: str) -> str:
    from registry.regions import region_name
    from registry.web.i18n import translator

    status = str(a.get("status_name"))
    names = " / ".join(x for x in (a.get("name_zh"), a.get("name_en")) if x)
    region = int(a.get("region") or 0)
    lines = [
        f"asset {a['asset_id']}: {status} ({translator('zh')('asset.status.' + status, status)})"
        f"  {names}",
        f"holder {a.get('holder')}  {holder_names}".rstrip(),
        f"region {region} {region_name(region)}",
        f"manifest {a.get('manifest_hash')}",
        f"applied {when(a.get('applied_at'))}",
    ]
    if a.get("notice_ends_at"):
        lines.append(f"notice ends with {times.last_day(int(a['notice_ends_at']), 'en')}")
    if a.get("issued_at"):
        lines.append(
            f"issued {when(a['issued_at'])}, valid through "
            f"{times.last_day(a.get('expires_at'), 'en')}"
        )
    for r in a.get("right_holders", []):
        lines.append(f"right-holder {r['account']}: {', '.join(r['right_names'])}")
    if a.get("certificate_id"):
        lines.append(f"certificate {format_number(int(a['certificate_id']))}")
    lines.append(_pledge_line(a))
    if a.get("frozen"):
        lines.append("frozen: a seizure (查封) is in force")
    if a.get("open_objections"):
        lines.append(f"open objections {a['open_objections']}")
    lines += _annotation_lines(a.get("annotations") or [])
    return "\n".join(lines)


def _pledge_line(a: dict[str, Any]) -> str:
    return f"pledged to {a['pledgee']} (质押)" if a.get("pledgee") else "not pledged"


def _annotation_lines(notes: list[dict[str, Any]]) -> list[str]:
    from registry.certificates.view import NOTE_ZH
    from registry.chain.types import AnnotationKind

    if not notes:
        return ["annotations (备注): none"]
    lines = ["annotations (备注):"]
    for n in notes:
        kind = AnnotationKind(int(n["kind"]))
        by = " ".join(x for x in (n.get("authority"), n.get("document_number")) if x)
        state = "in force" if n.get("lifted_at") is None else f"lifted {when(n.get('lifted_at'))}"
        lines.append(
            f"  #{n['annotation_id']} {kind.name.lower()} ({NOTE_ZH[kind]})"
            f"{'  ' + by if by else ''}, recorded {when(n.get('recorded_at'))}, {state}"
        )
    return lines


def _rights_text(
    a: dict[str, Any], holder_names: str, scenarios: dict[str, str], held: dict[str, Any]
) -> str:
    from registry.chain.types import RightKind

    names = " / ".join(x for x in (a.get("name_zh"), a.get("name_en")) if x)
    lines = [f"asset {a['asset_id']}: {names}", _pledge_line(a)]
    # Every right of every right-holder (several may hold the same one), the holder named.
    for r in held.get("right_holders") or []:
        names_of = holder_names if r["account"] == held.get("holding") else ""
        for n in r["right_names"]:
            kind = RightKind[n.upper()]
            lines.append(f"{n} ({kind.names[0]}): {r['account']}  {names_of}".rstrip())
        if r["start"] or r["expiry"] or r.get("restrictions"):
            start = times.day(int(r["start"]), "en") if r["start"] else "the deposit"
            end = times.last_day(int(r["expiry"]), "en") if r["expiry"] else "the expiry"
            lines.append(f"  from {start} through {end}; {r.get('restrictions') or '无'}")
    for g in held.get("grants") or []:
        kind = RightKind(int(g["kind"]))
        terms = ", ".join(
            (
                "exclusive" if g.get("exclusive") else "shared",
                "revocable" if g.get("revocable") else "irrevocable",
            )
        )
        lines += [
            f"{kind.name.lower()} ({kind.names[0]}): {g.get('grantee')}  {_licensee(g)}".rstrip(),
            _scenario_line(str(g.get("scenario")), scenarios),
            f"  from {times.day(int(g['start']), 'en')} through "
            f"{times.last_day(int(g['expiry']), 'en')}, {terms}",
        ]
        if g.get("certificate_id"):
            lines.append(f"  licence certificate {format_number(int(g['certificate_id']))}")
    if not held.get("grants"):
        lines.append("no processing or operating right granted")
    return "\n".join(lines)


def _licensee(grant: dict[str, Any]) -> str:
    """The licensee a grant names: its name and code, and where the name comes from."""
    named = grant.get("licensee")
    if not named:
        return ""
    code = named["credit_code"] or "natural person, ID number not shown"
    source = "grant's terms on chain" if named["source"] == "grant" else "center's record"
    return f"{named['name']} ({code}; {source})"


def _scenario_line(scenario: str, scenarios: dict[str, str]) -> str:
    """A grant's scenario as the manifest words it (一场景一授权), else its hash on chain."""
    text = scenarios.get(scenario.lower())
    return f"  scenario {text}" if text else f"  scenario (SHA-256) {scenario}"


def _history_text(events: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{e.get('block_number')}  {e.get('name')}  {json.dumps(e.get('args'), ensure_ascii=False)}"
        for e in events
    )


def _page_text(page: dict[str, Any]) -> str:
    lines = [
        f"{a['asset_id']:>6}  {a.get('status_name', ''):<12} {a.get('name_zh') or a.get('name_en')}"
        for a in page.get("items", [])
    ]
    if page.get("next_after"):
        lines.append(f"more: --after {page['next_after']}")
    return "\n".join(lines) or "no assets"
