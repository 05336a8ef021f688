"""The forms of the registrations after the first (guide annexes 2-5): transfer (转让登记),
change (变更登记), renewal (续期登记) and cancellation (注销登记). Each carries the certificate
number it is about and its own fields; each splits like the application form
(``registry.forms.public.split`` with its ``PUBLIC`` fields). The acts on chain are the act
table's (``registry.acts``); these are what the applicants fill in."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal, Self

from pydantic import Field, model_validator

from registry.api.models import RightName
from registry.fields import CertificateNo
from registry.forms.application import (
    Applicant,
    Form,
    FormName,
    Material,
    Optional,
    Short,
    Text,
)
from registry.forms.errors import refusal

Materials = Annotated[list[Material], Field(max_length=100)]


class TransferForm(Form):
    """数据产权转让登记申请表 (annex 2): transferor and transferee apply together; all or part
    of the rights, the transferor keeping none of what it transfers (art. 33)."""

    FORM: ClassVar[FormName] = "transfer"
    PUBLIC: ClassVar[tuple[str, ...]] = (
        "certificate_no",
        "transferor.name",
        "transferor.account",
        "transferee.name",
        "transferee.account",
        "rights",
        "scope",
        "restrictions",
    )

    certificate_no: CertificateNo = Field(title="登记证书编号")
    transferor: Applicant = Field(title="转让方")
    transferee: Applicant = Field(title="受让方")
    rights: Annotated[list[RightName], Field(min_length=1, max_length=3)] = Field(
        title="转让权利类型"
    )
    scope: Literal["all", "part"] = Field(title="转让范围")
    part: Optional = Field("", title="部分转让说明")
    price: Optional = Field("", title="转让对价")
    contract: Annotated[str, Field(min_length=1, max_length=200)] = Field(title="转让合同")
    restrictions: Text = Field("无", title="限制条件")
    materials: Materials = Field(default_factory=list, title="申请材料")

    @model_validator(mode="after")
    def _parties_and_part(self) -> Self:
        if self.transferor.account.lower() == self.transferee.account.lower():
            raise refusal("same_party", "转让方与受让方相同", "the transferor is the transferee")
        if self.scope == "part" and not self.part:
            raise refusal(
                "part_missing", "部分转让须说明转让部分", "a partial transfer says which part"
            )
        if self.contract not in {m.name for m in self.materials}:
            raise refusal(
                "contract_missing", "转让合同未作为材料提交", "the contract is not handed in"
            )
        return self


ChangeItem = Literal[
    "applicant_name", "legal_representative", "address", "data_description", "time_span"
]


class Change(Form):
    """One item changed: what, before and after."""

    item: ChangeItem = Field(title="变更事项")
    before: Text = Field(title="变更前")
    after: Text = Field(title="变更后")


class ChangeForm(Form):
    """数据产权变更登记申请表 (annex 3): the applicant's identity details or the data's
    description or time span; never the right-holder or the source (art. 34)."""

    FORM: ClassVar[FormName] = "change"
    PUBLIC: ClassVar[tuple[str, ...]] = (
        "certificate_no",
        "applicant.name",
        "applicant.account",
        "changes.*.item",
    )

    certificate_no: CertificateNo = Field(title="登记证书编号")
    applicant: Applicant = Field(title="申请人")
    changes: Annotated[list[Change], Field(min_length=1, max_length=20)] = Field(title="变更内容")
    reason: Text = Field(title="变更原因")
    materials: Materials = Field(default_factory=list, title="申请材料")


class RenewalForm(Form):
    """数据产权续期登记申请表 (annex 4): from 6 months before expiry to the day before (art. 36;
    the chain counts the window)."""

    FORM: ClassVar[FormName] = "renewal"
    PUBLIC: ClassVar[tuple[str, ...]] = ("certificate_no", "applicant.name", "applicant.account")

    certificate_no: CertificateNo = Field(title="登记证书编号")
    applicant: Applicant = Field(title="申请人")
    expires_on: dt.date = Field(title="原有效期截止日")
    reason: Text = Field(title="续期说明")
    materials: Materials = Field(default_factory=list, title="申请材料")


CancellationReason = Literal[
    "applicant_request", "data_destroyed", "objection_outcome", "legal_grounds"
]


class CancellationForm(Form):
    """数据产权注销登记申请表 (annex 5): on the applicant's request, the data destroyed, an
    objection's outcome, other legal grounds (art. 37)."""

    FORM: ClassVar[FormName] = "cancellation"
    PUBLIC: ClassVar[tuple[str, ...]] = (
        "certificate_no",
        "applicant.name",
        "applicant.account",
        "reason",
    )

    certificate_no: CertificateNo = Field(title="登记证书编号")
    applicant: Applicant = Field(title="申请人")
    reason: CancellationReason = Field(title="注销原因")
    explanation: Text = Field(title="情况说明")
    contact_person: Short | None = Field(None, title="经办人")
    materials: Materials = Field(default_factory=list, title="申请材料")
