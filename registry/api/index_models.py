"""Answers read from the index (registry.index): assets, their history and the rights in them.
The fields are the index's columns (registry.index.schema); addresses are EIP-55, hashes
0x-hex, times Unix seconds of chain time."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class AssetSummary(BaseModel):
    """An asset as a search lists it: its row in the index, its names and its status now."""

    asset_id: int
    holder: str
    region: int
    kind: int = Field(description="0 data resource, 1 data product")
    classification: int = Field(description="GB/T 43697-2024 level: 0 general, 1 important")
    status: int
    status_name: str = Field(description="the status now (an issued asset past expiry: expired)")
    manifest_hash: str
    manifest_cid: str
    cid_codec: int
    version: int
    frozen: bool = Field(description="a seizure (查封) is in force")
    pledgee: str | None
    open_objections: int
    applied_at: int
    notice_ends_at: int | None
    issued_at: int | None
    expires_at: int | None
    certificate_id: int | None
    updated_block: int
    name_zh: str | None
    name_en: str | None


class ParentOut(BaseModel):
    asset_id: int
    parent_id: int
    grant_id: str


class ObjectionOut(BaseModel):
    objection_id: int
    asset_id: int
    objector: str
    evidence_hash: str
    status: int = Field(description="1 open, 2 upheld, 3 dismissed")
    reason_hash: str | None


class PostObjectionOut(BaseModel):
    """An objection after registration (art. 29). Who objected stays with the center; the
    filer is the account that sent it (the center's, for an objection from the public)."""

    objection_id: int
    asset_id: int
    filed_by: str
    form_hash: str
    evidence_hash: str
    status: int = Field(
        description="1 filed, 2 materials complete, 3 applicant notified, 4 agreed, 5 disputed,"
        " 6 concluded, 7 judged, 8 settled"
    )
    status_name: str
    outcome: int = Field(description="0 the registration stands, 1 change, 2 cancellation")
    outcome_name: str
    judgment: int = Field(description="0 none, 1 court judgment, 2 arbitral award")
    judgment_name: str
    filed_at: int
    completed_at: int | None
    notification_due: int | None = Field(
        description="end of the 5th working day after the materials were complete"
    )
    notified_at: int | None
    notified_in_time: bool | None
    answered_at: int | None
    concluded_at: int | None
    judged_at: int | None
    settled_at: int | None
    document_hash: str | None = Field(description="the last step's document")


class AnnotationOut(BaseModel):
    """An annotation (备注) on the asset. Its texts stay with the center (their SHA-256 are on
    chain); a seizure's authority and document number are public."""

    annotation_id: int = Field(description="the asset's id followed by three digits")
    asset_id: int
    kind: int = Field(
        description="0 agreed limit, 1 seizure or other preservation, 2 administrative control, "
        "3 required by law, 4 other"
    )
    kind_name: str
    in_force: bool
    recorded_by: str
    recorded_at: int
    authority_hash: str
    document_hash: str
    text_hash: str
    tx_hash: str
    lifted_by: str | None
    lifted_at: int | None
    lift_document_hash: str | None
    authority: str | None = Field(description="a seizure's authority, as kept by the center")
    document_number: str | None = Field(description="a seizure's document number")


class RightHolderOut(BaseModel):
    """A right-holder of the asset's rights configuration (权利配置), in the applicants' order
    (``position`` 0 is the holder). Its name and code stay with the center; ``identity_hash``
    commits to them."""

    asset_id: int
    account: str
    position: int
    rights: int = Field(description="bit 1 holding (持有权), 2 use (使用权), 4 operating (经营权)")
    right_names: list[str] = Field(description="holding, processing (use), operating")
    start: int = Field(description="Unix seconds; 0: from the deposit")
    expiry: int = Field(description="Unix seconds; 0: with the registration")
    identity_hash: str
    restrictions_hash: str
    restrictions: str


class AssetOut(AssetSummary):
    """One asset, with its right-holders, the assets it derives from, the objections to it and
    its annotations."""

    right_holders: list[RightHolderOut]
    parents: list[ParentOut]
    objections: list[ObjectionOut]
    post_objections: list[PostObjectionOut] = Field(
        description="the objections after registration (art. 29)"
    )
    annotations: list[AnnotationOut]


class AssetPage(BaseModel):
    items: list[AssetSummary]
    next_after: int | None = Field(description="pass as ``after`` for the next page")


class EventOut(BaseModel):
    """A contract event of the asset, as the index read it."""

    id: int
    block_number: int
    block_hash: str
    timestamp: int
    tx_hash: str
    log_index: int
    contract: str
    name: str
    asset_id: int | None
    args: dict[str, Any] = Field(description="the event's arguments by their names")


class LicenseeOut(BaseModel):
    """The licensee (被许可人) a grant names (``registry.licensees``)."""

    name: str
    kind: str = Field(description="natural_person, legal_person or unincorporated")
    credit_code: str = Field(description="its unified social credit code; empty for a person")
    source: str = Field(
        description="grant: named by the grant's terms on chain, which its grantor signed; "
        "center: the center's record of the licence registration, not bound by the chain"
    )


class GrantOut(BaseModel):
    """A processing or operating right granted in an asset."""

    grant_id: str
    asset_id: int
    kind: int = Field(description="1 processing (加工使用权), 2 operating (产品经营权)")
    grantee: str
    grantor: str = Field(description="the holder of the operating right who granted it")
    scenario: str
    start: int
    expiry: int
    exclusive: bool
    revocable: bool
    revoked: bool
    revision: int
    terms_hash: str
    certificate_id: int | None
    licensee: LicenseeOut | None = Field(None, description="the licensee named, if any")


class AssetRights(BaseModel):
    holding: str = Field(description="the holder: the first right-holder, who acts for it")
    right_holders: list[RightHolderOut]
    grants: list[GrantOut]


class AccountRights(BaseModel):
    account: str
    holding: list[int] = Field(description="the assets the account is the holder of")
    right_holdings: list[RightHolderOut] = Field(
        description="every configuration naming the account, as holder or co-holder"
    )
    grants: list[GrantOut]


class Nonces(BaseModel):
    assets: int
    rights: int


class Eip712Out(BaseModel):
    """What a holder signs consents with: each contract's EIP-712 domain, and the types."""

    domains: dict[str, dict[str, Any]]
    types: dict[str, list[dict[str, str]]]
