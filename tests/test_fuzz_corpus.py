"""A corpus of hostile requests to every route, API and pages (issue 15): wrong types,
overflows, other scripts' digits, huge and deep bodies, Chinese text, markup, controls. No
answer may be a 5xx; every 4xx of the API is problem+json that names its field
(``invalid_params``, for 400 and 422) or its rule (a contract's refusal its ``rule``, any other
its ``type``); a page may instead answer with its own HTML error page.

The corpus is data: the hostile values below, put in turn into every path parameter, query
parameter, form field and JSON body member of every route (the API's from its OpenAPI, each
body starting from a valid instance of its schema), and the page routes listed here."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from registry.api.keys import Role
from tests.api_support import Api, signed_in

# Deep enough to trip recursion, shallow enough for the client's own JSON encoder
# (tests/test_edge_validation.py sends 900 levels as text).
DEEP = 500
# Values no field should take: each goes where a valid one was.
HOSTILE: list[Any] = [
    None,
    True,
    -1,
    1.5,
    2**64,
    2**256,
    10**400,
    "３７０２００",
    "²",
    "٣",
    "数据产权登记",
    "<script>alert(1)</script>",
    "\x00",
    "\u202egnp.exe",
    "x" * 100_000,
    [],
    {"$ne": 1},
    json.loads("[" * DEEP + "]" * DEEP),
]
# The same, as they come in a path, a query string or a form: text.
HOSTILE_TEXT = [
    "-5",
    "1" + "0" * 23,
    str(2**256),
    "３",
    "²",
    "٣٧٠٢٠٠",
    "1.5",
    "abc",
    "数据产权登记",
    "<img src=x onerror=alert(1)>",
    "%00",
    "%E2%80%AE",
    "9" * 400,
]
# A JSON body that is no object, or not JSON: sent in place of every JSON body.
RAW_BODIES: list[tuple[bytes, str]] = [
    (b"[]", "application/json"),
    (b'"\xe6\x95\xb0\xe6\x8d\xae"', "application/json"),
    (b"null", "application/json"),
    (b"NaN", "application/json"),
    (b"1e400", "application/json"),
    (b'{"a": ', "application/json"),
    ('{"hash": "数据"}'.encode("gb18030"), "application/json"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    (b'{"a": 1}', "text/plain"),
]
# Valid values of path parameters, by name (a parameter not named here is given 1).
PATH_VALUES = {
    "asset_id": "1",
    "objection_id": "1",
    "grant_id": "0x" + "00" * 32,
    "number": "SJ3212026010001",
    "region": "370000",
    "address": "0x15d34AAf54267DB7D7c367839aaf71A00a2C6A65",
    "cid": "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
    "data_hash": "0x" + "ab" * 32,
    "report_id": "ab" * 32,
    "request_id": "0" * 32,
    "operation_id": "op",
    "name": "swagger-ui.css",
}
# The pages (not in the OpenAPI): method, path, query parameters, form fields and their
# valid values ("{csrf}": the signed-in session's token).
PAGES: list[tuple[str, str, dict[str, str], dict[str, str]]] = [
    ("GET", "/", {"q": "港口", "holder": PATH_VALUES["address"], "region": "370200",
                  "status": "issued", "kind": "resource", "after": "0", "lang": "zh"}, {}),
    ("GET", "/a/{asset_id}", {"lang": "en"}, {}),
    ("POST", "/a/{asset_id}/objection", {"lang": "zh"},
     {"reason": "异议", "contact": "张三 13800000000", "name": "张三", "email": "a@b.cn",
      "kind": "natural_person", "grounds": "other",
      "phone": "13800000000", "identity": "110101199003071234"}),
    ("GET", "/c/{number}", {"lang": "zh"}, {}),
    ("GET", "/verify", {"hash": PATH_VALUES["data_hash"], "number": PATH_VALUES["number"],
                        "name": "a.csv", "lang": "en"}, {}),
    ("POST", "/verify", {"lang": "zh"}, {"receipt": '{"hash": "0x00"}'}),
    ("POST", "/verify/report", {}, {"hash": PATH_VALUES["data_hash"]}),
    ("GET", "/recognitions/{region}/{number}", {"lang": "zh"}, {}),
    ("POST", "/recognitions/{region}/{number}/recheck", {"lang": "en"}, {}),
    ("GET", "/stats", {"lang": "en"}, {}),
    ("GET", "/docs", {}, {}),
    ("GET", "/static/vendor/{name}", {}, {}),
    ("GET", "/console", {"lang": "en"}, {}),
    ("POST", "/console/act", {"lang": "en"},
     {"action": "issue", "asset_id": "1", "csrf": "{csrf}", "text": "理由", "objection_id": "1",
      "upheld": "true"}),
    ("POST", "/console/consent", {"lang": "zh"},
     {"csrf": "{csrf}", "act": "pledge", "asset_id": "1", "party": PATH_VALUES["address"],
      "agreement": "协议", "manifest_cid": PATH_VALUES["cid"], "kind": "processing",
      "scenario": "场景", "start": "2026-01-01", "expiry": "2027-01-01", "exclusive": "on"}),
    ("POST", "/console/consent/{request_id}/signature", {"lang": "zh"},
     {"csrf": "{csrf}", "signature": "0x" + "11" * 65}),
    ("POST", "/console/consent/{request_id}/withdraw", {"lang": "zh"}, {"csrf": "{csrf}"}),
    ("POST", "/console/login", {"lang": "en"}, {"api_key": "数据"}),
    ("POST", "/console/logout", {"lang": "en"}, {"csrf": "{csrf}"}),
]  # fmt: skip
MULTIPART = {"file": ("数据<b>.csv", b"a,b\n1,2\n", "text/csv")}


@dataclass
class Case:
    method: str
    path: str
    route: str
    params: dict[str, str] = field(default_factory=dict)
    json_body: Any = None
    form: dict[str, str] | None = None
    files: dict[str, Any] | None = None
    raw: tuple[bytes, str] | None = None
    headers: dict[str, Any] = field(default_factory=dict)
    what: str = ""


def _fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), template)


def _path_cases(method: str, template: str, **rest: Any) -> Iterator[Case]:
    """The route with valid path parameters, then each parameter hostile in turn."""
    yield Case(method, _fill(template, PATH_VALUES), template, what="valid path", **rest)
    for name in re.findall(r"\{(\w+)\}", template):
        for bad in HOSTILE_TEXT:
            path = _fill(template, {**PATH_VALUES, name: bad})
            yield Case(method, path, template, what=f"path {name}={bad[:20]!r}", **rest)


def _query_cases(method: str, template: str, query: dict[str, str], **rest: Any) -> Iterator[Case]:
    path = _fill(template, PATH_VALUES)
    for name in query:
        for bad in HOSTILE_TEXT:
            params = {**query, name: bad}
            yield Case(method, path, template, params, what=f"query {name}={bad[:20]!r}", **rest)


def _instance(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A valid instance of a JSON schema of this API (every member given)."""
    if "$ref" in schema:
        return _instance(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _instance(options[0], defs)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {k: _instance(v, defs) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [_instance(schema["items"], defs)] if schema.get("minItems") else []
    if kind == "integer":
        return schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    if kind == "string":
        pattern = schema.get("pattern", "")
        for needle, value in (
            ("{64}", "0x" + "11" * 32 if "0x" in pattern else "ab" * 32),
            ("{40}", PATH_VALUES["address"]),
            ("{32}", "0" * 32),
            ("{2})", "0x" + "11" * 65),
        ):
            if needle in pattern:
                return value
        return "数" * max(1, schema.get("minLength", 1))
    if "default" in schema:
        return schema["default"]
    return {}


def _leaves(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            yield from _leaves(v, (*at, k))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from _leaves(v, (*at, i))
    elif at:
        yield at


def _replaced(body: Any, at: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(body)
    inner = changed
    for key in at[:-1]:
        inner = inner[key]
    inner[at[-1]] = value
    return changed


def api_cases(openapi: dict[str, Any]) -> Iterator[Case]:
    defs = openapi.get("components", {}).get("schemas", {})
    for template, operations in openapi["paths"].items():
        for method, operation in operations.items():
            method = method.upper()
            yield from _path_cases(method, template)
            query = {p["name"]: "1" for p in operation.get("parameters", []) if p["in"] == "query"}
            yield from _query_cases(method, template, query)
            path = _fill(template, PATH_VALUES)
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = _instance(content["application/json"]["schema"], defs)
                yield Case(method, path, template, json_body=body, what="valid body")
                for at in _leaves(body):
                    for bad in HOSTILE:
                        yield Case(
                            method,
                            path,
                            template,
                            json_body=_replaced(body, at, bad),
                            what=f"body {'.'.join(map(str, at))}={str(bad)[:20]!r}",
                        )
                for raw in RAW_BODIES:
                    yield Case(method, path, template, raw=raw, what=f"raw {raw[0][:20]!r}")
            if "multipart/form-data" in content:
                form = {"signature": '{"signature": {"scheme": "数据"}}'}
                yield Case(method, path, template, form=form, files=MULTIPART, what="file")
                for bad in HOSTILE_TEXT:
                    yield Case(
                        method,
                        path,
                        template,
                        form={"signature": bad},
                        files=MULTIPART,
                        what=f"signature {bad[:20]!r}",
                    )
                for raw in (
                    (b"--x\r\n\r\n--x--", "multipart/form-data"),
                    (b"--x\r\n\r\n--x--", "multipart/form-data; boundary=" + "数" * 3),
                    (b"\xff" * 1000, "multipart/form-data; boundary=x"),
                ):
                    yield Case(method, path, template, raw=raw, what=f"raw {raw[1]}")


def page_cases() -> Iterator[Case]:
    for method, template, query, form in PAGES:
        yield from _path_cases(method, template, params=query, form=form or None)
        yield from _query_cases(method, template, query, form=form or None)
        path = _fill(template, PATH_VALUES)
        for name in form:
            for bad in HOSTILE_TEXT:
                yield Case(
                    method,
                    path,
                    template,
                    query,
                    form={**form, name: bad},
                    what=f"form {name}={bad[:20]!r}",
                )
        if method == "POST":
            yield Case(method, path, template, query, json_body={"a": "数据"}, what="json")


def header_cases() -> Iterator[Case]:
    for value in (b"Bearer \xe6\x95\xb0\xe6\x8d\xae", b"Bearer " + b"x" * 5000, b"\x01"):
        yield Case(
            "GET",
            "/v1/consent-requests",
            "/v1/consent-requests",
            headers={"authorization": value},
            what=f"authorization {value[:20]!r}",
        )
    for value in (b"\xe6\x95\xb0", b"k" * 201, b"\x7f", b""):
        yield Case(
            "POST",
            "/v1/evidence",
            "/v1/evidence",
            json_body={"hash": "0x" + "12" * 32},
            headers={"idempotency-key": value},
            what=f"idempotency {value[:20]!r}",
        )


def send(api: Api, case: Case, csrf: str) -> Any:
    headers = {"authorization": f"Bearer {api.keys[Role.REGISTRAR]}", **case.headers}
    form = {k: v.replace("{csrf}", csrf) for k, v in (case.form or {}).items()}
    if case.raw is not None:
        headers["content-type"] = case.raw[1].encode()  # UTF-8 bytes: httpx takes str as ASCII
        return api.client.request(
            case.method, case.path, params=case.params, content=case.raw[0], headers=headers
        )
    if case.json_body is not None:
        return api.client.request(
            case.method, case.path, params=case.params, json=case.json_body, headers=headers
        )
    return api.client.request(
        case.method,
        case.path,
        params=case.params,
        data=form or None,
        files=case.files,
        headers=headers,
        follow_redirects=False,
    )


def fault(case: Case, response: Any) -> str | None:
    """What is wrong with the answer to ``case``, if anything."""
    status = response.status_code
    if status >= 500:
        return f"{status}: {response.text[:300]}"
    if status < 400:
        return None
    kind = response.headers.get("content-type", "")
    if kind.startswith("text/html") and not case.route.startswith("/v1/"):
        return None  # a page's own error page
    if not kind.startswith("application/problem+json"):
        return f"{status} as {kind}: {response.text[:200]}"
    body = response.json()
    if body.get("status") != status or not body.get("type") or not body.get("title"):
        return f"{status}: not a problem: {body}"
    if status in (400, 422):
        params = body.get("invalid_params") or []
        if body.get("rule") and not params:
            return None  # the contract refused the act: its rule is named
        if not params or not all(p.get("name") and p.get("reason") for p in params):
            return f"{status} names no field: {body}"
    elif body["type"].endswith("/http-error"):
        return f"{status} names no rule: {body}"
    return None


def test_hostile_corpus_gets_no_5xx_and_every_4xx_names_its_field_or_rule(
    mediated_api: Api,
) -> None:
    openapi = mediated_api.client.get("/openapi.json").json()
    cases = [*api_cases(openapi), *page_cases(), *header_cases()]
    # Sign-out late: it ends the session the console's cases post with; wrong keys last: past
    # a few, the client's address is refused whatever key it sends.
    cases.sort(
        key=lambda c: (
            c.route == "/console/login" or "authorization" in c.headers,
            c.route == "/console/logout",
        )
    )
    routes = {(c.method, c.route) for c in cases}
    assert {(m.upper(), p) for p, ops in openapi["paths"].items() for m in ops} <= routes
    assert len(cases) >= 200
    csrf = signed_in(mediated_api)
    faults = []
    for case in cases:
        found = fault(case, send(mediated_api, case, csrf))
        if found is not None:
            faults.append(f"{case.method} {case.route} [{case.what}]: {found}")
    assert not faults, f"{len(faults)} of {len(cases)}:\n" + "\n".join(faults[:60])
