"""Service hours and daily limits through a real server, and two server processes sharing one
PostgreSQL without ever issuing a number twice or handing a ticket to two windows."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from pathlib import Path

import httpx

from tests.support.api import HallClient
from tests.support.halls import hall_toml, token_for
from tests.support.servers import ServerProcess

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_closed_hall_refuses_walkins_but_reservations_and_tracking_work(tmp_path: Path) -> None:
    today = dt.datetime.now(SHANGHAI).date()
    hours = (
        "[halls.hours]\n"
        'rules = [{days = ["mon","tue","wed","thu","fri","sat","sun"], sessions = [["09:00","17:00"]]}]\n'
        f'dates = [{{date = {today.isoformat()}, closed = true}}]\n'
    )
    open_toml = hall_toml("open1")
    # The hours table goes after the hall's own keys, before its first sub-table.
    closed_toml = hall_toml("shut").replace("[[halls.queues]]", hours + "[[halls.queues]]", 1)
    limited = hall_toml("limit").replace('name = "社保"\ndefault_service_s = 300', 'name = "社保"\ndefault_service_s = 300\ndaily_limit = 2')
    config = tmp_path / "halls.toml"
    config.write_text(open_toml + closed_toml + limited, encoding="utf-8")
    server = ServerProcess(config=config, data_dir=tmp_path / "data").start()
    shut = HallClient(server, "shut")
    capped = HallClient(server, "limit")
    try:
        info = shut.http.get(shut.path(""), headers=shut.kiosk).json()
        assert info["open_now"] is False and info["always_open"] is False
        refused = shut.http.post(shut.path("/tickets"), json={"queue": "A", "channel": "walkin"}, headers=shut.kiosk)
        assert refused.status_code == 409 and refused.json()["code"] == "closed"
        assert "取号时间" in refused.json()["message_zh"]
        now = dt.datetime.now(SHANGHAI)
        start = max(dt.datetime.combine(today, dt.time(0, 0), SHANGHAI), now - dt.timedelta(minutes=10))
        booking = {
            "queue": "A", "slot_start": start.isoformat(), "slot_end": (now + dt.timedelta(minutes=20)).isoformat(),
            "name": "李四", "id_number": "370102199001011231", "external_id": "closed-day",
        }
        reservation = shut.http.post(shut.path("/reservations"), json=booking, headers=shut.platform).json()
        ticket = shut.http.post(shut.path("/reservations/check-in"), json={"code": reservation["code"]}, headers=shut.kiosk)
        assert ticket.status_code == 201
        assert shut.http.get(ticket.json()["track_url"]).status_code == 200
        # Daily limit: B allows two tickets today.
        capped.issue("B")
        capped.issue("B")
        third = capped.http.post(capped.path("/tickets"), json={"queue": "B", "channel": "walkin"}, headers=capped.kiosk)
        assert third.status_code == 409 and third.json()["code"] == "daily_limit"
        assert capped.issue("A")["number"] == "A001"
    finally:
        shut.close()
        capped.close()
        server.stop()


def test_two_processes_over_one_postgres(tmp_path: Path, postgres) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "halls.toml"
    config.write_text(hall_toml("shared"), encoding="utf-8")
    database = postgres.create_database()
    first = ServerProcess(config=config, data_dir=tmp_path / "one", database_url=database).start()
    second = ServerProcess(config=config, data_dir=tmp_path / "two", database_url=database).start()
    # Both need the same secret key for tracking links; each has its own here, which is fine
    # for this test (it checks numbering and calling, not links).
    kiosk = {"Authorization": f"Bearer {token_for('shared', 'kiosk-1')}"}
    numbers: list[str] = []
    lock = threading.Lock()

    def issue(server: ServerProcess) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for _ in range(40):
                response = client.post("/api/v1/halls/shared/tickets", json={"queue": "A", "channel": "walkin"}, headers=kiosk)
                assert response.status_code == 201, response.text
                with lock:
                    numbers.append(response.json()["number"])

    threads = [threading.Thread(target=issue, args=(s,)) for s in (first, second, first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(numbers) == 160 and len(set(numbers)) == 160
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, 161)]
    # Call from both processes at once: no ticket twice.
    called: list[str] = []

    def call(server: ServerProcess, staff_id: str, window: str) -> None:
        client = HallClient(server, "shared")
        try:
            while True:
                response = client.call(window, staff=staff_id)
                if response.status_code == 204:
                    return
                assert response.status_code == 200, response.text
                with lock:
                    called.append(response.json()["number"])
                client.act(response.json()["id"], "finish", staff=staff_id)
        finally:
            client.close()

    workers = [threading.Thread(target=call, args=(first, "s01", "W01")), threading.Thread(target=call, args=(second, "m01", "W04"))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(called) == 160 and len(set(called)) == 160
    first.stop()
    second.stop()
