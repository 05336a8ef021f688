"""Issued verification reports, kept so their PDF, detached signature and content can be fetched
again by id (the PDF's SHA-256) exactly as first issued, and found by their content's hash: the
same content is never rendered and stored twice."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

_ID = re.compile(r"^[0-9a-f]{64}$")


class ReportArchive:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def put(self, report_id: str, pdf: bytes, signature: dict[str, Any], content: Any) -> None:
        """Keeps a report; ``signature["content_sha256"]`` (0x-hex) is its content's hash."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._write(
            f"{report_id}.json",
            json.dumps({"signature": signature, "content": content}, ensure_ascii=False).encode(),
        )
        self._write(f"{report_id}.pdf", pdf)
        # The index last: a report is found by its content only once all of it is on disk.
        content_id = str(signature["content_sha256"]).removeprefix("0x")
        if _ID.match(content_id):
            self._write(f"{content_id}.content", report_id.encode())

    def issued(self, content_hash: str) -> str | None:
        """The id of the report kept with content hash ``content_hash`` (0x-hex), if any."""
        path = self._path(content_hash.removeprefix("0x"), ".content")
        if path is None or not path.is_file():
            return None
        report_id = path.read_text(encoding="ascii")
        pdf = self._path(report_id, ".pdf")
        return report_id if pdf is not None and pdf.is_file() else None

    def pdf(self, report_id: str) -> bytes | None:
        path = self._path(report_id, ".pdf")
        return path.read_bytes() if path is not None and path.is_file() else None

    def meta(self, report_id: str) -> dict[str, Any] | None:
        path = self._path(report_id, ".json")
        if path is None or not path.is_file() or self.pdf(report_id) is None:
            return None
        found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return found

    def _path(self, report_id: str, suffix: str) -> Path | None:
        return self.directory / f"{report_id}{suffix}" if _ID.match(report_id) else None

    def _write(self, name: str, data: bytes) -> None:
        tmp = self.directory / f".{name}.tmp"
        with tmp.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(self.directory / name)
