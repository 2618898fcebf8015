"""The running server's parts wired together: config, keys, databases, hall states, the single
writer and the event hub. Services take a `Runtime`; the HTTP layer holds one."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from .config import Config
from .core.engine import Event
from .core.numbering import service_day
from .events.hub import LocalHub, message_of
from .events.postgres import PostgresHub
from .security.keys import Keys
from .security.request_limits import RequestLimiter
from .storage import repository
from .storage.database import default_url, migrate, open_engine
from .storage.writer import HallStore, Writer, WriteTx

log = logging.getLogger("queue_server")
T = TypeVar("T")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Runtime:
    def __init__(
        self,
        config: Config,
        *,
        database_url: str | None = None,
        data_dir: Path | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ):
        self.config = config
        self.data_dir = data_dir or Path(os.environ.get("QUEUE_SERVER_DATA", "data")).resolve()
        self.database_url = database_url or default_url(self.data_dir)
        self.clock = clock
        self.request_limits = RequestLimiter(config.server.request_limits)
        key_path = Path(config.server.secret_key_file)
        if not key_path.is_absolute():
            key_path = self.data_dir / key_path
        self.keys = Keys.load_or_create(key_path)
        durability = config.server.durability
        self.write_engine: Engine = open_engine(self.database_url, durability=durability, writer=True)
        migrate(self.write_engine)
        self.read_engine: Engine = (
            open_engine(self.database_url, durability=durability, writer=False)
            if self.write_engine.dialect.name == "sqlite"
            else self.write_engine
        )
        self.store = HallStore(config)
        keep = max(1000, min(config.server.event_retention, 5000))
        self.hub: LocalHub
        self._announce: Callable[[Callable[[WriteTx], Any]], Callable[[WriteTx], Any]] | None = None
        if self.write_engine.dialect.name == "postgresql":
            # Several server processes may share this database: events go between them through
            # PostgreSQL's LISTEN/NOTIFY (events/postgres.py); started with the app.
            hub = PostgresHub(
                keep=keep, database_url=self.database_url, engine=self.read_engine, halls=config.halls,
                store=self.store, writer=lambda: self.writer,
            )
            self._announce = hub.announcing
            self.hub = hub
        else:
            self.hub = LocalHub(keep=keep)  # SQLite: one process
        self.loop: asyncio.AbstractEventLoop | None = None
        with self.write_engine.begin() as conn:
            self.store.load_all(conn, lambda hall: service_day(self.clock(), hall.zone))
            for hall in config.halls:
                events = repository.last_events(conn, hall.id, keep)
                self.hub.preload(hall.id, (message_of(seq, type_, data) for seq, type_, data, _ in events))
        self.writer = Writer(self.write_engine, self.store, self._after_commit)
        self.writer.start()

    # -- events --------------------------------------------------------------------------------
    def _after_commit(self, events: dict[str, list[Event]]) -> None:
        """Called on the writer thread right after a commit: hand the events to the loop in
        commit order (call_soon_threadsafe keeps FIFO order)."""
        loop = self.loop
        if loop is None or loop.is_closed():
            for hall_id, hall_events in events.items():
                self.hub.publish(hall_id, [e.message() for e in hall_events])
            return
        for hall_id, hall_events in events.items():
            loop.call_soon_threadsafe(self.hub.publish, hall_id, [e.message() for e in hall_events])

    # -- running jobs ----------------------------------------------------------------------------
    async def write(self, fn: Callable[[WriteTx], T]) -> T:
        if self._announce is not None:
            fn = self._announce(fn)  # its events are announced to the other processes on commit
        return await asyncio.wrap_future(self.writer.submit(fn))

    async def read(self, fn: Callable[[Connection], T]) -> T:
        def run() -> T:
            with self.read_engine.connect() as conn:
                return fn(conn)

        return await asyncio.to_thread(run)

    def now(self) -> dt.datetime:
        return self.clock()

    def close(self) -> None:
        self.writer.stop()
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()

