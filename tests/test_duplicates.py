"""Duplicate applications and public data (issue 16, items 10 and 9), through the API against
the chain: the same applicant applying twice for the same data (the same manifest hash, or a
file of the same SHA-256) is refused with a named rule; a different applicant is a co-holder,
shown to the reviewer with the earlier registration's number; two submissions at once are
ordered by the claims table. Data of a Party or government body is refused, and a public data
product carries its public data resource registration code, which the reviewer sees."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from registry.api.keys import Role
from registry.api.models import ApplicationIn
from registry.chain import Registry
from registry.chain.types import Application
from registry.devtools import signed_application
from registry.services.duplicates import DuplicateApplicationError
from tests.api_support import Api
from tests.conftest import Accounts, Flow, application
from tests.test_api import confirmed, problem
from tests.test_api_manifests import sample_manifest


def body_of(registry: Registry, accounts: Accounts, app: Application, second: bool = False) -> Any:
    """The application's request body, signed by its holder (``second``: holder2)."""
    signer = accounts.holder2 if second else accounts.holder
    consent = signed_application(
        registry.assets, signer, app, nonce=registry.assets.nonces(app.holder)
    )
    return ApplicationIn.of(app, consent).model_dump(mode="json")


def published(api: Api, version: str, **source: Any) -> dict[str, Any]:
    manifest = sample_manifest()
    manifest["version"] = version
    manifest["source"] = {**manifest["source"], **source}
    answer = api.post("/v1/manifests", manifest, Role.HOLDER)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def of_manifest(holder: str, found: dict[str, Any]) -> Application:
    return replace(
        application(holder),
        manifest_hash=bytes.fromhex(found["manifest_hash"][2:]),
        manifest_cid=bytes.fromhex(found["manifest_cid"][2:]),
        cid_codec=found["cid_codec"],
    )


def test_the_same_applicant_applying_twice_for_registered_data_is_refused_naming_it(
    api: Api, flow: Flow, registry: Registry, accounts: Accounts
) -> None:
    first = flow.issued("duplicate data")
    number = registry.certificates.number_of(registry.assets.get_asset(first).certificate_id)
    api.indexed()
    again = application(accounts.holder.address, "duplicate data")
    refused = problem(api.post("/v1/assets", body_of(registry, accounts, again), Role.HOLDER), 409)
    assert refused["type"].endswith("/duplicate-application")
    assert (refused["rule"], refused["args"]) == ("DuplicateApplication", [first])
    assert refused["invalid_params"][0]["name"] == "manifest_hash"
    assert number in refused["detail"]
    assert registry.assets.asset_count() == first  # nothing sent

    # A different applicant for the same data is a co-holder: allowed, and shown to the
    # reviewer with the earlier registration's number.
    other = application(accounts.holder2.address, "duplicate data")
    op = confirmed(
        api, api.post("/v1/assets", body_of(registry, accounts, other, True), Role.HOLDER)
    )
    second = int(op["result"]["asset_id"])
    api.indexed()
    reviewer = {"Authorization": f"Bearer {api.keys[Role.REVIEWER]}"}
    review = api.client.get(f"/v1/assets/{second}/review", headers=reviewer).json()
    assert review["possible_duplicates"] == [
        {
            "asset_id": first,
            "holder": accounts.holder.address,
            "status": "issued",
            "certificate_number": number,
            "shared": "manifest",
        }
    ]
    assert api.client.get(f"/v1/assets/{second}/review").status_code == 401


def test_a_file_of_the_same_hash_in_another_manifest_is_the_same_data(
    api: Api, registry: Registry, accounts: Accounts
) -> None:
    one = published(api, "dup-1")
    op = confirmed(
        api,
        api.post(
            "/v1/assets",
            body_of(registry, accounts, of_manifest(accounts.holder.address, one)),
            Role.HOLDER,
        ),
    )
    first = int(op["result"]["asset_id"])
    api.indexed()
    two = published(api, "dup-2")  # another version of the same files
    assert two["manifest_hash"] != one["manifest_hash"]
    body = body_of(registry, accounts, of_manifest(accounts.holder.address, two))
    refused = problem(api.post("/v1/assets", body, Role.HOLDER), 409)
    assert (refused["rule"], refused["args"]) == ("DuplicateApplication", [first])
    assert "file " in refused["detail"]
    shared = {
        d["shared"]
        for d in api.client.get(
            f"/v1/assets/{first}/review",
            headers={"Authorization": f"Bearer {api.keys[Role.REGISTRAR]}"},
        ).json()["possible_duplicates"]
    }
    assert shared == set()  # nothing else holds it


def test_two_submissions_at_once_by_the_same_applicant_one_is_refused(
    api: Api, accounts: Accounts
) -> None:
    """The index has neither yet: the claim of the first (its operation in flight) refuses
    the second."""
    duplicates = api.runtime.context.duplicates
    now = api.runtime.context.now()
    manifest = "0x" + "5a" * 32
    duplicates.claim(accounts.holder.address, manifest, "race-1", now)
    with pytest.raises(DuplicateApplicationError) as refused:
        duplicates.claim(accounts.holder.address, manifest, "race-2", now)
    assert refused.value.earlier is None
    duplicates.claim(accounts.holder.address, manifest, "race-1", now)  # its retry goes on
    duplicates.claim(accounts.holder2.address, manifest, "race-3", now)  # a co-holder's too
    duplicates.release("race-1")
    duplicates.claim(accounts.holder.address, manifest, "race-2", now)


def test_data_of_a_party_or_government_body_is_refused_naming_the_field(api: Api) -> None:
    manifest = sample_manifest()
    manifest["source"] = {**manifest["source"], "provider_type": "party_or_government"}
    refused = problem(api.post("/v1/manifests", manifest, Role.HOLDER), 422)
    (param,) = refused["invalid_params"]
    assert param["name"] == "source.provider_type"
    assert param["reason"].startswith("PartyOrGovernmentData")
    manifest["source"]["provider_type"] = "public_utility"  # may register its service data
    assert api.post("/v1/manifests", manifest, Role.HOLDER).status_code == 201


def test_a_public_data_product_carries_its_registration_code_which_the_reviewer_sees(
    api: Api, registry: Registry, accounts: Accounts
) -> None:
    manifest = sample_manifest()
    manifest["source"] = {**manifest["source"], "kind": "public_data_product"}
    refused = problem(api.post("/v1/manifests", manifest, Role.HOLDER), 422)
    (param,) = refused["invalid_params"]
    assert param["name"] == "source.public_data_code"
    assert param["reason"].startswith("PublicDataCodeMissing")
    found = published(api, "public-1", kind="public_data_product", public_data_code="GY37-0001")
    app = of_manifest(accounts.holder.address, found)
    op = confirmed(api, api.post("/v1/assets", body_of(registry, accounts, app), Role.HOLDER))
    asset_id = int(op["result"]["asset_id"])
    api.indexed()
    reviewer = {"Authorization": f"Bearer {api.keys[Role.REVIEWER]}"}
    review = api.client.get(f"/v1/assets/{asset_id}/review", headers=reviewer).json()
    assert (review["source_kind"], review["public_data_code"]) == (
        "public_data_product",
        "GY37-0001",
    )
    # The console's review queue shows it to the reviewer.
    client = api.client
    client.post(
        "/console/login",
        data={"api_key": api.keys[Role.REVIEWER]},
        headers={"origin": str(client.base_url)},
        follow_redirects=False,
    )
    assert "data-public-code>GY37-0001<" in client.get("/console").text
