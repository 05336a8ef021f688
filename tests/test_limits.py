"""Limits of what one client can hold of the service (issue 15, findings 5, 6 and 8): request
bodies bounded per kind of route, uploads handled off the event loop, request heads and bodies
that come slowly or without end cut off, ``nosniff`` on every answer, and ``/metrics`` behind a
key; and the recognition batch's numbers answered at once, over all clients (issue 18 item 5)."""

from __future__ import annotations

import asyncio
import http.client
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from registry.api.keys import Role
from registry.api.limits import Inflight, Pace, UploadSlots
from registry.api.problems import ProblemError
from registry.chain.node import free_port
from registry.config import Settings
from registry.server import http_options
from tests.api_support import Api, reverted_api, running_api
from tests.test_documents import anchored

MIB = 1 << 20
PROBLEM = "application/problem+json"


def too_large(answer: httpx.Response, limit: int) -> None:
    assert answer.status_code == 413, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["limit"] == limit
    assert f"{limit:,} bytes" in answer.json()["detail"]


def bearer(api: Api, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.keys[role]}"}


@pytest.fixture
def small_api(
    tmp_path: Path, w3: Any, deployment: Any, artifacts: Any, accounts: Any, monkeypatch: Any
) -> Iterator[Api]:
    """The API with uploads limited to 3 MiB and documents to 2 MiB, so that bodies past each
    limit stay small."""
    monkeypatch.setenv("REGISTRY_UPLOAD_LIMIT", str(3 * MIB))
    monkeypatch.setenv("REGISTRY_DOCUMENT_LIMIT", str(2 * MIB))
    with running_api(tmp_path, w3, deployment, artifacts, accounts) as api:
        yield api


def test_a_json_body_over_one_mib_is_refused_naming_the_limit(api: Api) -> None:
    padding = {"hash": "0x" + "ab" * 32, "receipt": {"hash": "0x12", "note": "x" * MIB}}
    too_large(api.post("/v1/verify", padding), MIB)
    # Refused by its declared length, before the route read it, and the same when it streams
    # in without one (chunked) and grows past the limit.
    chunks = [b'{"hash": "0x' + b"ab" * 32 + b'", "receipt": {"note": "', *[b"x" * 65536] * 17]
    too_large(api.client.post("/v1/verify", content=iter(chunks)), MIB)
    # A form of the pages is a small body too.
    too_large(api.client.post("/verify", data={"receipt": "x" * (MIB + 1)}), MIB)
    # Under the limit the route answers as it does.
    assert api.post("/v1/verify", {"receipt": {"hash": "0x12"}}).status_code == 422


def test_routes_that_take_files_or_long_documents_have_their_own_limits(small_api: Api) -> None:
    api = small_api
    data = b"%PDF-1.7 " + b"x" * (2 * MIB)  # over the JSON limit, under the upload limit
    over = b"x" * (3 * MIB + 1)

    def upload(path: str, content: bytes, **form: str) -> httpx.Response:
        files = {"file": ("f.pdf", content, "application/pdf")}
        headers = bearer(api, Role.REGISTRAR)
        return api.client.post(path, files=files, data=form, headers=headers)

    assert upload("/v1/verify/file", data).status_code == 404  # hashed: never submitted
    assert upload("/v1/evidence/file", data).status_code == 202
    assert upload("/v1/reports/check", data, signature="{}").status_code != 413
    for path in ("/v1/verify/file", "/v1/evidence/file", "/v1/reports/check"):
        too_large(upload(path, over, signature="{}"), 3 * MIB)

    manifest = {"identifier": "x" * (MIB + MIB // 2)}  # a long manifest, still JSON
    published = api.post("/v1/manifests", manifest, Role.HOLDER)
    assert published.status_code == 422, published.text
    too_large(api.post("/v1/manifests", {"identifier": "x" * 2 * MIB}, Role.HOLDER), 2 * MIB)
    too_large(api.post("/v1/assets/batch", [{"name_zh": "x" * 2 * MIB}], Role.HOLDER), 2 * MIB)
    # Every other route keeps the JSON limit.
    too_large(api.post("/v1/evidence", {"hash": "x" * 2 * MIB}, Role.REGISTRAR), MIB)


def test_every_answer_says_nosniff(api: Api, monkeypatch: Any) -> None:
    evidence = api.client.post(
        "/v1/evidence/file",
        files={"file": ("c.pdf", b"%PDF-1.7 nosniff", "application/pdf")},
        headers=bearer(api, Role.REGISTRAR),
    )
    assert evidence.status_code == 202, evidence.text
    data_hash = evidence.json()["receipt"]["hash"]
    assert anchored(api, data_hash)["status"] == "anchored"
    issued = api.post("/v1/verify/report", {"hash": data_hash})
    assert issued.status_code == 201, issued.text
    answers = {
        "api": api.get("/healthz"),
        "problem": api.get("/v1/evidence/0x" + "00" * 32),
        "static": api.get("/static/site.css"),
        "vendored": api.get("/static/vendor/swagger-ui.css"),
        "pdf": api.get(f"/v1/reports/{issued.json()['id']}"),
        "page": api.get("/"),
    }
    assert answers["pdf"].headers["content-type"] == "application/pdf"

    def failing(*args: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(api.runtime.evidence, "receipt", failing)
    answers["error"] = api.get("/v1/evidence/0x" + "00" * 32)
    assert answers["error"].status_code == 500
    for kind, answer in answers.items():
        assert answer.headers.get_list("x-content-type-options") == ["nosniff"], kind


def test_metrics_need_an_auditors_or_a_registrars_key(api: Api) -> None:
    assert api.get("/metrics").status_code == 401
    assert api.client.get("/metrics", headers=bearer(api, Role.HOLDER)).status_code == 403
    for role in (Role.AUDITOR, Role.REGISTRAR):
        answer = api.client.get("/metrics", headers=bearer(api, role))
        assert answer.status_code == 200
        assert "registry_http_requests_total" in answer.text


@contextmanager
def serving(api: Api, settings: Settings) -> Iterator[str]:
    """The API over real HTTP on 127.0.0.1, with uvicorn configured as `registry serve` does."""
    port = free_port()
    options = {**http_options(settings), "port": port}
    server = uvicorn.Server(uvicorn.Config(api.runtime.app(), **options, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.mark.parametrize(
    ("path", "held", "role"),
    [("/v1/verify/file", "receipt", None), ("/v1/evidence/file", "add", Role.REGISTRAR)],
)
def test_an_upload_waiting_on_the_index_leaves_other_requests_answered(
    api: Api, tmp_path: Path, monkeypatch: Any, path: str, held: str, role: Role | None
) -> None:
    """The upload's route is held inside its evidence store call (SQLite) until the test lets
    it go: the service must answer meanwhile, which it cannot if that call runs on the event
    loop. Bounded: the probe waits 5 s at most."""
    entered, release = threading.Event(), threading.Event()
    original: Callable[..., Any] = getattr(api.runtime.evidence, held)

    def holding(*args: Any) -> Any:
        entered.set()
        release.wait(30)
        return original(*args)

    monkeypatch.setattr(api.runtime.evidence, held, holding)
    answers: list[httpx.Response] = []
    with serving(api, Settings(data_dir=tmp_path)) as url:
        headers = bearer(api, role) if role else {}
        upload = threading.Thread(
            target=lambda: answers.append(
                httpx.post(
                    url + path,
                    files={"file": ("f.bin", b"held upload", "application/octet-stream")},
                    headers=headers,
                    timeout=60,
                )
            )
        )
        upload.start()
        try:
            assert entered.wait(20)
            assert httpx.get(url + "/healthz", timeout=5).status_code == 200
            assert upload.is_alive()  # the upload is still open
        finally:
            release.set()
            upload.join(60)
    assert answers[0].status_code in (202, 404), answers[0].text


def closes(sock: socket.socket, within: float) -> bool:
    """Whether the service closes ``sock`` within ``within`` seconds (any answer read first)."""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if not sock.recv(65536):
                return True
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True
    return False


@pytest.fixture
def quick(api: Api, tmp_path: Path) -> Iterator[tuple[str, int]]:
    """The API served with a half-second head timeout and body pause."""
    settings = Settings(data_dir=tmp_path, http_head_timeout=0.5, http_body_idle_timeout=0.5)
    with serving(api, settings) as url:
        yield "127.0.0.1", int(url.rsplit(":", 1)[1])


def test_a_request_head_sent_too_slowly_is_cut_off(quick: tuple[str, int]) -> None:
    with socket.create_connection(quick) as silent:
        assert closes(silent, 10)
    with socket.create_connection(quick) as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: registry\r\n")
        assert closes(slow, 10)


def test_a_request_body_that_stops_coming_is_cut_off(quick: tuple[str, int]) -> None:
    with socket.create_connection(quick) as stalled:
        stalled.sendall(
            b"POST /v1/verify HTTP/1.1\r\nHost: registry\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n{"
        )
        assert closes(stalled, 10)


def test_a_kept_connection_is_not_cut_off_between_requests(quick: tuple[str, int]) -> None:
    connection = http.client.HTTPConnection(*quick, timeout=10)
    try:
        connection.request("GET", "/healthz")
        assert connection.getresponse().read()
        first = connection.sock
        time.sleep(1.0)  # twice the head timeout, within the keep-alive's 5 s
        connection.request("GET", "/healthz")
        assert connection.getresponse().status == 200
        assert connection.sock is first  # the same connection, not a new one
    finally:
        connection.close()


def test_a_request_head_past_its_size_is_cut_off(api: Api, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, http_head_limit=4096, http_head_timeout=60)
    with (
        serving(api, settings) as url,
        socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))) as long,
    ):
        long.sendall(b"GET /healthz HTTP/1.1\r\nHost: registry\r\nX-Long: " + b"x" * 8192)
        assert closes(long, 30)  # well before the head timeout


@pytest.fixture(scope="module")
def one_slot(
    tmp_path_factory: pytest.TempPathFactory,
    w3: Any,
    deployment: Any,
    artifacts: Any,
    accounts: Any,
) -> Iterator[tuple[str, int]]:
    """The API over real HTTP with one upload slot held in turns of 0.2 s, a one-second wait
    for a first turn and a floor of 64 KiB/s measured over each second, for the module."""
    data = tmp_path_factory.mktemp("one-slot")
    with ExitStack() as stack:
        # The settings are read as the service starts; the module's other tests keep theirs.
        with pytest.MonkeyPatch.context() as env:
            for name, value in {"SLOTS": 1, "WAIT_TIMEOUT": 1, "MIN_RATE": 64 << 10}.items():
                env.setenv(f"REGISTRY_UPLOAD_{name}", str(value))
            env.setenv("REGISTRY_UPLOAD_RATE_WINDOW", "1")
            env.setenv("REGISTRY_UPLOAD_TURN", "0.2")
            api = stack.enter_context(reverted_api(data, w3, deployment, artifacts, accounts))
        url = stack.enter_context(serving(api, Settings(data_dir=data)))
        yield "127.0.0.1", int(url.rsplit(":", 1)[1])


BOUNDARY = b"slot-test"


def start_upload(address: tuple[str, int], size: int) -> socket.socket:
    """A connection that has sent a `/v1/verify/file` request's head and 128 KiB of its
    ``size``-byte file (past uvicorn's 64 KiB read-ahead, so the route is reading it)."""
    preamble = (
        b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
    )
    end = b"\r\n--" + BOUNDARY + b"--\r\n"
    sock = socket.create_connection(address)
    sock.sendall(
        b"POST /v1/verify/file HTTP/1.1\r\nHost: registry\r\n"
        b"Content-Type: multipart/form-data; boundary=" + BOUNDARY + b"\r\n"
        b"Content-Length: "
        + str(len(preamble) + size + len(end)).encode()
        + b"\r\n\r\n"
        + preamble
        + b"\0" * (128 << 10)
    )
    return sock


def answer_while_sending(sock: socket.socket, piece: int, every: float, within: float) -> bytes:
    """Sends ``piece`` bytes every ``every`` seconds until the service answers (its first
    bytes) or ``within`` seconds pass."""
    deadline = time.monotonic() + within
    sock.settimeout(every)
    while time.monotonic() < deadline:
        try:
            if answer := sock.recv(65536):
                return answer
        except TimeoutError:
            sock.sendall(b"\0" * piece)
    return b""


def test_an_upload_that_trickles_is_cut_off_and_frees_its_slot(one_slot: tuple[str, int]) -> None:
    with start_upload(one_slot, 100 * MIB) as trickle:
        # 10 KiB/s, a sixth of the floor: cut off at the first check, a second after it began.
        answer = answer_while_sending(trickle, 1024, 0.1, within=15)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer[:300]
    assert b"application/problem+json" in head
    assert b'"upload-too-slow"' in body or b"upload-too-slow" in body
    assert b'"name":"file"' in body
    # The slot is free again: a whole upload is hashed and looked up (never anchored: 404).
    looked_up = httpx.post(
        f"http://{one_slot[0]}:{one_slot[1]}/v1/verify/file",
        files={"file": ("f.bin", b"after the trickle", "application/octet-stream")},
        timeout=30,
    )
    assert looked_up.status_code == 404, looked_up.text
    assert "was never submitted" in looked_up.json()["detail"]


def test_an_upload_finding_the_slot_held_waits_then_is_refused_busy(
    one_slot: tuple[str, int],
) -> None:
    """The holder sends nothing more for 3 s: no chunk, so no end of its turn either."""
    url = f"http://{one_slot[0]}:{one_slot[1]}/v1/verify/file"
    with start_upload(one_slot, 100 * MIB) as holder:
        time.sleep(0.5)  # the holder's head and first 128 KiB are read: it holds the slot
        refused = httpx.post(url, files={"file": ("f.bin", b"second", "text/plain")}, timeout=30)
        holder.settimeout(0.1)
        with pytest.raises(TimeoutError):
            holder.recv(1)  # still held, unanswered
    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"] == PROBLEM
    assert refused.headers["retry-after"] == "1"
    assert "no slot came within 1 s" in refused.json()["detail"]
    # With the holder gone the slot is free: the same upload is hashed and looked up.
    again = httpx.post(url, files={"file": ("f.bin", b"second", "text/plain")}, timeout=30)
    assert again.status_code == 404, again.text


def test_uploads_take_turns_so_a_large_one_delays_a_small_one_by_a_turn(
    one_slot: tuple[str, int],
) -> None:
    url = f"http://{one_slot[0]}:{one_slot[1]}/v1/verify/file"
    with start_upload(one_slot, 100 * MIB) as large:
        streaming = threading.Event()
        streaming.set()

        def stream() -> None:  # about 5 MiB/s, far above the floor, until told to stop
            while streaming.is_set():
                large.sendall(b"\0" * (256 << 10))
                time.sleep(0.05)

        sender = threading.Thread(target=stream)
        sender.start()
        try:
            time.sleep(0.5)
            start = time.monotonic()
            small = httpx.post(url, files={"file": ("f.bin", b"small", "text/plain")}, timeout=30)
            waited = time.monotonic() - start
        finally:
            streaming.clear()
            sender.join(10)
        large.settimeout(0.1)
        with pytest.raises(TimeoutError):
            large.recv(1)  # the large one is still being read, unanswered
    assert small.status_code == 404, small.text  # hashed and looked up, in its turn
    assert waited < 1, waited  # within the one-second wait: the large one gave way


def test_upload_slots_refuse_at_once_past_their_waiting_limit() -> None:
    slots = UploadSlots(slots=1, waiting=0, wait_timeout=60, min_rate=0, rate_window=10)

    async def two_at_once() -> ProblemError:
        async with slots.slot():
            with pytest.raises(ProblemError) as refused:
                async with slots.slot():
                    pass
        async with slots.slot():  # released: taken at once
            pass
        return refused.value

    problem = asyncio.run(asyncio.wait_for(two_at_once(), 5))
    assert (problem.status, problem.slug) == (503, "busy")
    assert "1 hashed at once and 0 waiting" in problem.detail


def test_an_upload_pace_is_judged_over_each_window() -> None:
    now = [0.0]
    pace = Pace(min_rate=1000, window=10, clock=lambda: now[0])
    for second in range(1, 25):
        now[0] = second
        pace.arrived(1000)  # exactly at the floor: never cut off
    now[0] = 40.0
    with pytest.raises(ProblemError) as slow:
        pace.arrived(15_000)  # 15,000 bytes in 16 s
    assert slow.value.status == 408
    assert slow.value.extra["invalid_params"] == [{"name": "file", "reason": "sent too slowly"}]


def test_numbers_in_flight_past_the_total_are_refused_at_once_and_freed_when_answered() -> None:
    inflight = Inflight("recognition answers", 400)
    inflight.acquire(200)  # one client's batch
    inflight.acquire(200)  # another's
    with pytest.raises(ProblemError) as busy:
        inflight.acquire(1)  # a third, from any client: refused, never queued
    assert (busy.value.status, busy.value.slug) == (503, "busy")
    assert "at most 400 at once, all clients together" in busy.value.detail
    assert busy.value.extra["retry_after"] == 1
    inflight.release(200)
    inflight.acquire(200)  # the refused one took nothing: room for a whole batch again
    with pytest.raises(ProblemError):
        inflight.acquire(1)
