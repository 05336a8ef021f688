"""Schemathesis against the API's own OpenAPI: no generated request may cause a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from web3 import Web3

from registry.api.keys import Role
from registry.chain import Deployment
from registry.chain.compiler import Artifact
from tests.api_support import Api, running_api
from tests.conftest import Accounts

EXAMPLES = 12


@pytest.fixture(scope="module")
def fuzz_api(
    tmp_path_factory: pytest.TempPathFactory,
    w3: Web3,
    deployment: Deployment,
    artifacts: dict[str, Artifact],
    accounts: Accounts,
) -> Iterator[Api]:
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    try:
        with running_api(
            tmp_path_factory.mktemp("fuzz"), w3, deployment, artifacts, accounts
        ) as api:
            yield api
    finally:
        w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]


def test_api_never_answers_5xx(fuzz_api: Api) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_api.client.app)
    auth = {"Authorization": f"Bearer {fuzz_api.keys[Role.REGISTRAR]}"}
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            response = case.call(headers=auth)
            assert response.status_code < 500, (case.method, case.path, response.text)
            if response.status_code >= 400:
                kind = response.headers["content-type"]
                kind = kind[0] if isinstance(kind, list) else kind
                assert kind.startswith("application/problem+json"), (case.path, response.text)

        call()
        checked += 1
    assert checked >= 25
