"""The certificate and report PDFs as a court or a bank receives them: the certificate in the
national uniform layout (number, right-holders with credit codes, rights, annotations, Beijing
dates, the center's seal), the report with its number, issuer, page numbers and true creation
date, both with the registry's deployment; and each carrying an embedded PAdES signature by
the center's X.509 certificate, timestamped (RFC 3161) by the authority the registry is
configured with. A real local PKI and time-stamping authority (certomancer, served
on 127.0.0.1 in this process) issue the center's certificate and the timestamps, and pyHanko's
validator checks what a PDF reader would: intact, signed by the center, timestamped by the
test authority; one changed byte is reported."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image, ImageChops
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from typer.testing import CliRunner
from web3 import Web3
from werkzeug.serving import make_server

from registry.chain import Deployment, Registry
from registry.chain.compiler import Artifact
from registry.cli import app
from registry.documents.pades import SELF_SIGNED_MARK
from tests.api_support import Api, reverted_api
from tests.conftest import Accounts
from tests.test_api_manifests import sample_manifest
from tests.test_documents import anchored, issued_sample, pdf_facts

VALIDITY = {"valid-from": "2020-01-01T00:00:00+0000", "valid-to": "2040-01-01T00:00:00+0000"}
CENTER = "青岛市数据登记机构"


def _usage(*bits: str) -> dict[str, Any]:
    return {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": list(bits)},
    }


@dataclass(frozen=True)
class Pki:
    """The test PKI: a root, the center's signing certificate under it, and a TSA."""

    tsa_url: str
    root: asn1_x509.Certificate
    center: asn1_x509.Certificate
    tsa: asn1_x509.Certificate
    files: dict[str, Path]

    def context(self) -> ValidationContext:
        return ValidationContext(trust_roots=[self.root])


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pki]:
    directory = tmp_path_factory.mktemp("pki")
    for name in ("root", "center", "tsa"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (directory / f"{name}.key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    config = {
        "keysets": {
            "test": {
                "path-prefix": str(directory),
                "keys": {n: {"path": f"{n}.key.pem"} for n in ("root", "center", "tsa")},
            }
        },
        "pki-architectures": {
            "test": {
                "keyset": "test",
                "entity-defaults": {"country-name": "CN", "organization-name": "Test PKI"},
                "entities": {
                    "root": {"common-name": "Test Root CA"},
                    "center": {"common-name": "Document signing", "organization-name": CENTER},
                    "tsa": {"common-name": "Test TSA"},
                },
                "certs": {
                    "root": {
                        "subject": "root",
                        "issuer": "root",
                        "validity": VALIDITY,
                        "extensions": [
                            {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
                            _usage("digital_signature", "key_cert_sign", "crl_sign"),
                        ],
                    },
                    "center": {
                        "subject": "center",
                        "issuer": "root",
                        "validity": VALIDITY,
                        "extensions": [_usage("digital_signature", "non_repudiation")],
                    },
                    "tsa": {
                        "subject": "tsa",
                        "issuer": "root",
                        "validity": VALIDITY,
                        "extensions": [
                            _usage("digital_signature"),
                            {
                                "id": "extended_key_usage",
                                "critical": True,
                                "value": ["time_stamping"],
                            },
                        ],
                    },
                },
                "services": {
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}}
                },
            }
        },
    }
    arch = CertomancerConfig(config, key_search_dir=str(directory)).pki_archs
    certs = {n: arch[ArchLabel("test")].get_cert(CertLabel(n)) for n in ("root", "center", "tsa")}
    for name in ("root", "center"):
        (directory / f"{name}.crt.pem").write_bytes(pem.armor("CERTIFICATE", certs[name].dump()))
    animator = Animator(AnimatorArchStore(arch), with_web_ui=False)
    server = make_server("127.0.0.1", 0, animator, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="test-tsa", daemon=True)
    thread.start()
    try:
        yield Pki(
            f"http://127.0.0.1:{server.server_port}/test/tsa/tsa",
            certs["root"],
            certs["center"],
            certs["tsa"],
            {
                "signing_key_file": directory / "center.key.pem",
                "signing_certificate_file": directory / "center.crt.pem",
                "signing_chain_file": directory / "root.crt.pem",
            },
        )
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture(scope="module")
def signed_api(
    pki: Pki,
    tmp_path_factory: pytest.TempPathFactory,
    w3: Web3,
    deployment: Deployment,
    artifacts: dict[str, Artifact],
    accounts: Accounts,
) -> Iterator[Api]:
    """The API with the test PKI's center certificate and its TSA, for the whole module."""
    with reverted_api(
        tmp_path_factory.mktemp("signed"),
        w3,
        deployment,
        artifacts,
        accounts,
        settings={**pki.files, "tsa_url": pki.tsa_url},
    ) as api:
        yield api


@dataclass(frozen=True)
class Issued:
    number: str
    certificate: bytes
    report: bytes
    report_content: dict[str, Any]
    report_number: str
    deployment: dict[str, Any]


@pytest.fixture(scope="module")
def issued(
    signed_api: Api,
    w3: Web3,
    deployment: Deployment,
    artifacts: dict[str, Artifact],
    accounts: Accounts,
) -> Issued:
    """One certificate issued and its manifest's verification report, both as PDFs."""
    registry = Registry.connect(w3, deployment, artifacts)
    number = issued_sample(signed_api, registry, accounts, w3, "signed")
    certificate = signed_api.get(f"/v1/certificates/{number}/pdf")
    assert certificate.status_code == 200, certificate.text
    manifest_hash = signed_api.get(f"/v1/certificates/{number}/credential").json()[
        "credentialSubject"
    ]["manifestHash"]
    assert anchored(signed_api, manifest_hash)["status"] == "anchored"
    report = signed_api.post("/v1/verify/report", {"hash": manifest_hash})
    assert report.status_code == 201, report.text
    return Issued(
        number,
        certificate.content,
        signed_api.get(report.json()["pdf"]).content,
        signed_api.get(report.json()["signature"]).json()["content"],
        report.json()["number"],
        signed_api.get("/.well-known/data-property-registry").json(),
    )


def validated(pdf: bytes, context: ValidationContext) -> PdfSignatureStatus:
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert len(signatures) == 1
    return validate_pdf_signature(signatures[0], context, ts_validation_context=context)


def changed_byte(pdf: bytes) -> bytes:
    """``pdf`` with one bit of one byte changed inside the document's first content stream."""
    altered = bytearray(pdf)
    altered[pdf.index(b"stream", pdf.index(b"/Contents")) + 40] ^= 0x01
    return bytes(altered)


DOCUMENTS = ["certificate", "report"]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_pdf_is_signed_by_the_center_and_timestamped_by_the_tsa(
    issued: Issued, pki: Pki, document: str
) -> None:
    status = validated(getattr(issued, document), pki.context())
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.bottom_line
    assert status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    assert status.docmdp_ok
    assert status.signing_cert.dump() == pki.center.dump()
    stamp = status.timestamp_validity
    assert stamp is not None
    assert stamp.intact
    assert stamp.valid
    assert stamp.trusted
    assert stamp.signing_cert.dump() == pki.tsa.dump()


@pytest.mark.parametrize("document", DOCUMENTS)
def test_one_changed_byte_is_reported_by_the_validator(
    issued: Issued, pki: Pki, document: str
) -> None:
    status = validated(changed_byte(getattr(issued, document)), pki.context())
    assert not status.intact
    assert not status.bottom_line
    assert status.signing_cert.dump() == pki.center.dump()


def test_signing_certificate_command_makes_one_marked_not_from_a_trusted_ca(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    env = {"REGISTRY_DATA_DIR": str(tmp_path)}
    from registry.config import get_settings

    get_settings.cache_clear()
    try:
        made = runner.invoke(app, ["keys", "signing-certificate"], env=env)
        again = runner.invoke(app, ["keys", "signing-certificate"], env=env)
    finally:
        get_settings.cache_clear()
    assert made.exit_code == 0, made.output
    key = tmp_path / "signing" / "center-key.pem"
    assert os.stat(key).st_mode & 0o077 == 0
    certificate = x509.load_pem_x509_certificate(
        (tmp_path / "signing" / "center-cert.pem").read_bytes()
    )
    assert SELF_SIGNED_MARK in certificate.subject.rfc4514_string().replace("\\", "")
    assert certificate.issuer == certificate.subject
    assert "sha256: " in made.output
    # The one that signed documents is kept: documents signed with it stay verifiable.
    assert again.exit_code == 1
    assert "exists: kept" in again.output
    assert (tmp_path / "signing" / "center-cert.pem").read_bytes() == certificate.public_bytes(
        serialization.Encoding.PEM
    )


BEIJING = dt.timezone(dt.timedelta(hours=8))


def seal_pixels(pdf: bytes, tmp_path: Path) -> int:
    """Pixels of the seal's red on the rendered pages (pdftoppm, 60 dpi)."""
    source = tmp_path / "seal.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", source, tmp_path / "seal"], check=True)
    red = 0
    for page in sorted(tmp_path.glob("seal-*.png")):
        with Image.open(page) as image:
            r, g, b = image.convert("RGB").split()
            # The seal's red: strong red, little green or blue (the report's FAIL red is darker).
            mask = ImageChops.multiply(
                r.point(lambda v: 255 if v > 190 else 0),
                ImageChops.multiply(
                    g.point(lambda v: 255 if v < 90 else 0),
                    b.point(lambda v: 255 if v < 90 else 0),
                ),
            )
            red += mask.histogram()[255]
        page.unlink()
    return red


def printed_deployment(issued: Issued, text: str) -> int:
    """How many of the registry's contracts (roles among them) and its chain id ``text``
    prints as ``/.well-known/data-property-registry`` publishes them."""
    assert issued.deployment["roles"] in text
    assert f"链标识 {issued.deployment['chain_id']}" in " ".join(text.split())
    return sum(address in text for address in issued.deployment["contracts"].values())


def test_certificate_pdf_follows_the_national_layout(issued: Issued, tmp_path: Path) -> None:
    text, codes = pdf_facts(issued.certificate, tmp_path)
    flat = text.replace(" ", "")
    assert f"证书编号{issued.number}" in flat
    assert sample_manifest()["holder"]["credit_code"] in text
    for heading in ("权利人", "统一社会信用代码", "权利配置", "备注", "存证时间", "有效期"):
        assert heading in text
    assert "登记专用章" in text
    assert "青岛市数据登记机构" in text
    assert "北京时间" in text
    assert "第1页共" in flat
    assert printed_deployment(issued, text) >= 3
    assert codes == [f"http://testserver/c/{issued.number}"]
    # The seal is drawn: a ring, a star and letters in red (about 700 pixels at 60 dpi); the
    # report, which has none, has no such red.
    assert seal_pixels(issued.certificate, tmp_path) > 400
    assert seal_pixels(issued.report, tmp_path) < 20


def test_report_pdf_has_number_issuer_pages_and_true_creation_date(
    issued: Issued, tmp_path: Path
) -> None:
    text, _codes = pdf_facts(issued.report, tmp_path)
    flat = text.replace(" ", "")
    content = issued.report_content
    made = dt.datetime.fromtimestamp(content["generated_at"], BEIJING)
    assert f"报告编号{issued.report_number}" in flat
    assert issued.report_number.startswith(f"HY370-{made:%Y%m%d}-")
    assert "出具机构" in text
    assert "青岛市数据登记机构" in text
    assert "第1页共" in flat
    assert printed_deployment(issued, text) >= 3
    info = subprocess.run(
        ["pdfinfo", "-isodates", "-"],
        input=issued.report,
        capture_output=True,
        check=True,
    ).stdout.decode()
    created = next(line for line in info.splitlines() if line.startswith("CreationDate:"))
    assert created.split()[-1] == f"{made:%Y-%m-%dT%H:%M:%S}+08"  # pdfinfo drops the ":00"
