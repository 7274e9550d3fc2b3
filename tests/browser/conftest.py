"""A real server and a real browser: `dutygraph serve` on a loopback port, Debian's chromium through Playwright.

Chromium comes from Debian's `chromium` package (installed by .ci/run), never from Playwright's own download.
With CI=true a missing browser fails the tests; elsewhere it skips them. Every request a page makes to another
host is recorded and aborted: `offsite` must stay empty (no CDN, no web font, no analytics).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest

from dutygraph.kg.build import build
from dutygraph.kg.stores import open_store

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

_REPO = Path(__file__).parent.parent.parent
# The README's pictures are rewritten only on request (DUTYGRAPH_UPDATE_SCREENSHOTS=1), so a local `make check`
# leaves the working tree clean; otherwise they go to build/screenshots, still looked at by the tests.
SCREENSHOTS = (
    _REPO / "docs" / "screenshots"
    if os.environ.get("DUTYGRAPH_UPDATE_SCREENSHOTS") == "1"
    else _REPO / "build" / "screenshots"
)
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`dutygraph serve` on a free loopback port, serving a store built from the bundled plans."""
    store = tmp_path_factory.mktemp("served") / "store"
    with open_store("oxigraph", path=store) as opened:
        build(opened, [])
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dutygraph", "serve", "--store", str(store), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            output = process.stdout.read() if process.stdout else ""
            process.kill()
            pytest.fail(f"dutygraph serve did not start: {output[-2000:]}")
        time.sleep(0.2)
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = _chromium()
    if executable is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@dataclass
class Visit:
    page: Page
    base: str
    offsite: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path


@pytest.fixture
def visit(browser: Browser, server: str) -> Iterator[Visit]:
    """A fresh page at 1280×800 whose requests to any other host are aborted and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    own = urlsplit(server).netloc
    visit = Visit(page, server)

    def guard(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).netloc != own and not url.startswith(("data:", "blob:")):
            visit.offsite.append(url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", guard)
    page.on(
        "console",
        lambda message: visit.console_errors.append(message.text) if message.type == "error" else None,
    )
    yield visit
    context.close()
