"""The pages in Debian's Chromium, driven by Playwright: the register found by a Chinese name,
a file verified in the browser (only its hash leaves it), a changed file failing by name, an
asset named like a script shown as text, axe-core on every page, and screenshots at desktop and
phone widths (saved under test-artifacts/)."""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from web3 import Web3

from registry.chain import Registry
from registry.chain.node import free_port
from tests.api_support import Api, until
from tests.conftest import ROOT, Accounts, past_notice
from tests.test_pages import applied

SAMPLE = ROOT / "samples" / "qingdao-port-logistics" / "berth_schedule.csv"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def site(api: Api) -> Iterator[str]:
    """The API's app served over real HTTP on 127.0.0.1, for the browser."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(api.runtime.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


class Visit:
    """A page in a fresh context that records every request it makes."""

    def __init__(self, browser: Any, *, phone: bool = False, bypass_csp: bool = False) -> None:
        self.context = browser.new_context(
            viewport=WIDTHS["phone" if phone else "desktop"], bypass_csp=bypass_csp
        )
        self.page = self.context.new_page()
        self.requests: list[Any] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def close(self) -> None:
        """Closes the context, after checking every request went to the site itself."""
        self.context.close()
        strays = [r.url for r in self.requests if not r.url.startswith("http://127.0.0.1:")]
        assert strays == [], strays


Then = Callable[[Any], None]
"""What is done on a page once it is loaded (a form filled and sent), before it is judged."""


def axe_violations(
    browser: Any,
    url: str,
    key: str | None = None,
    ready: str | None = None,
    then: Then | None = None,
) -> list[dict[str, Any]]:
    """Serious and critical axe-core findings on ``url`` (signed in to the console with
    ``key`` first, if given; after ``then``, if given; once ``ready`` is on the page, if
    given)."""
    visit = Visit(browser, bypass_csp=True)  # axe is injected as a script of the test's own
    try:
        if key is not None:
            sign_in(visit.page, url.split("/console")[0], key)
        visit.page.goto(url)
        if then is not None:
            then(visit.page)
        if ready is not None:
            visit.page.wait_for_selector(ready, timeout=20_000)
        visit.page.add_script_tag(path=str(AXE))
        result = visit.page.evaluate("async () => await axe.run()")
        return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    finally:
        visit.close()


def screenshots(
    browser: Any, url: str, name: str, key: str | None = None, then: Then | None = None
) -> None:
    """``url`` at desktop and phone widths (signed in to the console with ``key``, if given;
    after ``then``, if given)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width, phone in (("desktop", False), ("phone", True)):
        visit = Visit(browser, phone=phone)
        try:
            if key is not None:
                sign_in(visit.page, url.split("/console")[0], key)
            visit.page.goto(url)
            if then is not None:
                then(visit.page)
            visit.page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        finally:
            visit.close()


def anchored(api: Api, data_hash: str) -> None:
    deadline = time.monotonic() + 30
    while api.get(f"/v1/evidence/{data_hash}").json().get("status") != "anchored":
        assert time.monotonic() < deadline, "not anchored in 30 s"
        time.sleep(0.1)


def test_register_verify_and_accessibility_in_chromium(
    api: Api,
    site: str,
    browser: Any,
    registry: Registry,
    accounts: Accounts,
    w3: Web3,
    tmp_path: Path,
) -> None:
    asset_id = applied(api, registry, accounts, "青岛港集装箱物流运营数据集", "browser-1")
    visit = Visit(browser)
    try:
        page = visit.page
        page.goto(f"{site}/")
        page.fill("#q", "集装箱物流")
        page.click("button[type=submit]")
        page.click(f"a[href='/a/{asset_id}?lang=zh']")
        body = page.inner_text("main")
        assert "数据持有权" in body
        assert "Applied" in body

        sample_hash = "0x" + hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
        anchored(api, sample_hash)
        page.goto(f"{site}/verify")
        with page.expect_navigation():
            page.set_input_files("#file", str(SAMPLE))
        assert "通过" in page.inner_text("#verdict")
        changed = tmp_path / SAMPLE.name
        shutil.copy(SAMPLE, changed)
        data = bytearray(changed.read_bytes())
        data[10] ^= 0x01
        changed.write_bytes(bytes(data))
        page.goto(f"{site}/verify")
        with page.expect_navigation():
            page.set_input_files("#file", str(changed))
        verdict = page.inner_text("#verdict")
        assert "未通过" in verdict
        assert "出示的证据与回执哈希一致" in verdict

        # A receipt alone is on chain, its file not checked; with its file, both are checked.
        receipt = tmp_path / "receipt.json"
        receipt.write_text(json.dumps(api.get(f"/v1/evidence/{sample_hash}").json()))
        for evidence, said in (
            (None, "此回执已上链；未核对文件"),
            (changed, "未通过：出示的证据与回执哈希一致"),
            (SAMPLE, "通过：出示的证据与回执一致，回执已上链"),
        ):
            page.goto(f"{site}/verify")
            receipt_sent(receipt, evidence)(page)
            assert said in " ".join(page.inner_text("#verdict").split()), evidence
            if evidence is None:
                assert "未检查" in page.inner_text("#evidence-not-checked")
        content = SAMPLE.read_bytes()
        for request in visit.requests:
            sent = request.post_data_buffer or b""
            assert content[:200] not in sent
            assert bytes(data[:200]) not in sent
    finally:
        visit.close()

    hostile = applied(
        api, registry, accounts, "<script>alert(1)</script>", "browser-xss", other_data=True
    )
    visit = Visit(browser)
    try:
        visit.page.goto(f"{site}/a/{hostile}")
        assert "<script>alert(1)</script>" in visit.page.inner_text("h1")
        assert visit.dialogs == []
    finally:
        visit.close()

    pages = {
        "register": f"{site}/",
        "register-en": f"{site}/?lang=en",
        "asset": f"{site}/a/{asset_id}",
        "verify": f"{site}/verify",
        "verify-result": f"{site}/verify?hash={sample_hash}",
        "stats": f"{site}/stats",
    }
    for name, url in pages.items():
        assert axe_violations(browser, url) == [], name
        screenshots(browser, url, name)
    # The verdicts of the receipt form: a receipt alone, and a receipt with a changed file.
    for name, evidence in (("verify-receipt-only", None), ("verify-receipt-changed", changed)):
        sent = receipt_sent(receipt, evidence)
        assert axe_violations(browser, f"{site}/verify", then=sent) == [], name
        screenshots(browser, f"{site}/verify", name, then=sent)


def receipt_sent(receipt: Path, evidence: Path | None) -> Then:
    """The verification page's receipt form sent with ``receipt`` (and ``evidence``, hashed in
    the browser, if given), waiting for the verdict's page."""

    def send(page: Any) -> None:
        page.set_input_files("#receipt-file", str(receipt))
        if evidence is not None:
            page.set_input_files("#receipt-evidence", str(evidence))
        with page.expect_navigation():
            page.click("#receipt-submit")

    return send


def sign_in(page: Any, site: str, key: str) -> None:
    page.goto(f"{site}/console")
    page.fill("#api_key", key)
    with page.expect_navigation():
        page.click("button[type=submit]")


def act(page: Any, site: str, selector: str, text: str | None = None) -> None:
    """Waits (reloading as the index catches up) for an act's button, fills its reason if it
    has one, presses it, and waits for its write to be confirmed without reloading."""
    deadline = time.monotonic() + 30
    while not page.query_selector(selector):
        assert time.monotonic() < deadline, f"{selector} never appeared"
        time.sleep(0.3)
        page.goto(f"{site}/console")
    if text is not None:
        page.locator(selector).locator("xpath=..").locator("input[name=text]").fill(text)
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_selector("tr[data-operation] .op-status.valid", timeout=30_000)


def test_console_takes_an_application_to_a_certificate_and_revokes_it(
    api: Api,
    site: str,
    browser: Any,
    registry: Registry,
    accounts: Accounts,
    w3: Web3,
) -> None:
    from registry.api.keys import Role

    asset_id = applied(api, registry, accounts, "工作台审核测试数据集", "console-1")
    visit = Visit(browser)
    page = visit.page
    try:
        sign_in(page, site, api.keys[Role.HOLDER])
        assert "start_review" not in page.content()
        csrf = page.get_attribute("input[name=csrf]", "value")
        refused = visit.context.request.post(
            f"{site}/console/act",
            form={"action": "start_review", "asset_id": str(asset_id), "csrf": csrf},
        )
        assert refused.status == 403
        assert "该角色不能执行此操作" in refused.text()
        with page.expect_navigation():
            page.click("text=退出")

        sign_in(page, site, api.keys[Role.REVIEWER])
        assert page.inner_text("#role") == "审核员"
        assert axe_violations(browser, f"{site}/console", api.keys[Role.REVIEWER]) == []
        page.screenshot(path=str(ARTIFACTS / "console-reviewer-desktop.png"), full_page=True)
        act(page, site, f"[data-act='accept-{asset_id}']")
        act(page, site, f"[data-act='approve-{asset_id}']")
        with page.expect_navigation():
            page.click("text=退出")

        past_notice(w3, registry, asset_id)
        sign_in(page, site, api.keys[Role.REGISTRAR])
        assert axe_violations(browser, f"{site}/console", api.keys[Role.REGISTRAR]) == []
        page.screenshot(path=str(ARTIFACTS / "console-registrar-desktop.png"), full_page=True)
        act(page, site, f"[data-act='issue-{asset_id}']")
        number = registry.certificates.number_of(registry.assets.get_asset(asset_id).certificate_id)
        page.goto(f"{site}/c/{number}")
        assert page.inner_text("#status") == "有效"
        screenshots(browser, f"{site}/c/{number}", "certificate")
        assert axe_violations(browser, f"{site}/c/{number}") == []

        act(page, site, f"[data-act='revoke-{asset_id}']", "法院判决 court order")
        page.goto(f"{site}/c/{number}")
        assert page.inner_text("#status") == "已撤销"
        page.goto(f"{site}/console")
        screenshots(browser, f"{site}/console", "console-signed-out")
        assert axe_violations(browser, f"{site}/console") == []
    finally:
        visit.close()


def test_console_drafts_a_pledge_that_the_holder_signs_and_releases_it(
    api: Api, site: str, browser: Any, flow: Any, registry: Registry, accounts: Accounts
) -> None:
    from eth_account.messages import encode_typed_data

    from registry.api.keys import Role

    asset_id = flow.issued("console-pledge")
    api.indexed()
    visit = Visit(browser)
    page = visit.page
    try:
        sign_in(page, site, api.keys[Role.REGISTRAR])
        page.fill("#c-asset", str(asset_id))
        page.select_option("#c-act", "pledge")
        page.fill("#c-party", accounts.pledgee.address)
        page.fill("#c-agreement", "数据资产质押协议 2026-118")
        with page.expect_navigation():
            page.click("[data-act='draft-consent']")
        row = page.locator("tr[data-request]").first
        assert "等待持有人签名" in row.inner_text()
        assert registry.assets.pledgee_of(asset_id) == "0x" + "00" * 20
        page.screenshot(path=str(ARTIFACTS / "console-consents-desktop.png"), full_page=True)
        assert axe_violations(browser, f"{site}/console", api.keys[Role.REGISTRAR]) == []

        # The holder signs the request's typed data elsewhere (a wallet; here eth_account) and
        # hands the signature over; the registrar pastes it.
        request_id = row.get_attribute("data-request")
        typed = api.get(f"/v1/consent-requests/{request_id}").json()["typed_data"]
        assert typed["message"]["pledgee"] == accounts.pledgee.address
        signature = accounts.holder.sign_message(encode_typed_data(full_message=typed))
        row.locator("input[name=signature]").fill("0x" + bytes(signature.signature).hex())
        with page.expect_navigation():
            row.locator("button", has_text="提交签名").click()
        page.wait_for_selector("tr[data-operation] .op-status.valid", timeout=30_000)
        assert registry.assets.pledgee_of(asset_id) == accounts.pledgee.address
        assert "已签名并提交" in page.locator(f"tr[data-request='{request_id}']").inner_text()

        # Pledged, the asset is offered the release (and no cancellation, which a pledge
        # blocks); the release goes on chain and the offer goes with the pledge.
        release = f"[data-act='release_pledge-{asset_id}']"
        act(page, site, release)
        until(lambda: registry.assets.pledgee_of(asset_id) == "0x" + "00" * 20)
        api.indexed()
        page.goto(f"{site}/console")
        assert page.query_selector(release) is None
        assert page.query_selector(f"[data-act='draft-cancel-{asset_id}']") is not None
        assert axe_violations(browser, f"{site}/console", api.keys[Role.REGISTRAR]) == []
        screenshots(browser, f"{site}/console", "console-released", api.keys[Role.REGISTRAR])
    finally:
        visit.close()


def test_api_reference_renders_from_the_projects_own_files(
    site: str, browser: Any, api: Api
) -> None:
    visit = Visit(browser)
    errors: list[str] = []
    visit.page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    visit.page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    try:
        visit.page.goto(f"{site}/docs")
        visit.page.wait_for_selector(".opblock", timeout=20_000)
        text = visit.page.inner_text("#swagger-ui")
        assert "/v1/consent-requests/{request_id}/signature" in text
        assert "/v1/recognitions/{region}/{number}" in text
        assert errors == []  # nothing refused by the page's CSP
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        visit.page.screenshot(path=str(ARTIFACTS / "docs-desktop.png"))
    finally:
        visit.close()
    assert axe_violations(browser, f"{site}/docs", ready=".opblock") == []
