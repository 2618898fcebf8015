"""Fixtures of the kiosk tests: one real queue server for the session (tests/kiosk/helpers.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kiosk.helpers import Server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    srv = Server(tmp_path_factory.mktemp("kiosk-server")).start()
    yield srv
    srv.stop()
