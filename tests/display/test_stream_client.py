"""The stream client without Kivy, against a real server: snapshot, live events, resuming with
?since= after a dropped connection, a server restart, systemd readiness of the Kivy app."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from display_support import DISPLAY_TOKEN, HALL

from display.stream import StreamClient, StreamOptions, stream_url

FAST = StreamOptions(ping_interval=1.0, ping_timeout=1.0, backoff_max=0.5)


def wait_until(predicate, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"never: {what}")
        time.sleep(0.02)


@pytest.fixture
def client(server):
    c = StreamClient(server.url, HALL, DISPLAY_TOKEN, options=FAST)
    c.start()
    wait_until(lambda: c.connected and c.board.synced, "connected")
    yield c
    c.stop()


def test_stream_url():
    assert stream_url("http://h:8000", "demo") == "ws://h:8000/api/v1/halls/demo/stream"
    assert stream_url("https://h/q/", "demo", 42) == "wss://h/q/api/v1/halls/demo/stream?since=42"
    with pytest.raises(ValueError):
        stream_url("h:8000", "demo")


def test_live_events_reach_the_board(client, hall):
    assert client.read().hall_name == "测试市政务服务中心"
    ticket = hall.issue("A")
    hall.sign_in("s001", "W01")
    hall.call_next("s001", "W01")
    wait_until(lambda: client.read().windows["W01"].current is not None, "the call")
    board = client.read()
    assert board.windows["W01"].current.number == ticket["number"]
    assert board.windows["W01"].staff.name == "王芳" and board.windows["W01"].status == "open"
    assert not client.stale


def test_a_dropped_connection_resumes_with_since(client, hall):
    hall.sign_in("s001", "W01")
    wait_until(lambda: client.read().windows["W01"].status == "open", "signed in")
    connects = client.connects
    client.drop_connection()
    wait_until(lambda: client.connects > connects and client.connected, "reconnected")
    ticket = hall.issue("B")
    hall.sign_in("s002", "W02")
    hall.call_next("s002", "W02")
    wait_until(lambda: client.read().windows["W02"].current is not None, "the call after resuming")
    assert client.read().windows["W02"].current.number == ticket["number"]
    assert client.board.snapshots == 1  # the server replayed the events; no second snapshot


def test_events_missed_while_disconnected_are_replayed(server, hall):
    first = StreamClient(server.url, HALL, DISPLAY_TOKEN, options=FAST)
    first.start()
    wait_until(lambda: first.board.synced, "synced")
    first.stop()
    # While no client listens, the hall moves on.
    ticket = hall.issue("C")
    hall.sign_in("s003", "W03")
    hall.call_next("s003", "W03")
    second = StreamClient(server.url, HALL, DISPLAY_TOKEN, options=FAST)
    second.board = first.board  # a screen that was here before, resuming from its last seq
    second.start()
    try:
        wait_until(lambda: second.read().windows["W03"].current is not None, "the missed call")
        assert second.read().windows["W03"].current.number == ticket["number"]
        assert second.board.snapshots == 1
    finally:
        second.stop()


def test_server_killed_and_restarted(client, server, hall):
    hall.sign_in("s001", "W01")
    wait_until(lambda: client.read().windows["W01"].status == "open", "signed in")
    server.kill()
    wait_until(lambda: client.stale, "stale after the server died")
    server.start()
    hall.pause("s001", "W01")
    wait_until(lambda: client.connected and client.read().windows["W01"].status == "paused", "the state after restart")
    assert not client.stale


def test_the_app_tells_systemd_it_is_ready_and_alive(server, displays, tmp_path: Path):
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(60)
    try:
        displays(server, "window", 800, 250, window="W01",
                 env={"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "1000000"})
        messages = []
        while not any(m.startswith("WATCHDOG=1") for m in messages):
            messages.append(sock.recv(4096).decode())
        assert messages[0].startswith("READY=1")
    finally:
        sock.close()
