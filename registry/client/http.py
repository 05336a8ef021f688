"""A typed HTTP client of the registry's REST API (what the CLI and partner systems use)."""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx
from pydantic import BaseModel

from registry import acts
from registry.api import models


class RegistryError(Exception):
    """Anything that stops a request to the registry from being answered as asked."""


class UnreachableError(RegistryError):
    """No answer at all: the registry is down, or not where the client was told it is."""


class ApiError(RegistryError):
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
    """One method per API endpoint; the acts' methods are ``perform`` of a row of the act
    table (``registry.acts``), which gives their paths. Writes return the operation (poll it
    with :meth:`wait`)."""

    def __init__(
        self,
        url: str,
        key: str | None = None,
        *,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """``transport``: httpx's, to record or route requests (tests, a proxy)."""
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._http = httpx.Client(
            base_url=url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise UnreachableError(
                f"the registry at {self._http.base_url} is unreachable: {exc}"
            ) from exc
        if response.is_error:
            try:
                problem = response.json()
            except ValueError:
                problem = {"title": f"HTTP {response.status_code}", "detail": response.text}
            raise ApiError(response.status_code, problem)
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.content

    def _get(self, path: str, **params: Any) -> Any:
        query = {k: v for k, v in params.items() if v is not None}
        return self._request("GET", f"/v1{path}", params=query)

    def _post(self, path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return self._request("POST", f"/v1{path}", json=body, headers=headers)

    # ------------------------------------------------------------------ acts

    def perform(
        self,
        act: str,
        target: int | str | None = None,
        body: BaseModel | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Asks for the act named ``act`` (a row of ``registry.acts.ACTS``) on ``target`` (an
        asset's or objection's id, a grant's 0x-id; none when the body names it)."""
        row = acts.act(act)
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        payload = body.model_dump(mode="json") if body is not None else None
        return dict(
            self._request(row.method, "/v1" + row.url(target), json=payload, headers=headers)
        )

    def apply(self, body: models.ApplicationIn, **kw: Any) -> dict[str, Any]:
        return self.perform("apply", None, body, **kw)

    def accept(self, asset_id: int, **kw: Any) -> dict[str, Any]:
        return self.perform("accept", asset_id, **kw)

    def return_for_supplements(
        self, asset_id: int, body: models.SupplementsRequestIn, **kw: Any
    ) -> dict[str, Any]:
        return self.perform("return_for_supplements", asset_id, body, **kw)

    def supply_supplements(
        self, asset_id: int, body: models.SupplementsIn, **kw: Any
    ) -> dict[str, Any]:
        return self.perform("supply_supplements", asset_id, body, **kw)

    def request_proof(
        self, asset_id: int, body: models.ProofRequestIn, **kw: Any
    ) -> dict[str, Any]:
        return self.perform("request_proof", asset_id, body, **kw)

    def supply_proof(self, asset_id: int, body: models.ProofIn, **kw: Any) -> dict[str, Any]:
        return self.perform("supply_proof", asset_id, body, **kw)

    def extend(self, asset_id: int, body: models.ExtensionIn, **kw: Any) -> dict[str, Any]:
        return self.perform("extend", asset_id, body, **kw)

    def terminate(self, asset_id: int, body: models.ReasonIn, **kw: Any) -> dict[str, Any]:
        return self.perform("terminate", asset_id, body, **kw)

    def refuse(self, asset_id: int, body: models.RefuseIn, **kw: Any) -> dict[str, Any]:
        return self.perform("refuse", asset_id, body, **kw)

    def approve(self, asset_id: int, body: models.ApproveIn, **kw: Any) -> dict[str, Any]:
        return self.perform("approve", asset_id, body, **kw)

    def object(self, asset_id: int, body: models.ObjectionIn, **kw: Any) -> dict[str, Any]:
        return self.perform("object", asset_id, body, **kw)

    def decide_objection(
        self, objection_id: int, body: models.ObjectionDecisionIn, **kw: Any
    ) -> dict[str, Any]:
        return self.perform("decide_objection", objection_id, body, **kw)

    def issue(self, asset_id: int, **kw: Any) -> dict[str, Any]:
        return self.perform("issue", asset_id, **kw)

    def change(self, asset_id: int, body: models.ChangeIn, **kw: Any) -> dict[str, Any]:
        return self.perform("change", asset_id, body, **kw)

    def apply_transfer(self, asset_id: int, body: models.TransferIn, **kw: Any) -> dict[str, Any]:
        return self.perform("apply_transfer", asset_id, body, **kw)

    def register_transfer(self, transfer_id: int, **kw: Any) -> dict[str, Any]:
        return self.perform("register_transfer", transfer_id, **kw)

    def renew(self, asset_id: int, body: models.HolderActIn, **kw: Any) -> dict[str, Any]:
        return self.perform("renew", asset_id, body, **kw)

    def pledge(self, asset_id: int, body: models.PledgeIn, **kw: Any) -> dict[str, Any]:
        return self.perform("pledge", asset_id, body, **kw)

    def release_pledge(self, asset_id: int, **kw: Any) -> dict[str, Any]:
        return self.perform("release_pledge", asset_id, **kw)

    def annotate(self, asset_id: int, body: models.AnnotationIn, **kw: Any) -> dict[str, Any]:
        return self.perform("annotate", asset_id, body, **kw)

    def lift(self, annotation_id: int, body: models.LiftIn, **kw: Any) -> dict[str, Any]:
        return self.perform("lift", annotation_id, body, **kw)

    def cancel(self, asset_id: int, body: models.HolderActIn, **kw: Any) -> dict[str, Any]:
        return self.perform("cancel", asset_id, body, **kw)

    def revoke(self, asset_id: int, body: models.ReasonIn, **kw: Any) -> dict[str, Any]:
        return self.perform("revoke", asset_id, body, **kw)

    def grant(self, body: models.GrantIn, **kw: Any) -> dict[str, Any]:
        return self.perform("grant", None, body, **kw)

    def revoke_grant(self, grant_id: str, body: models.RevokeGrantIn, **kw: Any) -> dict[str, Any]:
        return self.perform("revoke_grant", grant_id, body, **kw)

    def annul_grant(self, grant_id: str, body: models.ReasonIn, **kw: Any) -> dict[str, Any]:
        return self.perform("annul_grant", grant_id, body, **kw)

    def register_licence(self, body: models.LicenceIn, **kw: Any) -> dict[str, Any]:
        return self.perform("licence", None, body, **kw)

    def deadlines(self) -> list[dict[str, Any]]:
        """The open applications' deadlines in the key's region, overdue first."""
        return list(self._get("/deadlines"))

    def acts(self) -> list[dict[str, Any]]:
        """The act table as this registry publishes it."""
        return list(self._get("/acts"))

    # ------------------------------------------------------------------ consent requests

    def draft_consent_request(self, draft: dict[str, Any]) -> dict[str, Any]:
        """Drafts an act for the holder to sign (``act``, ``asset_id`` and the act's fields)."""
        return dict(self._post("/consent-requests", draft))

    def consent_requests(self, status: str | None = None) -> list[dict[str, Any]]:
        return list(self._get("/consent-requests", status=status))

    def consent_request(self, request_id: str) -> dict[str, Any]:
        return dict(self._get(f"/consent-requests/{request_id}"))

    def sign_consent_request(self, request_id: str, signature: str) -> dict[str, Any]:
        """Posts the holder's signature over the request's typed data; the act is relayed."""
        body = {"signature": signature}
        return dict(self._post(f"/consent-requests/{request_id}/signature", body))

    def withdraw_consent_request(self, request_id: str) -> dict[str, Any]:
        return dict(self._post(f"/consent-requests/{request_id}/withdraw"))

    # ------------------------------------------------------------------ evidence

    def anchor(self, data_hash: str) -> dict[str, Any]:
        """Queues a hash for anchoring; answers its receipt so far."""
        return dict(self._post("/evidence", {"hash": data_hash}))

    def receipt(self, data_hash: str) -> dict[str, Any]:
        return dict(self._get(f"/evidence/{data_hash}"))

    def verify(self, data_hash: str) -> dict[str, Any]:
        """The registry's own verification of an anchored hash, with the assets it names."""
        return dict(self._post("/verify", {"hash": data_hash}))

    def issue_report(self, data_hash: str) -> dict[str, Any]:
        """Has the registry verify the hash and issue a signed PDF report; answers its links."""
        return dict(self._post("/verify/report", {"hash": data_hash}))

    def document(self, link: str) -> Any:
        """What a link in an answer (``/v1/...``) points to: a PDF's bytes, or JSON."""
        return self._request("GET", link)

    def certificate_pdf(self, number: str) -> bytes:
        return bytes(self._get(f"/certificates/{number}/pdf"))

    def disclosure(self, year: int | None = None) -> dict[str, Any]:
        """The center's disclosure: its texts and figures by month of ``year``."""
        return dict(self._get("/disclosure", year=year))

    def annual_report(self, year: int, at: int | None = None) -> dict[str, Any]:
        """The annual report as JSON, each figure with its events (registrar keys)."""
        return dict(self._get(f"/disclosure/annual/{year}", at=at))

    def annual_report_pdf(self, year: int, at: int) -> bytes:
        """The annual report's signed PDF as of chain time ``at`` (registrar keys)."""
        return bytes(self._get(f"/disclosure/annual/{year}/pdf", at=at))

    def recognition(self, region: int, number: str) -> dict[str, Any]:
        """Whether a partner region's certificate is recognised here, with its proofs."""
        return dict(self._get(f"/recognitions/{region}/{number}"))

    # ------------------------------------------------------------------ operations

    def operation(self, operation_id: str) -> dict[str, Any]:
        return dict(self._get(f"/operations/{operation_id}"))

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
        return dict(self._get("/eip712"))

    def asset(self, asset_id: int) -> dict[str, Any]:
        return dict(self._get(f"/assets/{asset_id}"))

    def annotations(self, asset_id: int) -> list[dict[str, Any]]:
        return list(self._get(f"/assets/{asset_id}/annotations"))

    def history(self, asset_id: int) -> list[dict[str, Any]]:
        return list(self._get(f"/assets/{asset_id}/history"))

    def asset_rights(self, asset_id: int, at: int | None = None) -> Any:
        return self._get(f"/assets/{asset_id}/rights", at=at)

    def search(self, **filters: Any) -> dict[str, Any]:
        return dict(self._get("/assets", **filters))

    def account_rights(self, address: str, at: int | None = None) -> dict[str, Any]:
        return dict(self._get(f"/accounts/{address}/rights", at=at))

    def certificate(self, number: str) -> dict[str, Any]:
        return dict(self._get(f"/certificates/{number}"))

    def certificate_status(self, number: str) -> dict[str, Any]:
        return dict(self._get(f"/certificates/{number}/status"))

    def manifest(self, cid: str) -> dict[str, Any]:
        return dict(self._get(f"/manifests/{cid}"))

    # ------------------------------------------------------------------ writes

    def publish_manifest(self, manifest: dict[str, Any]) -> dict[str, Any]:
        return dict(self._post("/manifests", manifest))

    def check_report(self, pdf: bytes, signature: str) -> dict[str, Any]:
        """A report PDF checked against its detached signature by the registry."""
        found: dict[str, Any] = self._request(
            "POST",
            "/v1/reports/check",
            files={"file": ("report.pdf", pdf, "application/pdf")},
            data={"signature": signature},
        )
        return found

    # ------------------------------------------------------------------ national forms

    def submit_form(self, form: dict[str, Any], materials: dict[str, bytes]) -> dict[str, Any]:
        """An application form (annex 1) and the bytes of the materials it lists."""
        encoded = {name: base64.b64encode(data).decode() for name, data in materials.items()}
        return dict(self._post("/forms/applications", {"form": form, "materials": encoded}))

    def disclose(self, manifest_hash: str, field: str) -> dict[str, Any]:
        """One confidential field of a form, its value and salt (a registrar's key)."""
        return dict(self._get(f"/forms/{manifest_hash}/disclosures/{field}"))

    def check_disclosure(self, disclosure: dict[str, Any]) -> dict[str, Any]:
        """Whether a disclosure (manifest hash, field, value, salt) checks."""
        keys = ("manifest_hash", "field", "value", "salt")
        return dict(self._post("/disclosures/check", {k: disclosure.get(k) for k in keys}))
