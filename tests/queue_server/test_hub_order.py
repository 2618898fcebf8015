"""The PostgreSQL hub's ordering rules without a database: its snapshot read is replaced by an
in-memory events table, the writer by a function call. Events reach subscribers once, in seq
order, whichever way they arrive (own commits, notifications, reads), never ahead of the view;
events pruned before they could be read restart the streams instead of a jump in seq."""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

from queue_server.events.hub import Encoded
from queue_server.events.postgres import PostgresHub

HALL = "h1"


class _State:
    def __init__(self, seq: int):
        self.seq = seq


class _Store:
    def __init__(self, seq: int):
        self.viewed = _State(seq)
        self._working: dict[str, Any] = {HALL: self.viewed}

    def view(self, _hall_id: str) -> _State:
        return self.viewed


class _Tx:
    def __init__(self) -> None:
        self.halls_touched: set[str] = set()


class _Writer:
    """Runs a job at once and publishes the touched halls' views, as a commit would."""

    def __init__(self, store: _Store):
        self.store = store

    def submit(self, fn: Any) -> concurrent.futures.Future:
        tx = _Tx()
        future: concurrent.futures.Future = concurrent.futures.Future()
        future.set_result(fn(tx))
        for hall_id in tx.halls_touched:
            self.store.viewed = self.store._working[hall_id]
        return future


class _Hall:
    id = HALL


class TableHub(PostgresHub):
    def __init__(self, table: dict[int, str], view_seq: int):
        self.store = _Store(view_seq)
        writer = _Writer(self.store)
        super().__init__(
            keep=1000, database_url="postgresql+psycopg://u@localhost/db", engine=None,  # type: ignore[arg-type]
            halls=[_Hall()], store=self.store, writer=lambda: writer,  # type: ignore[arg-type,list-item]
        )
        self.table = table  # seq → type: the events table as another process committed it
        self.reads = 0

    def _read(self, hall_id: str, after: int):  # type: ignore[no-untyped-def]
        self.reads += 1
        version = max(self.table, default=0)
        rows = [(seq, self.table[seq], {}, None) for seq in sorted(self.table) if seq > after]
        state = _State(version) if version > self.store.view(hall_id).seq else None
        return version, state, rows


class _Screen:
    def __init__(self) -> None:
        self.seqs: list[int] = []
        self.restarted = 0

    def deliver(self, event: Encoded) -> None:
        self.seqs.append(event.seq)

    def resync(self) -> None:
        self.restarted += 1


def _message(seq: int) -> dict[str, Any]:
    return {"type": "queue", "seq": seq, "queue": "A", "waiting": seq}


async def _settle(hub: TableHub) -> None:
    for _ in range(100):
        await asyncio.sleep(0.01)
        if not hub._catching:
            return


def _hub(table: dict[int, str], delivered: int, view_seq: int) -> tuple[TableHub, _Screen]:
    hub = TableHub(table, view_seq)
    hub.preload(HALL, [_message(s) for s in range(1, delivered + 1)])
    hub._listener = asyncio.get_running_loop().create_future()  # "listening"; nothing runs
    screen = _Screen()
    hub.subscribe(HALL, screen)
    return hub, screen


def test_own_events_after_a_gap_wait_for_the_other_process_events() -> None:
    async def run() -> None:
        # Another process committed 11 and 12; this one then committed 13 and 14.
        hub, screen = _hub({s: "queue" for s in range(1, 15)}, delivered=10, view_seq=14)
        hub.publish(HALL, [_message(13), _message(14)])
        assert screen.seqs == []  # not before 11 and 12
        await _settle(hub)
        assert screen.seqs == [11, 12, 13, 14]
        # The other process's notification arrives late: nothing twice, nothing read.
        reads = hub.reads
        hub._on_notify(f"{HALL} 11 12 otherprocess")
        hub.publish(HALL, [_message(14)])
        await _settle(hub)
        assert screen.seqs == [11, 12, 13, 14] and hub.reads == reads
        assert [e.seq for e in hub.replay_after(HALL, 10) or []] == [11, 12, 13, 14]

    asyncio.run(run())


def test_notifications_catch_up_with_the_state_first_and_ignore_own() -> None:
    async def run() -> None:
        hub, screen = _hub({s: "queue" for s in range(1, 13)}, delivered=10, view_seq=10)
        hub._on_notify(f"{HALL} 11 12 {hub.origin}")  # this process's own: ignored
        await _settle(hub)
        assert screen.seqs == [] and hub.reads == 0
        hub._on_notify(f"{HALL} 11 12 otherprocess")
        await _settle(hub)
        assert screen.seqs == [11, 12]
        assert hub.store.view(HALL).seq == 12  # the view moved on before the events went out
        hub._on_notify("garbage")
        hub._on_notify("unknown-hall 1 1 otherprocess")
        await _settle(hub)
        assert screen.seqs == [11, 12]

    asyncio.run(run())


def test_events_pruned_before_they_were_read_restart_the_streams() -> None:
    async def run() -> None:
        # Away for long: events up to 19 are pruned from the table; 20..25 remain.
        hub, screen = _hub({s: "queue" for s in range(20, 26)}, delivered=10, view_seq=25)
        hub._on_notify(f"{HALL} 25 25 otherprocess")
        await _settle(hub)
        assert screen.restarted == 1
        assert screen.seqs == [20, 21, 22, 23, 24, 25]
        assert hub.replay_after(HALL, 10) is None  # a screen resuming from before: a snapshot
        assert [e.seq for e in hub.replay_after(HALL, 22) or []] == [23, 24, 25]

    asyncio.run(run())
