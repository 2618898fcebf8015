"""Fixtures for the server suite: real server processes over SQLite and over a real PostgreSQL,
each test getting a hall of its own so tests never see each other's tickets."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.api import HallClient
from tests.support.halls import write_config
from tests.support.servers import ServerProcess

HALLS_PER_SERVER = 40


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp(f"server-{request.param}")
    config = write_config(root / "halls.toml", [f"t{i:02d}" for i in range(1, HALLS_PER_SERVER + 1)])
    database = request.getfixturevalue("postgres").create_database() if request.param == "postgres" else None
    process = ServerProcess(config=config, data_dir=root / "data", database_url=database).start()
    process.hall_ids = itertools.count(1)  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def hall(server: ServerProcess) -> Iterator[HallClient]:
    number = next(server.hall_ids)  # type: ignore[attr-defined]
    assert number <= HALLS_PER_SERVER, "raise HALLS_PER_SERVER"
    client = HallClient(server, f"t{number:02d}")
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path
