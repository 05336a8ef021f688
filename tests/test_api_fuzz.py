"""Schemathesis against the API's own OpenAPI: no generated request, fitting the schema or not,
may cause a 5xx; a 4xx is problem+json, naming its fields when the request was invalid."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode
from web3 import Web3

from registry.api.keys import Role
from registry.chain import Deployment
from registry.chain.compiler import Artifact
from registry.devtools import engine
from tests.api_support import Api, reverted_api
from tests.conftest import Accounts

# Per operation and generation mode (requests fitting the schema, and requests that do not).
# The API's handling of input does not depend on the node: the second engine's pass runs a
# quarter, enough to see every operation answer on it (84 s of its 512 s at 16).
EXAMPLES = 16 if engine() == "anvil" else 4


@pytest.fixture(scope="module")
def fuzz_api(
    tmp_path_factory: pytest.TempPathFactory,
    w3: Web3,
    deployment: Deployment,
    artifacts: dict[str, Artifact],
    accounts: Accounts,
) -> Iterator[Api]:
    with reverted_api(tmp_path_factory.mktemp("fuzz"), w3, deployment, artifacts, accounts) as api:
        yield api


def test_api_never_answers_5xx(fuzz_api: Api) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_api.client.app)
    auth = {"Authorization": f"Bearer {fuzz_api.keys[Role.REGISTRAR]}"}
    checked = 0
    for result, mode in itertools.product(schema.get_all_operations(), GenerationMode):
        operation = result.ok()

        @given(case=operation.as_strategy(mode))
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
                if response.status_code in (400, 422):  # the fields, or the contract's rule
                    body = response.json()
                    named = [p["name"] for p in body.get("invalid_params", [])]
                    assert named or body.get("rule"), (case.method, case.path, response.text)

        try:
            call()
        except Unsatisfiable:
            # The operation has nothing that can be made invalid (no parameter, no body).
            assert mode is GenerationMode.NEGATIVE, operation.label
            continue
        checked += 1
    assert checked >= 25 + 20
