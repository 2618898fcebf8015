"""A ticket once acknowledged survives a kill -9 of the server, and no number is issued twice
(CONTRACT §4, PRODUCT "a ticket once issued is never lost")."""

from __future__ import annotations

import json
import threading

import httpx
import pytest
from websockets.sync.client import connect

from tests.support.api import HallClient
from tests.support.halls import token_for, write_config
from tests.support.servers import ServerProcess


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_kill_minus_nine_under_load_loses_nothing_acknowledged(backend: str, tmp_path, request) -> None:  # type: ignore[no-untyped-def]
    config = write_config(tmp_path / "halls.toml", ["crash"])
    database = request.getfixturevalue("postgres").create_database() if backend == "postgres" else None
    server = ServerProcess(config=config, data_dir=tmp_path / "data", database_url=database).start()
    acknowledged: list[dict] = []
    lock = threading.Lock()
    enough = threading.Event()
    headers = {"Authorization": f"Bearer {token_for('crash', 'kiosk-1')}"}

    def load(queue: str) -> None:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            while True:
                try:
                    response = client.post("/api/v1/halls/crash/tickets", json={"queue": queue, "channel": "walkin"}, headers=headers)
                except httpx.TransportError:
                    return  # the server died under us: that request was never acknowledged
                if response.status_code != 201:
                    return
                with lock:
                    acknowledged.append(response.json())
                    if len(acknowledged) >= 300:
                        enough.set()

    threads = [threading.Thread(target=load, args=("AB"[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    assert enough.wait(120), server.log()
    server.kill()  # mid-load: the clients are still sending
    for thread in threads:
        thread.join(30)
    server.start()
    hall = HallClient(server, "crash")
    try:
        numbers = [t["number"] for t in acknowledged]
        assert len(numbers) == len(set(numbers)), "a number was acknowledged twice"
        for ticket in acknowledged:
            stored = hall.ticket(ticket["id"])
            assert stored["number"] == ticket["number"] and stored["status"] == "waiting"
        after = [hall.issue(q)["number"] for q in "AB" for _ in range(3)]
        assert not set(after) & set(numbers), "a number was reused after the restart"
        waiting = hall.queues()
        assert waiting["A"]["waiting"] + waiting["B"]["waiting"] >= len(acknowledged) + len(after)
        # The stream's sequence never goes back across the restart.
        with connect(hall.stream_url()) as ws:
            seq = json.loads(ws.recv(timeout=5))["seq"]
        assert seq >= len(acknowledged) + len(after)
    finally:
        hall.close()
        server.stop()
