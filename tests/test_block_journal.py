"""The embedded chain's block journal (`registry up`): anvil mines when the journal says so, an
operation is confirmed only in a journaled block, and after a kill -9 of the node the journal's
blocks are mined again, so nothing confirmed is lost and nothing is doubled."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from web3 import Web3
from web3.types import RPCEndpoint

from registry.chain import AnvilNode, Registry
from registry.chain.blocks import BlockJournal, ReplayError
from registry.chain.compiler import Artifact
from registry.chain.deploy import deploy
from registry.chain.writer import ChainWriter
from registry.devtools import DEV_CENTER
from tests.conftest import ANVIL, Accounts
from tests.test_durability import applied_manifests, submit_applications


@dataclass
class Embedded:
    """A node as `registry up` runs it, with its journal and a writer whose outbox follows it."""

    node: AnvilNode
    journal: BlockJournal
    registry: Registry
    writer: ChainWriter
    dir: Path

    def restart_node(self, *, kill: bool) -> int:
        """Stops the node (SIGKILL, or SIGTERM and its state dump), starts it again from its
        state file and replays the journal as `registry up` does; returns the blocks replayed."""
        self.journal.stop()
        self.writer.stop()  # `registry up` starts its writers after the replay
        self.node.kill() if kill else self.node.stop()
        self.journal.close()
        self.node.start()
        self.journal = journal_of(self.registry.chain.w3, self.dir)
        replayed = self.journal.replay()
        self.journal.start()
        self.writer.start()
        self.journal.on_durable(lambda block: setattr(self.writer.outbox, "durable_head", block))
        return replayed


def journal_of(w3: Web3, directory: Path) -> BlockJournal:
    return BlockJournal(w3, directory / "blocks.db", state_file=directory / "state.json")


@pytest.fixture(scope="module")
def embedded(
    tmp_path_factory: pytest.TempPathFactory, accounts: Accounts, artifacts: dict[str, Artifact]
) -> Iterator[Embedded]:
    directory = tmp_path_factory.mktemp("embedded")
    node = AnvilNode(
        ANVIL, state_file=directory / "state.json", state_interval=None, mining="manual"
    )
    w3 = Web3(Web3.HTTPProvider(node.url))
    journal = journal_of(w3, directory)
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


def test_a_clean_stop_dumps_the_state_and_replays_nothing(embedded: Embedded) -> None:
    count = embedded.registry.assets.asset_count()
    assert embedded.restart_node(kill=False) == 0
    assert embedded.registry.assets.asset_count() == count


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
