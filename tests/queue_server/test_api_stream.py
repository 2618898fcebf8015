"""The hall stream (CONTRACT §7) and the tracking stream (§6) over real WebSockets."""

from __future__ import annotations

import json

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.support.api import HallClient


def _recv(ws, timeout: float = 5) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(ws.recv(timeout=timeout))


def _until(ws, predicate, limit: int = 50) -> dict:  # type: ignore[no-untyped-def]
    for _ in range(limit):
        message = _recv(ws)
        if predicate(message):
            return message
    raise AssertionError("expected message not seen")


def test_snapshot_then_events_with_consecutive_seq(hall: HallClient) -> None:
    hall.http.post(hall.path("/windows/W01/sign-in"), headers=hall.staff())
    with connect(hall.stream_url()) as ws:
        snapshot = _recv(ws)
        assert snapshot["type"] == "snapshot"
        assert {w["id"] for w in snapshot["windows"]} == {"W01", "W02", "W03", "W04"}
        w01 = next(w for w in snapshot["windows"] if w["id"] == "W01")
        assert w01["status"] == "open" and w01["staff"] == {"id": "s01", "name": "王芳"} and w01["current"] is None
        assert set(w01) >= {"id", "name", "status", "queues", "staff", "current"}
        assert [q["id"] for q in snapshot["queues"]] == ["A", "B", "C"]
        assert snapshot["recent_calls"] == []
        ticket = hall.issue("A", phone="13812345678")
        queue_event = _recv(ws)
        assert queue_event == {"type": "queue", "seq": snapshot["seq"] + 1, "queue": "A", "waiting": 1}
        hall.call("W01", expect=200)
        call = _until(ws, lambda m: m["type"] == "call")
        assert call["number"] == ticket["number"] and call["window"] == "W01" and call["window_name"] == "1号窗口"
        assert call["recall"] is False and call["seq"] > queue_event["seq"]
        hall.act(ticket["id"], "recall")
        recall = _until(ws, lambda m: m["type"] == "call")
        assert recall["recall"] is True
        hall.act(ticket["id"], "finish")
        done = _until(ws, lambda m: m["type"] == "ticket")
        assert done["status"] == "done" and done["number"] == ticket["number"]
        hall.http.post(hall.path("/windows/W01/pause"), headers=hall.staff())
        paused = _until(ws, lambda m: m["type"] == "window")
        assert paused["window"] == "W01" and paused["status"] == "paused" and paused["staff"]["id"] == "s01"
        # No event ever carries the citizen's phone.
        assert "13812345678" not in json.dumps([queue_event, call, recall, done, paused])


def test_resume_with_since_replays_missed_events_in_order(hall: HallClient) -> None:
    with connect(hall.stream_url()) as ws:
        start = _recv(ws)["seq"]
    for _ in range(5):
        hall.issue("B")
    with connect(hall.stream_url(since=start)) as ws:
        replayed = [_recv(ws) for _ in range(5)]
    assert [m["seq"] for m in replayed] == list(range(start + 1, start + 6))
    assert [m["waiting"] for m in replayed] == [1, 2, 3, 4, 5]
    # A sequence number the server no longer (or never) had: a fresh snapshot.
    with connect(hall.stream_url(since=10**9)) as ws:
        assert _recv(ws)["type"] == "snapshot"


def test_snapshot_shows_recent_calls_newest_first(hall: HallClient) -> None:
    first = hall.issue("A")
    second = hall.issue("C")
    hall.call("W01", expect=200)
    hall.call("W03", staff="s02", expect=200)
    with connect(hall.stream_url()) as ws:
        snapshot = _recv(ws)
    assert [c["number"] for c in snapshot["recent_calls"]] == [second["number"], first["number"]]
    current = {w["id"]: w["current"] for w in snapshot["windows"]}
    assert current["W01"] == {"number": first["number"], "status": "called"}


@pytest.mark.parametrize("token", ["wrong", None])
def test_refused_stream_closes_before_any_event(hall: HallClient, token: str | None) -> None:
    url = f"{hall.server.ws_url}/api/v1/halls/{hall.hall}/stream" + (f"?token={token}" if token else "")
    with connect(url) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


def test_foreign_hall_token_is_4403(hall: HallClient) -> None:
    url = f"{hall.server.ws_url}/api/v1/halls/{hall.hall}/stream?token=tok-t01-screen-1"
    if hall.hall == "t01":
        url = url.replace("tok-t01", "tok-t02")
    with connect(url) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


def test_bearer_header_works_too(hall: HallClient) -> None:
    url = f"{hall.server.ws_url}/api/v1/halls/{hall.hall}/stream"
    with connect(url, additional_headers=hall.display) as ws:
        assert _recv(ws)["type"] == "snapshot"


def test_tracking_stream_follows_the_ticket(hall: HallClient) -> None:
    first = hall.issue("A")
    mine = hall.issue("A")
    url = hall.server.ws_url + mine["track_url"].replace("?", "/stream?")
    with connect(url) as ws:
        initial = _recv(ws)
        assert initial["number"] == mine["number"] and initial["waiting_ahead"] == 1 and initial["window"] is None
        hall.call("W01", expect=200)
        moved = _recv(ws)
        assert moved["waiting_ahead"] == 0
        hall.act(first["id"], "finish")
        hall.call("W01", expect=200)
        called = _until(ws, lambda m: m["status"] == "called")
        assert called["window"] == "W01" and called["window_name"] == "1号窗口"
        hall.act(mine["id"], "recall")
        assert _recv(ws)["recalls"] == 1  # the phone hears the recall too
        hall.act(mine["id"], "finish")
        assert _until(ws, lambda m: m["status"] == "done")["window"] is None
    bad = hall.server.ws_url + mine["track_url"].split("?")[0] + "/stream?k=nope"
    with connect(bad) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404


def test_logout_ends_the_staff_stream(hall: HallClient) -> None:
    token = hall.staff()["Authorization"].split()[1]
    with connect(hall.stream_url(token=token)) as ws:
        assert _recv(ws)["type"] == "snapshot"
        assert hall.http.post("/api/v1/auth/logout", headers=hall.staff()).status_code == 200
        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(10):
                ws.recv(timeout=5)  # the logout's own window events may come first
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
