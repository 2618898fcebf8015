"""The tracking stream's shared fan-out (CONTRACT §6): several phones on one ticket get the same
messages, each change once; a phone that leaves does not disturb the others; a ticket that leaves
the live state (finished) still gets its final message."""

from __future__ import annotations

import json

from websockets.sync.client import connect

from tests.support.api import HallClient


def _recv(ws, timeout: float = 5) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(ws.recv(timeout=timeout))


def _quiet(ws, seconds: float = 0.3) -> bool:  # type: ignore[no-untyped-def]
    try:
        ws.recv(timeout=seconds)
    except TimeoutError:
        return True
    return False


def _track_url(hall: HallClient, ticket: dict) -> str:
    return hall.server.ws_url + ticket["track_url"].replace("?", "/stream?")


def test_phones_on_one_ticket_share_its_messages(hall: HallClient) -> None:
    first = hall.issue("A")
    mine = hall.issue("A")
    other = hall.issue("A")
    with connect(_track_url(hall, mine)) as one, connect(_track_url(hall, mine)) as two, connect(
        _track_url(hall, other)
    ) as three:
        assert _recv(one) == _recv(two)
        assert _recv(three)["waiting_ahead"] == 2
        hall.call("W01", expect=200)
        moved_one, moved_two, moved_three = _recv(one), _recv(two), _recv(three)
        assert moved_one == moved_two and moved_one["waiting_ahead"] == 0
        assert moved_three["waiting_ahead"] == 1
        # An event that changes nothing for these tickets (someone joins behind) sends nothing.
        hall.issue("A")
        assert _quiet(one) and _quiet(three)
        two.close()  # one phone goes away; the other still follows
        hall.act(first["id"], "finish")
        hall.call("W01", expect=200)
        called = _recv(one)
        while called["status"] != "called":
            called = _recv(one)
        assert called["window"] == "W01" and called["number"] == mine["number"]
        hall.act(mine["id"], "finish")
        done = _recv(one)
        while done["status"] != "done":
            done = _recv(one)
        assert done["window"] is None and done["waiting_ahead"] == 0
    # A phone opening a finished ticket's stream gets its final state at once.
    with connect(_track_url(hall, mine)) as late:
        assert _recv(late)["status"] == "done"
