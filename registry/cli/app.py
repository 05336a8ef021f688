"""The ``registry`` Typer application that every command module registers on."""

import typer

app = typer.Typer(help="Data property-right registry (数据产权登记).", no_args_is_help=True)
