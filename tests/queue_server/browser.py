"""Browser tests' helpers: Debian's headless Chromium driven by Playwright, and a real server.

Playwright's own browser download does not work on the project's machines, so Playwright drives
`/usr/bin/chromium` (Debian's `chromium` package; `CHROMIUM` overrides the path). Running as root
it needs `--no-sandbox`; the other flags keep it from reaching out to the internet at start.
Playwright's `launch` gives every browser a fresh temporary profile (`--user-data-dir`).

`chromium` and `new_page` are registered once for every part, in tests/conftest.py; in a test module:

    from tests.queue_server.browser import running_server, screenshot

    @pytest.fixture(scope="module")
    def server(tmp_path_factory):
        with running_server(tmp_path_factory.mktemp("web"), halls=["w01"]) as process:
            yield process

    def test_page(server, new_page):
        page = new_page()
        page.goto(server.url + "/staff")
        screenshot(page, "staff-login")
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.support.halls import write_config
from tests.support.servers import REPO, ServerProcess

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# A hall PC's screen; with a browser's own bars the page gets about 1366×650 of it.
VIEWPORT = {"width": 1366, "height": 768}
ARTIFACTS = REPO / "tests" / "artifacts"
TIMEOUT_MS = 10_000


def launch_chromium(playwright: Playwright) -> Browser:
    if not Path(CHROMIUM).is_file():
        raise RuntimeError(f"no Chromium at {CHROMIUM}: install Debian's chromium (scripts/setup.sh)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS), headless=True)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One browser per test module; each test gets its own context (cookies, storage). Not one per
    session: Playwright's sync API keeps its event loop set as the thread's running loop while it
    lives, so a browser kept past its module breaks every later `asyncio.run` (and a second
    Playwright), in whatever part's tests follow."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(chromium: Browser) -> Iterator[Callable[..., Page]]:
    """`new_page(viewport=…, locale=…)`: a page in a fresh context (its own sessionStorage and
    localStorage), in the hall's time zone. Uncaught JavaScript errors fail the test."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def make(viewport: dict[str, int] | None = None, locale: str = "zh-CN") -> Page:
        context = chromium.new_context(
            viewport=viewport or VIEWPORT, locale=locale, timezone_id="Asia/Shanghai", service_workers="block"
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, "JavaScript errors in the page:\n" + "\n".join(errors)


def screenshot(page: Page, name: str) -> Path:
    """Save tests/artifacts/<name>.png (the folder is ignored by git) for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


@contextlib.contextmanager
def running_server(
    root: Path, *, config: Path | None = None, halls: Sequence[str] = ("web",)
) -> Iterator[ServerProcess]:
    """A real `python -m queue_server serve` on a free loopback port with its data in `root`,
    answering /healthz before this yields, and stopped (then killed if it lingers) afterwards.
    Without `config`, the halls come from tests.support.halls (password `STAFF_PASSWORD`, device
    tokens `token_for(hall, device)`)."""
    root.mkdir(parents=True, exist_ok=True)
    if config is None:
        config = write_config(root / "halls.toml", list(halls))
    process = ServerProcess(config=config, data_dir=root / "data").start()
    try:
        yield process
    finally:
        process.stop()
