"""Bodies of consent requests: an act drafted by the registrar for the holder to sign. Each is
the act's API body without its consent, plus the act's name and asset."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from registry.acts import act
from registry.api.models import (
    AssetIdField,
    ChangeTerms,
    GrantTerms,
    Hash32,
    HexBytes,
    OperationOut,
    PledgeTerms,
    Strict,
)
from registry.fields import Address
from registry.services.calls import ActCall


class ChangeDraft(ChangeTerms):
    act: Literal["change"]
    asset_id: AssetIdField


class IdentityChangeDraft(Strict):
    """A right-holder's new identity details: that right-holder (``account``) consents."""

    act: Literal["change_identity"]
    asset_id: AssetIdField
    account: Address
    identity_hash: Hash32


class PledgeDraft(PledgeTerms):
    act: Literal["pledge"]
    asset_id: AssetIdField


class RenewDraft(Strict):
    act: Literal["renew"]
    asset_id: AssetIdField


class CancelDraft(Strict):
    act: Literal["cancel"]
    asset_id: AssetIdField


class GrantDraft(GrantTerms):
    act: Literal["grant"]


Draft = Annotated[
    ChangeDraft | IdentityChangeDraft | PledgeDraft | RenewDraft | CancelDraft | GrantDraft,
    Field(discriminator="act"),
]


_DRAFTS: TypeAdapter[Draft] = TypeAdapter(Draft)


def draft_call(draft: Draft) -> ActCall:
    """The contract call the draft's act makes, as its row in the act table encodes it."""
    return act(draft.act).call(draft, draft.asset_id)


def parse_draft(data: Any) -> Draft:
    """A draft from JSON-ready data (a stored request's, a form's); raises ValidationError."""
    return _DRAFTS.validate_python(data)


class SignatureIn(Strict):
    signature: Annotated[
        HexBytes, Field(min_length=4, description="the holder's EIP-712 signature")
    ]


class ConsentRequestOut(BaseModel):
    """A drafted act and what the holder signs for it (``typed_data``, as for
    ``eth_signTypedData_v4``); ``POST`` the signature to ``links.signature``."""

    id: str
    act: str
    asset_id: int
    region: int
    holder: str
    state: Literal["awaiting", "submitted", "withdrawn", "expired"]
    deadline: int
    created_at: float
    draft: dict[str, Any]
    typed_data: dict[str, Any]
    operation: OperationOut | None = None
    links: dict[str, str]
