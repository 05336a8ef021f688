"""The commands of the registration acts, made from the act table (``registry.acts``): each row
with a command becomes ``registry <group> <command> [TARGET] [options]``, its options the
fields of the act's request model that the row names, with the common options (``--api``,
``--key``, ``--wait/--no-wait``, ``--json``) added. An act that takes the holder's consent is
signed here with REGISTRY_HOLDER_KEY before it is sent. The application, the change and the
ordered change, which first publish a manifest, and the transfer, which every party signs, have
their own commands in ``assets``."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from registry.acts import ACTS, Act, CliOption, text_hash
from registry.cli import remote

BUILT_ELSEWHERE = frozenset({"apply", "change", "change_by_judgment", "apply_transfer"})
"""Acts whose commands publish a manifest first or take several parties' signatures (in
``registry.cli.assets``)."""

_PARSERS: dict[str, Callable[[str], Any]] = {
    "hash": remote.hash32,
    "text-hash": text_hash,
    "start": remote.start_moment,
    "end": remote.end_moment,
}
_TARGETS: dict[str, Any] = {
    "asset_id": Annotated[int, typer.Argument(min=1, help="The asset's id.")],
    "objection_id": Annotated[int, typer.Argument(min=1, help="The objection's id.")],
    "grant_id": Annotated[str, typer.Argument(help="The grant's id: 0x + 64 hex digits.")],
    "annotation_id": Annotated[int, typer.Argument(min=1, help="The annotation's id.")],
    "transfer_id": Annotated[int, typer.Argument(min=1, help="The transfer application's id.")],
}
_COMMON = (
    ("api", remote.ApiUrl, remote.DEFAULT_API),
    ("key", remote.ApiKey, None),
    ("wait", remote.Wait, True),
    ("as_json", remote.AsJson, False),
)


def _parameter(act: Act, option: CliOption) -> inspect.Parameter:
    """The command's parameter for ``option``, typed and defaulted as the model's field."""
    assert act.body is not None  # a row with options has a request model
    field = act.body.model_fields[option.field]
    parser = _PARSERS.get(option.parser or "")
    kind: Any = field.annotation
    if option.parser in ("start", "end"):
        kind = int
    elif parser is not None or (
        typing.get_origin(kind) is not typing.Literal and kind not in (bool, int)
    ):
        kind = str  # hashes, addresses: the model checks them
    info = (
        typer.Option(*option.flags, help=option.help, parser=parser)
        if option.flags
        else typer.Argument(help=option.help, parser=parser)
    )
    default = inspect.Parameter.empty if field.is_required() else field.get_default()
    return inspect.Parameter(
        option.field,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[kind, info],
        default=default,
    )


def _command(act: Act) -> Callable[..., None]:
    param = act.target_param

    def command(**values: Any) -> None:
        api, key = values.pop("api"), values.pop("key")
        wait, as_json = values.pop("wait"), values.pop("as_json")
        target = values.pop(param) if param else None
        with remote.connected(api, key) as client:
            body = None
            if act.body is not None:
                if act.consent is not None:
                    values["consent"] = {}
                try:
                    body = act.body.model_validate(values)
                except ValidationError as exc:
                    raise typer.BadParameter(_fields(exc)) from None
                if act.consent is not None:
                    body = remote.signer(client).signed(act.name, target, body)
            op = client.perform(act.name, target, body)
            remote.write(client, op, wait, as_json)

    params = [_parameter(act, option) for option in act.cli_options]
    if param is not None:
        params.insert(
            0, inspect.Parameter(param, inspect.Parameter.KEYWORD_ONLY, annotation=_TARGETS[param])
        )
    params += [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default)
        for name, kind, default in _COMMON
    ]
    # typer reads the command's parameters from its signature.
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__doc__ = f"{act.summary}." + (
        " Signed with the holder's key (REGISTRY_HOLDER_KEY)." if act.consent else ""
    )
    return command


def _fields(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
    )


def install(groups: dict[str, typer.Typer]) -> None:
    """Adds every act's command to its group."""
    for act in ACTS:
        if act.cli is None or act.name in BUILT_ELSEWHERE:
            continue
        group, name = act.cli
        groups[group].command(name)(_command(act))
