"""Fixtures for the manager's console: a real server over SQLite and over a real PostgreSQL with
the halls of tests/manage/support.py, the webhook and SMS stand-in, and a hall of its own for each
test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.manage.support import HALLS, Receiver, write_halls
from tests.support.api import HallClient
from tests.support.servers import ServerProcess


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    try:
        yield found
    finally:
        found.server.shutdown()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def console_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, receiver: Receiver
) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp(f"manage-{request.param}")
    config = write_halls(root / "halls.toml", receiver)
    database = request.getfixturevalue("postgres").create_database() if request.param == "postgres" else None
    process = ServerProcess(config=config, data_dir=root / "data", database_url=database).start()
    process.unused_halls = iter(HALLS)  # type: ignore[attr-defined]
    process.backend = request.param  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def hall(console_server: ServerProcess) -> Iterator[HallClient]:
    """A hall nobody else has touched: W01 (A, B), W02 (B, A), W03 (C), W04 (A, C); s01 works at
    W01 and W02, s02 at W03 and W04; m01 is the manager. Hall `other` is another hall."""
    client = HallClient(console_server, next(console_server.unused_halls))  # type: ignore[attr-defined]
    try:
        yield client
    finally:
        client.close()

