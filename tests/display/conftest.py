from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from display_support import DisplayProcess, Hall, ServerProcess, write_display_config, write_hall_config


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real queue server with an 8-window test hall."""
    config = write_hall_config(tmp_path / "hall.toml", windows=8, staff=6)
    process = ServerProcess(config, tmp_path / "data")
    process.start()
    yield process
    process.stop()


@pytest.fixture
def hall(server: ServerProcess) -> Iterator[Hall]:
    client = Hall(server)
    yield client
    client.close()


@pytest.fixture
def displays(tmp_path: Path) -> Iterator[callable]:
    """Start display subprocesses: displays(server, mode, width, height, window=None, **screen)."""
    started: list[DisplayProcess] = []

    def start(server: ServerProcess, mode: str, width: int, height: int, window: str | None = None,
              trace: bool = False, env: dict[str, str] | None = None, **screen) -> DisplayProcess:
        name = f"display-{mode}-{window or 'hall'}-{width}x{height}.toml"
        config = write_display_config(tmp_path / name, server.port, width, height, window, **screen)
        process = DisplayProcess(mode, config, window, trace=trace, env=env)
        started.append(process)
        return process

    yield start
    for process in started:
        process.close()
