"""The in-process event hub: per hall, a replay buffer of the latest events and the live
subscribers. It runs on the event loop; the writer hands it committed events in commit order.

`EventHub` is the seam for several processes: `events/postgres.py`'s `PostgresHub` (used when
the database is PostgreSQL) also feeds `publish` with the events other processes committed,
announced through PostgreSQL LISTEN/NOTIFY and read back from the events table.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from .frames import text_frame

log = logging.getLogger("queue_server.hub")


def message_of(seq: int, type_: str, data: dict[str, Any]) -> dict[str, Any]:
    """A stored event (a row of the events table) as the stream sends it."""
    return {"type": type_, "seq": seq, **data}


@dataclass(frozen=True, slots=True)
class Encoded:
    seq: int
    text: str
    frame: bytes
    message: dict[str, Any]

    @classmethod
    def of(cls, message: dict[str, Any]) -> Encoded:
        payload = orjson.dumps(message)
        return cls(message["seq"], payload.decode("utf-8"), text_frame(payload), message)


class Subscriber(Protocol):
    """`deliver` gets every event once, in seq order. A subscriber may also have `resync()`:
    called when events were lost for good (see `LocalHub.restart`) instead of a jump in seq."""

    def deliver(self, event: Encoded) -> None: ...


class EventHub(Protocol):
    def publish(self, hall_id: str, messages: Iterable[dict[str, Any]]) -> None: ...
    def replay_after(self, hall_id: str, seq: int) -> list[Encoded] | None: ...
    def subscribe(self, hall_id: str, subscriber: Subscriber) -> Callable[[], None]: ...
    def last_seq(self, hall_id: str) -> int: ...
    async def sync(self, hall_id: str) -> None: ...
    def start(self) -> None: ...
    async def stop(self) -> None: ...


class LocalHub:
    def __init__(self, keep: int = 1000):
        self._keep = keep
        self._buffers: dict[str, deque[Encoded]] = {}
        self._subscribers: dict[str, set[Subscriber]] = {}
        self._last: dict[str, int] = {}  # the last seq delivered, per hall

    @property
    def keep(self) -> int:
        return self._keep

    def preload(self, hall_id: str, messages: Iterable[dict[str, Any]]) -> None:
        buffer = self._buffers.setdefault(hall_id, deque(maxlen=self._keep))
        for message in messages:
            buffer.append(Encoded.of(message))
        if buffer:
            self._last[hall_id] = buffer[-1].seq

    def last_seq(self, hall_id: str) -> int:
        return self._last.get(hall_id, 0)

    def publish(self, hall_id: str, messages: Iterable[dict[str, Any]]) -> None:
        for message in messages:
            if message["seq"] > self.last_seq(hall_id):  # else already seen
                self._deliver(hall_id, Encoded.of(message))  # encoded once for every subscriber

    def _deliver(self, hall_id: str, encoded: Encoded) -> None:
        self._buffers.setdefault(hall_id, deque(maxlen=self._keep)).append(encoded)
        self._last[hall_id] = encoded.seq
        subscribers = self._subscribers.get(hall_id, set())
        for subscriber in tuple(subscribers):
            try:
                subscriber.deliver(encoded)
            except Exception:  # one broken client never stops the others
                log.exception("subscriber failed; dropping it")
                subscribers.discard(subscriber)

    def restart(self, hall_id: str) -> None:
        """Events before the next one are lost for good (a process that could not read them
        before they were pruned): forget the replay buffer, so a `since` from before gets a
        snapshot, and tell subscribers that can start again (hall streams) to do so."""
        log.warning("hall %s: events lost between processes; streams start again", hall_id)
        self._buffers.pop(hall_id, None)
        for subscriber in tuple(self._subscribers.get(hall_id, ())):
            resync = getattr(subscriber, "resync", None)
            if resync is not None:
                resync()

    def replay_after(self, hall_id: str, seq: int) -> list[Encoded] | None:
        """Every event after `seq` when the buffer still holds them all; None otherwise."""
        last = self.last_seq(hall_id)
        if seq == last:
            return []
        buffer = self._buffers.get(hall_id)
        if seq > last or not buffer or seq < buffer[0].seq - 1:
            return None
        return [e for e in buffer if e.seq > seq]

    def subscribe(self, hall_id: str, subscriber: Subscriber) -> Callable[[], None]:
        subscribers = self._subscribers.setdefault(hall_id, set())
        subscribers.add(subscriber)
        return lambda: subscribers.discard(subscriber)

    # One process has nothing to listen to or catch up with.
    def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def sync(self, hall_id: str) -> None:
        """Return once every event of the hall committed so far is delivered here."""
