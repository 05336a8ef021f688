"""The lean JSON-RPC provider the service talks to its node with: answers as web3's own, a
node that went away is a ConnectionError (an OSError, as the loops that poll expect), and the
kept-alive connection is renewed when the node comes back on the same port."""

from __future__ import annotations

import pytest

from registry.chain import AnvilNode
from registry.chain.node import free_port
from registry.chain.rpc import LeanHTTPProvider, batch, connect
from tests.conftest import ANVIL


def test_answers_as_web3_and_survives_a_node_restart() -> None:
    port = free_port()
    with AnvilNode(ANVIL, port=port, chain_id=370200) as node:
        w3 = connect(node.url)
        assert isinstance(w3.provider, LeanHTTPProvider)
        assert w3.eth.chain_id == 370200
        head, chain_id = batch(w3, [("eth_blockNumber", []), ("eth_chainId", [])])
        assert int(chain_id, 16) == 370200
        assert int(head, 16) == w3.eth.block_number
    with pytest.raises(ConnectionError, match=str(port)):
        w3.eth.block_number  # noqa: B018  (the call is the test)
    with AnvilNode(ANVIL, port=port, chain_id=370200):
        assert w3.eth.chain_id == 370200


def test_refuses_what_is_not_an_http_url() -> None:
    with pytest.raises(ValueError, match="not an http"):
        LeanHTTPProvider("ws://127.0.0.1:8545")
