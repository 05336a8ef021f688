"""`registry asset ...`: the registration lifecycle, over the REST API of a running registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from registry.certificates.numbers import format_number
from registry.chain.types import Application, AssetKind, Classification
from registry.cli.app import app
from registry.cli.remote import (
    DEFAULT_API,
    ApiKey,
    ApiUrl,
    AsJson,
    Hash,
    Wait,
    connected,
    hash32,
    holder_account,
    show,
    signer,
    write,
)
from registry.content.manifest import Manifest

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


def _consented(act: str, asset_id: int, api: str, key: str | None, **fields: Any) -> Any:
    """Signs the holder's consent to ``act`` and returns it as an API body field."""
    with connected(api, key) as client:
        return signer(client).asset_act(act, asset_id, **fields).model_dump(mode="json")


@asset.command("apply")
def apply(
    manifest_file: ManifestFile,
    region: Annotated[int, typer.Option(help="GB/T 2260 region code.")] = 370200,
    kind: Annotated[Literal["resource", "product"], typer.Option()] = "resource",
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """Publish the manifest and file the initial application (首次登记), signed with the
    holder's key (REGISTRY_HOLDER_KEY)."""
    from registry.api.models import ApplicationIn

    manifest = _manifest(manifest_file)
    holder = holder_account()
    if holder.address != manifest.holder.account:
        raise typer.BadParameter(
            f"the manifest's holder is {manifest.holder.account}, the key is {holder.address}"
        )
    with connected(api, key) as client:
        stored = client.publish_manifest(manifest.model_dump(mode="json"))
        application = Application(
            holder=holder.address,
            region=region,
            classification=Classification[manifest.classification.upper()],
            kind=AssetKind[kind.upper()],
            manifest_hash=bytes.fromhex(stored["manifest_hash"][2:]),
            manifest_cid=bytes.fromhex(stored["manifest_cid"][2:]),
            cid_codec=int(stored["cid_codec"]),
        )
        body = ApplicationIn.of(
            application,
            signer(client).application(application).to_consent(),
            name_zh=manifest.name_zh,
            name_en=manifest.name_en,
        )
        if not as_json:
            typer.echo(f"manifest {stored['cid']}")
        write(client, "/assets", body.model_dump(mode="json"), wait, as_json)


@asset.command("review")
def review(
    asset_id: AssetId,
    decision: Annotated[Literal["start", "approve", "reject"], typer.Argument()],
    reason: Annotated[str | None, typer.Option(help="Reason (hash or file), for reject.")] = None,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """Start the review, approve it (the public notice begins) or reject it (reviewer)."""
    body: dict[str, Any] = {"decision": decision}
    if reason is not None:
        body["reason_hash"] = hash32(reason)
    with connected(api, key) as client:
        write(client, f"/assets/{asset_id}/review", body, wait, as_json)


@asset.command("object")
def object_(
    asset_id: AssetId,
    evidence: Hash,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """File an objection (异议) during the public notice."""
    with connected(api, key) as client:
        write(client, f"/assets/{asset_id}/objections", {"evidence_hash": evidence}, wait, as_json)


@asset.command("decide")
def decide(
    objection_id: Annotated[int, typer.Argument(min=1)],
    upheld: Annotated[bool, typer.Option("--upheld/--dismissed")],
    reason: Hash = "0x" + "00" * 32,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """Decide an objection (registrar)."""
    body = {"upheld": upheld, "reason_hash": reason}
    with connected(api, key) as client:
        write(client, f"/objections/{objection_id}/decision", body, wait, as_json)


def _registrar_act(act: str, help_text: str) -> None:
    """A registrar's act on an asset that takes no body."""

    def command(
        asset_id: AssetId,
        api: ApiUrl = DEFAULT_API,
        key: ApiKey = None,
        wait: Wait = True,
        as_json: AsJson = False,
    ) -> None:
        with connected(api, key) as client:
            write(client, f"/assets/{asset_id}/{act}", None, wait, as_json)

    command.__doc__ = help_text
    asset.command(act)(command)


_registrar_act("issue", "Issue the registration certificate once the notice has ended.")
_registrar_act("release", "Release the pledge (registrar).")


@asset.command("freeze")
def freeze(
    asset_id: AssetId,
    order: Hash,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """Freeze the asset on a judicial order (司法冻结; registrar)."""
    with connected(api, key) as client:
        write(client, f"/assets/{asset_id}/freeze", {"order_hash": order}, wait, as_json)


@asset.command("unfreeze")
def unfreeze(
    asset_id: AssetId,
    order: Hash,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """Lift a freeze on the order that ends it (registrar)."""
    with connected(api, key) as client:
        write(client, f"/assets/{asset_id}/unfreeze", {"order_hash": order}, wait, as_json)


@asset.command("revoke")
def revoke(
    asset_id: AssetId,
    reason: Hash,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """Revoke the registration (撤销登记; registrar)."""
    with connected(api, key) as client:
        write(client, f"/assets/{asset_id}/revoke", {"reason_hash": reason}, wait, as_json)


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
    manifest = _manifest(manifest_file)
    with connected(api, key) as client:
        stored = client.publish_manifest(manifest.model_dump(mode="json"))
        fields = {
            "manifest_hash": stored["manifest_hash"],
            "manifest_cid": stored["manifest_cid"],
            "cid_codec": stored["cid_codec"],
        }
        consent = (
            signer(client)
            .asset_act(
                "Change",
                asset_id,
                manifestHash=bytes.fromhex(stored["manifest_hash"][2:]),
                manifestCid=bytes.fromhex(stored["manifest_cid"][2:]),
                cidCodec=int(stored["cid_codec"]),
            )
            .model_dump(mode="json")
        )
        write(client, f"/assets/{asset_id}/change", {**fields, "consent": consent}, wait, as_json)


@asset.command("transfer")
def transfer(
    asset_id: AssetId,
    to: Annotated[str, typer.Option(help="The new holder's address.")],
    agreement: Hash,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """Transfer registration (转移登记) to a new holder, with the holder's consent."""
    consent = _consented(
        "Transfer", asset_id, api, key, newHolder=to, agreementHash=bytes.fromhex(agreement[2:])
    )
    body = {"new_holder": to, "agreement_hash": agreement, "consent": consent}
    with connected(api, key) as client:
        write(client, f"/assets/{asset_id}/transfer", body, wait, as_json)


@asset.command("pledge")
def pledge(
    asset_id: AssetId,
    pledgee: Annotated[str, typer.Option(help="The pledgee's address (a bank, say).")],
    agreement: Hash,
    api: ApiUrl = DEFAULT_API,
    key: ApiKey = None,
    wait: Wait = True,
    as_json: AsJson = False,
) -> None:
    """Pledge registration (质押登记), with the holder's consent."""
    consent = _consented(
        "Pledge", asset_id, api, key, pledgee=pledgee, agreementHash=bytes.fromhex(agreement[2:])
    )
    body = {"pledgee": pledgee, "agreement_hash": agreement, "consent": consent}
    with connected(api, key) as client:
        write(client, f"/assets/{asset_id}/pledge", body, wait, as_json)


def _holder_act(name: str, primary: str, help_text: str) -> None:
    def command(
        asset_id: AssetId,
        api: ApiUrl = DEFAULT_API,
        key: ApiKey = None,
        wait: Wait = True,
        as_json: AsJson = False,
    ) -> None:
        consent = _consented(primary, asset_id, api, key)
        with connected(api, key) as client:
            write(client, f"/assets/{asset_id}/{name}", {"consent": consent}, wait, as_json)

    command.__doc__ = help_text
    asset.command(name)(command)


_holder_act("renew", "Renew", "Renew the registration (续展), with the holder's consent.")
_holder_act("cancel", "Cancel", "Cancel the registration (注销登记), with the holder's consent.")


# ---------------------------------------------------------------------- reads


@asset.command("show")
def show_asset(asset_id: AssetId, api: ApiUrl = DEFAULT_API, as_json: AsJson = False) -> None:
    """The asset as indexed, with its status now."""
    with connected(api, None) as client:
        show(client.asset(asset_id), as_json, _asset_text)


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
) -> None:
    """The three rights of the asset and who holds each."""
    with connected(api, None) as client:
        show(client.asset_rights(asset_id, at), True)


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


def _asset_text(a: dict[str, Any]) -> str:
    names = " / ".join(x for x in (a.get("name_zh"), a.get("name_en")) if x)
    lines = [
        f"asset {a['asset_id']}: {a.get('status_name')}  {names}",
        f"holder {a.get('holder')}  region {a.get('region')}",
        f"manifest {a.get('manifest_hash')}",
    ]
    if a.get("certificate_id"):
        lines.append(f"certificate {format_number(int(a['certificate_id']))}")
    return "\n".join(lines)


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
