"""The single writer: every change goes through one thread that runs the jobs waiting at that
moment in one transaction (group commit), each job inside its own savepoint. One fsync then
acknowledges many requests, so throughput comes from batching, not from weaker durability.
A job's result is released only after the commit; its events are published after the commit, in
commit order.

Hall states live here too: the writer's working copy (which sees the jobs earlier in the same
batch) and, for readers, a copy taken after each commit (`HallStore.view`).
"""

from __future__ import annotations

import concurrent.futures
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from ..config import Config
from ..core.engine import Change, Event, HallState
from ..core.errors import CoreError
from ..core.numbering import service_day
from . import repository

log = logging.getLogger("queue_server.writer")
T = TypeVar("T")


class StorageUnavailable(Exception):
    """The database refused the commit (disk full, connection lost): nothing was acknowledged."""


@dataclass
class _Batch:
    checked: set[str] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)
    events: dict[str, list[Event]] = field(default_factory=dict)


class HallStore:
    def __init__(self, config: Config):
        self.config = config
        self._working: dict[str, HallState] = {}
        self._views: dict[str, HallState] = {}

    def view(self, hall_id: str) -> HallState:
        """The committed state for readers (replaced wholesale after each commit)."""
        return self._views[hall_id]

    def has(self, hall_id: str) -> bool:
        return hall_id in self._views

    def load_all(self, conn: Connection, today: Callable[[Any], Any]) -> None:
        for hall in self.config.halls:
            repository.ensure_hall(conn, hall, today(hall))
            state = repository.load_hall_state(conn, hall)
            self._working[hall.id] = state
            self._views[hall.id] = state.clone()

    def _for_write(self, conn: Connection, hall_id: str, batch: _Batch) -> HallState:
        state = self._working.get(hall_id)
        if hall_id not in batch.checked:
            # Lock the hall (PostgreSQL) and reload when another process wrote since we looked.
            version = repository.hall_version(conn, hall_id, lock=True)
            if state is None or version != (state.seq, state.service_day):
                hall = self.config.hall(hall_id)
                assert hall is not None
                state = repository.load_hall_state(conn, hall)
                self._working[hall_id] = state
            batch.checked.add(hall_id)
        assert state is not None
        return state

    def _discard(self, hall_id: str, batch: _Batch) -> None:
        self._working.pop(hall_id, None)
        batch.checked.discard(hall_id)

    def _publish_views(self, halls: set[str]) -> None:
        for hall_id in halls:
            state = self._working.get(hall_id)
            if state is not None:
                self._views[hall_id] = state.clone()


class WriteTx:
    """What a job sees: the connection inside the batch's transaction and its hall states."""

    def __init__(self, conn: Connection, store: HallStore, batch: _Batch):
        self.conn = conn
        self._store = store
        self._batch = batch
        self.events: list[tuple[str, Event]] = []
        self.halls_touched: set[str] = set()

    def hall(self, hall_id: str) -> HallState:
        self.halls_touched.add(hall_id)
        return self._store._for_write(self.conn, hall_id, self._batch)

    def commit_change(self, hall_id: str, change: Change, **persist_options: Any) -> Change:
        """Write an engine decision and make it visible to later jobs of this batch."""
        state = self.hall(hall_id)
        if change.empty:
            return change
        repository.persist(self.conn, state, change, **persist_options)
        state.apply(change)
        self.events.extend((hall_id, event) for event in change.events)
        return change


@dataclass
class _Job(Generic[T]):
    fn: Callable[[WriteTx], T]
    future: concurrent.futures.Future[T]


class Writer:
    def __init__(
        self,
        engine: Engine,
        store: HallStore,
        on_commit: Callable[[dict[str, list[Event]]], None],
        *,
        batch_max: int = 256,
    ):
        self._engine = engine
        self._store = store
        self._on_commit = on_commit
        self._batch_max = batch_max
        self._jobs: queue.SimpleQueue[_Job[Any] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="db-writer", daemon=True)
        self._conn: Connection | None = None
        self.batches = 0
        self.jobs_done = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=10)
        if self._conn is not None:
            self._conn.close()

    def submit(self, fn: Callable[[WriteTx], T]) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._jobs.put(_Job(fn, future))
        return future

    def run_sync(self, fn: Callable[[WriteTx], T], timeout: float = 30) -> T:
        return self.submit(fn).result(timeout)

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            batch = [job]
            stop = False
            while len(batch) < self._batch_max:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._run_batch(batch)
            if stop:
                return

    def _connection(self) -> Connection:
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = self._engine.connect()
        return self._conn

    def _run_batch(self, jobs: list[_Job[Any]]) -> None:
        batch = _Batch()
        outcomes: list[tuple[_Job[Any], Any, BaseException | None]] = []
        try:
            conn = self._connection()
            with conn.begin():
                for job in jobs:
                    tx = WriteTx(conn, self._store, batch)
                    savepoint = conn.begin_nested()
                    try:
                        result = job.fn(tx)
                        savepoint.commit()
                    except BaseException as exc:  # noqa: BLE001 - every failure goes to its caller
                        savepoint.rollback()
                        # A half-applied job may have left its halls' working state ahead of the
                        # database: reload them from this transaction on next use.
                        for hall_id in tx.halls_touched:
                            if tx.events or not isinstance(exc, CoreError):
                                self._store._discard(hall_id, batch)
                        outcomes.append((job, None, exc))
                        continue
                    batch.touched |= tx.halls_touched
                    for hall_id, event in tx.events:
                        batch.events.setdefault(hall_id, []).append(event)
                    outcomes.append((job, result, None))
        except SQLAlchemyError as exc:
            log.error("commit failed, %d requests refused: %s", len(jobs), exc.__class__.__name__)
            for hall_id in batch.touched | batch.checked:
                self._store._working.pop(hall_id, None)
            if self._conn is not None:
                try:
                    self._conn.close()
                finally:
                    self._conn = None
            error = StorageUnavailable("the database did not accept the change; nothing was saved")
            for job in jobs:
                if not job.future.done():
                    job.future.set_exception(error)
            return
        self.batches += 1
        self.jobs_done += len(jobs)
        self._store._publish_views(batch.touched)
        if batch.events:
            self._on_commit(batch.events)
        for job, result, exc in outcomes:
            if exc is not None:
                job.future.set_exception(exc)
            else:
                job.future.set_result(result)


def today_of(now_fn: Callable[[], Any]) -> Callable[[Any], Any]:
    return lambda hall: service_day(now_fn(), hall.zone)
