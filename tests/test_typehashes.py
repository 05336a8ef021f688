"""The EIP-712 types the registry signs are the ones its contracts verify: every type of
``registry.chain.signing.TYPES`` hashes, as eth-account encodes it when signing (referenced
structs appended), to the ``typeHash`` of exactly one contract."""

from __future__ import annotations

import pytest

# encode_typed_data's own encoder: the type string the signatures are made over.
from eth_account._utils.encode_typed_data.encoding_and_hashing import encode_type, hash_type

from registry.chain import ContractError, Registry
from registry.chain.client import ConsentingContract
from registry.chain.signing import TYPES, Domain, typed_data
from tests.conftest import reverts

_ANY_DOMAIN = Domain("any", "1", 1, "0x" + "00" * 20)


def _types_of(primary: str) -> dict[str, list[dict[str, str]]]:
    """``primary`` and the structs it refers to, as ``signing.sign`` hands them to eth-account."""
    types: dict[str, list[dict[str, str]]] = typed_data(_ANY_DOMAIN, primary, {})["types"]
    return types


def _verifiers(registry: Registry) -> dict[str, ConsentingContract]:
    return {"AssetRegistry": registry.assets, "RightsRegistry": registry.rights}


def _type_hashes(registry: Registry, primary: str) -> dict[str, bytes]:
    """The type hash each contract verifies ``primary`` against, for those that know it."""
    known: dict[str, bytes] = {}
    for name, contract in _verifiers(registry).items():
        try:
            known[name] = bytes(contract._call("typeHash", primary))
        except ContractError as refusal:
            if refusal.name != "UnknownType":
                raise
    return known


@pytest.mark.parametrize("primary", sorted(TYPES))
def test_signed_type_hashes_to_the_contracts_type_hash(registry: Registry, primary: str) -> None:
    types = _types_of(primary)
    known = _type_hashes(registry, primary)
    assert len(known) == 1, f"{primary} is verified by {sorted(known) or 'no contract'}"
    ((contract, on_chain),) = known.items()
    assert on_chain == hash_type(primary, types), (
        f"{contract} verifies {primary} against another type than {encode_type(primary, types)!r}"
    )


def test_referenced_struct_type_hashes_to_the_contracts_type_hash(registry: Registry) -> None:
    """ParentRef is hashed on its own for each source of an application."""
    types = _types_of("Application")
    assert "ParentRef" in types
    assert bytes(registry.assets._call("typeHash", "ParentRef")) == hash_type("ParentRef", types)


def test_type_hash_of_an_unknown_type_is_refused_with_its_name(registry: Registry) -> None:
    for contract in _verifiers(registry).values():
        with reverts("UnknownType", "Nothing"):
            contract._call("typeHash", "Nothing")
