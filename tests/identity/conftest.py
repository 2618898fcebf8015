"""Fixtures for identification: server processes (SQLite and PostgreSQL) whose halls enable
identification, and the fake provincial platform of helpers.py."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.identity.helpers import HALLS, Platform, demo_server_toml, write_identity_config
from tests.support.api import HallClient
from tests.support.servers import ServerProcess


@pytest.fixture(scope="session")
def platform() -> Iterator[Platform]:
    fake = Platform()
    try:
        yield fake
    finally:
        fake.stop()


def _start(tmp: Path, server_toml: str, database: str | None = None) -> ServerProcess:
    config = write_identity_config(tmp / "halls.toml", server_toml, HALLS)
    process = ServerProcess(config=config, data_dir=tmp / "data", database_url=database).start()
    process.hall_ids = itertools.count(1)  # type: ignore[attr-defined]
    return process


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def id_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, platform: Platform) -> Iterator[ServerProcess]:
    """Demo 鲁通码, local face templates, an sscard resolver and an HTTP SMS gateway; over SQLite
    and over PostgreSQL."""
    server_toml = demo_server_toml(platform)
    database = request.getfixturevalue("postgres").create_database() if request.param == "postgres" else None
    process = _start(tmp_path_factory.mktemp(f"id-server-{request.param}"), server_toml, database)
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="session")
def provincial_server(tmp_path_factory: pytest.TempPathFactory, platform: Platform) -> Iterator[ServerProcess]:
    """鲁通码 and face verified by the (fake) provincial platform."""
    server_toml = f"""
[server.identity]
lutong = "provincial"
lutong_provincial = {platform.provincial("/lutong")}
face = "provincial"
face_provincial = {platform.provincial("/face")}
"""
    process = _start(tmp_path_factory.mktemp("prov-server"), server_toml)
    try:
        yield process
    finally:
        process.stop()


def _hall(server: ServerProcess) -> Iterator[HallClient]:
    number = next(server.hall_ids)  # type: ignore[attr-defined]
    assert number <= HALLS, "raise HALLS"
    client = HallClient(server, f"i{number:02d}")
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def hall(id_server: ServerProcess) -> Iterator[HallClient]:
    yield from _hall(id_server)


@pytest.fixture
def prov_hall(provincial_server: ServerProcess) -> Iterator[HallClient]:
    yield from _hall(provincial_server)


