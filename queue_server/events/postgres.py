"""Events between server processes over one PostgreSQL, through its LISTEN/NOTIFY.

- Every group commit of the writer whose jobs produced events runs `SELECT pg_notify(
  'queue_server_events', '<hall> <first seq> <last seq> <origin>')` once per hall inside its
  transaction, after its rows are written: PostgreSQL delivers the notification only if, and
  when, that transaction commits. The payload stays small (NOTIFY's limit is 8000 bytes); the
  events themselves are read back from the events table.
- Every process LISTENs on a dedicated connection (psycopg's async connection, on the event
  loop). A notification from another process makes it catch up with that hall: in one
  REPEATABLE READ snapshot it reads the hall's version, its events after the last one delivered
  here and, when the snapshot is newer than this process's view, the hall's whole state; the
  state is handed to the writer (so the writer's working copy and the readers' view move on
  together), then the events are delivered to local subscribers. Own notifications are ignored:
  the writer publishes its own events right after its commit.
- Delivery is exactly once and in seq order: events arriving with a gap before them (this
  process committed seq 13 while another's 11 and 12 are still on their way) wait until the gap
  is read from the table. Events are never delivered ahead of the view, so a snapshot taken from
  the view and the events after it always join up.
- A lost listener connection is reopened (0.2 s, doubling up to 5 s); once listening again the
  process catches up every hall from the events table by the last seq it delivered. The
  connection is also checked with a query every `KEEPALIVE_S`, so a silently dead one is noticed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import psycopg
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from ..config import Hall
from ..core.engine import Event, HallState
from ..storage import repository
from ..storage.writer import HallStore, Writer, WriteTx
from .hub import Encoded, LocalHub, message_of

log = logging.getLogger("queue_server.hub")
T = TypeVar("T")

CHANNEL = "queue_server_events"
KEEPALIVE_S = 10.0
PAGE = 1000  # events read per query while catching up
RETRY_S = (0.2, 5.0)  # reconnect / re-read delays: first, longest
_NOTIFY = text("SELECT pg_notify(:channel, :payload)")
_SNAPSHOT = text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def libpq_url(database_url: str) -> str:
    """The SQLAlchemy URL (`postgresql+psycopg://…`) as psycopg takes it."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresHub(LocalHub):
    def __init__(
        self,
        *,
        keep: int,
        database_url: str,
        engine: Engine,
        halls: Iterable[Hall],
        store: HallStore,
        writer: Callable[[], Writer],
    ):
        super().__init__(keep)
        self._dsn = libpq_url(database_url)
        self._engine = engine
        self._halls = {hall.id: hall for hall in halls}
        self._store = store
        self._writer = writer  # the runtime's writer (created after the hub)
        self.origin = uuid.uuid4().hex[:12]  # tells this process's own notifications apart
        self.application_name = f"queue_server listener {os.getpid()}"
        self._pending: dict[str, dict[int, Encoded]] = {}  # arrived with a gap before them
        self._target: dict[str, int] = {}  # the newest seq known committed, per hall
        self._catching: dict[str, asyncio.Task[None]] = {}
        self._listener: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()  # set while the LISTEN connection is up (tests, logs)

    # -- announcing (on the writer thread, inside the batch's transaction) ------------------------
    def announcing(self, fn: Callable[[WriteTx], T]) -> Callable[[WriteTx], T]:
        """Wrap a write job: when it produced events, its batch notifies their halls and seq
        ranges before committing (once per batch and hall, however many jobs). A job that fails
        announces nothing; a batch that rolls back, nothing at all."""

        def job(tx: WriteTx) -> T:
            result = fn(tx)
            if tx.events:
                tx.run_before_commit(self._announce)
            return result

        return job

    def _announce(self, conn: Connection, events: dict[str, list[Event]]) -> None:
        for hall_id, hall_events in events.items():
            if hall_events:
                payload = f"{hall_id} {hall_events[0].seq} {hall_events[-1].seq} {self.origin}"
                conn.execute(_NOTIFY, {"channel": CHANNEL, "payload": payload})

    # -- delivering (on the event loop) ----------------------------------------------------------
    def publish(self, hall_id: str, messages: Iterable[dict[str, Any]]) -> None:
        """This process's own events, right after its commit (or events read back)."""
        last = self.last_seq(hall_id)
        pending = self._pending.setdefault(hall_id, {})
        for message in messages:
            if message["seq"] > last and message["seq"] not in pending:
                pending[message["seq"]] = Encoded.of(message)
        self._drain(hall_id)
        if pending:  # another process's events come first: read them
            self._want(hall_id, max(pending))

    def _drain(self, hall_id: str) -> None:
        pending = self._pending.get(hall_id)
        while pending:
            event = pending.pop(self.last_seq(hall_id) + 1, None)
            if event is None:
                return
            self._deliver(hall_id, event)

    def _want(self, hall_id: str, seq: int) -> None:
        """Make sure every event of the hall up to `seq` gets delivered here."""
        if hall_id not in self._halls:
            return
        self._target[hall_id] = max(seq, self._target.get(hall_id, 0))
        if self._target[hall_id] > self.last_seq(hall_id) and hall_id not in self._catching and self._listener:
            self._catching[hall_id] = asyncio.get_running_loop().create_task(self._catch_up(hall_id))

    async def _catch_up(self, hall_id: str) -> None:
        delay = RETRY_S[0]
        try:
            while self._target[hall_id] > self.last_seq(hall_id):
                after = self.last_seq(hall_id)
                try:
                    version, state, rows = await asyncio.to_thread(self._read, hall_id, after)
                    if state is not None:
                        await asyncio.wrap_future(self._writer().submit(lambda tx, state=state: self._adopt(tx, hall_id, state)))
                except Exception as exc:  # the database is away: try again, nothing is lost
                    log.warning("hall %s: catching up failed (%s); retrying", hall_id, exc.__class__.__name__)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, RETRY_S[1])
                    continue
                self._target[hall_id] = max(self._target[hall_id], version)
                held_back = self._take(hall_id, rows)
                if self.last_seq(hall_id) > after:
                    delay = RETRY_S[0]
                elif held_back:  # the view did not move on (its batch failed): read again
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, RETRY_S[1])
                else:
                    self._skip_gap(hall_id)
        finally:
            self._catching.pop(hall_id, None)

    def _read(self, hall_id: str, after: int) -> tuple[int, HallState | None, list[tuple[int, str, dict, Any]]]:
        """One consistent snapshot: the hall's version, its events after `after` (a page) and,
        when the snapshot is newer than the view, its state."""
        with self._engine.connect() as conn:
            with conn.begin():
                conn.execute(_SNAPSHOT)
                found = repository.hall_version(conn, hall_id, lock=False)
                version = found[0] if found else 0
                rows = repository.events_since(conn, hall_id, after, PAGE)
                state = None
                if version > self._store.view(hall_id).seq:
                    state = repository.load_hall_state(conn, self._halls[hall_id])
        return version, state, rows

    def _adopt(self, tx: WriteTx, hall_id: str, state: HallState) -> None:
        """On the writer thread: take a state read from a snapshot when it is newer than the
        writer's working copy (which may hold this batch's uncommitted changes: then it is
        newer). Its view is published with the batch's commit. A later write still locks the
        hall and reloads if the hall moved on since the snapshot."""
        working = self._store._working.get(hall_id)
        if working is None or working.seq < state.seq:
            self._store._working[hall_id] = state
            tx.halls_touched.add(hall_id)

    def _take(self, hall_id: str, rows: list[tuple[int, str, dict, Any]]) -> bool:
        """Deliver what was read, in order; True when some of it waits for the view to catch
        up (events are never delivered ahead of the view)."""
        last = self.last_seq(hall_id)
        view_seq = self._store.view(hall_id).seq
        pending = self._pending.setdefault(hall_id, {})
        for seq, type_, data, _ in rows:
            if last < seq <= view_seq:
                pending.setdefault(seq, Encoded.of(message_of(seq, type_, data)))
        self._drain(hall_id)
        return bool(rows) and rows[-1][0] > view_seq

    def _skip_gap(self, hall_id: str) -> None:
        """A read that moved nothing on: the events before what is pending were pruned before
        this process could read them (its listener was away for longer than the events kept).
        Start the hall's streams again rather than deliver a jump in seq."""
        pending = self._pending.get(hall_id)
        if pending:
            self.restart(hall_id)
            self._last[hall_id] = min(pending) - 1
            self._drain(hall_id)
        else:  # nothing to read up to the target: wait for the next notification
            log.debug("hall %s: nothing to read after %d", hall_id, self.last_seq(hall_id))
            self._target[hall_id] = self.last_seq(hall_id)

    def _on_notify(self, payload: str) -> None:
        parts = payload.split()
        if len(parts) != 4 or parts[3] == self.origin or not parts[2].isdigit():
            return  # malformed, or this process's own (already published after its commit)
        self._want(parts[0], int(parts[2]))

    async def sync(self, hall_id: str) -> None:
        """Return once every event of the hall committed so far is delivered here (and the view
        is at least that new); at most a few seconds."""
        if self._listener is None or hall_id not in self._halls:
            return
        found = await asyncio.to_thread(self._version, hall_id)
        self._want(hall_id, found)
        task = self._catching.get(hall_id)
        if task is not None:
            await asyncio.wait({task}, timeout=5)

    def _version(self, hall_id: str) -> int:
        with self._engine.connect() as conn:
            found = repository.hall_version(conn, hall_id, lock=False)
        return found[0] if found else 0

    # -- listening ---------------------------------------------------------------------------------
    def start(self) -> None:
        self._listener = asyncio.get_running_loop().create_task(self._listen())

    async def stop(self) -> None:
        tasks = [t for t in (self._listener, *self._catching.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._listener = None

    async def _listen(self) -> None:
        delay = RETRY_S[0]
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._dsn, autocommit=True, application_name=self.application_name
                ) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    # Whatever committed while nobody here listened (at start, or while the
                    # connection was down): LISTEN first, then read, so nothing falls between.
                    cursor = await conn.execute("SELECT hall_id, last_seq FROM hall_state")
                    for hall_id, last_seq in await cursor.fetchall():
                        self._want(hall_id, last_seq)
                    self.listening.set()
                    delay = RETRY_S[0]
                    while True:
                        async for notification in conn.notifies(timeout=KEEPALIVE_S):
                            self._on_notify(notification.payload)
                        await conn.execute("SELECT 1")  # quiet for a while: is it still there?
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # psycopg.Error, OSError: reconnect and catch up
                level = logging.WARNING if self.listening.is_set() else logging.DEBUG
                log.log(level, "event listener connection lost (%s); reconnecting", exc.__class__.__name__)
            self.listening.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_S[1])
