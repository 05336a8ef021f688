"""A typed HTTP client of the registry's REST API (what the CLI and partner systems use)."""

from __future__ import annotations

import time
from typing import Any

import httpx


class ApiError(Exception):
    """A 4xx or 5xx answer, with its RFC 9457 problem."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        fields = ", ".join(
            f"{p.get('name')}: {p.get('reason')}" for p in problem.get("invalid_params", [])
        )
        detail = problem.get("detail") or ""
        super().__init__(
            " — ".join(x for x in (problem.get("title", f"HTTP {status}"), detail, fields) if x)
        )


class RegistryClient:
    """One method per API endpoint; writes return the operation (poll it with :meth:`wait`)."""

    def __init__(self, url: str, key: str | None = None, *, timeout: float = 60.0) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._http = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(0, {"title": "The registry is unreachable", "detail": str(exc)}) from exc
        if response.is_error:
            try:
                problem = response.json()
            except ValueError:
                problem = {"title": f"HTTP {response.status_code}", "detail": response.text}
            raise ApiError(response.status_code, problem)
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.content

    def get(self, path: str, **params: Any) -> Any:
        query = {k: v for k, v in params.items() if v is not None}
        return self._request("GET", f"/v1{path}", params=query)

    def post(self, path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return self._request("POST", f"/v1{path}", json=body, headers=headers)

    # ------------------------------------------------------------------ operations

    def operation(self, operation_id: str) -> dict[str, Any]:
        return dict(self.get(f"/operations/{operation_id}"))

    def wait(self, operation: dict[str, Any], timeout: float = 120.0) -> dict[str, Any]:
        """Polls until the operation is confirmed or failed (or ``timeout`` passes)."""
        deadline = time.monotonic() + timeout
        current = operation
        while current["status"] not in ("confirmed", "failed") and time.monotonic() < deadline:
            time.sleep(0.1)
            current = self.operation(operation["id"])
        return current

    # ------------------------------------------------------------------ reads

    def health(self) -> dict[str, Any]:
        return dict(self._request("GET", "/healthz"))

    def eip712(self) -> dict[str, Any]:
        return dict(self.get("/eip712"))

    def asset(self, asset_id: int) -> dict[str, Any]:
        return dict(self.get(f"/assets/{asset_id}"))

    def history(self, asset_id: int) -> list[dict[str, Any]]:
        return list(self.get(f"/assets/{asset_id}/history"))

    def asset_rights(self, asset_id: int, at: int | None = None) -> Any:
        return self.get(f"/assets/{asset_id}/rights", at=at)

    def search(self, **filters: Any) -> dict[str, Any]:
        return dict(self.get("/assets", **filters))

    def account_rights(self, address: str, at: int | None = None) -> dict[str, Any]:
        return dict(self.get(f"/accounts/{address}/rights", at=at))

    def certificate(self, number: str) -> dict[str, Any]:
        return dict(self.get(f"/certificates/{number}"))

    def certificate_status(self, number: str) -> dict[str, Any]:
        return dict(self.get(f"/certificates/{number}/status"))

    def manifest(self, cid: str) -> dict[str, Any]:
        return dict(self.get(f"/manifests/{cid}"))

    # ------------------------------------------------------------------ writes

    def publish_manifest(self, manifest: dict[str, Any]) -> dict[str, Any]:
        return dict(self.post("/manifests", manifest))

    def check_report(self, pdf: bytes, signature: str) -> dict[str, Any]:
        """A report PDF checked against its detached signature by the registry."""
        found: dict[str, Any] = self._request(
            "POST",
            "/v1/reports/check",
            files={"file": ("report.pdf", pdf, "application/pdf")},
            data={"signature": signature},
        )
        return found
