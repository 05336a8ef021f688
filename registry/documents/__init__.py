"""Documents people hold and print: certificate and verification-report PDFs, their detached
signatures (embedded PAdES and detached EIP-191), and the archive of issued reports."""

from registry.documents.archive import ReportArchive
from registry.documents.certificate import certificate_pdf
from registry.documents.pades import DocumentSigner, SigningFiles, make_signing_certificate
from registry.documents.pdf import Deployed
from registry.documents.report import report_document, report_hash, report_number, report_pdf
from registry.documents.signature import check_document, sign_document

__all__ = [
    "Deployed",
    "DocumentSigner",
    "ReportArchive",
    "SigningFiles",
    "certificate_pdf",
    "check_document",
    "make_signing_certificate",
    "report_document",
    "report_hash",
    "report_number",
    "report_pdf",
    "sign_document",
]
