"""The sealed boundary: routes and pages ask the service and never reach web3 themselves, and
the OpenAPI document types every JSON answer (a partner generates its client from it)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from tests.api_support import Api

ROOT = Path(__file__).resolve().parent.parent
SEALED = ("registry/api", "registry/web")


def _web3_reaches(path: Path) -> list[str]:
    """Where the module at ``path`` imports web3 or reads an attribute named ``w3``."""
    where = path.relative_to(ROOT).as_posix()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=where)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            names = []
        found += [f"{where}:{node.lineno} imports {n}" for n in names if n.split(".")[0] == "web3"]
        if isinstance(node, ast.Attribute) and node.attr == "w3":
            found.append(f"{where}:{node.lineno} reads .w3")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and any(isinstance(a, ast.Constant) and a.value == "w3" for a in node.args)
        ):
            found.append(f"{where}:{node.lineno} reads .w3 by getattr")
    return found


def test_no_route_or_page_module_imports_web3_or_reads_w3() -> None:
    modules = sorted(p for d in SEALED for p in (ROOT / d).rglob("*.py"))
    assert len(modules) > 20  # the walk found the packages
    offenders = [reach for module in modules for reach in _web3_reaches(module)]
    assert offenders == []


def _typed(schema: dict[str, Any]) -> bool:
    """A schema that says what the answer holds: a model, a list or union of typed schemas,
    an object with properties, or a scalar (not ``{}`` or a bare free-form object)."""
    if "$ref" in schema:
        return True
    for union in ("anyOf", "oneOf", "allOf"):
        if union in schema:
            return all(_typed(s) for s in schema[union])
    kind = schema.get("type")
    if kind == "array":
        return _typed(schema.get("items", {}))
    if kind == "object":
        return bool(schema.get("properties"))
    return kind in ("string", "integer", "number", "boolean", "null")


def test_every_json_answer_in_the_openapi_document_has_a_typed_schema(api: Api) -> None:
    document = api.get("/openapi.json").json()
    offenders = []
    answered = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                content = response.get("content", {})
                if not content:
                    offenders.append(f"{method.upper()} {path} {status}: no media type")
                for media, body in content.items():
                    answered += 1
                    if "json" in media and not _typed(body.get("schema", {})):
                        offenders.append(f"{method.upper()} {path} {status} {media}: untyped")
    assert answered > 40
    assert offenders == []
