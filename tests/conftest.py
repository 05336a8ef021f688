"""Shared fixtures: one real node per test session (anvil, or Hardhat's EDR with
``--engine edr``), the registry deployed once, and a chain snapshot reverted after every test
so each starts from the same deployed state."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import is_hex_address, to_checksum_address
from web3 import Web3
from web3.types import EventData, TxReceipt

from registry.chain import ContractError, Deployment, Registry
from registry.chain.client import BoundContract
from registry.chain.compiler import Artifact, compile_contracts
from registry.chain.deploy import deploy
from registry.chain.node import EmbeddedNode
from registry.chain.signing import sign
from registry.chain.types import AnnotationKind, Consent, GrantRequest, RightKind
from registry.config import Engine
from registry.devtools import DEV_CENTER, DEV_REGION, anvil, application, dev_account, dev_node
from registry.devtools import digest as h
from registry.devtools import engine as chosen_engine

if TYPE_CHECKING:
    from tests.api_support import Api

ROOT = Path(__file__).resolve().parent.parent
ANVIL = anvil()
DAY = 24 * 3600
REGION = DEV_REGION


@dataclass(frozen=True)
class Accounts:
    """The well-known public dev-chain keys, by role. Never use them for value."""

    admin: LocalAccount
    registrar: LocalAccount
    reviewer: LocalAccount
    anchorer: LocalAccount
    holder: LocalAccount
    holder2: LocalAccount
    grantee: LocalAccount
    grantee2: LocalAccount
    pledgee: LocalAccount
    outsider: LocalAccount

    def staff(self) -> dict[str, tuple[str, ...]]:
        """The staff roles to grant at deployment (``deploy`` and ``fresh_chain`` keywords)."""
        return {
            "registrars": (self.registrar.address,),
            "reviewers": (self.reviewer.address,),
            "anchorers": (self.anchorer.address,),
        }


LONGEST_FIRST = (
    "test_model.py",
    "test_walkthrough.py",
    "test_federation.py",
    "test_api_fuzz.py",
    "test_durability.py",
    "test_national_reporting.py",
    "test_succession.py",
    "test_browser.py",
)
"""The test files that take longest (a minute or more each in a quiet run), started first: with
two workers (`scripts/test`, `--dist loadfile --no-loadscope-reorder`, which keeps this order
rather than xdist's most-tests-first) a long file begun last would run alone at the end while
the other worker idles (the one-test walkthrough did, 136 s)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engine",
        choices=get_args(Engine),
        default=None,
        help="the engine of every chain the tests start, theirs and the registry's processes' "
        "(sets REGISTRY_ENGINE; anvil unless that is set, where the service's default is edr: "
        "every test runs on anvil, the chain-facing ones again on EDR)",
    )


def pytest_configure(config: pytest.Config) -> None:
    chosen = config.getoption("--engine")
    if chosen:
        os.environ["REGISTRY_ENGINE"] = chosen
    else:
        os.environ.setdefault("REGISTRY_ENGINE", "anvil")
    config.addinivalue_line(
        "markers",
        "chain: the test starts a chain node of its own (the fixtures' users are found by "
        "the fixtures they use)",
    )
    config.addinivalue_line(
        "markers",
        "anvil_only(reason): the test needs what only anvil has (its state file, say); "
        "skipped on another engine with the reason shown",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: each file's own order is kept
    engine = chosen_engine()
    if engine == "anvil":
        return
    # On another engine only what meets a chain runs again: the rest (forms, CIDs, the
    # compiler, slither...) does not depend on the node and ran on the anvil pass.
    facing, other = [], []
    for item in items:
        meets = CHAIN_FIXTURES & set(item.fixturenames) or item.get_closest_marker("chain")
        (facing if meets else other).append(item)
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = facing
    for item in items:
        marker = item.get_closest_marker("anvil_only")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(pytest.mark.skip(reason=f"anvil only, not on {engine}: {reason}"))


CHAIN_FIXTURES = {"node", "w3"}
"""The fixtures every test on the session chain uses, directly or through others."""


@pytest.fixture(scope="session")
def accounts() -> Accounts:
    return Accounts(*(dev_account(i) for i in range(10)))


@pytest.fixture(scope="session")
def artifacts() -> dict[str, Artifact]:
    return compile_contracts(ROOT, [ROOT / "tests" / "contracts"])


SESSION_GENESIS = 1_772_413_200
"""2026-03-02 09:00 in Beijing, a Monday. The procedure counts China's working days on the
published calendar (2025 and 2026 today): the session chain starts where months of them lie
ahead, whatever day the suite runs."""


@pytest.fixture(scope="session")
def node() -> Iterator[EmbeddedNode]:
    with dev_node(genesis_timestamp=SESSION_GENESIS) as n:
        yield n


@pytest.fixture(scope="session")
def w3(node: EmbeddedNode) -> Web3:
    return Web3(Web3.HTTPProvider(node.url))


@pytest.fixture(scope="session")
def deployment(w3: Web3, accounts: Accounts, artifacts: dict[str, Artifact]) -> Deployment:
    return deploy(
        w3,
        accounts.admin,
        artifacts,
        center=DEV_CENTER,
        **accounts.staff(),
        base_uri="http://127.0.0.1:8000/v1/certificates/",
    )


@pytest.fixture
def registry(
    w3: Web3, deployment: Deployment, artifacts: dict[str, Artifact]
) -> Iterator[Registry]:
    """The deployed registry; every change a test makes is reverted after it."""
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    try:
        yield Registry.connect(w3, deployment, artifacts)
    finally:
        w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]


def now(w3: Web3) -> int:
    """The latest block's timestamp."""
    return int(w3.eth.get_block("latest")["timestamp"])


def advance(w3: Web3, seconds: int) -> int:
    """Moves chain time forward and mines a block; returns the new time."""
    w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    return now(w3)


def past_notice(w3: Web3, registry: Registry, asset_id: int) -> int:
    """Moves chain time to the end of ``asset_id``'s public notice; returns the new time."""
    ends = registry.assets.get_asset(asset_id).notice_ends_at
    return advance(w3, max(0, ends - now(w3)))


def _comparable(value: Any) -> Any:
    """A decoded value as the tests write it: addresses checksummed (errors decode them in lower
    case, events checksummed), hash-like bytes as plain bytes, tuples and lists alike."""
    if isinstance(value, str) and is_hex_address(value):
        return to_checksum_address(value)
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, list | tuple):
        return tuple(_comparable(v) for v in value)
    return value


@contextmanager
def reverts(name: str, *args: Any) -> Iterator[pytest.ExceptionInfo[ContractError]]:
    """Expects the call inside to be refused with the custom error ``name`` and, when any are
    given, exactly these arguments (as Uniswap v4's tests expect a revert's encoded error)."""
    with pytest.raises(ContractError) as info:
        yield info
    assert info.value.name == name, f"expected {name}, got {info.value}"
    if args:
        got = _comparable(info.value.args_)
        assert got == _comparable(args), f"expected {name}{_comparable(args)!r}, got {name}{got!r}"


def last_receipt(w3: Web3) -> TxReceipt:
    """The receipt of the latest block's last transaction (anvil mines one per transaction):
    the act a client method just sent, when the method answers with a value, not its receipt."""
    block = w3.eth.get_block("latest")
    return w3.eth.get_transaction_receipt(block["transactions"][-1])


def assert_emitted(
    receipt: TxReceipt, contract: BoundContract, event: str, **args: Any
) -> EventData:
    """Asserts the transaction emitted ``event`` from ``contract`` with exactly these arguments,
    every one of the event's named (the index is built from events, so each must be right).
    Returns the log."""
    logs = contract.events(receipt, event)
    expected = {k: _comparable(v) for k, v in args.items()}
    for log in logs:
        assert set(log["args"]) == set(args), (
            f"{event} has arguments {sorted(log['args'])}, the test names {sorted(args)}"
        )
        if {k: _comparable(v) for k, v in log["args"].items()} == expected:
            return log
    raise AssertionError(f"no {event}{expected} among {[dict(log['args']) for log in logs]}")


@dataclass
class Flow:
    """Walks assets through the lifecycle with the right role for each step."""

    registry: Registry
    accounts: Accounts
    w3: Web3

    def applied(self, manifest: str = "manifest", holder: LocalAccount | None = None, **kw) -> int:
        holder = holder or self.accounts.holder
        return self.registry.assets.submit_application(
            holder, application(holder.address, manifest, **kw)
        )

    def accepted(self, manifest: str = "manifest", **kw) -> int:
        asset_id = self.applied(manifest, **kw)
        self.registry.assets.accept(self.accounts.reviewer, asset_id)
        return asset_id

    def in_notice(self, manifest: str = "manifest", **kw) -> int:
        asset_id = self.accepted(manifest, **kw)
        self.registry.assets.approve(self.accounts.reviewer, asset_id)
        return asset_id

    def past_notice(self, asset_id: int) -> int:
        """Moves chain time to the end of the asset's notice (5 working days); returns it."""
        return past_notice(self.w3, self.registry, asset_id)

    def issued(self, manifest: str = "manifest", **kw) -> int:
        asset_id = self.in_notice(manifest, **kw)
        self.past_notice(asset_id)
        self.registry.assets.issue(self.accounts.registrar, asset_id)
        return asset_id

    def seize(self, asset_id: int, document: str = "order") -> int:
        """A court's seizure (查封) recorded as an annotation; returns its id."""
        return self.registry.annotations.annotate(
            self.accounts.registrar,
            asset_id,
            AnnotationKind.SEIZURE,
            h("court"),
            h(document),
            h("seized"),
        )

    def lift(self, annotation_id: int, document: str = "order lifted") -> TxReceipt:
        return self.registry.annotations.lift(self.accounts.registrar, annotation_id, h(document))

    def grant(
        self,
        asset_id: int,
        grantee: str | None = None,
        *,
        kind: RightKind = RightKind.PROCESSING,
        scenario: str = "scenario",
        days: int = 30,
        exclusive: bool = False,
        revocable: bool = True,
        start: int | None = None,
    ) -> bytes:
        t = now(self.w3) if start is None else start
        holder = self.registry.assets.holder_of(asset_id)
        request = GrantRequest(
            grantor=holder,
            asset_id=asset_id,
            kind=kind,
            grantee=grantee or self.accounts.grantee.address,
            scenario=h(scenario),
            start=t,
            expiry=t + days * DAY,
            exclusive=exclusive,
            revocable=revocable,
            terms_hash=h("terms"),
        )
        signer = next(a for a in vars(self.accounts).values() if a.address == holder)
        return self.registry.rights.grant(signer, request)


def holder_consent(flow: Flow, primary: str, **fields: Any) -> Consent:
    """The holder's EIP-712 consent to an act on AssetRegistry, for the registrar to relay."""
    assets = flow.registry.assets
    holder = flow.accounts.holder
    message = {**fields, "nonce": assets.nonces(holder.address)}
    return sign(holder, assets.domain(), primary, message, 2**40)


@pytest.fixture
def flow(registry: Registry, accounts: Accounts, w3: Web3) -> Flow:
    return Flow(registry, accounts, w3)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL server, started once per session when a test asks for it."""
    from registry.devtools import private_postgres

    with private_postgres() as url:
        yield url


@pytest.fixture
def deploy_contract(
    w3: Web3, artifacts: dict[str, Artifact], accounts: Accounts
) -> Callable[..., str]:
    """Deploys a test contract (from tests/contracts) by name; returns its address."""

    def _deploy(name: str, *args: object) -> str:
        art = artifacts[name]
        factory = w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
        tx = factory.constructor(*args).build_transaction(
            {
                "from": accounts.admin.address,
                "nonce": w3.eth.get_transaction_count(accounts.admin.address, "pending"),
            }
        )
        signed = accounts.admin.sign_transaction(tx)
        receipt = w3.eth.wait_for_transaction_receipt(
            w3.eth.send_raw_transaction(signed.raw_transaction)
        )
        return str(receipt["contractAddress"])

    return _deploy


@pytest.fixture
def api(
    registry: Registry,
    tmp_path: Path,
    w3: Web3,
    deployment: Deployment,
    artifacts: dict[str, Artifact],
    accounts: Accounts,
) -> Iterator[Api]:
    """The registry's API on the session chain, with one key per role."""
    from tests.api_support import running_api  # it imports this module

    with running_api(tmp_path, w3, deployment, artifacts, accounts) as a:
        yield a


@pytest.fixture(scope="module")
def mediated_api(
    tmp_path_factory: pytest.TempPathFactory,
    w3: Web3,
    deployment: Deployment,
    artifacts: dict[str, Artifact],
    accounts: Accounts,
) -> Iterator[Api]:
    """One API for a whole module, with a recognition mediator (so the recognition routes read
    their input); the chain is put back after the module."""
    from tests.api_support import reverted_api  # it imports this module

    with reverted_api(
        tmp_path_factory.mktemp("mediated"),
        w3,
        deployment,
        artifacts,
        accounts,
        mediator=accounts.outsider,
    ) as api:
        yield api


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (headless), for the pages' tests."""
    from playwright.sync_api import sync_playwright

    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.fail("Debian's chromium is not installed (scripts/_setup installs it)")
    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=str(chromium),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()
