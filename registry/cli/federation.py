"""`registry recognition ...` (agreements with partner regions, recognitions) and the local
federation behind `registry up --regions N`: N regions, each its own chain, registry and
mediator, with agreements between every pair. Each region is served by its registration center
(``registry.regions.CENTERS``: Qingdao SJ370, Yangzhou SJ321, Jinhua SJ331), whose code its
certificate numbers carry."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import httpx
import typer

from registry.cli.app import app
from registry.cli.remote import DEFAULT_API, ApiUrl, AsJson, connected, show
from registry.config import Settings, get_settings
from registry.regions import Center, center_of_region

if TYPE_CHECKING:
    from registry.chain.deploy import Registry
    from registry.recognition import Partner

recognition = typer.Typer(help="Cross-region mutual recognition (跨区域互认).")
app.add_typer(recognition, name="recognition")

FEDERATION = ((370200, "青岛 Qingdao"), (321000, "扬州 Yangzhou"), (330700, "金华 Jinhua"))
CLASSIFICATIONS = {"general": 0, "important": 1}
KINDS = {"registration": 0, "licence": 1, "transfer": 2}


def _mask(names: str, table: dict[str, int]) -> int:
    mask = 0
    for name in filter(None, (n.strip() for n in names.split(","))):
        if name not in table:
            raise typer.BadParameter(f"{name}: one of {', '.join(table)}")
        mask |= 1 << table[name]
    return mask


def make_agreement(
    settings: Settings,
    partner_api: str,
    partner_rpc: str,
    *,
    days: int = 365,
    classifications: str = "general,important",
    kinds: str = "registration,licence,transfer",
    max_age: int | None = None,
) -> int:
    """Writes (or renews) the agreement with the partner behind ``partner_api`` on this region's
    chain with the admin key, and records where to reach the partner. Returns its region."""
    from registry.chain.recognition import Agreement, AgreementStatus
    from registry.cli.chain import DEV_ROLES, _admin_key
    from registry.recognition import Partner, save_partner

    described = httpx.get(f"{partner_api.rstrip('/')}/v1/federation", timeout=10).json()
    registry = _registry(settings)
    if registry.recognition is None:
        raise typer.BadParameter("this deployment has no RecognitionRegistry; deploy again")
    now = int(registry.chain.w3.eth.get_block("latest")["timestamp"])
    agreement = Agreement(
        chain_id=int(described["chain_id"]),
        certificates=described["contracts"]["Certificates"],
        assets=described["contracts"]["AssetRegistry"],
        classifications=_mask(classifications, CLASSIFICATIONS),
        kinds=_mask(kinds, KINDS),
        valid_from=now,
        valid_until=now + days * 86_400,
        status=AgreementStatus.ACTIVE,
        anchor_number=int(described["anchor"]["number"]),
        anchor_hash=bytes.fromhex(described["anchor"]["hash"][2:]),
        max_age=settings.recognition_max_age if max_age is None else max_age,
    )
    region = int(described["region"])
    registry.recognition.set_agreement(
        _admin_key(DEV_ROLES["admin"]), region, agreement, described["registrar_keys"]
    )
    # The partner's center from its own chain (an immutable of its Certificates contract), not
    # from its API's word: recognition refuses numbers of any other center as the partner's.
    center = partner_center(settings, partner_rpc, agreement.certificates)
    save_partner(
        settings.partners_file,
        Partner(
            region,
            partner_rpc,
            partner_api.rstrip("/"),
            center.code,
            described["contracts"].get("Annotations"),
        ),
    )
    return region


def partner_center(settings: Settings, partner_rpc: str, certificates: str) -> Center:
    """The center a partner's Certificates contract numbers as, read on the partner's chain."""
    from registry.chain.client import CertificatesClient, Chain
    from registry.chain.deploy import load_artifacts
    from registry.chain.errors import ErrorDecoder
    from registry.chain.rpc import connect

    abi = load_artifacts(settings.build_dir)["Certificates"].abi
    return CertificatesClient(
        Chain(connect(partner_rpc), ErrorDecoder([abi])), certificates, abi
    ).center


@recognition.command("agree")
def agree(
    partner_api: Annotated[str, typer.Argument(help="The partner registry's API URL.")],
    partner_rpc: Annotated[str, typer.Option(help="JSON-RPC URL of the partner's chain.")],
    days: Annotated[int, typer.Option(help="Days the agreement runs from now.")] = 365,
    classifications: Annotated[
        str, typer.Option(help="In scope: general, important.")
    ] = "general,important",
    kinds: Annotated[
        str, typer.Option(help="In scope: registration, licence, transfer.")
    ] = "registration,licence,transfer",
    max_age: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Seconds an answer may rest on the partner's chain as last read before it is "
            "stale (default: the setting recognition_max_age).",
        ),
    ] = None,
) -> None:
    """Make an agreement with a partner region (admin): its descriptor is read from its API
    (check the keys and contracts out of band), the agreement goes on this region's chain, and
    the mediator starts following the partner's chain."""
    region = make_agreement(
        get_settings(),
        partner_api,
        partner_rpc,
        days=days,
        classifications=classifications,
        kinds=kinds,
        max_age=max_age,
    )
    typer.echo(f"agreement with region {region} in force for {days} days")


@recognition.command("show")
def show_recognition(
    region: int,
    number: str,
    api: ApiUrl = DEFAULT_API,
    as_json: AsJson = False,
) -> None:
    """Whether a partner region's certificate is recognised here, and why."""
    with connected(api, None) as client:
        answer = client.recognition(region, number)
    show(answer, as_json, _recognition_text)


def _recognition_text(r: dict[str, object]) -> str:
    record = r.get("record") or {}
    holder = record.get("holder") if isinstance(record, dict) else None
    reason = f" ({r['reason']})" if r.get("reason") else ""
    return f"{r['region']}/{r['number']}: {r['status']}{reason}" + (
        f"\nholder {holder}" if holder else ""
    )


def run_federation(
    settings: Settings,
    regions: int,
    api_port: int,
    chain_port: int,
    engines: Sequence[str],
) -> None:
    """Starts ``regions`` registries (own chain, chain id = region code, own data directory),
    makes agreements between every pair, and stops them all on Ctrl-C or SIGTERM. Region ``i``
    runs on ``engines[i % len(engines)]``: a federation of centers on different nodes, as real
    centers are."""
    if not 2 <= regions <= len(FEDERATION):
        raise typer.BadParameter(f"--regions: 2 to {len(FEDERATION)}")
    members = []
    for i, (region, name) in enumerate(FEDERATION[:regions]):
        data_dir = settings.data_dir / "regions" / str(region)
        env = {
            **os.environ,
            "REGISTRY_DATA_DIR": str(data_dir),
            "REGISTRY_API_PORT": str(api_port + i),
            "REGISTRY_REGION": str(region),
            "REGISTRY_RPC_URL": f"http://127.0.0.1:{chain_port + i}",
            "REGISTRY_ENGINE": engines[i % len(engines)],
        }
        data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "registry.cli",
            "up",
            "--chain-port",
            str(chain_port + i),
            "--chain-id",
            str(region),
        ]
        log = (data_dir / "up.log").open("ab")
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        members.append((region, name, env, process))
    try:
        for region, _name, env, process in members:
            _wait_healthy(f"http://127.0.0.1:{env['REGISTRY_API_PORT']}", process, region)
        for region, _name, env, _process in members:
            local = Settings(
                data_dir=Path(env["REGISTRY_DATA_DIR"]),
                rpc_url=env["REGISTRY_RPC_URL"],
                region=region,
            )
            for partner, _pname, penv, _p in members:
                if partner != region and not _has_agreement(local, partner):
                    make_agreement(
                        local,
                        f"http://127.0.0.1:{penv['REGISTRY_API_PORT']}",
                        penv["REGISTRY_RPC_URL"],
                    )
        typer.echo(
            json.dumps(
                [
                    {
                        "region": region,
                        "center": center_of_region(region).code,
                        "name": name,
                        "api": f"http://127.0.0.1:{env['REGISTRY_API_PORT']}",
                        "rpc": env["REGISTRY_RPC_URL"],
                        "data_dir": env["REGISTRY_DATA_DIR"],
                    }
                    for region, name, env, _p in members
                ],
                ensure_ascii=False,
            ),
            err=False,
        )
        typer.echo("federation up; Ctrl-C stops every region", err=True)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        for *_rest, process in members:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for *_rest, process in members:
            process.wait(30)


def _wait_healthy(api: str, process: subprocess.Popen[bytes], region: int) -> None:
    deadline = time.monotonic() + 300  # three regions starting at once on a busy machine
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"region {region} exited with code {process.returncode}")
        try:
            if httpx.get(f"{api}/healthz", timeout=2).is_success:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"region {region} did not come up")


def _registry(settings: Settings) -> Registry:
    from registry.chain.deploy import Deployment, Registry, load_artifacts
    from registry.chain.rpc import connect

    return Registry.connect(
        connect(settings.rpc_url),
        Deployment.load(settings.deployment_file),
        load_artifacts(settings.build_dir),
    )


def _has_agreement(local: Settings, partner: int) -> bool:
    registry = _registry(local)
    assert registry.recognition is not None
    known = {p.region for p in _partners(local)}
    return partner in known and registry.recognition.in_force(partner)


def _partners(local: Settings) -> list[Partner]:
    from registry.recognition import load_partners

    return load_partners(local.partners_file)
