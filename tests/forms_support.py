"""A filled-in national application form for the tests: a natural person applying with a
legal person, their personal details made up (the ID number's check digit holds)."""

from __future__ import annotations

import hashlib
from typing import Any

from registry.content.manifest import dataset_files
from tests.conftest import ROOT

SAMPLE = ROOT / "samples" / "qingdao-port-logistics"
ID_NUMBER = "370202198805127716"
PHONE = "13905321234"
ADDRESS = "山东省青岛市市南区香港中路 88 号 1203 室"
CREDIT_CODE = "91370200MA3C5R8K13"
PROOF = "身份证明：张海鸥 370202198805127716 复印件（测试）".encode()
CONTRACT = b"%PDF-1.4 data acquisition contract, test only"


def application_form(person: str, company: str) -> dict[str, Any]:
    """The form's JSON: ``person`` (accounts' addresses) a natural person, ``company`` a legal
    person; materials named, their bytes ``materials()``."""
    files = [f.model_dump() for f in dataset_files(SAMPLE)]
    return {
        "applicants": [
            {
                "name": "张海鸥",
                "kind": "natural_person",
                "id_number": ID_NUMBER,
                "account": person,
                "contact": "张海鸥",
                "phone": PHONE,
                "address": ADDRESS,
            },
            {
                "name": "青岛港数据科技有限公司",
                "kind": "legal_person",
                "credit_code": CREDIT_CODE,
                "account": company,
                "contact": "李明",
                "phone": "0532-82981234",
                "address": "山东省青岛市市北区港华路 7 号",
                "business": {
                    "legal_representative": "王强",
                    "registered_on": "2016-08-18",
                    "registered_address": "山东省青岛市市北区港华路 7 号",
                    "term": "长期",
                    "scope": "数据处理和存储支持服务",
                },
            },
        ],
        "data": {
            "name": "2025年青岛港集装箱吞吐量数据集",
            "summary": "青岛港 2025 年逐日集装箱吞吐量、靠泊与堆场数据，表格形式，用于物流规划。",
            "industry": {"section": "G", "division": "59"},
            "source": "collected",
            "regional_scope": "city",
            "time_span": {"start": "2025-01-01", "end": "2025-12-31"},
            "update_frequency": "daily",
            "volume": {"records": 120000, "bytes": 48000000},
            "form": {"media": ["table"], "structure": "structured"},
            "restrictions": "仅限境内使用，不得转售",
            "business_secrets": "堆场调度算法参数",
        },
        "rights": [
            {
                "holder": "张海鸥",
                "code": ID_NUMBER,
                "account": person,
                "rights": ["holding", "processing"],
                "proofs": ["identity-proof.pdf"],
            },
            {
                "holder": "青岛港数据科技有限公司",
                "code": CREDIT_CODE,
                "account": company,
                "rights": ["holding", "processing", "operating"],
                "proofs": ["acquisition-contract.pdf"],
            },
        ],
        "materials": [
            _material("identity-proof.pdf", "identity_proof", PROOF),
            _material("acquisition-contract.pdf", "contract", CONTRACT),
        ],
        "files": files,
    }


def materials() -> dict[str, bytes]:
    return {"identity-proof.pdf": PROOF, "acquisition-contract.pdf": CONTRACT}


def _material(name: str, kind: str, data: bytes) -> dict[str, Any]:
    return {
        "name": name,
        "kind": kind,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
