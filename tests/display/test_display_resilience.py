"""Screens against a real server that is killed, restarted and frozen; a hall of 100 windows; a
stream client that never reads."""

from __future__ import annotations

import base64
import os
import socket
import time
from pathlib import Path

import orjson
from display_support import DISPLAY_TOKEN, HALL, Hall, ServerProcess, artifact, write_hall_config
from PIL import Image, ImageChops
from websockets.sync.client import connect

from display import texts
from display.stream import StreamClient, StreamOptions

QUIET = {"highlight_seconds": 600, "page_seconds": 600}


def lost(state: dict) -> bool:
    return state["stale"] and state["status"].startswith("连接中断") and state["dimmed"]


def test_screens_recover_the_true_state_after_the_server_is_killed(server, hall, displays):
    hall_screen = displays(server, "hall", 1920, 1080, **QUIET)
    window_screen = displays(server, "window", 1280, 400, window="W01", **QUIET)
    first = hall.issue("A")
    hall.sign_in("s001", "W01")
    hall.call_next("s001", "W01")
    hall_screen.wait_for(lambda s: s["call"]["number"] == first["number"], "the first call")
    window_screen.wait_for(lambda s: s["number"] == first["number"], "the first call")
    seq_before = hall_screen.describe()["seq"]

    server.kill()  # SIGKILL: no close frames, the TCP connections just die
    hall_screen.wait_for(lost, "the connection-lost mark")
    state = window_screen.wait_for(lost, "the connection-lost mark")
    assert state["number"] == first["number"]  # still shown, but dimmed and marked

    server.start()
    # Right after the restart, before the screens are necessarily back: the state moves on.
    second = hall.issue("A")
    hall.act(first["id"], "finish", staff="s001")
    called = hall.call_next("s001", "W01")
    assert called["number"] == second["number"]
    hall.pause("s001", "W01")

    state = hall_screen.wait_for(
        lambda s: not s["stale"] and s["call"]["number"] == second["number"] and s["windows"][0]["state"] == "暂停服务",
        "the server's state after the restart",
    )
    assert state["status"] == "" and not state["dimmed"]
    assert state["seq"] > seq_before and state["connects"] >= 2
    assert state["snapshots"] == 1  # resumed with ?since=: the missed events were replayed
    state = window_screen.wait_for(lambda s: not s["stale"] and s["state"] == "暂停服务", "paused after the restart")
    assert second["number"] in state["footline"]


def hall_stream(server: ServerProcess):
    """A plain WebSocket client of the hall stream, as a display (its token in the header)."""
    return connect(
        f"ws://127.0.0.1:{server.port}/api/v1/halls/{HALL}/stream",
        additional_headers={"Authorization": f"Bearer {DISPLAY_TOKEN}"},
    )


def first_snapshot(ws) -> dict:
    snapshot = orjson.loads(ws.recv(timeout=10))
    assert snapshot["type"] == "snapshot"
    return snapshot


def server_truth(server: ServerProcess) -> dict:
    """What a hall screen must show, from a fresh snapshot of the hall stream (the server's own
    state, CONTRACT §7): every window's name, number and state, the queue counts, the newest call
    and the four before it."""
    with hall_stream(server) as ws:
        snapshot = first_snapshot(ws)
    windows = []
    for w in snapshot["windows"]:
        current = w.get("current")
        if w["status"] == "closed":
            number, state = "", texts.STATE_CLOSED
        elif w["status"] == "paused":
            number, state = (current["number"] if current else ""), texts.STATE_PAUSED
        elif current is None:
            number, state = "", texts.STATE_IDLE
        else:
            number = current["number"]
            state = texts.STATE_SERVING if current["status"] == "serving" else texts.STATE_CALLED
        windows.append({"name": w["name"], "number": number, "state": state})
    calls = [c["number"] for c in snapshot["recent_calls"]]
    return {
        "windows": windows,
        "queues": [f"{q['id']} {q['name']} {texts.WAITING_COUNT.format(count=q['waiting'])}" for q in snapshot["queues"]],
        "call": calls[0] if calls else "",
        "recent": calls[1:5],
    }


def shown(state: dict) -> dict:
    return {"windows": state["windows"], "queues": state["queues"], "call": state["call"]["number"],
            "recent": state["recent"]}


# Parts of a 1920x1080 hall screen that hold only the hall's state (left, top, right, bottom):
# not the clock, the notice (it scrolls) or the big call (highlighted when it arrived live).
PICTURE_PARTS = {
    "windows": (550, 180, 1895, 855),
    "recent calls": (20, 640, 515, 855),
    "queue counts": (0, 884, 1920, 990),
}


def same_pixels(a: Path, b: Path, box: tuple[int, int, int, int]) -> bool:
    with Image.open(a) as image_a, Image.open(b) as image_b:
        difference = ImageChops.difference(image_a.convert("RGB").crop(box), image_b.convert("RGB").crop(box))
        return difference.getbbox() is None


def test_hall_screen_shows_the_true_state_of_a_restarted_server(tmp_path, displays):
    """A hall of 20 windows; the server is SIGKILLed, restarted, and much changes at once (staff
    sign in, out, call, recall, pause, finish; tickets in every queue) before and while the screen
    comes back: it must end up showing exactly the server's state, live."""
    config = write_hall_config(tmp_path / "hall20.toml", windows=20, staff=12)
    server = ServerProcess(config, tmp_path / "data-20")
    server.start()
    hall = Hall(server)
    try:
        before = {}
        for i in (1, 2):
            hall.sign_in(f"s{i:03d}", f"W{i:02d}")
            hall.issue("ABCD"[i - 1])
            before[i] = hall.call_next(f"s{i:03d}", f"W{i:02d}")
        screen = displays(server, "hall", 1920, 1080, **QUIET)
        screen.wait_for(lambda s: s["connected"] and shown(s) == server_truth(server), "the hall before the restart")

        server.kill()
        state = screen.wait_for(lost, "the connection-lost mark")
        screen.screenshot("display-hall-1920x1080-lost.png")
        seq_before = state["seq"]

        server.start()
        # Windows W03..W12 open; tickets in every queue; calls, a recall, a pause, a sign-out.
        for i in range(3, 13):
            hall.sign_in(f"s{i:03d}", f"W{i:02d}")
        tickets = [hall.issue(q) for q in "ABCDK" for _ in range(3)]
        for i, ticket in before.items():
            hall.act(ticket["id"], "finish", staff=f"s{i:03d}")
        called = {}
        for i in range(1, 13):
            called[i] = hall.call_next(f"s{i:03d}", f"W{i:02d}")
        assert all(called.values()), "every open window found a ticket"
        hall.act(called[1]["id"], "finish", staff="s001")
        hall.act(called[3]["id"], "start", staff="s003")
        hall.pause("s004", "W04")
        hall.sign_out("s005", "W05")
        hall.act(called[6]["id"], "recall", staff="s006")
        truth = server_truth(server)
        assert truth["call"] == called[6]["number"] and len(tickets) == 15

        state = screen.wait_for(
            lambda s: not s["stale"] and s["connected"] and shown(s) == truth,
            "the server's true state after the restart",
        )
        assert state["status"] == "" and not state["dimmed"]
        assert state["seq"] > seq_before and state["connects"] >= 2
        assert state["call"]["heading"].startswith(texts.RECALL)  # the last change was a recall
        restarted = screen.screenshot("display-hall-1920x1080-after-restart.png")

        # The picture too, not only the labels: a screen started now, straight from a snapshot,
        # draws the same windows, queue counts and recent calls, pixel for pixel.
        fresh = displays(server, "hall", 1920, 1080, **QUIET)
        fresh.wait_for(lambda s: s["connected"] and shown(s) == truth, "the same state on a fresh screen")
        reference = fresh.screenshot("display-hall-1920x1080-fresh.png")
        for name, box in PICTURE_PARTS.items():
            assert same_pixels(restarted, reference, box), f"the restarted screen's {name} differ from a fresh screen's"

        # And it is live: the next change shows too.
        hall.resume("s004", "W04")
        truth = server_truth(server)
        assert truth["windows"][3]["state"] == texts.STATE_CALLED
        screen.wait_for(lambda s: shown(s) == truth, "the next change after the restart")
    finally:
        hall.close()
        server.stop()


def test_screen_marks_a_server_that_stops_answering_pings(server, hall, displays):
    screen = displays(server, "window", 1280, 400, window="W02", **QUIET)
    hall.sign_in("s002", "W02")
    ticket = hall.issue("B")
    hall.call_next("s002", "W02")
    screen.wait_for(lambda s: s["number"] == ticket["number"] and not s["stale"], "the call")
    server.freeze()  # SIGSTOP: the socket stays open, nothing answers
    try:
        state = screen.wait_for(lost, "the connection-lost mark while pings go unanswered")
        assert state["headline"] == "连接中断 · 正在重连" and state["number"] == ticket["number"]
        assert not state["highlighted"]  # red on red would hide the mark
        screen.screenshot("display-window-1280x400-lost.png")
    finally:
        server.thaw()
    hall.resume("s002", "W02")  # a no-op change is fine; then a real one
    hall.pause("s002", "W02")
    screen.wait_for(lambda s: not s["stale"] and s["state"] == "暂停服务", "the screen live again")


def test_a_hall_of_100_windows_pages_without_shrinking_text(tmp_path, displays):
    config = write_hall_config(tmp_path / "big.toml", windows=100, staff=12)
    server = ServerProcess(config, tmp_path / "data-big")
    server.start()
    hall = Hall(server)
    try:
        # Twelve staff at windows spread over the pages, some calling, one paused.
        for i in range(1, 13):
            window = f"W{(i - 1) * 8 + 1:03d}"
            hall.sign_in(f"s{i:03d}", window)
        for i in range(1, 13):
            queue = "ABCD"[((i - 1) * 8) % 4]
            hall.issue(queue)
        for i in range(1, 13):
            hall.call_next(f"s{i:03d}", f"W{(i - 1) * 8 + 1:03d}")
        hall.pause("s012", "W089")

        screen = displays(server, "hall", 1920, 1080, highlight_seconds=600, page_seconds=1.5)
        state = screen.wait_for(lambda s: s["connected"] and s["pages"] == 5, "five pages")
        assert state["grid"] == [4, 5]
        # Readable from 10 m: the numbers in the grid keep at least ~5 % of the screen height.
        assert state["window_font_px"]["number"] >= 0.05 * state["height"]
        assert state["window_font_px"]["name"] >= 0.02 * state["height"]
        seen_pages = {state["page"]}
        names = {w["name"] for w in state["windows"]}
        while len(seen_pages) < 5:
            state = screen.wait_for(lambda s, p=state["page"]: s["page"] != p, "the next page")
            seen_pages.add(state["page"])
            names.update(w["name"] for w in state["windows"])
        assert len(seen_pages) == 5
        assert len(names) == 100  # every window was on some page
        state = screen.request("page", n=4)
        assert [w["name"] for w in state["windows"]][-1] == "100号窗口"
        assert any(w["state"] == "暂停服务" for w in state["windows"])
        screen.request("screenshot", path=str(artifact("display-hall-1920x1080-100-windows-last.png")), page=4)
        screen.request("screenshot", path=str(artifact("display-hall-1920x1080-100-windows-first.png")), page=0)
    finally:
        hall.close()
        server.stop()


def _dead_client(port: int) -> socket.socket:
    """A WebSocket client that completes the handshake and then never reads a byte."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /api/v1/halls/{HALL}/stream?token={DISPLAY_TOKEN} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def test_a_client_that_never_reads_does_not_hold_up_the_others(server, hall, displays):
    dead = [_dead_client(server.port) for _ in range(3)]
    screen = displays(server, "hall", 1280, 720, **QUIET)
    try:
        with hall_stream(server) as live:
            seq = first_snapshot(live)["seq"]
            hall.sign_in("s001", "W01")
            rounds = 150
            numbers = []
            for _ in range(rounds):
                ticket = hall.issue("A")
                called = hall.call_next("s001", "W01")
                hall.act(called["id"], "finish", staff="s001")
                numbers.append(ticket["number"])
            calls = []
            while len(calls) < rounds:
                message = orjson.loads(live.recv(timeout=30))
                assert message["seq"] == seq + 1, "events arrive complete and in order"
                seq = message["seq"]
                if message["type"] == "call":
                    calls.append(message["number"])
            assert calls == numbers
        state = screen.wait_for(lambda s: s["call"]["number"] == numbers[-1], "the last call on the screen")
        assert state["seq"] >= seq
    finally:
        for sock in dead:
            sock.close()


def test_refused_token_is_reported_not_hammered(server):
    client = StreamClient(server.url, HALL, "wrong-token", options=StreamOptions(refused_backoff=60))
    client.start()
    try:
        deadline = time.monotonic() + 20
        while not client.last_error.startswith("refused") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.last_error.startswith("refused (4401)")
        assert not client.connected and not client.board.synced
    finally:
        client.stop()
