"""No request holds the server's event loop: a real server with asyncio's debug mode watching for
callbacks over 50 ms (QUEUE_SERVER_SLOW_CALLBACK_MS) takes the whole API tour (api_tour.py: every
route, with the hall stream and a tracking stream open) and wrong-password logins, and its log must
not name one slow callback. A blocking step (password hashing, a sync query, a file read, a sleep)
on the loop shows up here by name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.identity.helpers import astronaut, jpeg
from tests.queue_server.api_tour import take_tour
from tests.support.api import HallClient
from tests.support.halls import write_config
from tests.support.servers import ServerProcess

THRESHOLD_MS = 50
SLOW = re.compile(r"Executing .* took \d+\.\d+ seconds")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def watched(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp(f"watched-{request.param}")
    config = write_config(root / "halls.toml", ["w01", "w02"])
    database = request.getfixturevalue("postgres").create_database() if request.param == "postgres" else None
    process = ServerProcess(config=config, data_dir=root / "data", database_url=database,
                            env={"QUEUE_SERVER_SLOW_CALLBACK_MS": str(THRESHOLD_MS)}).start()
    try:
        yield process
    finally:
        process.stop()


def slow_callbacks(server: ServerProcess) -> list[str]:
    assert server.log_path is not None
    return [line for line in server.log_path.read_text(errors="replace").splitlines() if SLOW.search(line)]


def test_the_watch_is_on(watched: ServerProcess) -> None:
    assert "watching the event loop: callbacks over 50 ms are logged" in watched.log()


def test_the_whole_api_tour_never_holds_the_loop(watched: ServerProcess) -> None:
    client = HallClient(watched, "w01")
    try:
        tour = take_tour(client, jpeg(astronaut()))
    finally:
        client.close()
    assert len(tour.exchanges) > 60 and tour.hall_messages  # the tour really ran
    assert slow_callbacks(watched) == []


def test_wrong_password_logins_never_hold_the_loop(watched: ServerProcess) -> None:
    # argon2 checks (~300 ms each here) run in worker threads; on the loop each would be logged.
    with httpx.Client(base_url=watched.url, timeout=30) as http:
        for attempt in range(4):
            reply = http.post("/api/v1/auth/login", json={"hall": "w02", "staff_id": "s01", "password": f"wrong-{attempt}"})
            assert reply.status_code in (401, 429)
    assert slow_callbacks(watched) == []


def test_a_blocking_step_would_be_seen(tmp_path: Path) -> None:
    """The watch itself works: a server whose loop is made to block (a sync sleep inside a handler,
    injected through a sitecustomize) is caught by the same check."""
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(
        "import time\n"
        "import queue_server.api.halls as halls\n"


        "@halls.router.get('/_test/block', include_in_schema=False)\n"
        "async def _block() -> dict:\n"
        "    time.sleep(0.2)\n"
        "    return {}\n",
        encoding="utf-8",
    )
    config = write_config(tmp_path / "halls.toml", ["b01"])
    server = ServerProcess(config=config, data_dir=tmp_path / "data",
                           env={"QUEUE_SERVER_SLOW_CALLBACK_MS": str(THRESHOLD_MS),
                                "PYTHONPATH": f"{inject}:{Path(__file__).resolve().parents[2]}"}).start()
    try:
        assert httpx.get(server.url + "/api/v1/halls/b01/_test/block", timeout=10).status_code == 200
        assert slow_callbacks(server), server.log()
    finally:
        server.stop()


def test_the_managers_console_never_holds_the_loop(watched: ServerProcess) -> None:
    """The console's reads and exports (a year of statistics, Excel, the audit CSV) stay off the loop."""
    client = HallClient(watched, "w02")
    try:
        for _ in range(5):
            client.issue("A")
        manager = client.manager
        base = "/api/v1/halls/w02/manage"
        year = "from=2026-01-01&to=2026-12-31"
        for path in ("/context", "/live", "/alerts", "/devices", "/audit", "/audit.csv", "/reservations",
                     "/statistics", f"/statistics?{year}&period=month", f"/statistics?{year}&group=item",
                     f"/statistics/export?{year}&format=xlsx", f"/statistics/export?{year}&table=series&format=csv"):
            reply = client.http.get(base + path, headers=manager)
            assert reply.status_code == 200, (path, reply.text)
    finally:
        client.close()
    assert slow_callbacks(watched) == []
