"""Issued verification reports, kept so their PDF, detached signature and content can be fetched
again by id (the PDF's SHA-256) exactly as first issued."""

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
        self.directory.mkdir(parents=True, exist_ok=True)
        self._write(
            f"{report_id}.json",
            json.dumps({"signature": signature, "content": content}, ensure_ascii=False).encode(),
        )
        # The PDF last: a report is found only once all of it is on disk.
        self._write(f"{report_id}.pdf", pdf)

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
