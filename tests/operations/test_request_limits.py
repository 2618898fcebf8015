"""Request-rate limits over real HTTP and WebSocket ([server.request_limits]): a kiosk issuing or
identifying beyond its rate, an address hammering the public tracking routes. Each refusal is a
429 `rate_limited` with Retry-After that changes nothing; a device's first refusal is audited once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from hall_common.vocabulary import CloseCode, ErrorCode
from queue_server.core.request_limits import Rate, RequestLimits
from queue_server.security.request_limits import Limited, RequestLimiter
from tests.operations.conftest import write_limited_config
from tests.support.halls import token_for
from tests.support.servers import ServerProcess

LIMITS = """
[server.request_limits]
issue_per_device = { count = 3, per_s = 600 }
identify_per_device = { count = 2, per_s = 600 }
track_per_address = { count = 4, per_s = 600 }
"""
CARD = {"method": "idcard", "id_number": "370102199001011231", "name": "张三"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    config = write_limited_config(tmp_path / "halls.toml", ["r01", "r02"], limits=LIMITS, load_generator=False)
    process = ServerProcess(config=config, data_dir=tmp_path / "data").start()
    try:
        yield process
    finally:
        process.stop()


def kiosk(hall: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(hall, 'kiosk-1')}"}


def issued_today(http: httpx.Client, hall: str) -> int:
    return sum(q["issued_today"] for q in http.get(f"/api/v1/halls/{hall}/queues", headers=kiosk(hall)).json())


def audit_rows(server: ServerProcess) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(server.data_dir / "queue.sqlite3") as conn:
        return conn.execute("SELECT hall_id, actor, action, target FROM audit_log WHERE action = 'rate_limited' ORDER BY id").fetchall()


def assert_refused(reply: httpx.Response) -> None:
    assert reply.status_code == 429, reply.text
    body = reply.json()
    assert body["code"] == ErrorCode.RATE_LIMITED
    assert 1 <= int(reply.headers["Retry-After"]) <= 600
    assert "请约" in body["message_zh"] and "try again in" in body["message"]


def test_a_kiosk_issuing_beyond_its_rate_is_refused_and_nothing_is_issued(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        ticket = {"queue": "A", "channel": "walkin"}
        for _ in range(3):
            assert http.post("/api/v1/halls/r01/tickets", json=ticket, headers=kiosk("r01")).status_code == 201
        assert_refused(http.post("/api/v1/halls/r01/tickets", json=ticket, headers=kiosk("r01")))
        # The standard (non-lean) path counts the same device: a charset in the content type takes it.
        standard = http.post("/api/v1/halls/r01/tickets", content=b'{"queue": "A", "channel": "walkin"}',
                             headers={**kiosk("r01"), "Content-Type": "application/json; charset=utf-8"})
        assert_refused(standard)
        assert issued_today(http, "r01") == 3
        # Another hall's kiosk has its own count.
        assert http.post("/api/v1/halls/r02/tickets", json=ticket, headers=kiosk("r02")).status_code == 201
        # A body that fails validation is a 422 and is not counted against the device.
        assert http.post("/api/v1/halls/r02/tickets", json={"queue": "A"}, headers=kiosk("r02")).status_code == 422
        for _ in range(2):
            assert http.post("/api/v1/halls/r02/tickets", json=ticket, headers=kiosk("r02")).status_code == 201
    # Refused twice, audited once: when the device began to be refused.
    assert audit_rows(server) == [("r01", "device:kiosk-1", "rate_limited", "issue:kiosk-1")]


def test_identification_beyond_its_rate_is_refused(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for _ in range(2):
            assert http.post("/api/v1/halls/r01/identify", json=CARD, headers=kiosk("r01")).status_code == 200
        assert_refused(http.post("/api/v1/halls/r01/identify", json=CARD, headers=kiosk("r01")))
        assert_refused(http.post("/api/v1/halls/r01/identify/sms-code", json={"phone": "13800000000"}, headers=kiosk("r01")))
    assert audit_rows(server) == [("r01", "device:kiosk-1", "rate_limited", "identify:kiosk-1")]


def test_the_public_tracking_routes_are_limited_per_address(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        ticket = http.post("/api/v1/halls/r01/tickets", json={"queue": "A", "channel": "walkin"}, headers=kiosk("r01")).json()
        follow = ticket["phone_url"]  # /t/{id}?k=…
        track = follow.replace("/t/", "/api/v1/track/", 1)
        assert http.get(track).status_code == 200
        assert http.get("/api/v1/track/nothing-here").status_code == 404  # guesses count too
        assert http.get(follow).status_code == 200
        with connect(server.ws_url + track.replace("?", "/stream?", 1)) as ws:
            assert ws.recv(timeout=10)
        # The fifth request from this address in the window is refused on each route.
        assert_refused(http.get(track))
        page = http.get(follow)
        assert page.status_code == 429 and "访问人数较多" in page.text and page.headers["Retry-After"]
        with connect(server.ws_url + track.replace("?", "/stream?", 1)) as ws, pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == CloseCode.TRY_AGAIN_LATER
        # The kiosk's own routes are not the tracking limit's business.
        assert http.post("/api/v1/halls/r01/tickets", json={"queue": "A", "channel": "walkin"}, headers=kiosk("r01")).status_code == 201


def test_a_devices_own_issue_rate_overrides_the_default() -> None:
    limiter = RequestLimiter(RequestLimits(issue_per_device=Rate(count=1, per_s=60)))
    own = Rate(count=3, per_s=60)
    assert [limiter.take(Limited.ISSUE, "h/k1", own) for _ in range(3)] == [None, None, None]
    refusal = limiter.take(Limited.ISSUE, "h/k1", own)
    assert refusal is not None and refusal.started and 1 <= refusal.retry_after_s <= 60
    again = limiter.take(Limited.ISSUE, "h/k1", own)
    assert again is not None and not again.started  # audited once per window, not per request
    assert limiter.take(Limited.ISSUE, "h/k2") is None
    assert limiter.take(Limited.ISSUE, "h/k2") is not None  # the default: one a minute
