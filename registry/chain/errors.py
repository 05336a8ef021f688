"""Revert data decoded to the contracts' custom error names and arguments."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from eth_abi.abi import decode
from eth_typing import ABIError
from eth_utils.abi import function_abi_to_4byte_selector, get_abi_input_types

_ERROR_STRING = "08c379a0"
_PANIC = "4e487b71"


class ContractError(Exception):
    """A contract refused a call with a custom error (or `Error(string)` / `Panic(uint256)`)."""

    def __init__(self, name: str, args: tuple[Any, ...], data: str) -> None:
        super().__init__(f"{name}{args!r}")
        self.name = name
        self.args_ = args
        self.data = data

    def json_args(self) -> list[Any]:
        """The error's arguments as JSON takes them (bytes as hex without 0x)."""
        return [a.hex() if isinstance(a, bytes) else a for a in self.args_]


def revert_data(error: Any) -> str | None:
    """The revert data (0x-hex) in a JSON-RPC error's ``data``, or in a web3 exception's: a
    string on anvil and geth; an object whose ``data`` holds it on Hardhat's EDR (beside a
    message). None when the node gave none."""
    data = error.get("data") if isinstance(error, dict) else getattr(error, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
        return data
    return None


class ErrorDecoder:
    """Knows every error of the given ABIs by its 4-byte selector."""

    def __init__(self, abis: Iterable[list[dict[str, Any]]]) -> None:
        self._errors: dict[str, tuple[str, list[str]]] = {}
        for abi in abis:
            for item in abi:
                if item.get("type") != "error":
                    continue
                element = cast(ABIError, item)
                selector = function_abi_to_4byte_selector(element).hex()
                self._errors[selector] = (item["name"], get_abi_input_types(element))

    def decode(self, data: str | bytes) -> ContractError:
        raw = data.hex() if isinstance(data, bytes) else data.removeprefix("0x")
        selector, body = raw[:8], bytes.fromhex(raw[8:])
        if selector == _ERROR_STRING:
            return ContractError("Error", tuple(decode(["string"], body)), "0x" + raw)
        if selector == _PANIC:
            return ContractError("Panic", tuple(decode(["uint256"], body)), "0x" + raw)
        if selector in self._errors:
            name, types = self._errors[selector]
            return ContractError(name, tuple(decode(types, body)), "0x" + raw)
        return ContractError("UnknownError", (), "0x" + raw)
