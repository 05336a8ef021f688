"""Everything shown about one certificate, gathered once for its JSON, PDF, page and credential:
the index's record, the names from its manifest, the three rights now, and its status as the
chain reports it at this moment (never the index's, which may lag)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from registry.certificates.numbers import center_of, format_number
from registry.chain import Registry
from registry.chain.types import (
    AnnotationKind,
    AssetKind,
    CertificateKind,
    CertificateStatus,
    Classification,
    RightKind,
    rights_of_mask,
)
from registry.forms.public import public_view
from registry.index.queries import Queries
from registry.regions import center_name
from registry.times import beijing_date, last_day_within

STATUS_ZH = {
    CertificateStatus.VALID: "有效",
    CertificateStatus.EXPIRED: "已过期",
    CertificateStatus.SUPERSEDED: "已被替代",
    CertificateStatus.REVOKED: "已撤销",
    CertificateStatus.CANCELLED: "已注销",
}
KIND_ZH = {
    CertificateKind.REGISTRATION: "数据资产登记证书",
    CertificateKind.LICENCE: "数据权利许可登记证书",
    CertificateKind.TRANSFER: "数据资产转让登记证书",
}

NOTE_ZH = {
    AnnotationKind.AGREED_LIMIT: "约定的期限或行使条件限制",
    AnnotationKind.SEIZURE: "查封或其他保全措施",
    AnnotationKind.ADMINISTRATIVE_CONTROL: "临时性管控措施",
    AnnotationKind.REQUIRED_BY_LAW: "法律规定须记载的事项",
    AnnotationKind.OTHER: "其他事项",
}


@dataclass(frozen=True)
class AnnotationShown:
    """An annotation (备注) of the registration, as its certificate shows it: a seizure with its
    authority and document number (public), other kinds by what they are."""

    annotation_id: int
    kind: str
    kind_zh: str
    in_force: bool
    recorded_at: int
    lifted_at: int | None
    authority: str | None
    document_number: str | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> AnnotationShown:
        kind = AnnotationKind(int(row["kind"]))
        lifted = row.get("lifted_at")
        return cls(
            int(row["annotation_id"]),
            kind.name.lower(),
            NOTE_ZH[kind],
            lifted is None,
            int(row["recorded_at"]),
            None if lifted is None else int(lifted),
            row.get("authority"),
            row.get("document_number"),
        )


@dataclass(frozen=True)
class RightHeld:
    """Who holds one of the three rights now, and on what terms: the holder's name and credit
    code where the registration names it, the scenario's text where the center knows it (the
    manifest's scenarios; the chain holds its SHA-256)."""

    right: str
    right_zh: str
    holder: str
    scenario: str | None = None
    start: str | None = None
    """The Beijing day the term starts (ISO 8601 date)."""
    expiry: str | None = None
    """The term's last Beijing day (ISO 8601 date): the chain's expiry is the midnight after."""
    exclusive: bool | None = None
    holder_name: str = ""
    credit_code: str = ""
    scenario_text: str | None = None
    holder_kind: str = ""
    """A licensee's kind (``registry.licensees.PartyKind``): a natural person has no code."""
    name_source: str = ""
    """Where a licensee's name comes from: ``grant`` (its terms on chain) or ``center`` (the
    center's record of the licence registration); empty for the configuration's holders."""


@dataclass(frozen=True)
class CertificateView:
    number: str
    token_id: int
    kind: str
    kind_zh: str
    status: str
    status_zh: str
    successor: str | None
    issued_at: int
    expires_at: int
    holder: str
    holder_name_zh: str
    holder_name_en: str
    asset_id: int
    asset_name_zh: str
    asset_name_en: str
    asset_kind: str
    classification: str
    region: int
    center_zh: str
    center_en: str
    manifest_hash: str
    rights: list[RightHeld] = field(default_factory=list)
    annotations: list[AnnotationShown] = field(default_factory=list)
    holder_credit_code: str = ""
    pledgee: str | None = None
    """The pledgee's account while the asset is pledged (质押)."""
    frozen: bool = False
    """Whether the asset is frozen (冻结) now."""
    holder_kind: str = ""
    holder_name_source: str = ""
    """A licence certificate's holder, the licensee: where its name comes from, as
    ``RightHeld.name_source``."""

    @property
    def valid_from(self) -> str:
        """The Beijing day of the deposit (ISO 8601 date)."""
        return beijing_date(self.issued_at).isoformat()

    @property
    def valid_until(self) -> str:
        """The last Beijing day of the validity, which ends (exclusively) at ``expires_at``."""
        return last_day_within(self.expires_at).isoformat()

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["token_id"] = str(self.token_id)
        body["valid_from"] = self.valid_from
        body["valid_until"] = self.valid_until
        return body


@dataclass(frozen=True)
class ManifestNames:
    """The names a registration's public manifest gives: the data's, and the holder's (with
    its credit code) only while the manifest names ``holder``'s account, as a transfer leaves
    the first holder's name in it."""

    asset_name_zh: str
    asset_name_en: str
    holder_name_zh: str
    holder_name_en: str
    credit_code: str


def manifest_names(document: dict[str, Any], holder: str) -> ManifestNames:
    """The names of ``document`` (a manifest of either version) for the certificate of
    ``holder``."""
    viewed = public_view(document)
    names = viewed.get("holder") or {}
    named = str(names.get("account", "")).lower() == holder.lower()
    return ManifestNames(
        asset_name_zh=str(viewed.get("name_zh") or ""),
        asset_name_en=str(viewed.get("name_en") or ""),
        holder_name_zh=str(names.get("name_zh", "")) if named else "",
        holder_name_en=str(names.get("name_en", "")) if named else "",
        credit_code=str(names.get("credit_code", "")) if named else "",
    )


def manifest_at_issue(queries: Queries, asset_id: int, issued_at: int) -> str:
    """The manifest hash a certificate was issued on: the last recorded by then."""
    return str(
        [
            e["args"]["manifestHash"]
            for e in queries.history(asset_id)
            if e["name"] in ("Applied", "ManifestChanged") and e["timestamp"] <= issued_at
        ][-1]
    )


def certificate_view(
    queries: Queries, registry: Registry, record: dict[str, Any], now: int
) -> CertificateView:
    """The view of ``record`` (an index row of ``certificates``) at chain time ``now``."""
    asset_id = int(record["asset_id"])
    asset = queries.asset(asset_id, now) or {}
    manifest_hash = manifest_at_issue(queries, asset_id, int(record["issued_at"]))
    document = public_view(queries.manifest(manifest_hash) or {})
    status = CertificateStatus(registry.certificates.status_of(int(record["token_id"])))
    kind = CertificateKind(int(record["kind"]))
    region = int(asset.get("region") or 0)
    center = center_of(int(record["token_id"]))
    holder = str(record["holder"])
    names = manifest_names(document, holder)
    holder_name, credit_code = names.holder_name_zh, names.credit_code
    scenarios = {
        "0x" + hashlib.sha256(str(text).encode("utf-8")).hexdigest(): str(text)
        for text in document.get("scenarios") or []
    }
    # The account the manifest names, with its name: the holder on a licence certificate too.
    named = str((document.get("holder") or {}).get("account", ""))
    owner = manifest_names(document, named)
    # Every right of every right-holder of the configuration (several may hold the same right),
    # the manifest's holder named; then the licences granted under the operating right, each
    # licensee as its grant names it.
    rights = [
        RightHeld(
            kind.name.lower(),
            kind.names[0],
            str(r["account"]),
            None,
            beijing_date(int(r["start"])).isoformat() if r["start"] else None,
            last_day_within(int(r["expiry"])).isoformat() if r["expiry"] else None,
            holder_name=owner.holder_name_zh if str(r["account"]).lower() == named.lower() else "",
            credit_code=owner.credit_code if str(r["account"]).lower() == named.lower() else "",
        )
        for r in asset.get("right_holders", [])
        for kind in rights_of_mask(int(r["rights"]))
    ]
    for grant in queries.rights_of_asset(asset_id, now):
        right = RightKind(int(grant["kind"]))
        licensee = grant["licensee"] or {}
        rights.append(
            RightHeld(
                right.name.lower(),
                right.names[0],
                str(grant["grantee"]),
                str(grant["scenario"]),
                beijing_date(int(grant["start"])).isoformat(),
                last_day_within(int(grant["expiry"])).isoformat(),
                bool(grant["exclusive"]),
                holder_name=str(licensee.get("name", "")),
                credit_code=str(licensee.get("credit_code", "")),
                scenario_text=scenarios.get(str(grant["scenario"]).lower()),
                holder_kind=str(licensee.get("kind", "")),
                name_source=str(licensee.get("source", "")),
            )
        )
    # A licence certificate's holder is its licensee, whom the grant names (not the manifest).
    licensed = queries.licensee(str(record["grant_id"])) if record.get("grant_id") else None
    if licensed is not None:
        holder_name, credit_code = licensed.name, licensed.credit_code
    return CertificateView(
        number=str(record["number"]),
        token_id=int(record["token_id"]),
        kind=kind.name.lower(),
        kind_zh=KIND_ZH[kind],
        status=status.name.lower(),
        status_zh=STATUS_ZH.get(status, status.name.lower()),
        successor=None if record["successor"] is None else format_number(int(record["successor"])),
        issued_at=int(record["issued_at"]),
        expires_at=int(record["expires_at"]),
        holder=holder,
        holder_name_zh=holder_name,
        holder_name_en=names.holder_name_en,
        asset_id=asset_id,
        asset_name_zh=str(asset.get("name_zh") or names.asset_name_zh),
        asset_name_en=str(asset.get("name_en") or names.asset_name_en),
        asset_kind=AssetKind(int(asset.get("kind", 0))).name.lower(),
        classification=Classification(int(asset.get("classification", 0))).name.lower(),
        region=region,
        center_zh=center_name(center),
        center_en=center_name(center, "en"),
        manifest_hash=manifest_hash,
        rights=rights,
        annotations=[AnnotationShown.of(n) for n in asset.get("annotations", [])],
        holder_credit_code=credit_code,
        pledgee=asset.get("pledgee"),
        frozen=bool(asset.get("frozen")),
        holder_kind=licensed.kind if licensed is not None else "",
        holder_name_source=licensed.source if licensed is not None else "",
    )
