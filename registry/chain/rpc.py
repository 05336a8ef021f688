"""JSON-RPC batches: many requests in one round trip, for loops that poll the node."""

from __future__ import annotations

from typing import Any

from web3 import Web3
from web3.types import RPCEndpoint


def batch(w3: Web3, requests: list[tuple[str, list[Any]]]) -> list[Any]:
    """The results of ``requests``, in order; raises ConnectionError on any error."""
    if not requests:
        return []
    answers = w3.provider.make_batch_request(  # type: ignore[attr-defined]
        [(RPCEndpoint(method), params) for method, params in requests]
    )
    if not isinstance(answers, list):
        raise ConnectionError(f"JSON-RPC batch refused: {answers.get('error')}")
    results = []
    for answer in sorted(answers, key=lambda a: int(a["id"])):  # ids follow request order
        if answer.get("error"):
            raise ConnectionError(f"JSON-RPC error: {answer['error']}")
        results.append(answer.get("result"))
    return results
