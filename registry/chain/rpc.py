"""JSON-RPC to the node: a lean HTTP provider, and batches (many requests in one round trip,
for loops that poll the node)."""

from __future__ import annotations

import http.client
import logging
import threading
import time
from typing import Any, cast
from urllib.parse import urlsplit

from eth_typing import URI
from web3 import Web3
from web3._utils.batching import sort_batch_response_by_response_ids
from web3.providers import JSONBaseProvider
from web3.providers.rpc.utils import ExceptionRetryConfiguration, check_if_retry_on_failure
from web3.types import RPCEndpoint, RPCResponse

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


def batch(w3: Web3, requests: list[tuple[str, list[Any]]]) -> list[Any]:
    """The results of ``requests``, in order (the provider sorts the answers by id, as every
    web3 provider does); raises ConnectionError on any error."""
    if not requests:
        return []
    answers = w3.provider.make_batch_request(  # type: ignore[attr-defined]
        [(RPCEndpoint(method), params) for method, params in requests]
    )
    if not isinstance(answers, list):
        raise ConnectionError(f"JSON-RPC batch refused: {answers.get('error')}")
    results = []
    for answer in answers:
        if answer.get("error"):
            raise ConnectionError(f"JSON-RPC error: {answer['error']}")
        results.append(answer.get("result"))
    return results


class _KeepAlive(threading.local):
    connection: http.client.HTTPConnection | None = None


class LeanHTTPProvider(JSONBaseProvider):
    """A web3 JSON-RPC provider posting through a kept-alive ``http.client`` connection per
    thread. web3's ``HTTPProvider`` goes through ``requests``, which looked up its session and
    read the proxy environment on every call: a quarter of the service's CPU under load, about
    1 ms of server CPU per request (the service talks to its own node, never through a proxy).
    Encoding, decoding and the batch order are web3's (``JSONBaseProvider``); failed reads are
    retried as ``HTTPProvider`` retries them (``exception_retry_configuration``)."""

    def __init__(
        self,
        endpoint_uri: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        exception_retry_configuration: ExceptionRetryConfiguration | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        parsed = urlsplit(endpoint_uri)
        if parsed.scheme not in ("http", "https") or parsed.hostname is None:
            raise ValueError(f"not an http(s) URL: {endpoint_uri}")
        self.endpoint_uri = URI(endpoint_uri)
        self.timeout = timeout
        self.exception_retry_configuration = (
            exception_retry_configuration or ExceptionRetryConfiguration(errors=(ConnectionError,))
        )
        self._connection_class = (
            http.client.HTTPSConnection if parsed.scheme == "https" else http.client.HTTPConnection
        )
        self._host, self._port = parsed.hostname, parsed.port
        self._path = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
        self._local = _KeepAlive()

    def __str__(self) -> str:
        return f"RPC connection {self.endpoint_uri}"

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        data = self.encode_rpc_request(method, params)
        retry = self.exception_retry_configuration
        attempts = retry.retries if check_if_retry_on_failure(method, retry.method_allowlist) else 1
        for attempt in range(attempts):
            try:
                return self.decode_rpc_response(self._post(data))
            except tuple(retry.errors) as exc:
                if attempt == attempts - 1:
                    raise
                logger.debug("%s: %s failed (%s), retrying", self.endpoint_uri, method, exc)
                time.sleep(retry.backoff_factor * 2**attempt)
        raise AssertionError("unreachable")

    def make_batch_request(
        self, requests: list[tuple[RPCEndpoint, Any]]
    ) -> list[RPCResponse] | RPCResponse:
        response = self.decode_rpc_response(self._post(self.encode_batch_rpc_request(requests)))
        if not isinstance(response, list):  # one error answer for the whole batch
            return response
        return sort_batch_response_by_response_ids(cast(list[RPCResponse], response))

    def _post(self, data: bytes) -> bytes:
        headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
        for attempt in (1, 2):
            connection = self._local.connection
            if connection is None:
                connection = self._connection_class(self._host, self._port, timeout=self.timeout)
                self._local.connection = connection
            try:
                connection.request("POST", self._path, body=data, headers=headers)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                self._local.connection = None
                # A kept-alive connection the node closed fails at once; a fresh one is tried
                # once (JSON-RPC posts here are reads or idempotent sends of signed bytes).
                if attempt == 2 or not isinstance(exc, _STALE):
                    raise ConnectionError(f"{self.endpoint_uri}: {exc}") from exc
                logger.debug("%s: kept-alive connection closed (%s), reconnecting", self, exc)
                continue
            if response.status != 200:
                raise ConnectionError(f"{self.endpoint_uri}: HTTP {response.status}")
            return body
        raise AssertionError("unreachable")


def connect(url: str, **kwargs: Any) -> Web3:
    """A Web3 on the node at ``url`` through :class:`LeanHTTPProvider`."""
    return Web3(LeanHTTPProvider(url, **kwargs))
