"""Settings, from the environment (prefix ``REGISTRY_``) or defaults."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from registry.logs import Level
from registry.regions import Center, center_of_region

PROJECT_ROOT = Path(__file__).resolve().parent.parent

Engine = Literal["anvil", "edr"]
"""The embedded chain's engines: anvil (Foundry), or Hardhat's EDR node."""


class Settings(BaseSettings):
    """Where things are and how to reach the chain."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    project_root: Path = PROJECT_ROOT
    data_dir: Path = Field(default=PROJECT_ROOT / "data")
    rpc_url: str = "http://127.0.0.1:8545"
    region: int = 370200
    center: int | None = Field(
        default=None,
        ge=0,
        le=9,
        description="the registration center's digit within the region's province-level "
        "division, in every certificate number (set at deploy); the sample federation's "
        "(registry.regions.CENTERS) or 0 if unset",
    )
    index_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the index; SQLite under data_dir if unset"
    )
    ipfs_url: str | None = Field(
        default=None,
        description="HTTP RPC of a Kubo-compatible daemon; the embedded block store if unset",
    )
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    public_url: str | None = Field(
        default=None,
        description="the registry's public address, for QR codes and links in documents; "
        "the address a request came in on if unset",
    )
    engine: Engine = Field(
        default="edr",
        description="the embedded chain's engine (registry up, the benches' chains; the tests "
        "run on anvil unless told): Hardhat's EDR node, whose cost per block stays flat as the "
        "register grows (it keeps nothing on disk: registry up replays its block journal from "
        "genesis at start), or anvil, whose block costs grow with its state (docs/architecture.md"
        ', "The register at scale")',
    )
    confirmations: int = 1
    verify_cache: int = Field(
        default=10_000,
        ge=0,
        description="answers of the node about final blocks kept for verifications (receipts, "
        "headers, roots, role logs; 5 per evidence batch, about 2.9 KB each: 28 MB at the "
        "default); 0 keeps none and asks the node every time",
    )
    body_limit: int = Field(
        default=1 << 20,
        ge=0,
        description="bytes a request body may have (JSON, forms) where no larger limit below "
        "applies; larger bodies are answered 413",
    )
    document_limit: int = Field(
        default=16 << 20,
        ge=0,
        description="bytes of a manifest (its file list) or of a batch of applications",
    )
    upload_limit: int = Field(
        default=1 << 30,
        ge=0,
        description="bytes of an uploaded file (verification, evidence, report check), "
        "hashed as it streams in",
    )
    upload_slots: int = Field(
        default=1,
        ge=1,
        description="uploads read and hashed at once, all clients together, in turns of "
        "upload_turn seconds (hashing is the event loop's work, and the loop is one thread); "
        "the others wait, their bodies held back by TCP",
    )
    upload_turn: float = Field(
        default=0.5,
        gt=0,
        description="seconds an upload holds a slot before it gives it to the next waiting one",
    )
    upload_wait_timeout: float = Field(
        default=60.0,
        gt=0,
        description="seconds an upload may wait for its first turn before it is refused (503)",
    )
    upload_waiting_limit: int = Field(
        default=200,
        ge=0,
        description="uploads that may wait for a slot; past it one is refused at once (503)",
    )
    upload_min_rate: int = Field(
        default=64 << 10,
        ge=0,
        description="bytes a second an upload holding a slot must arrive at, averaged over "
        "upload_rate_window; slower, it is cut off (408) so that a trickle holds no slot",
    )
    upload_rate_window: float = Field(default=10.0, gt=0)
    http_head_timeout: float = Field(
        default=10.0,
        gt=0,
        description="seconds a client has to send a request's line and headers",
    )
    http_head_limit: int = Field(
        default=64 << 10, gt=0, description="bytes a request's line and headers may have"
    )
    http_body_idle_timeout: float = Field(
        default=30.0,
        gt=0,
        description="seconds a request body may pause while the service reads it",
    )
    http_keep_alive: int = Field(
        default=5, gt=0, description="seconds an idle connection is kept for a next request"
    )
    log_level: Level = Field(
        default="info",
        description="the least severe records kept in data_dir/registry.log (the console shows "
        "warnings and errors)",
    )
    objection_limit: int = Field(
        default=5,
        ge=1,
        description="objections one client address may file without an API key per "
        "objection_window seconds (each open objection holds up a certificate)",
    )
    objection_window: float = Field(default=3600.0, gt=0)
    failed_auth_limit: int = Field(
        default=10,
        ge=1,
        description="wrong API keys (console sign-in and API) one client address may send per "
        "failed_auth_window seconds; past it every key from that address waits",
    )
    failed_auth_window: float = Field(default=900.0, gt=0)
    recognition_max_age: int = Field(
        default=3,
        ge=1,
        description="seconds a recognition may rest on a partner's chain as last read before it "
        "is stale (what `registry recognition agree` writes into an agreement by default)",
    )
    recognition_rpc_timeout: float = Field(
        default=1.0,
        gt=0,
        description="seconds the mediator waits for one answer of a partner's node or registry "
        "(kept well under recognition_max_age: a silent partner shows as stale, not late)",
    )
    recognition_client_limit: int = Field(
        default=20,
        ge=1,
        description="recognition batch and recheck requests one client address may make per "
        "recognition_client_window seconds (a batch asks about up to 200 numbers)",
    )
    recognition_client_window: float = Field(default=60.0, gt=0)
    recognition_queue_limit: int = Field(
        default=200,
        ge=1,
        description="rechecks queued per partner region at most; past it a recheck is refused "
        "(503) rather than queued behind the others",
    )
    recognition_inflight_limit: int = Field(
        default=400,
        ge=1,
        description="certificate numbers the recognition batch answers at once, all clients "
        "together; past it a batch is refused (503) rather than queued",
    )
    signing_key_file: Path | None = Field(
        default=None,
        description="the center's document signing key (PEM or DER); data_dir/signing/"
        "center-key.pem if unset, made self-signed with its certificate if absent",
    )
    signing_certificate_file: Path | None = Field(
        default=None,
        description="the X.509 certificate of signing_key_file; data_dir/signing/"
        "center-cert.pem if unset",
    )
    signing_chain_file: Path | None = Field(
        default=None, description="the issuing CA certificates (PEM), embedded in signatures"
    )
    signing_key_passphrase: SecretStr | None = None
    tsa_url: str | None = Field(
        default=None,
        description="an RFC 3161 time-stamping authority: every signed PDF gets its timestamp",
    )
    national_endpoint: str | None = Field(
        default=None,
        description="where records for the national registration service system are POSTed "
        "(art. 24, 26); unset, they are appended to the JSON Lines feed data_dir/national/"
        "reports.jsonl",
    )
    national_timeout: float = Field(
        default=5.0, gt=0, description="seconds one POST to national_endpoint may take"
    )
    national_concurrency: int = Field(
        default=4, ge=1, description="records POSTed to national_endpoint at once"
    )
    national_retry_base: float = Field(
        default=1.0,
        gt=0,
        description="seconds before a record not acknowledged is sent again, doubled with each "
        "failed attempt up to national_retry_cap",
    )
    national_retry_cap: float = Field(default=300.0, gt=0)
    center_name: str | None = Field(
        default=None,
        description="the center's name as it discloses it; the region's center name if unset",
    )
    chain_genesis: int | None = Field(
        default=None,
        ge=0,
        lt=2**40,
        description="the embedded chain's genesis time (Unix seconds) at its first start; now if "
        "unset. A rehearsal or a test on a date whose working days are published: deadlines "
        "are counted on the calendar years the admin has published",
    )
    center_credit_code: str | None = Field(
        default=None,
        pattern=r"^[0-9A-HJ-NP-RT-UW-Y]{18}$",
        description="the center's own unified social credit code: a form naming it as a party "
        "is refused (art. 10(7): a center does not apply for registration at itself)",
    )
    disclosure_process: str | None = Field(
        default=None,
        description="the registration process the center publishes (art. 10); the national "
        "procedure's steps and time limits, marked as a default, if unset",
    )
    disclosure_fees: str | None = Field(
        default=None, description="the fees the center publishes (art. 10)"
    )
    disclosure_complaints: str | None = Field(
        default=None, description="the complaint channel the center publishes (art. 10)"
    )
    report_authority: str | None = Field(
        default=None,
        description="the provincial data authority the annual report is addressed to (art. 11)",
    )
    registrar_key: SecretStr | None = None
    reviewer_key: SecretStr | None = None
    anchorer_key: SecretStr | None = None
    mediator_key: SecretStr | None = None

    @property
    def registration_center(self) -> Center:
        """The center this registry numbers certificates as: the region's province and the
        configured digit."""
        found = center_of_region(self.region)
        return found if self.center is None else Center(found.province, self.center)

    @property
    def build_dir(self) -> Path:
        return self.project_root / "build" / "contracts"

    @property
    def contracts_dir(self) -> Path:
        return self.project_root / "contracts"

    @property
    def node_modules(self) -> Path:
        return self.project_root / "node_modules"

    @property
    def deployment_file(self) -> Path:
        return self.data_dir / "deployment.json"

    @property
    def outbox_file(self) -> Path:
        return self.data_dir / "outbox.db"

    @property
    def evidence_file(self) -> Path:
        return self.data_dir / "evidence.db"

    @property
    def partners_file(self) -> Path:
        """Partner regions' chain and registry addresses (the agreements are on chain)."""
        return self.data_dir / "partners.json"

    @property
    def recognition_file(self) -> Path:
        return self.data_dir / "recognition.db"

    @property
    def national_feed_file(self) -> Path:
        """The JSON Lines feed of records for the national system (the default sender)."""
        return self.data_dir / "national" / "reports.jsonl"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def signing_key_path(self) -> Path:
        return self.signing_key_file or self.data_dir / "signing" / "center-key.pem"

    @property
    def signing_certificate_path(self) -> Path:
        return self.signing_certificate_file or self.data_dir / "signing" / "center-cert.pem"

    @property
    def content_dir(self) -> Path:
        return self.data_dir / "content"

    @property
    def keystore_file(self) -> Path:
        """The center's key-encryption key (made at first start, mode 0600)."""
        return self.data_dir / "keystore" / "center-kek.json"

    @property
    def credential_key_file(self) -> Path:
        """The center's Ed25519 key for Verifiable Credentials (made at first start, mode 0600;
        under ``keystore``, which no export takes)."""
        return self.data_dir / "keystore" / "credential-ed25519.pem"

    @property
    def materials_dir(self) -> Path:
        """The envelopes of the encrypted materials (their ciphertexts are in the content
        store)."""
        return self.data_dir / "materials"

    @property
    def database_url(self) -> str:
        return self.index_url or f"sqlite:///{self.data_dir / 'index.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
