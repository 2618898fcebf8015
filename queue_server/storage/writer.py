"""The single writer: every change goes through one thread that runs the jobs waiting at that
moment in one transaction (group commit). One fsync then acknowledges many requests, so
throughput comes from batching, not from weaker durability. A job's result is released only
after the commit; its events are published after the commit, in commit order.

Writes are batched too. A job's engine changes (`commit_change`) become rows in memory, applied
to the hall's working state at once; the batch writes all its jobs' rows with one executemany
per table just before the commit (tickets, windows, counters, events, hall versions). A job that
fails leaves no row behind: its rows are dropped and the halls it changed are reloaded from the
transaction. Jobs that use the connection themselves (`tx.conn`: audit rows, reservations,
identity sessions, …) get their own savepoint on first use, after the rows of the jobs before
them are written, so they read everything earlier jobs did and roll back alone. Should a batched
write itself fail, the whole transaction is rolled back and the batch runs again job by job,
each in its own savepoint with its rows written at once, so only the job at fault fails.

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

from sqlalchemy import Connection, Engine, NestedTransaction
from sqlalchemy.exc import SQLAlchemyError

from ..config import Config
from ..core.engine import Change, Event, HallState
from ..core.errors import CoreError
from . import repository

log = logging.getLogger("queue_server.writer")
T = TypeVar("T")

# Run inside the batch's transaction after its rows are written, with the batch's events by
# hall (PostgreSQL: the NOTIFY that tells the other server processes).
BeforeCommit = Callable[[Connection, dict[str, list[Event]]], None]


class StorageUnavailable(Exception):
    """The database refused the commit (disk full, connection lost): nothing was acknowledged."""


class _BatchedWriteFailed(Exception):
    """A write of several jobs' rows failed: run the batch again, one savepoint per job."""


@dataclass
class _Batch:
    one_by_one: bool = False  # each job in its own savepoint, its rows written at once
    checked: set[str] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)
    events: dict[str, list[Event]] = field(default_factory=dict)
    pending: repository.PendingWrites = field(default_factory=repository.PendingWrites)
    before_commit: dict[BeforeCommit, None] = field(default_factory=dict)  # ordered set

    def write_pending(self, conn: Connection) -> None:
        try:
            self.pending.flush(conn)
        except Exception as exc:
            raise _BatchedWriteFailed(exc.__class__.__name__) from exc


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
            if hall_id in batch.pending.hall_ids:  # reloading after a failed job: rows first
                batch.write_pending(conn)
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
    """What a job sees: its hall states, `commit_change` for engine decisions and, for anything
    else, the connection inside the batch's transaction (`conn`)."""

    def __init__(self, conn: Connection, store: HallStore, batch: _Batch):
        self._conn = conn
        self._store = store
        self._batch = batch
        self.savepoint: NestedTransaction | None = conn.begin_nested() if batch.one_by_one else None
        self.pending = repository.PendingWrites()
        self.before_commit: dict[BeforeCommit, None] = {}
        self.events: list[tuple[str, Event]] = []
        self.halls_touched: set[str] = set()
        self.checked_in_savepoint: set[str] = set()  # their lock goes if the savepoint rolls back
        self.changed = False  # a hall's working state took one of this job's changes

    @property
    def conn(self) -> Connection:
        """The connection, in this job's own savepoint (opened on first use, after the rows of
        the jobs before it are written: what it reads includes them)."""
        if self.savepoint is None:
            self._batch.write_pending(self._conn)
            self.savepoint = self._conn.begin_nested()
            self.pending.flush(self._conn)
        return self._conn

    def hall(self, hall_id: str) -> HallState:
        self.halls_touched.add(hall_id)
        if self.savepoint is not None and hall_id not in self._batch.checked:
            self.checked_in_savepoint.add(hall_id)
        return self._store._for_write(self._conn, hall_id, self._batch)

    def commit_change(self, hall_id: str, change: Change, **persist_options: Any) -> Change:
        """Take an engine decision: its rows are written with the batch (or at once, inside
        this job's savepoint), and later jobs of this batch see it."""
        state = self.hall(hall_id)
        if change.empty:
            return change
        if self.savepoint is None:
            self.pending.add(state, change, **persist_options)
        else:
            repository.persist(self._conn, state, change, **persist_options)
        self.changed = True
        state.apply(change)
        self.events.extend((hall_id, event) for event in change.events)
        return change

    def run_before_commit(self, hook: BeforeCommit) -> None:
        """Have `hook` run once in this batch's transaction, after every row is written, if this
        job succeeds."""
        self.before_commit[hook] = None


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
        self.retries = 0  # batches run again job by job after a batched write failed

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
        try:
            try:
                batch, outcomes = self._attempt(jobs, _Batch())
            except _BatchedWriteFailed as exc:
                log.warning("a batched write failed (%s); running its %d jobs one by one", exc, len(jobs))
                self.retries += 1
                batch, outcomes = self._attempt(jobs, _Batch(one_by_one=True))
        except Exception as exc:  # the database refused the transaction: nothing was saved
            log.error("commit failed, %d requests refused: %s", len(jobs), exc.__class__.__name__)
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
        self._store._publish_views(batch.touched)
        if batch.events:
            self._on_commit(batch.events)
        for job, result, exc in outcomes:
            if exc is not None:
                job.future.set_exception(exc)
            else:
                job.future.set_result(result)

    def _attempt(
        self, jobs: list[_Job[Any]], batch: _Batch
    ) -> tuple[_Batch, list[tuple[_Job[Any], Any, BaseException | None]]]:
        """Run the jobs in one transaction and commit it. Raises _BatchedWriteFailed (rolled
        back) when rows of several jobs could not be written, SQLAlchemyError when the database
        refused the transaction; the halls' working states are then dropped (reloaded on next
        use)."""
        outcomes: list[tuple[_Job[Any], Any, BaseException | None]] = []
        try:
            conn = self._connection()
            with conn.begin():
                for job in jobs:
                    tx = WriteTx(conn, self._store, batch)
                    try:
                        result = job.fn(tx)
                        if tx.savepoint is not None:
                            tx.savepoint.commit()
                    except BaseException as exc:  # noqa: BLE001 - every failure goes to its caller
                        if isinstance(exc, _BatchedWriteFailed):
                            raise
                        if tx.savepoint is None and isinstance(exc, SQLAlchemyError):
                            # A read outside any savepoint failed: the transaction may be broken.
                            raise _BatchedWriteFailed(exc.__class__.__name__) from exc
                        if tx.savepoint is not None:
                            tx.savepoint.rollback()
                            # PostgreSQL drops a row lock taken inside a savepoint rolled back:
                            # the next job to use the hall locks (and checks) it again.
                            batch.checked -= tx.checked_in_savepoint
                        # A half-applied job may have left its halls' working state ahead of the
                        # database: reload them from this transaction on next use (its rows are
                        # dropped with it).
                        if tx.changed or not isinstance(exc, CoreError):
                            self._reload(conn, tx.halls_touched, batch)
                        outcomes.append((job, None, exc))
                        continue
                    batch.pending.absorb(tx.pending)
                    batch.before_commit.update(tx.before_commit)
                    batch.touched |= tx.halls_touched
                    for hall_id, event in tx.events:
                        batch.events.setdefault(hall_id, []).append(event)
                    outcomes.append((job, result, None))
                batch.write_pending(conn)
                for hook in batch.before_commit:
                    try:
                        hook(conn, batch.events)
                    except SQLAlchemyError as exc:
                        if batch.one_by_one:
                            raise
                        raise _BatchedWriteFailed(exc.__class__.__name__) from exc
        except BaseException:
            for hall_id in batch.touched | batch.checked:
                self._store._working.pop(hall_id, None)
            raise
        return batch, outcomes

    def _reload(self, conn: Connection, halls: set[str], batch: _Batch) -> None:
        """After a failed job: its halls' working states may be ahead of the database. Drop
        them; those that earlier jobs of this batch changed are read back at once (with those
        jobs' rows), so the view published after the commit shows what they did."""
        for hall_id in halls:
            self._store._discard(hall_id, batch)
            if hall_id in batch.touched:
                try:
                    self._store._for_write(conn, hall_id, batch)
                except SQLAlchemyError as exc:
                    if batch.one_by_one:
                        raise
                    raise _BatchedWriteFailed(exc.__class__.__name__) from exc

