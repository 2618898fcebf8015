"""Fixtures every part's suite may use: one real PostgreSQL cluster per test run, headless
Chromium pages (tests/queue_server/browser.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.queue_server.browser import chromium, new_page  # noqa: F401  (registered here once for every part)
from tests.support.postgres import PostgresCluster


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    try:
        yield cluster
    finally:
        cluster.stop()
