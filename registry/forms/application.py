"""The national application form (数据产权登记申请表, guide annex 1) as the manifest's model:
the applicants in order, the data's description, the rights configuration, the materials handed
in and the data's files. Each field's ``title`` is its label on the form; ``hints`` gives the
reviewer's hints on the data's name (art. 19), which never refuse a form."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from registry.api.models import RightName
from registry.content.manifest import FileEntry, SourceKind
from registry.fields import Address, PlainText
from registry.forms import codes
from registry.forms.codes import CreditCode, IdNumber, checked_credit_code, checked_id_number
from registry.forms.errors import refusal
from registry.licensees import PartyKind
from registry.regions import PROVINCES

Short = Annotated[str, Field(min_length=1, max_length=200), PlainText]
Text = Annotated[str, Field(min_length=1, max_length=2000), PlainText]
Optional = Annotated[str, Field(max_length=2000), PlainText]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 \-]{5,23}$", max_length=24)]
JsonUint = Annotated[int, Field(ge=0, le=2**53 - 1, strict=True)]
MaterialName = Annotated[str, Field(pattern=r"^[^/\\\x00-\x1f]{1,200}$")]


def identifier(value: str) -> str:
    """A right-holder's code: a citizen ID number (17 digits and its check digit) or else a
    unified social credit code."""
    text = value.strip().upper()
    digits = len(text) == 18 and text[:17].isascii() and text[:17].isdigit()
    if digits and codes.id_check_digit(text[:17]) == text[17]:
        return checked_id_number(text)
    return checked_credit_code(text)


FormName = Literal["application", "transfer", "change", "renewal", "cancellation"]


class Form(BaseModel):
    """A national form: ``FORM`` names it, ``PUBLIC`` are the paths of its public fields
    (``*`` for a list item), every other field confidential."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    FORM: ClassVar[FormName]
    PUBLIC: ClassVar[tuple[str, ...]] = ()


class Business(Form):
    """经营信息: a legal person's or organisation's registration details."""

    legal_representative: Short = Field(title="法定代表人")
    registered_on: dt.date = Field(title="成立日期")
    registered_address: Text = Field(title="注册地址")
    term: Short = Field("长期", title="营业期限")
    scope: Text = Field(title="经营范围")


class Applicant(Form):
    """申请人: a natural person (ID number), a legal person or an unincorporated organisation
    (unified social credit code)."""

    name: Short = Field(title="申请人名称")
    kind: PartyKind = Field(title="主体类型")
    id_number: IdNumber | None = Field(None, title="公民身份号码")
    credit_code: CreditCode | None = Field(None, title="统一社会信用代码")
    account: Address = Field(title="链上账户")
    contact: Short = Field(title="联系人")
    phone: Phone = Field(title="联系电话")
    address: Text = Field(title="联系地址")
    email: Annotated[str, Field(max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")] | None = Field(
        None, title="电子邮箱"
    )
    business: Business | None = Field(None, title="经营信息")

    @model_validator(mode="after")
    def _code_of_its_kind(self) -> Self:
        if self.kind == "natural_person":
            if self.id_number is None or self.credit_code is not None:
                raise refusal(
                    "applicant_code",
                    "自然人填写公民身份号码，不填统一社会信用代码",
                    "a natural person gives a citizen ID number, not a credit code",
                )
        elif self.credit_code is None or self.id_number is not None:
            raise refusal(
                "applicant_code",
                "法人和非法人组织填写统一社会信用代码，不填公民身份号码",
                "a legal person or organisation gives its unified social credit code",
            )
        return self


def parties(form: BaseModel) -> Iterator[tuple[tuple[int | str, ...], Applicant]]:
    """Every party a form names (applicants, transferor, transferee), with its field's loc."""
    for name in type(form).model_fields:
        value = getattr(form, name)
        if isinstance(value, Applicant):
            yield (name,), value
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, Applicant):
                    yield (name, i), item


class Industry(Form):
    """所属行业: a GB/T 4754-2017 section and one of its divisions (shipped table)."""

    section: Annotated[str, Field(pattern=r"^[A-T]$")] = Field(title="门类")
    division: Annotated[str, Field(pattern=r"^[0-9]{2}$")] = Field(title="大类")

    @model_validator(mode="after")
    def _in_the_table(self) -> Self:
        try:
            codes.industry_division(self.section, self.division)
        except ValueError as exc:
            raise refusal("industry", "行业门类与大类不符（GB/T 4754-2017）", str(exc)) from None
        return self


class TimeSpan(Form):
    """时间范围: from a day to a day, or still growing (no end)."""

    start: dt.date = Field(title="起始日期")
    end: dt.date | None = Field(None, title="截止日期")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end is not None and self.end < self.start:
            raise refusal("time_span", "截止日期早于起始日期", "the end is before the start")
        return self


class Volume(Form):
    """数据规模: records and bytes."""

    records: JsonUint = Field(title="记录数")
    bytes: JsonUint = Field(title="存储量（字节）")


Medium = Literal["image", "text", "video", "audio", "table", "other"]
Structure = Literal["structured", "semi_structured", "unstructured"]


class DataForm(Form):
    """数据形态: media and structure."""

    media: Annotated[list[Medium], Field(min_length=1, max_length=6)] = Field(title="表现形式")
    structure: Structure = Field(title="结构类型")


RegionalScope = Literal["international", "national", "provincial", "city", "county", "below_county"]
UpdateFrequency = Literal["daily", "weekly", "monthly", "yearly", "on_demand", "real_time", "other"]


class DataDescription(Form):
    """数据信息."""

    name: Annotated[str, Field(min_length=1, max_length=40), PlainText] = Field(title="数据名称")
    summary: Annotated[str, Field(min_length=1, max_length=400), PlainText] = Field(
        title="数据简介"
    )
    industry: Industry = Field(title="所属行业")
    source: SourceKind = Field(title="数据来源")
    public_data_code: (
        Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z\-]+$")] | None
    ) = Field(None, title="公共数据资源登记编码")
    regional_scope: RegionalScope = Field(title="地域范围")
    time_span: TimeSpan = Field(title="时间范围")
    update_frequency: UpdateFrequency = Field(title="更新频率")
    volume: Volume = Field(title="数据规模")
    form: DataForm = Field(title="数据形态")
    restrictions: Text = Field("无", title="限制条件")
    business_secrets: Optional = Field("", title="商业秘密说明")

    @model_validator(mode="after")
    def _public_product_has_its_code(self) -> Self:
        if self.source == "public_data_product" and not self.public_data_code:
            raise refusal(
                "public_data_code",
                "公共数据产品须填写公共数据资源登记编码（指引第十五条）",
                "a public data product is registered only with its public data resource"
                " registration code (guide art. 15)",
            )
        return self


class RightsEntry(Form):
    """权利配置: one right-holder, its rights, term and restrictions, with proof documents."""

    holder: Short = Field(title="权利人名称")
    code: Annotated[str, Field(max_length=18), AfterValidator(identifier)] = Field(
        title="统一社会信用代码或公民身份号码"
    )
    account: Address = Field(title="链上账户")
    rights: Annotated[list[RightName], Field(min_length=1, max_length=3)] = Field(title="权利类型")
    term_start: dt.date | None = Field(None, title="权利期限起")
    term_end: dt.date | None = Field(None, title="权利期限止")
    restrictions: Text = Field("无", title="权利限制")
    proofs: Annotated[list[MaterialName], Field(max_length=100)] = Field(
        default_factory=list, title="证明材料"
    )

    @field_validator("rights")
    @classmethod
    def _each_once(cls, value: list[RightName]) -> list[RightName]:
        if len(set(value)) != len(value):
            raise refusal("rights_repeated", "权利类型重复", "a right is named twice")
        return value


MaterialKind = Literal[
    "identity_proof",
    "acquisition_proof",
    "contract",
    "sample",
    "description",
    "authorisation",
    "other",
]


class Material(Form):
    """An item handed in (身份证明, 合法取得证明, 合同, 数据样例, 数据说明, 授权书, ...): its
    name, kind, size and SHA-256. Its bytes are kept encrypted (``registry.privacy``)."""

    name: MaterialName = Field(title="材料名称")
    kind: MaterialKind = Field(title="材料类型")
    size: JsonUint = Field(title="大小（字节）")
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] = Field(title="SHA-256")


class ApplicationForm(Form):
    """数据产权登记申请表 (annex 1)."""

    FORM: ClassVar[FormName] = "application"
    PUBLIC: ClassVar[tuple[str, ...]] = (
        "applicants.*.name",
        "applicants.*.kind",
        "applicants.*.account",
        "data.name",
        "data.summary",
        "data.restrictions",
        "rights.*.holder",
        "rights.*.account",
        "rights.*.rights",
        "rights.*.term_start",
        "rights.*.term_end",
        "rights.*.restrictions",
    )
    """The fields the notice and the public pages show (art. 24: applicant, data name, summary,
    recorded restrictions; the rights configuration's holders and rights, which the chain
    holds anyway); every other field is kept confidential, only its commitment published."""

    applicants: Annotated[list[Applicant], Field(min_length=1, max_length=50)] = Field(
        title="申请人"
    )
    data: DataDescription = Field(title="数据信息")
    rights: Annotated[list[RightsEntry], Field(min_length=1, max_length=50)] = Field(
        title="权利配置"
    )
    materials: Annotated[list[Material], Field(max_length=100)] = Field(
        default_factory=list, title="申请材料"
    )
    files: Annotated[list[FileEntry], Field(min_length=1, max_length=100_000)] = Field(
        title="数据文件"
    )

    @model_validator(mode="after")
    def _proofs_handed_in(self) -> Self:
        names = [m.name for m in self.materials]
        if len(set(names)) != len(names):
            raise refusal("materials_repeated", "材料名称重复", "two materials have one name")
        missing = sorted({p for r in self.rights for p in r.proofs} - set(names))
        if missing:
            raise refusal(
                "proof_missing",
                "权利配置所附证明材料未提交：" + "、".join(missing),
                "proof documents named in the rights configuration are not handed in: "
                + ", ".join(missing),
            )
        return self


@dataclass(frozen=True)
class Hint:
    """A reviewer's hint (not a refusal): what the data's name seems to lack (art. 19)."""

    element: Literal["time", "region", "industry", "content", "data_type"]
    zh: str
    en: str


_TIME = re.compile(
    r"(19|20)\d{2}|[0-9一二三四五六七八九十]+(年|月|季度|日|周)|年度|月度|实时|历史|近期|当前|每日"
)
_DATA_TYPE = re.compile(
    r"数据集|数据库|数据表|数据|图像|影像|视频|音频|文本|语料|接口|API|指数|报告|模型|图谱|台账|清单|目录"
)
_REGION_WORDS = (
    "全国",
    "中国",
    "国际",
    "全球",
    "境内",
    "省",
    "市",
    "县",
    "区",
    "州",
    "镇",
    "乡",
    "村",
    "港",
)
_INDUSTRY_WORDS = (
    "交通",
    "集装箱",
    "货运",
    "物流",
    "港口",
    "航运",
    "金融",
    "银行",
    "保险",
    "证券",
    "医疗",
    "医药",
    "卫生",
    "电力",
    "能源",
    "燃气",
    "农业",
    "林业",
    "渔业",
    "制造",
    "工业",
    "教育",
    "气象",
    "环境",
    "零售",
    "电商",
    "通信",
    "地理",
    "测绘",
    "政务",
    "文旅",
    "旅游",
    "体育",
    "建筑",
    "房地产",
    "水务",
    "矿",
    "汽车",
    "餐饮",
    "住宿",
    "科研",
    "信用",
    "税务",
    "海关",
    "航空",
    "铁路",
)


def _industry_words() -> tuple[str, ...]:
    """Words of the GB/T 4754 divisions' names (业 and 服务 taken off) and common sector names."""
    words: set[str] = set(_INDUSTRY_WORDS)
    for section in codes.industry_sections().values():
        for d in section.divisions:
            for word in re.split(r"[、和及与其他]", d.name_zh):
                word = word.removesuffix("业").removesuffix("服务")
                if len(word) >= 2:
                    words.add(word)
    return tuple(sorted(words))


def _region_names() -> tuple[str, ...]:
    names = {
        zh.removesuffix("省").removesuffix("市").removesuffix("自治区")
        for zh, _ in PROVINCES.values()
    }
    return tuple(sorted(n[:2] for n in names if n))


def hints(name: str) -> list[Hint]:
    """What the name (time + region + industry + content + data type, art. 19) seems to
    lack: heuristics for the reviewer, never a refusal."""
    found: list[Hint] = []
    if not _TIME.search(name):
        found.append(
            Hint("time", "名称中似未写明时间（如 2025 年、2020-2025）", "no time (e.g. 2025)")
        )
    if not any(w in name for w in _REGION_WORDS + _region_names()):
        found.append(
            Hint("region", "名称中似未写明地域（如 青岛市、全国）", "no region (e.g. Qingdao)")
        )
    if not any(w in name for w in _industry_words()):
        found.append(
            Hint(
                "industry", "名称中似未写明行业（如 港口物流）", "no industry (e.g. port logistics)"
            )
        )
    if not _DATA_TYPE.search(name):
        found.append(
            Hint(
                "data_type",
                "名称中似未写明数据类型（如 数据集、数据库）",
                "no data type (e.g. dataset)",
            )
        )
    rest = _DATA_TYPE.sub("", _TIME.sub("", name))
    if len(rest) < 6:
        found.append(
            Hint(
                "content",
                "名称中似未写明数据内容（如 集装箱吞吐量）",
                "no content (what the data is about)",
            )
        )
    return found


def hints_json(name: str) -> list[dict[str, Any]]:
    return [{"element": h.element, "zh": h.zh, "en": h.en} for h in hints(name)]
