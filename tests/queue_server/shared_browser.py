"""One Chromium for the web screen and phone page tests, living beside browser.py's fixtures.

Playwright's sync API allows one running instance per process, and browser.py's session-scoped
`chromium`, imported into a test module, is a separate fixture in each module that imports it,
so two modules would each start one. Here `chromium` is module-scoped: it reuses a browser that
another module's `chromium` fixture already runs, or starts its own and stops it when the module
ends, so these modules run together with the others in any order.

    from tests.queue_server.browser import new_page, running_server, screenshot  # noqa: F401
    from tests.queue_server.shared_browser import chromium  # noqa: F401
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.queue_server.browser import launch_chromium


def _running_browser() -> Browser | None:
    """A browser that another module's live `chromium` fixture runs, if any (found among the
    process's objects: fixture internals differ between pytest versions, this does not)."""
    for candidate in gc.get_objects():
        if isinstance(candidate, Browser) and candidate.is_connected():
            return candidate
    return None


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    running = _running_browser()
    if running is not None:
        yield running
        return
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()
