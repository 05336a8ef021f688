"""The embedded chain's block journal (`registry up`): the node mines when the journal says so,
an operation is confirmed only in a journaled block, and after a kill -9 of the node the
journal's blocks are mined again, so nothing confirmed is lost and nothing is doubled. On anvil
the replay starts from its state file; on EDR, which keeps nothing, from genesis."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from web3 import Web3
from web3.types import RPCEndpoint

from registry.chain import Registry
from registry.chain.blocks import BlockJournal, ReplayError, raw_transaction
from registry.chain.compiler import Artifact
from registry.chain.deploy import deploy
from registry.chain.node import AnvilNode, EdrNode, EmbeddedNode
from registry.chain.writer import ChainWriter
from registry.config import PROJECT_ROOT
from registry.devtools import DEV_CENTER, dev_node
from tests.conftest import ANVIL, Accounts
from tests.test_durability import applied_manifests, submit_applications

pytestmark = pytest.mark.chain  # starts chain nodes of its own


@dataclass
class Embedded:
    """A node as `registry up` runs it, with its journal and a writer whose outbox follows it."""

    node: EmbeddedNode
    journal: BlockJournal
    registry: Registry
    writer: ChainWriter
    dir: Path

    def restart_node(self, *, kill: bool) -> int:
        """Stops the node (SIGKILL, or SIGTERM and anvil's state dump), starts it again (from
        anvil's state file, or EDR's genesis) and replays the journal as `registry up` does;
        returns the blocks replayed."""
        self.journal.stop()
        self.writer.stop()  # `registry up` starts its writers after the replay
        self.node.kill() if kill else self.node.stop()
        self.journal.close()
        self.node.start()
        self.journal = journal_of(self.registry.chain.w3, self.dir, self.node)
        replayed = self.journal.replay()
        self.journal.start()
        self.writer.start()
        self.journal.on_durable(lambda block: setattr(self.writer.outbox, "durable_head", block))
        return replayed


def state_file(directory: Path, node: EmbeddedNode) -> Path | None:
    return directory / "state.json" if node.keeps_state else None


def journal_of(w3: Web3, directory: Path, node: EmbeddedNode) -> BlockJournal:
    return BlockJournal(w3, directory / "blocks.db", state_file=state_file(directory, node))


@pytest.fixture(scope="module")
def embedded(
    tmp_path_factory: pytest.TempPathFactory, accounts: Accounts, artifacts: dict[str, Artifact]
) -> Iterator[Embedded]:
    directory = tmp_path_factory.mktemp("embedded")
    node = dev_node(mining="manual")
    if isinstance(node, AnvilNode):
        node.state_file, node.state_interval = state_file(directory, node), None
    w3 = Web3(Web3.HTTPProvider(node.url))
    journal = journal_of(w3, directory, node)
    node.genesis_timestamp = journal.genesis_timestamp()
    node.start()
    journal.replay()
    journal.start()
    try:
        deployment = deploy(w3, accounts.admin, artifacts, center=DEV_CENTER, **accounts.staff())
        registry = Registry.connect(w3, deployment, artifacts)
        writer = ChainWriter(
            w3, accounts.registrar, directory / "outbox.db", registry.chain.decoder
        ).start()
        journal.on_durable(lambda block: setattr(writer.outbox, "durable_head", block))
        embedded = Embedded(node, journal, registry, writer, directory)
        yield embedded
        writer.close()
        embedded.journal.close()
    finally:
        node.stop()


def test_transactions_sent_at_once_share_a_block(embedded: Embedded, accounts: Accounts) -> None:
    w3 = embedded.registry.chain.w3
    first = w3.eth.block_number
    embedded.journal.stop()  # everything arrives before the next block is mined
    keys = submit_applications(embedded.writer, embedded.registry, accounts.holder, "share", 10)
    embedded.journal.start()
    assert all(embedded.writer.wait(k).status == "confirmed" for k in keys)
    blocks = {embedded.writer.operation(k).block_number for k in keys}  # type: ignore[union-attr]
    assert len(blocks) == 1
    assert w3.eth.block_number - first <= 2


def test_an_operation_mined_but_not_journaled_is_not_confirmed_and_is_sent_again_after_kill_9(
    embedded: Embedded, accounts: Accounts
) -> None:
    registry = embedded.registry
    w3 = registry.chain.w3
    before = registry.assets.asset_count()
    embedded.journal.stop()
    (key,) = submit_applications(embedded.writer, registry, accounts.holder, "lost", 1)
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])  # mined behind the journal's back
    assert registry.assets.asset_count() == before + 1
    time.sleep(0.3)  # reconciler rounds see the receipt
    op = embedded.writer.operation(key)
    assert op is not None
    assert (op.status, op.block_number) == ("sent", w3.eth.block_number)

    embedded.restart_node(kill=True)

    assert embedded.writer.wait(key).status == "confirmed"
    assert registry.assets.asset_count() == before + 1
    manifests = applied_manifests(registry)
    assert len(manifests) == len(set(manifests))


def test_journaled_blocks_come_back_after_kill_9_of_the_node_as_they_were(
    embedded: Embedded, accounts: Accounts
) -> None:
    registry = embedded.registry
    w3 = registry.chain.w3
    embedded.journal.snapshot()  # blocks before it come from the state file
    keys = submit_applications(embedded.writer, registry, accounts.holder, "kill", 30)
    assert all(embedded.writer.wait(k).status == "confirmed" for k in keys)
    head = w3.eth.get_block("latest")
    count = registry.assets.asset_count()

    replayed = embedded.restart_node(kill=True)

    assert replayed >= 1
    assert registry.assets.asset_count() == count
    again = w3.eth.get_block(head["number"])
    assert (again["timestamp"], again["transactions"]) == (head["timestamp"], head["transactions"])
    assert all(embedded.writer.wait(k).status == "confirmed" for k in keys)
    manifests = applied_manifests(registry)
    assert len(manifests) == len(set(manifests)) == count


def test_a_clean_stop_replays_nothing_on_anvil_and_everything_on_edr(embedded: Embedded) -> None:
    """anvil dumps its state at SIGTERM; EDR keeps nothing, so every journaled block is mined
    again from genesis, each as it was."""
    w3 = embedded.registry.chain.w3
    count = embedded.registry.assets.asset_count()
    head = w3.eth.get_block("latest")
    replayed = embedded.restart_node(kill=False)
    assert replayed == (0 if embedded.node.keeps_state else head["number"])
    assert w3.eth.get_block(head["number"])["hash"] == head["hash"]
    assert embedded.registry.assets.asset_count() == count


def test_a_block_another_process_mined_is_journaled_and_comes_back_after_kill_9(
    embedded: Embedded, accounts: Accounts
) -> None:
    """`registry admin` moves the embedded chain's time on with its own ``evm_mine``: the
    journal takes that block too, or a replay would mine the next one at its height."""
    w3 = embedded.registry.chain.w3
    w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [86_400])
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])
    moved = w3.eth.get_block("latest")
    deadline = time.monotonic() + 10
    while embedded.journal.durable_head < moved["number"] and time.monotonic() < deadline:
        time.sleep(0.05)
    keys = submit_applications(embedded.writer, embedded.registry, accounts.holder, "after", 2)
    assert all(embedded.writer.wait(k).status == "confirmed" for k in keys)

    embedded.restart_node(kill=True)

    again = w3.eth.get_block(moved["number"])
    assert (again["hash"], again["timestamp"]) == (moved["hash"], moved["timestamp"])
    assert all(embedded.writer.wait(k).status == "confirmed" for k in keys)


def test_a_journal_of_another_chain_is_refused_naming_the_block(
    embedded: Embedded, tmp_path: Path
) -> None:
    w3 = embedded.registry.chain.w3
    other = BlockJournal(w3, tmp_path / "blocks.db")
    head = w3.eth.get_block("latest")
    with other._lock:  # a journal whose block at the node's head is another block
        other._db.execute(
            "INSERT INTO blocks VALUES (?,?,?,?,?)",
            (head["number"], "0x" + "11" * 32, head["timestamp"], "[]", 1.0),
        )
    with pytest.raises(ReplayError, match=f"block {head['number']} of the node's state file"):
        other.replay()
    other.close()


def test_a_transaction_rebuilt_from_its_fields_is_the_bytes_the_node_mined(
    artifacts: dict[str, Artifact], accounts: Accounts
) -> None:
    """EDR has no ``eth_getRawTransactionByHash``: the journal rebuilds each transaction from
    the block's fields. Checked here against anvil's own bytes, for a contract creation and a
    call (EIP-1559), an EIP-2930 transaction and a legacy one."""
    with AnvilNode(ANVIL) as node:
        w3 = Web3(Web3.HTTPProvider(node.url))
        deploy(w3, accounts.admin, artifacts, center=DEV_CENTER, **accounts.staff())
        sender = accounts.outsider
        chain_id, price = w3.eth.chain_id, w3.eth.gas_price * 2
        base = {"to": accounts.holder.address, "value": 1, "gas": 30_000, "chainId": chain_id}
        for n, extra in enumerate(
            ({"gasPrice": price}, {"gasPrice": price, "accessList": [], "type": 1})
        ):
            signed = sender.sign_transaction({**base, **extra, "nonce": n})
            w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction))
        kinds = set()
        for number in range(1, w3.eth.block_number + 1):
            block = w3.provider.make_request(
                RPCEndpoint("eth_getBlockByNumber"), [hex(number), True]
            )["result"]
            for tx in block["transactions"]:
                mined = w3.provider.make_request(
                    RPCEndpoint("eth_getRawTransactionByHash"), [tx["hash"]]
                )["result"]
                assert raw_transaction(tx) == mined, (number, tx["type"])
                kinds.add(int(tx["type"], 16))
        assert kinds == {0, 1, 2}


def test_edr_replays_from_genesis_a_journal_it_wrote(
    tmp_path: Path, artifacts: dict[str, Artifact], accounts: Accounts
) -> None:
    """Whatever engine the session runs on: an EDR node killed and started again comes back
    block for block from its journal alone (its transactions rebuilt from their fields)."""
    node = EdrNode(PROJECT_ROOT / "node_modules", mining="manual")
    w3 = Web3(Web3.HTTPProvider(node.url))
    journal = BlockJournal(w3, tmp_path / "blocks.db")
    node.genesis_timestamp = journal.genesis_timestamp()
    with node:
        journal.start()
        deploy(w3, accounts.admin, artifacts, center=DEV_CENTER, **accounts.staff())
        head = w3.eth.get_block("latest")
        journal.close()
        node.kill()
        node.start()
        journal = BlockJournal(w3, tmp_path / "blocks.db")
        assert journal.replay() == head["number"]
        assert w3.eth.get_block("latest")["hash"] == head["hash"]
        journal.close()
