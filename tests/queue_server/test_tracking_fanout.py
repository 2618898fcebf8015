"""The tracking stream's shared fan-out (CONTRACT §6): several phones on one ticket get the same
messages, each change once; a phone that leaves does not disturb the others; a ticket that leaves
the live state (finished) still gets its final message."""

from __future__ import annotations

from websockets.sync.client import connect

from tests.queue_server.streams import quiet, recv, track_stream_url
from tests.support.api import HallClient


def test_phones_on_one_ticket_share_its_messages(hall: HallClient) -> None:
    first = hall.issue("A")
    mine = hall.issue("A")
    other = hall.issue("A")
    with connect(track_stream_url(hall, mine)) as one, connect(track_stream_url(hall, mine)) as two, connect(
        track_stream_url(hall, other)
    ) as three:
        assert recv(one) == recv(two)
        assert recv(three)["waiting_ahead"] == 2
        hall.call("W01", expect=200)
        moved_one, moved_two, moved_three = recv(one), recv(two), recv(three)
        assert moved_one == moved_two and moved_one["waiting_ahead"] == 0
        assert moved_three["waiting_ahead"] == 1
        # An event that changes nothing for these tickets (someone joins behind) sends nothing.
        hall.issue("A")
        assert quiet(one) and quiet(three)
        two.close()  # one phone goes away; the other still follows
        hall.act(first["id"], "finish")
        hall.call("W01", expect=200)
        called = recv(one)
        while called["status"] != "called":
            called = recv(one)
        assert called["window"] == "W01" and called["number"] == mine["number"]
        hall.act(mine["id"], "finish")
        done = recv(one)
        while done["status"] != "done":
            done = recv(one)
        assert done["window"] is None and done["waiting_ahead"] == 0
    # A phone opening a finished ticket's stream gets its final state at once.
    with connect(track_stream_url(hall, mine)) as late:
        assert recv(late)["status"] == "done"
