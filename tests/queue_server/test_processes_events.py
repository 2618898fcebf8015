"""Two server processes over one PostgreSQL: events committed through one reach the hall streams,
tracking streams and reads of the other (LISTEN/NOTIFY, events read back by seq), in order and
once; a killed listener connection is recovered without losing an event; `since` resumes on
either process."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from websockets.sync.client import connect

from tests.queue_server.streams import quiet, recv, track_stream_url
from tests.support.api import HallClient
from tests.support.halls import hall_toml
from tests.support.servers import ServerProcess

HALLS = ["pa", "pb", "pc", "pd"]


@dataclass
class Pair:
    a: ServerProcess
    b: ServerProcess
    database: str
    unused: Iterator[str] = iter(())

    def libpq(self) -> str:
        return self.database.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, postgres) -> Iterator[Pair]:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("two-processes")
    config = root / "halls.toml"
    # One secret key for both, as a city's processes share it: tracking links work on either.
    server = f'[server]\nsecret_key_file = "{root / "secret.key"}"\n'
    config.write_text(server + "".join(hall_toml(h) for h in HALLS), encoding="utf-8")
    database = postgres.create_database()
    a = ServerProcess(config=config, data_dir=root / "a", database_url=database).start()
    b = ServerProcess(config=config, data_dir=root / "b", database_url=database).start()
    try:
        yield Pair(a, b, database, iter(HALLS))
    finally:
        a.stop()
        b.stop()


@pytest.fixture
def halls(pair: Pair) -> Iterator[tuple[HallClient, HallClient]]:
    hall = next(pair.unused)  # a hall of its own for each test
    a, b = HallClient(pair.a, hall), HallClient(pair.b, hall)
    try:
        yield a, b
    finally:
        a.close()
        b.close()



def _until(ws, predicate) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every message up to and including the first that satisfies `predicate`."""
    seen = []
    for _ in range(500):
        seen.append(recv(ws))
        if predicate(seen[-1]):
            return seen
    raise AssertionError("expected message not seen")



def _consecutive(events: list[dict], after: int) -> None:
    assert [e["seq"] for e in events] == list(range(after + 1, after + 1 + len(events)))


def _pause_event(window: str):  # type: ignore[no-untyped-def]
    return lambda m: m["type"] == "window" and m["window"] == window and m["status"] == "paused"



def test_calls_through_a_reach_streams_and_reads_on_b(halls: tuple[HallClient, HallClient]) -> None:
    a, b = halls
    with connect(b.stream_url()) as screen_b, connect(a.stream_url()) as screen_a:
        start = recv(screen_b)["seq"]
        assert recv(screen_a)["seq"] == start
        first = a.issue("A")
        mine = a.issue("A")
        # The phone of a ticket just issued through A opens its stream on B.
        assert b.http.get(mine["track_url"]).json()["waiting_ahead"] == 1
        with connect(track_stream_url(b, mine)) as phone:
            assert recv(phone)["waiting_ahead"] == 1
            called = a.call("W01", expect=200).json()
            assert called["number"] == first["number"]
            assert recv(phone)["waiting_ahead"] == 0
            a.act(first["id"], "finish")
            a.call("W01", expect=200)
            at_window = _until(phone, lambda m: m["status"] == "called")[-1]
            assert at_window["window"] == "W01" and at_window["window_name"] == "1号窗口"
            a.act(mine["id"], "recall")
            assert _until(phone, lambda m: m["recalls"] == 1)[-1]["status"] == "called"
        a.http.post(a.path("/windows/W01/pause"), headers=a.staff())
        on_b = _until(screen_b, _pause_event("W01"))
        on_a = _until(screen_a, _pause_event("W01"))
        assert on_b == on_a  # the same events, same seqs, same content
        _consecutive(on_b, start)
        calls = [m for m in on_b if m["type"] == "call"]
        assert [(c["number"], c["recall"]) for c in calls] == [
            (first["number"], False), (mine["number"], False), (mine["number"], True)
        ]
        assert quiet(screen_b)  # nothing twice
        # Reads on B reflect A's writes.
        assert b.queues()["A"]["waiting"] == 0
        assert b.ticket(mine["id"])["status"] == "called"
        window = b.http.get(b.path("/windows/W01"), headers=b.display).json()
        assert window["paused"] is True and window["current"]["number"] == mine["number"]
    with connect(b.stream_url()) as late:
        snapshot = recv(late)
        assert snapshot["seq"] == on_b[-1]["seq"]
        assert [c["number"] for c in snapshot["recent_calls"]] == [mine["number"], first["number"]]


def test_writes_through_both_processes_interleave_in_one_order(halls: tuple[HallClient, HallClient]) -> None:
    a, b = halls
    with connect(b.stream_url()) as screen_b, connect(a.stream_url()) as screen_a:
        start = recv(screen_b)["seq"]
        assert recv(screen_a)["seq"] == start
        numbers: list[str] = []
        lock = threading.Lock()

        def issue(client: HallClient, queue: str) -> None:
            for _ in range(15):
                ticket = client.issue(queue)
                with lock:
                    numbers.append(ticket["number"])

        workers = [threading.Thread(target=issue, args=args) for args in ((a, "A"), (b, "A"), (a, "B"), (b, "C"))]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert len(set(numbers)) == 60
        on_b = [recv(screen_b) for _ in range(60)]
        on_a = [recv(screen_a) for _ in range(60)]
        assert on_a == on_b
        _consecutive(on_b, start)
        assert [m["waiting"] for m in on_b if m["queue"] == "A"] == list(range(1, 31))
        assert quiet(screen_a) and quiet(screen_b)
        assert {q: v["waiting"] for q, v in b.queues().items()} == {"A": 30, "B": 15, "C": 15}
        assert {q: v["waiting"] for q, v in a.queues().items()} == {"A": 30, "B": 15, "C": 15}


def _listener_pid(pair: Pair, server: ServerProcess) -> int | None:
    assert server.process is not None
    with psycopg.connect(pair.libpq(), autocommit=True) as conn:
        row = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
            (f"queue_server listener {server.process.pid}",),
        ).fetchone()
    return row[0] if row else None


def test_lost_listener_connection_loses_no_event(pair: Pair, halls: tuple[HallClient, HallClient]) -> None:
    a, b = halls
    before = _listener_pid(pair, pair.b)
    assert before is not None
    with connect(b.stream_url()) as screen_b:
        start = recv(screen_b)["seq"]
        with psycopg.connect(pair.libpq(), autocommit=True) as conn:
            assert conn.execute("SELECT pg_terminate_backend(%s)", (before,)).fetchone() == (True,)
        # Written while B's listener is away: through A, and through B itself (whose own events
        # then come after a gap it must fill from the table).
        tickets = [a.issue("A") for _ in range(5)]
        tickets.append(b.issue("A"))
        tickets += [a.issue("B") for _ in range(3)]
        a.call("W01", expect=200)
        a.http.post(a.path("/windows/W01/pause"), headers=a.staff())
        events = _until(screen_b, _pause_event("W01"))
        _consecutive(events, start)
        assert [m["waiting"] for m in events if m["type"] == "queue" and m["queue"] == "A"][:6] == [1, 2, 3, 4, 5, 6]
        assert quiet(screen_b)
        deadline = time.monotonic() + 10
        while _listener_pid(pair, pair.b) in (None, before):
            assert time.monotonic() < deadline, "B did not listen again"
            time.sleep(0.1)
        # Listening again: live events keep coming.
        a.http.post(a.path("/windows/W01/resume"), headers=a.staff())
        resumed = recv(screen_b)
        assert resumed["type"] == "window" and resumed["status"] == "open"
        assert resumed["seq"] == events[-1]["seq"] + 1
    assert len({t["number"] for t in tickets}) == 9


def test_since_resumes_on_either_process(halls: tuple[HallClient, HallClient]) -> None:
    a, b = halls
    with connect(a.stream_url()) as screen:
        start = recv(screen)["seq"]
        a.issue("A")
        b.issue("B")
        seen = [recv(screen), recv(screen)]
    _consecutive(seen, start)
    # Missed while away, written through both processes.
    b.issue("C")
    a.issue("A")
    b.issue("A")
    missed = None
    for server in (b, a):
        with connect(server.stream_url(since=seen[-1]["seq"])) as screen:
            replay = [recv(screen) for _ in range(3)]
            assert quiet(screen, 0.3)
        _consecutive(replay, seen[-1]["seq"])
        assert [m["queue"] for m in replay] == ["C", "A", "A"]
        assert missed is None or replay == missed
        missed = replay
    # From further back too, on B; and a `since` one past the newest comes right after B's
    # latest write through A (B catches up before answering).
    with connect(b.stream_url(since=start)) as screen:
        assert [recv(screen) for _ in range(5)] == seen + missed
    a.issue("B")
    newest = missed[-1]["seq"] + 1  # type: ignore[index]
    with connect(b.stream_url(since=newest)) as screen:
        assert quiet(screen, 0.3)  # no snapshot, nothing missed
        b.issue("C")
        assert recv(screen)["seq"] == newest + 1
