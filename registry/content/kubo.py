"""Any Kubo-compatible daemon over its HTTP RPC (``/api/v0``), through a thin httpx client.

Why not ipfshttpclient: it refuses every Kubo release since 0.8 (a hard version check), and no
maintained replacement on PyPI covers add, cat, pin, stat and dag import with streaming. The RPC
is a handful of POSTs, so the client is small and typed here.

Uploads are hashed on the way out and the daemon's CID is checked against ours: a daemon with
other chunking defaults (or a proxy that alters bytes) is caught at once, not at verification.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from registry.content.cid import Cid, Digester, FileDigest
from registry.content.store import ContentError, ContentStat, MissingContentError, Source

_CHUNK = 1 << 16


class _Tee(io.RawIOBase):
    """Hands the upload to httpx while digesting it, so the file is read once."""

    def __init__(self, stream: BinaryIO, digester: Digester) -> None:
        self._stream = stream
        self._digester = digester

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        self._digester.update(data)
        buffer[: len(data)] = data
        return len(data)


class KuboStore:
    def __init__(self, url: str, *, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=f"{self.url}/api/v0", timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def _post(self, command: str, **params: Any) -> Any:
        try:
            response = self._http.post(command, params=params)
        except httpx.HTTPError as exc:
            raise ContentError(f"IPFS daemon at {self.url}: {exc}") from exc
        _check(response)
        return response.json()

    def version(self) -> str:
        return str(self._post("version")["Version"])

    def add(self, source: Source, *, cid_version: int = 1, pin: bool = True) -> FileDigest:
        if isinstance(source, bytes):
            return self.add(io.BytesIO(source), cid_version=cid_version, pin=pin)
        if isinstance(source, Path):
            with source.open("rb") as stream:
                return self.add(stream, cid_version=cid_version, pin=pin)
        digester = Digester(cid_version)
        params: dict[str, str | int] = {
            "cid-version": cid_version,
            "raw-leaves": str(cid_version == 1).lower(),
            "chunker": "size-262144",
            "pin": str(pin).lower(),
            "cid-base": "base58btc" if cid_version == 0 else "base32",
            "progress": "false",
        }
        upload = io.BufferedReader(_Tee(source, digester), _CHUNK)
        try:
            response = self._http.post("add", params=params, files={"file": ("file", upload)})
        except httpx.HTTPError as exc:
            raise ContentError(f"IPFS daemon at {self.url}: {exc}") from exc
        _check(response)
        # The answer is one JSON object per line; the file's is the last.
        answer = json.loads(response.text.strip().splitlines()[-1])
        digest = digester.finish()
        if answer.get("Hash") != str(digest.cid):
            raise ContentError(f"daemon answered CID {answer.get('Hash')}, expected {digest.cid}")
        return digest

    def cat(self, cid: Cid) -> Iterator[bytes]:
        return self._stream("cat", cid)

    def stat(self, cid: Cid) -> ContentStat:
        answer = self._post("files/stat", arg=f"/ipfs/{cid}")
        return ContentStat(cid, int(answer["Size"]), int(answer["CumulativeSize"]))

    def pin(self, cid: Cid) -> None:
        self._post("pin/add", arg=str(cid))

    def import_car(self, stream: BinaryIO) -> list[Cid]:
        try:
            response = self._http.post(
                "dag/import", params={"pin-roots": "true"}, files={"file": ("car", stream)}
            )
        except httpx.HTTPError as exc:
            raise ContentError(f"IPFS daemon at {self.url}: {exc}") from exc
        _check(response)
        roots = []
        for line in response.text.splitlines():
            root = json.loads(line).get("Root")
            if root:
                if root.get("PinErrorMsg"):
                    raise ContentError(f"pinning {root['Cid']['/']}: {root['PinErrorMsg']}")
                roots.append(Cid.parse(root["Cid"]["/"]))
        return roots

    def export_car(self, cid: Cid) -> Iterator[bytes]:
        return self._stream("dag/export", cid)

    def _stream(self, command: str, cid: Cid) -> Iterator[bytes]:
        try:
            with self._http.stream("POST", command, params={"arg": str(cid)}) as response:
                if response.is_error:
                    response.read()
                    _check(response)
                yield from response.iter_bytes(_CHUNK)
        except httpx.HTTPError as exc:
            raise ContentError(f"IPFS daemon at {self.url}: {exc}") from exc


def _check(response: httpx.Response) -> None:
    if not response.is_error:
        return
    try:
        message = str(response.json().get("Message", response.text))
    except ValueError:
        message = response.text
    if "not found" in message or "no link named" in message or "block was not found" in message:
        raise MissingContentError(message)
    raise ContentError(f"IPFS daemon answered {response.status_code}: {message}")
