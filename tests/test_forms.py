"""The national forms (guide annexes 1-5) as models: codes with their check characters, the
GB/T 4754 table, the reviewer's hints on a name, errors naming the field in Chinese and
English, the split into a public part and per-field commitments, and old manifests read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from registry.chain.types import identity_commitment
from registry.content.manifest import Manifest, build_manifest
from registry.forms import codes
from registry.forms.annexes import CancellationForm, ChangeForm, RenewalForm, TransferForm
from registry.forms.application import ApplicationForm, hints
from registry.forms.errors import form_errors
from registry.forms.public import (
    CONFIDENTIAL_MATERIAL,
    Disclosure,
    PublicManifest,
    check,
    commitment,
    read_manifest,
    split,
)
from tests.forms_support import ADDRESS, CREDIT_CODE, ID_NUMBER, PHONE, SAMPLE, application_form

PERSON = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
COMPANY = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"


def _form(**changes: Any) -> dict[str, Any]:
    form = application_form(PERSON, COMPANY)
    for path, value in changes.items():
        node = form
        *parents, last = path.split("__")
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        node[int(last) if last.isdigit() else last] = value
    return form


def _errors(form: dict[str, Any]) -> list[dict[str, str]]:
    with pytest.raises(ValidationError) as caught:
        ApplicationForm.model_validate(form)
    return form_errors(ApplicationForm, caught.value)


def test_id_number_check_digit_is_gb_11643() -> None:
    assert codes.id_number("11010519491231002x") == "11010519491231002X"
    assert codes.id_number(ID_NUMBER) == ID_NUMBER
    with pytest.raises(ValueError, match="GB 11643"):
        codes.id_number(ID_NUMBER[:17] + "5")
    with pytest.raises(ValueError, match="birth date"):
        codes.id_number("370202198813327716")


def test_industry_table_has_every_section_and_division() -> None:
    sections = codes.industry_sections()
    assert list(sections) == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    divisions = [d.code for s in sections.values() for d in s.divisions]
    assert divisions == [f"{i:02d}" for i in range(1, 98)]
    assert codes.industry_division("I", "65").name_zh == "软件和信息技术服务业"
    with pytest.raises(ValueError, match="not a division of section G"):
        codes.industry_division("G", "65")


def test_valid_form_is_taken() -> None:
    form = ApplicationForm.model_validate(_form())
    assert [a.kind for a in form.applicants] == ["natural_person", "legal_person"]
    assert form.data.industry.division == "59"


def test_invalid_fields_are_named_in_chinese_and_english() -> None:
    errors = _errors(
        _form(
            applicants__0__id_number=ID_NUMBER[:17] + "0",
            applicants__1__credit_code="91370200MA3C5R8K10",
            data__name="青" * 41,
            data__industry={"section": "G", "division": "65"},
        )
    )
    by_field = {e["field"]: e for e in errors}
    assert set(by_field) == {
        "applicants.0.id_number",
        "applicants.1.credit_code",
        "data.name",
        "data.industry",
    }
    assert by_field["applicants.0.id_number"]["label"] == "申请人[1]·公民身份号码"
    assert by_field["applicants.0.id_number"]["zh"] == "公民身份号码有误（GB 11643 校验）"
    assert "GB 11643" in by_field["applicants.0.id_number"]["en"]
    assert by_field["applicants.1.credit_code"]["zh"] == "统一社会信用代码有误（GB 32100 校验）"
    assert by_field["data.name"] == {
        "field": "data.name",
        "label": "数据信息·数据名称",
        "zh": "最多 40 个字符",
        "en": "String should have at most 40 characters",
    }
    assert "门类与大类不符" in by_field["data.industry"]["zh"]


def test_natural_person_gives_an_id_number_not_a_credit_code() -> None:
    form = _form()
    form["applicants"][0]["credit_code"] = CREDIT_CODE
    [error] = _errors(form)
    assert error["field"] == "applicants.0"
    assert error["zh"] == "自然人填写公民身份号码，不填统一社会信用代码"


def test_unincorporated_organisation_gives_its_credit_code_not_an_id_number() -> None:
    form = _form()
    form["applicants"][1]["kind"] = "unincorporated"  # 非法人组织, annex 1's third kind
    assert ApplicationForm.model_validate(form).applicants[1].kind == "unincorporated"
    form["applicants"][1]["id_number"] = ID_NUMBER
    del form["applicants"][1]["credit_code"]
    [error] = _errors(form)
    assert error["field"] == "applicants.1"
    assert error["zh"] == "法人和非法人组织填写统一社会信用代码，不填公民身份号码"


def test_proof_named_but_not_handed_in_is_refused() -> None:
    form = _form()
    form["materials"] = form["materials"][:1]
    [error] = _errors(form)
    assert error["zh"] == "权利配置所附证明材料未提交：acquisition-contract.pdf"


def test_name_hints_say_what_seems_missing_without_refusing() -> None:
    assert hints("2025年青岛港集装箱吞吐量数据集") == []
    assert {h.element for h in hints("吞吐量")} == {
        "time",
        "region",
        "industry",
        "data_type",
        "content",
    }
    assert [h.element for h in hints("青岛港集装箱吞吐量数据集")] == ["time"]


def test_split_publishes_only_the_public_part_and_a_commitment_per_field() -> None:
    form = ApplicationForm.model_validate(_form())
    manifest, confidential = split(form)
    text = manifest.canonical_bytes().decode()
    for secret in (ID_NUMBER, PHONE, ADDRESS, CREDIT_CODE, "堆场调度算法参数", "李明"):
        assert secret not in text
    assert manifest.public["data"] == {
        "name": "2025年青岛港集装箱吞吐量数据集",
        "summary": form.data.summary,
        "restrictions": "仅限境内使用，不得转售",
    }
    assert manifest.public["applicants"][0] == {
        "name": "张海鸥",
        "kind": "natural_person",
        "account": PERSON,
    }
    assert set(confidential.fields) == set(manifest.commitments)
    assert confidential.manifest_hash == "0x" + manifest.manifest_hash().hex()
    secret = confidential.fields["applicants.0.id_number"]
    disclosed = Disclosure(field="applicants.0.id_number", value=secret.value, salt=secret.salt)
    assert check(manifest, disclosed)
    assert not check(manifest, disclosed.model_copy(update={"value": ID_NUMBER[:17] + "0"}))
    assert not check(manifest, disclosed.model_copy(update={"field": "applicants.1.phone"}))
    assert manifest.commitments["applicants.0.phone"] == commitment(
        "applicants.0.phone", PHONE, confidential.fields["applicants.0.phone"].salt
    )
    salt = bytes.fromhex(confidential.fields["rights.0.identity_salt"].value)
    assert manifest.public["rights"][0]["identity_hash"] == (
        "0x" + identity_commitment("张海鸥", ID_NUMBER, salt).hex()
    )
    assert CONFIDENTIAL_MATERIAL not in {m.name for m in form.materials}


def test_two_splits_of_one_form_commit_under_fresh_salts() -> None:
    form = ApplicationForm.model_validate(_form())
    first, second = split(form)[0], split(form)[0]
    assert first.public["data"] == second.public["data"]
    assert first.public["applicants"] == second.public["applicants"]
    identity = [s.public["rights"][0]["identity_hash"] for s in (first, second)]
    assert identity[0] != identity[1]
    assert first.commitments.keys() == second.commitments.keys()
    assert (
        first.commitments["applicants.0.id_number"] != second.commitments["applicants.0.id_number"]
    )


def test_annex_forms_split_their_own_public_fields() -> None:
    applicant = _form()["applicants"][1]
    transferee = {**_form()["applicants"][0]}
    contract = {"name": "transfer.pdf", "kind": "contract", "size": 3, "sha256": "ab" * 32}
    number = "SJ3702026120001"
    forms = [
        TransferForm.model_validate(
            {
                "certificate_no": number,
                "transferor": applicant,
                "transferee": transferee,
                "rights": ["operating"],
                "scope": "all",
                "price": "100 万元",
                "contract": "transfer.pdf",
                "materials": [contract],
            }
        ),
        ChangeForm.model_validate(
            {
                "certificate_no": number,
                "applicant": applicant,
                "changes": [{"item": "address", "before": "旧址", "after": "新址"}],
                "reason": "迁址",
            }
        ),
        RenewalForm.model_validate(
            {
                "certificate_no": number,
                "applicant": applicant,
                "expires_on": "2031-12-01",
                "reason": "继续持有",
            }
        ),
        CancellationForm.model_validate(
            {
                "certificate_no": number,
                "applicant": applicant,
                "reason": "data_destroyed",
                "explanation": "数据已销毁",
            }
        ),
    ]
    for form in forms:
        manifest, confidential = split(form)
        text = manifest.canonical_bytes().decode()
        assert manifest.public["certificate_no"] == number
        assert CREDIT_CODE not in text
        assert "0532-82981234" not in text
        assert set(confidential.fields) == set(manifest.commitments)
    assert split(forms[0])[0].commitments.keys() >= {"price", "transferee.id_number"}


def test_transfer_without_its_contract_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        TransferForm.model_validate(
            {
                "certificate_no": "SJ3702026120001",
                "transferor": _form()["applicants"][1],
                "transferee": _form()["applicants"][0],
                "rights": ["operating"],
                "scope": "part",
                "contract": "transfer.pdf",
            }
        )
    [error] = form_errors(TransferForm, caught.value)
    assert error["zh"] == "部分转让须说明转让部分"


def test_every_manifest_version_stays_readable() -> None:
    meta = json.loads(SAMPLE.with_suffix(".meta.json").read_text(encoding="utf-8"))
    zhejiang = build_manifest(SAMPLE, meta)
    without_source_kind = {
        **meta,
        "source": {
            k: v
            for k, v in meta["source"].items()
            if k not in ("kind", "provider_type", "public_data_code")
        },
    }
    earliest = build_manifest(SAMPLE, without_source_kind)
    national = split(ApplicationForm.model_validate(_form()))[0]
    for stored in (earliest, zhejiang):
        read = read_manifest(stored.canonical_bytes())
        assert isinstance(read, Manifest)
        assert read.manifest_hash() == stored.manifest_hash()
    read = read_manifest(national.canonical_bytes())
    assert isinstance(read, PublicManifest)
    assert read.manifest_hash() == national.manifest_hash()
    assert read.name_zh == "2025年青岛港集装箱吞吐量数据集"
