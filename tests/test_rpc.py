"""The lean JSON-RPC provider the service talks to its node with: answers as web3's own, a
node that went away is a ConnectionError (an OSError, as the loops that poll expect), and the
kept-alive connection is renewed when the node comes back on the same port. And what each
embedded engine can do, as the registry finds out at start."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from registry.chain import AnvilNode
from registry.chain.capabilities import capabilities
from registry.chain.node import EdrNode, EmbeddedNode, free_port
from registry.chain.rpc import LeanHTTPProvider, batch, connect
from registry.config import PROJECT_ROOT
from registry.devtools import dev_node
from tests.conftest import ANVIL

pytestmark = pytest.mark.chain  # starts chain nodes of its own


def test_answers_as_web3_and_survives_a_node_restart() -> None:
    port = free_port()
    with dev_node(port=port, chain_id=370200) as node:
        w3 = connect(node.url)
        assert isinstance(w3.provider, LeanHTTPProvider)
        assert w3.eth.chain_id == 370200
        head, chain_id = batch(w3, [("eth_blockNumber", []), ("eth_chainId", [])])
        assert int(chain_id, 16) == 370200
        assert int(head, 16) == w3.eth.block_number
    with pytest.raises(ConnectionError, match=str(port)):
        w3.eth.block_number  # noqa: B018  (the call is the test)
    with dev_node(port=port, chain_id=370200):
        assert w3.eth.chain_id == 370200


def test_a_node_on_the_port_already_is_refused_not_taken_for_the_new_one() -> None:
    with dev_node() as running, pytest.raises(RuntimeError, match="already answers"):
        dev_node(port=running.port).start()


@pytest.mark.parametrize(
    ("node", "lacking"),
    [
        (lambda: AnvilNode(ANVIL), set()),
        (
            lambda: EdrNode(PROJECT_ROOT / "node_modules"),
            {
                "eth_createAccessList",
                "eth_getRawTransactionByHash",
                "txpool_status",
                "anvil_nodeInfo",
            },
        ),
    ],
    ids=["anvil", "edr"],
)
def test_capabilities_are_asked_of_the_node_and_each_lack_names_its_fallback(
    node: Callable[[], EmbeddedNode], lacking: set[str]
) -> None:
    with node() as running:
        found = capabilities(connect(running.url))
    assert {lack.split(":")[0] for lack in found.lacking()} == lacking
    assert all(": " in lack and len(lack.split(": ")[1]) > 20 for lack in found.lacking())
    assert found.proofs  # cross-region recognition proves storage
    assert found.snapshots  # the test fixtures revert to one
    assert found.hardhat_methods  # anvil answers hardhat_ methods too


def test_refuses_what_is_not_an_http_url() -> None:
    with pytest.raises(ValueError, match="not an http"):
        LeanHTTPProvider("ws://127.0.0.1:8545")
