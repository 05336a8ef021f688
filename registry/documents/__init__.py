"""Documents people hold and print: certificate and verification-report PDFs, their detached
signatures, and the archive of issued reports."""

from registry.documents.archive import ReportArchive
from registry.documents.certificate import certificate_pdf
from registry.documents.report import report_document, report_hash, report_pdf
from registry.documents.signature import check_document, sign_document

__all__ = [
    "ReportArchive",
    "certificate_pdf",
    "check_document",
    "report_document",
    "report_hash",
    "report_pdf",
    "sign_document",
]
