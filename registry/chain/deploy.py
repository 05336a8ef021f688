"""Deploy a registry to a JSON-RPC endpoint and connect typed clients to it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self

from eth_account.signers.local import LocalAccount
from web3 import Web3

from registry.chain.calendar import WorkCalendarClient
from registry.chain.client import (
    AnnotationsClient,
    AssetRegistryClient,
    CertificatesClient,
    Chain,
    EvidenceAnchorClient,
    RightsRegistryClient,
    RolesClient,
)
from registry.chain.compiler import Artifact, load_artifact
from registry.chain.errors import ErrorDecoder
from registry.chain.recognition import RecognitionClient
from registry.regions import Center

CONTRACTS = (
    "RegistryRoles",
    "AssetRegistry",
    "RegistrationProcedure",
    "RegistrationTypes",
    "Certificates",
    "RightsRegistry",
    "EvidenceAnchor",
    "RecognitionRegistry",
    "WorkCalendar",
    "Annotations",
)

DEFAULT_ADMIN = b"\x00" * 32
REGISTRAR = Web3.keccak(text="REGISTRAR_ROLE")
REVIEWER = Web3.keccak(text="REVIEWER_ROLE")
ANCHORER = Web3.keccak(text="ANCHORER_ROLE")
MODULE = Web3.keccak(text="MODULE_ROLE")
MEDIATOR = Web3.keccak(text="MEDIATOR_ROLE")

DEFAULT_ADMIN_DELAY = 3 * 24 * 3600
"""Seconds a scheduled admin transfer waits before it can be accepted."""


@dataclass(frozen=True)
class Deployment:
    """Where a registry lives: written once at deploy, read by every later start."""

    chain_id: int
    block: int
    addresses: dict[str, str]
    compiler: str
    deployer: str

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> Self:
        data: dict[str, Any] = json.loads(path.read_text())
        return cls(**data)


@dataclass(frozen=True)
class Registry:
    """Typed clients of one deployment."""

    chain: Chain
    roles: RolesClient
    assets: AssetRegistryClient
    rights: RightsRegistryClient
    certificates: CertificatesClient
    evidence: EvidenceAnchorClient
    annotations: AnnotationsClient
    recognition: RecognitionClient | None = None  # None: deployed before recognition existed
    calendar: WorkCalendarClient | None = None  # None: deployed before the calendar existed
    contracts: dict[str, str] = field(default_factory=dict)
    """Every contract of the deployment by the name RegistryRoles gives it."""

    @classmethod
    def connect(cls, w3: Web3, deployment: Deployment, artifacts: dict[str, Artifact]) -> Self:
        chain = Chain(w3, ErrorDecoder(a.abi for a in artifacts.values()))
        at = deployment.addresses
        return cls(
            chain=chain,
            contracts=dict(at),
            roles=RolesClient(chain, at["RegistryRoles"], artifacts["RegistryRoles"].abi),
            assets=AssetRegistryClient(chain, at["AssetRegistry"], artifacts["AssetRegistry"].abi),
            rights=RightsRegistryClient(
                chain, at["RightsRegistry"], artifacts["RightsRegistry"].abi
            ),
            certificates=CertificatesClient(
                chain, at["Certificates"], artifacts["Certificates"].abi
            ),
            evidence=EvidenceAnchorClient(
                chain, at["EvidenceAnchor"], artifacts["EvidenceAnchor"].abi
            ),
            annotations=AnnotationsClient(chain, at["Annotations"], artifacts["Annotations"].abi),
            recognition=RecognitionClient(
                chain, at["RecognitionRegistry"], artifacts["RecognitionRegistry"].abi
            )
            if "RecognitionRegistry" in at
            else None,
            calendar=WorkCalendarClient(chain, at["WorkCalendar"], artifacts["WorkCalendar"].abi)
            if "WorkCalendar" in at
            else None,
        )


def load_artifacts(build_dir: Path) -> dict[str, Artifact]:
    return {name: load_artifact(build_dir, name) for name in CONTRACTS}


def _deploy_one(w3: Web3, sender: LocalAccount, artifact: Artifact, *args: Any) -> str:
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    tx = factory.constructor(*args).build_transaction(
        {
            "from": sender.address,
            "nonce": w3.eth.get_transaction_count(sender.address, "pending"),
            "chainId": w3.eth.chain_id,
        }
    )
    signed = sender.sign_transaction(tx)
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(signed.raw_transaction)
    )
    if receipt["status"] != 1 or receipt["contractAddress"] is None:
        raise RuntimeError(f"deploying {artifact.name} failed: {receipt['transactionHash'].hex()}")
    return str(receipt["contractAddress"])


def deploy(
    w3: Web3,
    deployer: LocalAccount,
    artifacts: dict[str, Artifact],
    *,
    center: Center,
    admin_delay: int = DEFAULT_ADMIN_DELAY,
    registrars: tuple[str, ...] = (),
    reviewers: tuple[str, ...] = (),
    anchorers: tuple[str, ...] = (),
    mediators: tuple[str, ...] = (),
    base_uri: str | None = None,
) -> Deployment:
    """Deploys every contract, names each in RegistryRoles (a verifier tells the registry's
    contracts from look-alikes by it), wires them, grants the staff roles and publishes the
    working-day calendar of the years the library has (registry.workdays). The deployer is the
    admin; ``center`` is the registration center whose numbers the certificates carry."""
    block = int(w3.eth.block_number)
    roles = _deploy_one(w3, deployer, artifacts["RegistryRoles"], admin_delay, deployer.address)
    # Before the registry's contracts, so that those counting working days can be given it.
    calendar = _deploy_one(w3, deployer, artifacts["WorkCalendar"], roles)
    types = _deploy_one(w3, deployer, artifacts["RegistrationTypes"], roles, calendar)
    procedure = _deploy_one(
        w3, deployer, artifacts["RegistrationProcedure"], roles, calendar, types
    )
    assets = _deploy_one(w3, deployer, artifacts["AssetRegistry"], roles, calendar, procedure)
    certificates = _deploy_one(
        w3, deployer, artifacts["Certificates"], roles, assets, center.province, center.digit
    )
    rights = _deploy_one(w3, deployer, artifacts["RightsRegistry"], roles, assets, certificates)
    evidence = _deploy_one(w3, deployer, artifacts["EvidenceAnchor"], roles)
    recognition = _deploy_one(w3, deployer, artifacts["RecognitionRegistry"], roles)
    annotations = _deploy_one(w3, deployer, artifacts["Annotations"], roles, assets)
    deployment = Deployment(
        chain_id=int(w3.eth.chain_id),
        block=block + 1,
        addresses={
            "RegistryRoles": roles,
            "AssetRegistry": assets,
            "RegistrationProcedure": procedure,
            "RegistrationTypes": types,
            "Certificates": certificates,
            "RightsRegistry": rights,
            "EvidenceAnchor": evidence,
            "RecognitionRegistry": recognition,
            "WorkCalendar": calendar,
            "Annotations": annotations,
        },
        compiler=artifacts["AssetRegistry"].compiler,
        deployer=deployer.address,
    )
    registry = Registry.connect(w3, deployment, artifacts)
    # The roles contract names the others: the registry's identity for any verifier.
    for name, address in deployment.addresses.items():
        if name != "RegistryRoles":
            registry.roles.name_contract(deployer, name, address)
    registry.roles.grant_role(deployer, MODULE, assets)
    registry.roles.grant_role(deployer, MODULE, rights)
    # The annotations module sets an asset's frozen bit while a seizure is in force.
    registry.roles.grant_role(deployer, MODULE, annotations)
    registry.assets.set_modules(deployer, certificates, rights)
    WorkCalendarClient(registry.chain, calendar, artifacts["WorkCalendar"].abi).seed(deployer)
    staff = (
        (REGISTRAR, registrars),
        (REVIEWER, reviewers),
        (ANCHORER, anchorers),
        (MEDIATOR, mediators),
    )
    for role, accounts in staff:
        for account in accounts:
            registry.roles.grant_role(deployer, role, account)
    if base_uri is not None:
        registry.certificates.set_base_uri(deployer, base_uri)
    return deployment
