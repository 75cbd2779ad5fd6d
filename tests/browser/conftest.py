"""Browser fixtures shared by every page test: one Debian Chromium per session (Playwright drives it;
it never downloads a browser), a page factory that records any request leaving the server, and
screenshots saved under test-artifacts/screenshots/ for CI to keep."""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from harness import ROOT, Server

CHROMIUM = os.environ.get("HALLQ_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic", "--autoplay-policy=no-user-gesture-required"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
LOCAL_SCHEMES = {"data", "blob", "about"}


@pytest.fixture(scope="session")
def browser():
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    if not fonts.strip():
        pytest.fail("No CJK font is installed (hanzi would render as boxes); run scripts/bootstrap.")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


@dataclass
class OpenedPage:
    """A page plus what it did: requests that left the server, and uncaught script errors."""
    page: object
    server: Server
    outside_requests: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def assert_stayed_local(self) -> None:
        assert self.outside_requests == [], f"the page asked outside the server: {self.outside_requests}"
        assert self.errors == [], f"script errors on the page: {self.errors}"


def _is_the_server(url: str, server: Server) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in ("http", "ws") and parts.hostname == "127.0.0.1" and parts.port == server.port


@pytest.fixture
def open_page(browser):
    """open_page(server, "/kiosk", viewport=(1080, 1920)) → OpenedPage, in a fresh browser context.
    `fake_clock=True` installs Playwright's clock first, so a test can fast-forward the page's timers."""
    contexts = []

    def factory(server: Server, path: str, viewport=(1920, 1080), fake_clock: bool = False,
                **context_options) -> OpenedPage:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN",
                                      **context_options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        opened = OpenedPage(page, server)
        page.on("request", lambda r: None if _is_the_server(r.url, server) else opened.outside_requests.append(r.url))
        page.on("websocket", lambda ws: None if _is_the_server(ws.url, server) else opened.outside_requests.append(ws.url))
        page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
        if fake_clock:
            page.clock.install()
        page.goto(server.url + path)
        return opened
    yield factory
    for context in contexts:
        context.close()


AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core from the npm registry (vendor/README.md)
AXE_BLOCKING = ("serious", "critical")


@pytest.fixture
def axe_check():
    """axe_check(opened, "kiosk-home-elder"): runs axe-core on the page as it stands and fails on any serious
    or critical violation, listing each rule, its help and the elements it flagged."""
    def check(opened: OpenedPage, where: str) -> list:
        page = opened.page
        if not page.evaluate("typeof window.axe === 'object'"):
            page.add_script_tag(path=str(AXE_SCRIPT))
        violations = page.evaluate("""async () => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ") + " — " + (n.failureSummary || "").replace(/\\s+/g, " ")) }));
        }""")
        blocking = [v for v in violations if v["impact"] in AXE_BLOCKING]
        report = "\n".join(f"[{v['impact']}] {v['id']}: {v['help']}\n" + "\n".join(f"    {n}" for n in v["nodes"][:8])
                           for v in blocking)
        assert not blocking, f"axe-core on {where}:\n{report}"
        return violations
    return check
